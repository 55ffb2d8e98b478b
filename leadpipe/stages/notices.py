"""Robinson list imports and GDPR Art. 14 notice tracking."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import asdict
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
from warehouse.db import open_warehouse
from warehouse.ledger import append_events
from warehouse.raw_records import is_record
from warehouse.robinson import import_list
from warehouse.runs import run_job


def import_robinson(
    settings: Settings, path: Path, *, list_name: str, channel: str, list_date: date,
    hashed: bool,
) -> dict[str, Any]:
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
                            lambda wh, run_id: dict(zip(("list_id", "new"), import_list(
                                wh, list_name=list_name, channel=channel, list_date=list_date,
                                file_name=path.name, file_sha256=digest,
                                entries=parsed.entries), strict=True)))
    return {"list_id": result["list_id"], "list": list_name, "channel": channel,
            "entries": len(parsed.entries), "status": "loaded" if result["new"] else "skipped"}


def _identifiers(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text[:2000] else ","))
    values = [cell.strip() for row in rows for cell in row[:1] if cell.strip()]
    if values and values[0].lower() in {"record_id", "email", "phone", "id", "identifier"}:
        values = values[1:]
    return values


def mark_art14_sent(
    settings: Settings, path: Path, *, channel: str, sent_on: date, notice_version: str,
    advertising: bool,
) -> dict[str, Any]:
    """Record that a mailing carried the Art. 14 information to the records listed in `path`.

    `path` lists one record id, e-mail address or phone number per line (first column).
    """
    identifiers = _identifiers(path)
    if not identifiers:
        raise InputFileError(path, None, None, "lists no record ids, e-mail addresses or phones")

    def job(wh: Any, run_id: str) -> dict[str, Any]:
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
        return {"records": len(set(record_ids)), "events": append_events(wh, events),
                "unknown": unknown}

    with open_warehouse(settings, write=True, purpose="art14 mark-sent", publish=True) as wh:
        _, counts = run_job(wh, "art14-mark-sent", {"path": str(path), "channel": channel}, job)
    return counts


def art14_overdue(settings: Settings, as_of: date) -> list[dict[str, Any]]:
    """Purchased or crawled records past their Art. 14 deadline without a notice."""
    with open_warehouse(settings, write=False) as wh:
        rows = records_without_notice(wh)
    months = load_eligibility_config(settings.config_dir).thresholds.art14_deadline_months
    overdue = []
    for row in rows:
        deadline = add_months(row.acquired_on, months)
        if more_than_months(row.acquired_on, months, as_of):
            overdue.append({**asdict(row), "deadline": deadline,
                            "days_overdue": (as_of - deadline).days})
    return overdue
