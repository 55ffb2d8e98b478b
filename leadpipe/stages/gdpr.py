"""Data-subject requests: Art. 15 access, Art. 17 erasure, Art. 21 objection.

Each request is one transaction and leaves an audit row in `ops.gdpr_requests` that names the
person only by a keyed hash. Erasure and objection also put the person's identifiers on the
suppression list, so the next purchased list cannot bring them back.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compliance.suppression import entry_hashes, keyed_hash
from intake.config import state_path
from intake.handoff import erase_submissions
from leadpipe.settings import Settings, suppression_secret
from scoring.export_files import remove_rows
from warehouse.db import open_warehouse
from warehouse.ledger import append_events, ledger_events
from warehouse.subjects import (
    SubjectRecords,
    erase_records,
    exports_with,
    find_subject,
    ledger_rows_for,
    record_request,
    records_payloads,
)
from warehouse.suppression import add_entries, suppression_index


def _request_id(kind: str) -> str:
    return f"{kind}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def _subject_hash(secret: bytes, subject: SubjectRecords) -> str:
    return keyed_hash(secret, "subject", subject.email or subject.phone or "")


def _suppression_pairs(secret: bytes, subject: SubjectRecords) -> list[tuple[str, str]]:
    pairs = set(entry_hashes(secret, {"email": subject.email, "phone": subject.phone}))
    for record in subject.records:
        pairs.update(entry_hashes(secret, record))
    return sorted(pairs)


def access(settings: Settings, identifier: str, name: str | None = None) -> dict[str, Any]:
    """Everything held on the person (Art. 15), as plain data ready for JSON."""
    secret = suppression_secret(settings)
    received = datetime.now(UTC)
    with open_warehouse(settings, write=True, purpose="gdpr access") as wh:
        subject = find_subject(wh, identifier, name)
        seqs = ledger_rows_for(wh, subject)
        events = [e for e in ledger_events(wh) if e["seq"] in set(seqs)]
        index = suppression_index(wh)
        suppressed = sorted({index[p] for p in _suppression_pairs(secret, subject) if p in index})
        records = records_payloads(wh, subject.record_ids)
        request_id = _request_id("access")
        record_request(wh, request_id, "access", _subject_hash(secret, subject), received,
                       len(records), len(events))
    for item in (*records, *events):
        for key in ("payload", "attributes", "evidence"):
            if isinstance(item.get(key), str):
                item[key] = json.loads(item[key])
    return {
        "request_id": request_id,
        "subject": {"email": subject.email, "phone": subject.phone},
        "generated_at": received.isoformat(),
        "sources": records,
        "staging_records": subject.records,
        "consent_events": events,
        "suppression": suppressed,
    }


def erase(settings: Settings, identifier: str, name: str | None = None) -> dict[str, Any]:
    """Remove the person's personal data everywhere (Art. 17); keep suppression + audit."""
    secret = suppression_secret(settings)
    received = datetime.now(UTC)
    request_id = _request_id("erasure")
    with open_warehouse(settings, write=True, purpose="gdpr erase", publish=True) as wh:
        with wh.transaction():
            subject = find_subject(wh, identifier, name)
            leads, files = exports_with(wh, subject.record_ids)
            pairs = _suppression_pairs(secret, subject)
            add_entries(wh, pairs, origin="erasure", reference=request_id)
            records, events = erase_records(wh, subject, request_id)
            # exports handed to sales are files leadpipe wrote: the person leaves them too
            scrubbed = sum(bool(remove_rows(Path(f), "lead_id", set(leads))) for f in files)
            record_request(wh, request_id, "erasure", _subject_hash(secret, subject), received,
                           records, events, scrubbed)
    spooled = erase_submissions(state_path(settings), subject.email, subject.phone)
    return {"request_id": request_id, "records_erased": records, "events_redacted": events,
            "suppression_entries": len(pairs), "export_files_cleaned": scrubbed,
            "form_service_submissions_erased": spooled}


def object_to_marketing(settings: Settings, identifier: str, name: str | None = None
                        ) -> dict[str, Any]:
    """Art. 21 objection: all channels blocked from now on, and kept out of future lists."""
    secret = suppression_secret(settings)
    received = datetime.now(UTC)
    request_id = _request_id("objection")
    with open_warehouse(settings, write=True, purpose="gdpr object", publish=True,
                        create=True) as wh:
        with wh.transaction():
            subject = find_subject(wh, identifier, name)
            pairs = _suppression_pairs(secret, subject)
            add_entries(wh, pairs, origin="objection", reference=request_id)
            # one event per record, so every lead the person is part of sees it; none known:
            # filed under the identifier alone
            record_ids = [r["record_id"] for r in subject.records] or [None]
            events = [{
                "record_id": record_id, "subject_email": subject.email,
                "subject_phone": subject.phone, "kind": "objection_art21", "channels": ["all"],
                "occurred_at": received, "attributes": {"request_id": request_id},
                "evidence": {"received_via": "leadpipe gdpr object"},
            } for record_id in record_ids]
            added = append_events(wh, events)
            record_request(wh, request_id, "objection", _subject_hash(secret, subject),
                           received, len(subject.records), added)
    return {"request_id": request_id, "records": len(subject.records), "events_added": added,
            "suppression_entries": len(pairs)}
