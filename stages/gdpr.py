"""Data-subject requests: Art. 15 access, Art. 17 erasure, Art. 21 objection.

Each request is one transaction and leaves an audit row in `ops.gdpr_requests` that names the
person only by a keyed hash. Erasure and objection also put the person's identifiers on the
suppression list, so the next purchased list cannot bring them back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compliance.suppression import entry_hashes, keyed_hash
from foundation.settings import Settings, suppression_secret
from ingest.scrub import ScrubReport, scrub_file, scrub_tree
from intake.config import state_path
from intake.handoff import erase_submissions
from scoring.crm_formats import id_headers, load_crm_formats
from scoring.export_files import remove_rows
from scoring.export_layouts import german_headers
from stages.consent import Subject
from stages.lead_lists import refresh_lead_list
from warehouse.compact import CompactResult, is_pending, mark_pending
from warehouse.crm_outcomes import engagement_of_records
from warehouse.db import compact_warehouse, open_warehouse
from warehouse.ledger import append_events, ledger_events
from warehouse.subjects import (
    SubjectRecords,
    erase_records,
    exports_with,
    find_subject,
    ledger_rows_for,
    logged_files,
    mentions_of,
    person_name,
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


@dataclass(frozen=True)
class AccessReport:
    """Everything held on the person (Art. 15): the answer to an access request."""

    request_id: str
    subject: Subject
    generated_at: str
    sources: list[dict[str, Any]]
    """The raw records as they came in, payload included."""
    staging_records: list[dict[str, Any]]
    consent_events: list[dict[str, Any]]
    suppression: list[str]
    """Why the person is on the suppression list (origins), if they are."""
    engagement: list[dict[str, Any]] = field(default_factory=list)
    """Newsletter opens and clicks imported for the person's records."""


def access(settings: Settings, identifier: str, name: str | None = None) -> AccessReport:
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
        engagement = engagement_of_records(wh, subject.record_ids)
        request_id = _request_id("access")
        record_request(wh, request_id, "access", _subject_hash(secret, subject), received,
                       len(records), len(events))
    for item in (*records, *events):
        for key in ("payload", "attributes", "evidence"):
            if isinstance(item.get(key), str):
                item[key] = json.loads(item[key])
    return AccessReport(request_id, Subject(subject.email, subject.phone),
                        received.isoformat(), records, subject.records, events, suppressed,
                        engagement)


@dataclass(frozen=True)
class FoundRecord:
    """One record an erasure would delete (or leaves to the operator), without its payload."""

    record_id: str
    source_kind: str
    name: str
    postcode: str | None
    company: str | None
    found_by: str

    @classmethod
    def of(cls, row: dict[str, Any], found_by: str) -> FoundRecord:
        return cls(row["record_id"], row.get("source_kind") or "raw", person_name(row),
                   row.get("postcode"), row.get("company"), found_by)


@dataclass(frozen=True)
class ErasureResult:
    """What an erasure removed (or, as a dry run, would remove), for the operator's reply."""

    request_id: str | None
    dry_run: bool
    records: list[FoundRecord]
    ambiguous: list[FoundRecord]
    """Same name, nothing else in common: not erased; repeat with --include RECORD_ID."""
    records_erased: int = 0
    events_redacted: int = 0
    suppression_entries: int = 0
    export_files_cleaned: int = 0
    files_cleaned: list[str] = field(default_factory=list)
    files_not_cleaned: list[str] = field(default_factory=list)
    form_service_submissions_erased: int = 0
    compaction: CompactResult | None = None


def _found(subject: SubjectRecords) -> tuple[list[FoundRecord], list[FoundRecord]]:
    records = [FoundRecord.of(r, subject.found_by.get(r["record_id"], "identifier"))
               for r in subject.records]
    records += [FoundRecord(rid, "raw", "", None, None, subject.found_by.get(rid, "identifier"))
                for rid in subject.raw_only_record_ids]
    return records, [FoundRecord.of(r, r["why"]) for r in subject.ambiguous]


def erase(settings: Settings, identifier: str, name: str | None = None, *,
          include: Sequence[str] = (), dry_run: bool = False) -> ErasureResult:
    """Remove the person's personal data everywhere (Art. 17); keep suppression + audit.

    Everywhere means: every warehouse layer (then the file is rewritten so freed blocks keep
    no bytes, and the snapshot re-published), crawled pages that name the person, export and
    review files leadpipe wrote, every file under the data directory (archived lists and form
    exports, hand-off files), and the form service's spool. A dry run changes nothing.
    """
    if dry_run:
        with open_warehouse(settings, write=False) as wh:
            subject = find_subject(wh, identifier, name, include)
        return ErasureResult(None, True, *_found(subject))
    secret = suppression_secret(settings)
    received = datetime.now(UTC)
    request_id = _request_id("erasure")
    mark_pending(settings.db_path)  # the nightly run finishes the rewrite if we are killed
    with open_warehouse(settings, write=True, purpose="gdpr erase") as wh:
        with wh.transaction():
            subject = find_subject(wh, identifier, name, include)
            mentions = mentions_of(wh, subject)
            leads, files = exports_with(wh, subject.record_ids)
            pairs = _suppression_pairs(secret, subject)
            add_entries(wh, pairs, origin="erasure", reference=request_id)
            records, events = erase_records(wh, subject, request_id)
            refresh_lead_list(wh, settings, "erase")  # the list held their name and contact
            # exports handed to sales are files leadpipe wrote: the person leaves them too
            lead_id = ("lead_id", german_headers(settings.config_dir)["lead_id"],
                       *id_headers(load_crm_formats(settings.config_dir).value))
            scrubbed = sum(bool(remove_rows(Path(f), lead_id, set(leads))) for f in files)
            record_request(wh, request_id, "erasure", _subject_hash(secret, subject), received,
                           records, events, scrubbed)
            other_files = logged_files(wh, exclude=files)
    found, ambiguous = _found(subject)
    spooled = erase_submissions(state_path(settings), subject.email, subject.phone)
    report = ScrubReport()
    for path in other_files:
        scrub_file(Path(path), mentions, report)
    for root in sorted({settings.data_dir.resolve(), settings.db_path.parent.resolve()}):
        scrub_tree(root, mentions, report)
    compaction = compact_warehouse(settings, purpose="gdpr erase (rewrite)")
    return ErasureResult(request_id, False, found, ambiguous, records, events, len(pairs),
                         scrubbed, report.files_cleaned, report.not_cleaned, spooled,
                         compaction)


def finish_pending_erasure(settings: Settings) -> CompactResult | None:
    """Rewrite the warehouse if an erasure was interrupted before it could (nightly start)."""
    if not settings.db_path.exists() or not is_pending(settings.db_path):
        return None
    return compact_warehouse(settings, purpose="finish erasure (rewrite)")


@dataclass(frozen=True)
class ObjectionReport:
    request_id: str
    records: int
    events_added: int
    suppression_entries: int


def object_to_marketing(settings: Settings, identifier: str, name: str | None = None
                        ) -> ObjectionReport:
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
    return ObjectionReport(request_id, len(subject.records), added, len(pairs))
