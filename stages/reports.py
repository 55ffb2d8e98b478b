"""Stage reports as JSON: one conversion for the CLI's `--json` and the nightly report.

Every stage returns a frozen dataclass. Its JSON is its fields, unless the report defines
`as_dict`: then that is its JSON, because the keys are a contract scripts read (a field named
`list_name` goes out as `list`, a batch's `rows_in` as `in`).
"""

from __future__ import annotations

import dataclasses
from typing import Any


def report_json(value: Any) -> Any:
    """A report, a list of reports, or a plain value (None included) as plain data."""
    if isinstance(value, list):
        return [report_json(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return value.as_dict() if hasattr(value, "as_dict") else dataclasses.asdict(value)
    return value
