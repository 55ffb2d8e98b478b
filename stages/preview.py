"""The import preview: what loading a purchased list would do, without writing anything.

Marketing ops see, before a list goes in, how it was read (encoding, delimiter, header row),
which column becomes which field and how sure that is, what stays unmapped, and which rows
would be quarantined and why; `--write-mapping` saves the proposal as a mapping file to
correct and load with. The same code reads and maps the file as the load does.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from foundation.settings import Settings
from ingest.columns import ColumnChoice
from ingest.prepare import ColumnsFor, PreparedList, prepare_list
from ingest.vendor_mapping import ProposedColumn, proposal_yaml
from warehouse.load_lists import ProblemCount, preview_problems


@dataclass(frozen=True)
class ListPreview:
    """How a list would be read, mapped and loaded."""

    file: str
    file_format: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int
    rows: int
    columns: tuple[ColumnChoice, ...]
    unmapped: tuple[str, ...]
    warnings: tuple[str, ...]
    would_quarantine: tuple[ProblemCount, ...]
    blank_rows: int
    recognised: str | None = None
    """A customer export: which export it was recognised as (e.g. `HubSpot contacts`)."""

    @property
    def would_load(self) -> int:
        return self.rows - self.blank_rows - sum(p.rows for p in self.would_quarantine)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["would_load"] = self.would_load
        return data

    def proposal(self, vendor: str | None, *, customers: bool = False) -> str:
        """The mapping file text for `--write-mapping` (`customers`: of a customer export)."""
        columns = [ProposedColumn(c.header, c.field, _why(c)) for c in self.columns]
        return proposal_yaml(self.file, columns, vendor=vendor, encoding=self.encoding,
                             delimiter=self.delimiter, sheet=self.sheet, customers=customers)


def _why(column: ColumnChoice) -> str:
    """The comment of a mapping line; no sample values: a mapping file is configuration,
    often versioned or shared, and must not carry the list's personal data."""
    if column.field is None:
        return "not mapped" if column.samples else "not mapped; empty in the first rows"
    note = f"; {column.note}" if column.note else ""
    return f"{column.how}, {column.confidence:.0%}{note}"


MoreProblems = Callable[[PreparedList, Path], list[ProblemCount]]
"""Checks a load of this kind adds to a list's (a customer export's dates, yes/no values)."""


def preview_list(settings: Settings, path: Path, mapping_file: Path | None = None,
                 columns_for: ColumnsFor | None = None,
                 more_problems: MoreProblems | None = None) -> ListPreview:
    """Read and map `path` as a load would, and count what would be quarantined.

    `columns_for` and `more_problems`: a customer export's columns and row checks
    (`stages.customers.preview_customers`)."""
    with tempfile.TemporaryDirectory(prefix="leadpipe-preview-") as tmp:  # private: mode 0700
        work = Path(tmp)
        prepared = prepare_list(path, work, mapping_file, config_dir=settings.config_dir,
                                columns_for=columns_for)
        try:
            problems, blank = preview_problems(prepared, work)
            if more_problems is not None:
                problems += more_problems(prepared, work)
        finally:
            prepared.cleanup()
    return ListPreview(
        file=prepared.file_name, file_format=prepared.file_format, encoding=prepared.encoding,
        delimiter=prepared.delimiter, sheet=prepared.sheet,
        header_row=prepared.first_data_row - 1, rows=prepared.source_rows,
        columns=prepared.columns, unmapped=prepared.unmapped, warnings=prepared.warnings,
        would_quarantine=tuple(problems), blank_rows=blank,
    )
