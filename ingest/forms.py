"""Read web-form tool exports (NDJSON, JSON, CSV) into submissions with consent events.

Each submission keeps its original object (for the raw layer), a canonical record (contact
fields as in `ingest.fields`, plus form id, page URL, submission time in UTC, IP, user
agent, normalised request type and message) and the consent facts as events in the
vocabulary of section 10 of the eligibility rules. A submission that cannot be read or
dated (malformed JSON line, unparseable timestamp, unknown consent channel, no contact data)
goes to quarantine with its line/row, the field and the reason; the rest of the file loads.

The concerns live next door: `form_formats` (reading NDJSON, JSON and CSV), `form_values`
(what a value may be), `form_fields` (keys onto the record), `form_consent` (consent facts)
and `form_config` (the key aliases and words of ingest/defaults/forms.yaml).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.columns import load_columns_config
from ingest.errors import InputFileError
from ingest.form_config import load_forms_config
from ingest.form_consent import ConsentReader
from ingest.form_fields import FieldReader
from ingest.form_formats import Rows, csv_objects, export_format, json_objects, ndjson_objects
from ingest.form_values import RowProblem, check_value, storable

RAW_LIMIT = 2000
"""Quarantined raw text is cut to this many characters."""
DEFAULT_SOURCE = "forms"
"""The source of an export whose file name starts with a digit (no tool named)."""


@dataclass(frozen=True)
class QuarantineEntry:
    """One submission that could not be read: where, which field, why, and the raw text."""

    row: int | None
    field: str | None
    reason: str
    raw: str | None


@dataclass(frozen=True)
class FormSubmission:
    submission_id: str
    row_number: int
    original: dict[str, Any]
    record: dict[str, str | None]
    """Every field of LIST_FIELDS and FORM_FIELDS; submitted_at is ISO 8601 in UTC."""
    consent_events: list[dict[str, Any]]


@dataclass(frozen=True)
class FormExport:
    file_name: str
    file_sha256: str
    format: str
    """'ndjson', 'json' or 'csv'."""
    submissions: list[FormSubmission]
    quarantine: list[QuarantineEntry]
    unmapped_keys: tuple[str, ...] = ()
    """Keys found in the export that map to nothing (kept in `original`)."""
    config_version: str = ""
    encoding: str | None = None
    source: str = DEFAULT_SOURCE
    """The form tool, from the file name (`export_source`): submission ids are unique only
    within one source and form."""


def _cut(text: str) -> str:
    return text if len(text) <= RAW_LIMIT else text[:RAW_LIMIT] + "…"


def export_source(file_name: str) -> str:
    """The tool an export comes from: its file name up to the first digit, lower case
    (`typeform-2026-11-20.ndjson` → `typeform`). Form tools number their submissions from 1,
    so an id means something only together with its tool and form; the operator names the
    tool in the file name. Mirrored in SQL by migration 0009 for rows loaded before it."""
    tool = re.sub(r"[0-9].*", "", Path(file_name).stem, flags=re.DOTALL)
    return tool.strip(" -_.").lower() or DEFAULT_SOURCE


def read_form_export(path: Path, *, config_dir: Path | None = None) -> FormExport:
    """Read one export file; `InputFileError` only if the file as a whole is unreadable."""
    path = Path(path)
    forms = load_forms_config(config_dir)
    columns = load_columns_config(config_dir)
    if not path.is_file():
        raise InputFileError(path, None, None, "file not found")
    data = path.read_bytes()
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise InputFileError(path, None, None, "the file is empty")
    kind = export_format(path, data)
    if kind == "json" and b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise InputFileError(path, line, None, "binary data: NUL byte; this is not a JSON export")
    encoding: str | None = "utf-8"
    items: Rows
    if kind == "ndjson":
        items = ndjson_objects(data)
    elif kind == "json":
        items = json_objects(path, data, forms.value.containers)
    else:
        items, encoding = csv_objects(path)

    fields = FieldReader(forms.value, columns.value)
    consent = ConsentReader(forms.value)
    submissions: list[FormSubmission] = []
    quarantine: list[QuarantineEntry] = []
    for number, obj, raw in items:
        text = storable(raw or json.dumps(obj, ensure_ascii=False, default=str))
        if isinstance(obj, RowProblem):
            quarantine.append(QuarantineEntry(number, obj.field, obj.reason, _cut(text)))
            continue
        if not isinstance(obj, dict):
            quarantine.append(QuarantineEntry(number, None, "a submission must be a JSON object, "
                                              f"got {type(obj).__name__}", _cut(text)))
            continue
        try:
            check_value(obj)
            record, found, given_id = fields.read(obj)
            events = consent.events(record, found)
        except RowProblem as problem:
            field_name = storable(problem.field)[:200] if problem.field else None
            quarantine.append(QuarantineEntry(number, field_name, problem.reason, _cut(text)))
            continue
        canonical = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)
        submission_id = given_id or "h" + hashlib.sha256(canonical.encode()).hexdigest()[:20]
        submissions.append(FormSubmission(submission_id, number, obj, record, events))
    if kind == "ndjson" and not submissions and b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise InputFileError(path, line, None, "binary data: NUL byte and not one readable "
                             "submission; this is not a form export")
    return FormExport(
        file_name=path.name,
        file_sha256=hashlib.sha256(data).hexdigest(),
        format=kind,
        submissions=submissions,
        quarantine=quarantine,
        unmapped_keys=tuple(fields.unmapped),
        config_version=f"{forms.version}+{columns.version}",
        encoding=encoding,
        source=export_source(path.name),
    )
