"""Load a web-form export into raw, staging, quarantine and the consent ledger.

One transaction per file. A file seen before is skipped whole; a submission seen before (e.g.
in an overlapping export) is skipped on its own. Form tools number submissions from 1, so a
submission is known by its source (the tool, from the file name), form and id together.
Consent facts become ledger events linked to the submission's record id.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compliance.suppression import SuppressionList
from warehouse.db import Warehouse
from warehouse.ledger import append_events
from warehouse.load_lists import BatchReport, already_ingested, batch_id_for, staging_columns

EVIDENCE_KEYS = frozenset({
    "consent_text", "consent_text_version", "consent_text_sha256", "ip", "user_agent",
    "form_id", "page_url", "privacy_notice_version", "doi_requested_at", "doi_ip",
    "doi_user_agent", "verification",
})
"""Event keys that document *how* a fact is proven; the rest describe the fact itself."""


def ledger_event(
    event: Mapping[str, Any], *, record_id: str, email: str | None, phone: str | None
) -> dict[str, Any]:
    """Split a section-10 event into the ledger's columns."""
    attributes = {k: v for k, v in event.items()
                  if k not in EVIDENCE_KEYS and k not in ("at", "kind", "channels")}
    evidence = {k: v for k, v in event.items() if k in EVIDENCE_KEYS and v is not None}
    return {
        "record_id": record_id,
        "subject_email": email,
        "subject_phone": phone,
        "kind": event["kind"],
        "channels": list(event.get("channels") or []),
        "occurred_at": event["at"],
        "attributes": attributes,
        "evidence": evidence,
    }


def _after(submitted_at: str | None, moment: datetime) -> bool:
    """Whether an ISO 8601 submission time lies after `moment` (unknown: not after)."""
    try:
        when = datetime.fromisoformat(str(submitted_at))
    except ValueError:
        return False
    return (when if when.tzinfo else when.replace(tzinfo=UTC)) > moment


def load_form_export(
    wh: Warehouse,
    *,
    run_id: str,
    export: Any,
    path: Path,
    subject_keys: Any,
    suppression: SuppressionList,
) -> BatchReport:
    """Load `export` (an `ingest.forms.FormExport`) inside the caller's transaction.

    `subject_keys(record) -> (email, phone)` gives the normalised identifiers the ledger is
    searched by. A submission from someone on the suppression list is still loaded — people
    may consent again after an objection (rule G2a) — but gets a `suppression_list_match`
    event, so the eligibility rules G1/G2 see the objection or erasure.
    """
    earlier = already_ingested(wh, "web_form", export.file_sha256, path.name)
    if earlier is not None:
        return earlier
    batch_id = batch_id_for("web_form", export.file_sha256)
    now = datetime.now(UTC)
    known = {
        (r[0], r[1] or "", r[2]) for r in wh.fetchall(
            "SELECT form_source, form_id, submission_id FROM raw.records "
            "WHERE source_kind = 'web_form' AND form_source = ?", [export.source]
        )
    }
    fresh = []
    skipped = 0
    matches: list[list[Any]] = []
    for sub in export.submissions:
        key = (export.source, sub.record.get("form_id") or "", sub.submission_id)
        if key in known:
            skipped += 1
            continue
        known.add(key)
        hit = suppression.first_match(sub.record) if suppression else None
        if hit and hit[1].origin == "erasure" and not _after(sub.record.get("submitted_at"),
                                                             hit[1].entered_at):
            # an old export re-imported must not bring an erased person back; a submission
            # made after the erasure is a new act and loads
            skipped += 1
            matches.append([batch_id, sub.row_number, sub.submission_id, hit[0], "erasure",
                            now])
            continue
        fresh.append(sub)

    cols = staging_columns(wh, "staging.stg_web_form__submissions")
    raw_rows: list[list[Any]] = []
    staging_rows: list[list[Any]] = []
    events: list[dict[str, Any]] = []
    for sub in fresh:
        # the row keeps two forms' "1" apart within one file
        record_id = f"{batch_id}:{sub.row_number}:{sub.submission_id}"
        raw_rows.append([
            record_id, batch_id, "web_form", sub.row_number, sub.submission_id,
            export.source, sub.record.get("form_id"),
            json.dumps(sub.original, ensure_ascii=False, default=str), now,
        ])
        values = {**sub.record, "record_id": record_id, "batch_id": batch_id,
                  "submission_id": sub.submission_id, "row_number": sub.row_number}
        staging_rows.append([values.get(c) for c in cols])
        email, phone = subject_keys(sub.record)
        events.extend(
            ledger_event(e, record_id=record_id, email=email, phone=phone)
            for e in sub.consent_events
        )
        found = suppression.first_match(sub.record) if suppression else None
        if found:
            origin = found[1].origin
            matches.append([batch_id, sub.row_number, sub.submission_id, found[0], origin, now])
            events.append(ledger_event(
                {"kind": "suppression_list_match", "channels": ["all"], "origin": origin,
                 "at": sub.record.get("submitted_at") or now},
                record_id=record_id, email=email, phone=phone,
            ))
    if raw_rows:
        wh.con.executemany(
            "INSERT INTO raw.records (record_id, batch_id, source_kind, row_number, "
            "submission_id, form_source, form_id, payload, ingested_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            raw_rows,
        )
        wh.con.executemany(
            f"INSERT INTO staging.stg_web_form__submissions ({', '.join(cols)}) "
            f"VALUES ({', '.join('?' * len(cols))})",
            staging_rows,
        )
    append_events(wh, events)
    if matches:
        wh.con.executemany(
            "INSERT INTO ops.suppressed_rows (batch_id, row_number, submission_id, kind, origin, "
            "suppressed_at) VALUES (?, ?, ?, ?, ?, ?)", matches,
        )
    if export.quarantine:
        wh.con.executemany(
            "INSERT INTO ops.quarantine (batch_id, file_name, row_number, field, reason, "
            "raw_content, quarantined_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [[batch_id, path.name, q.row, q.field, q.reason, q.raw, now]
             for q in export.quarantine],
        )
    rows_in = len(export.submissions) + len(export.quarantine)
    wh.execute(
        "INSERT INTO raw.batches (batch_id, run_id, source_kind, file_name, file_path, "
        "file_sha256, file_size, file_format, rows_in, rows_loaded, rows_quarantined, "
        "rows_skipped, ingested_at) VALUES (?, ?, 'web_form', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, run_id, path.name, str(path), export.file_sha256, path.stat().st_size,
         export.format, rows_in, len(fresh), len(export.quarantine), skipped, now],
    )
    return BatchReport(batch_id, path.name, "loaded", rows_in, len(fresh),
                       len(export.quarantine), skipped)
