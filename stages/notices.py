"""Robinson list imports and GDPR Art. 14 notice tracking."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from compliance.engine import add_months, more_than_months
from compliance.robinson import read_robinson_file
from compliance.subjects import email_key, phone_key
from compliance.thresholds import load_eligibility_config
from foundation.settings import Settings
from ingest.errors import InputFileError
from warehouse.art14_notices import records_of_subject, records_without_notice
from warehouse.db import Warehouse, open_warehouse
from warehouse.ledger import append_events
from warehouse.record_origins import is_record
from warehouse.robinson import import_list
from warehouse.runs import run_job


@dataclass(frozen=True)
class RobinsonLoad:
    """What `ops.runs` keeps of a Robinson import."""

    list_id: str
    new: bool


@dataclass(frozen=True)
class RobinsonImportReport:
    list_id: str
    list_name: str
    channel: str
    entries: int
    status: str  # loaded | skipped

    def as_dict(self) -> dict[str, Any]:
        return {"list_id": self.list_id, "list": self.list_name, "channel": self.channel,
                "entries": self.entries, "status": self.status}


def import_robinson(
    settings: Settings, path: Path, *, list_name: str, channel: str, list_date: date,
    hashed: bool,
) -> RobinsonImportReport:
    """Store a Robinson list version (hashed entries only); bad rows refuse the file."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    parsed = read_robinson_file(text, channel, hashed=hashed)
    if parsed.problems:
        line, field, reason = parsed.problems[0]
        raise InputFileError(path, line, field, f"{reason} ({len(parsed.problems)} bad row(s); "
                                                "nothing was imported)")
    digest = hashlib.sha256(data).hexdigest()
    with open_warehouse(settings, write=True, purpose=f"robinson {path.name}",
                        publish=True, create=True) as wh:
        _, result = run_job(wh, "import-robinson", {"path": str(path), "list": list_name},
                            lambda wh, run_id: RobinsonLoad(*import_list(
                                wh, list_name=list_name, channel=channel, list_date=list_date,
                                file_name=path.name, file_sha256=digest,
                                entries=parsed.entries)))
    return RobinsonImportReport(result.list_id, list_name, channel, len(parsed.entries),
                                "loaded" if result.new else "skipped")


def _identifiers(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text[:2000] else ","))
    values = [cell.strip() for row in rows for cell in row[:1] if cell.strip()]
    if values and values[0].lower() in {"record_id", "email", "phone", "id", "identifier"}:
        values = values[1:]
    return values


@dataclass(frozen=True)
class Art14MarkReport:
    records: int
    events: int
    """Ledger events appended (a notice, and an advertising event when it advertised)."""
    unknown: list[str]
    """Identifiers of the file that matched no record."""


def mark_art14_sent(
    settings: Settings, path: Path, *, channel: str, sent_on: date, notice_version: str,
    advertising: bool,
) -> Art14MarkReport:
    """Record that a mailing carried the Art. 14 information to the records listed in `path`.

    `path` lists one record id, e-mail address or phone number per line (first column).
    """
    identifiers = _identifiers(path)
    if not identifiers:
        raise InputFileError(path, None, None, "lists no record ids, e-mail addresses or phones")

    def job(wh: Warehouse, run_id: str) -> Art14MarkReport:
        record_ids: list[str] = []
        unknown: list[str] = []
        for value in identifiers:
            if is_record(wh, value):
                record_ids.append(value)
                continue
            key_email = email_key(value) if "@" in value else None
            key_phone = None if key_email else phone_key(value)
            found = records_of_subject(wh, key_email, key_phone)
            record_ids.extend(found)
            if not found:
                unknown.append(value)
        when = datetime(sent_on.year, sent_on.month, sent_on.day, tzinfo=UTC)
        events = [{"record_id": rid, "kind": "art14_notice_sent", "channels": [channel],
                   "occurred_at": when, "attributes": {"notice_version": notice_version},
                   "evidence": {"source_file": path.name}} for rid in record_ids]
        if advertising:
            events += [{"record_id": rid, "kind": "advertising_sent", "channels": [channel],
                        "occurred_at": when,
                        "attributes": {"included_art14_info": True,
                                       "included_objection_notice": True},
                        "evidence": {"source_file": path.name}} for rid in record_ids]
        return Art14MarkReport(len(set(record_ids)), append_events(wh, events), unknown)

    with open_warehouse(settings, write=True, purpose="art14 mark-sent", publish=True) as wh:
        _, report = run_job(wh, "art14-mark-sent", {"path": str(path), "channel": channel},
                            job)
    return report


@dataclass(frozen=True)
class OverdueRecord:
    record_id: str
    source_kind: str
    vendor: str | None
    file_name: str | None
    acquired_on: date
    deadline: date
    days_overdue: int


def art14_overdue(settings: Settings, as_of: date) -> list[OverdueRecord]:
    """Purchased or crawled records past their Art. 14 deadline without a notice."""
    with open_warehouse(settings, write=False) as wh:
        rows = records_without_notice(wh)
    months = load_eligibility_config(settings.config_dir).thresholds.art14_deadline_months
    overdue = []
    for row in rows:
        deadline = add_months(row.acquired_on, months)
        if more_than_months(row.acquired_on, months, as_of):
            overdue.append(OverdueRecord(**asdict(row), deadline=deadline,
                                         days_overdue=(as_of - deadline).days))
    return overdue
