"""Consent stage functions: import external events, show a person's consent history."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compliance.external_events import read_external_events
from compliance.ledger import verify_chain
from compliance.subjects import email_key, phone_key
from compliance.suppression import entry_hashes
from foundation.settings import Settings, suppression_secret
from ingest.errors import InputFileError
from warehouse.db import Warehouse, open_warehouse
from warehouse.ledger import append_events, events_for_subject, ledger_events
from warehouse.quarantine import is_noted, note_problems
from warehouse.record_origins import record_of_submission
from warehouse.runs import run_job
from warehouse.suppression import add_entries


@dataclass(frozen=True)
class EventImportReport:
    file: str
    lines: int
    imported: int
    already_known: int
    problems: list[tuple[int, str | None, str]]
    suppressed_people: int

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "lines": self.lines, "imported": self.imported,
                "already_known": self.already_known, "suppressed_people": self.suppressed_people,
                "problems": [{"line": ln, "field": f, "reason": r} for ln, f, r in self.problems]}


@dataclass(frozen=True)
class EventCounts:
    """What `ops.runs` keeps of an event import."""

    imported: int
    suppressed_people: int


def import_external_events(settings: Settings, path: Path) -> EventImportReport:
    """Append unsubscribes, bounces, do-not-call notes and objections to the ledger.

    Objections also put the person on the suppression list at once (Art. 21(3): no further
    processing for direct marketing). Lines that cannot be understood are reported, not
    guessed; the rest is imported in one transaction.
    """
    try:
        parsed = read_external_events(path)
    except (UnicodeDecodeError, OSError) as exc:
        raise InputFileError(path, None, None, f"cannot read the file: {exc}") from exc
    secret = suppression_secret(settings)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    events: list[dict[str, Any]] = []
    for e in parsed.events:
        events.append({
            "record_id": None, "subject_email": e.email, "subject_phone": e.phone,
            "kind": e.kind, "channels": list(e.channels), "occurred_at": e.occurred_at,
            "attributes": e.attributes, "evidence": {**e.evidence, "import_file": path.name},
        })

    def job(wh: Warehouse, run_id: str) -> EventCounts:
        for event in events:  # a late DOI confirmation belongs to its form submission
            submission = event["evidence"].get("submission_id")
            if submission:
                event["record_id"] = record_of_submission(wh, submission)
        new = append_events(wh, events)
        people = 0
        for e in parsed.events:
            if e.kind == "objection_art21":
                record = {**e.person, "email": e.email, "phone": e.phone}
                people += bool(add_entries(wh, entry_hashes(secret, record), origin="objection",
                                           reference=f"external:{digest[:12]}:{e.line}"))
        if not is_noted(wh, f"E{digest[:15]}"):  # a file read again has its problems noted
            note_problems(wh, f"E{digest[:15]}", path.name, parsed.problems, datetime.now(UTC))
        return EventCounts(new, people)

    with open_warehouse(settings, write=True, purpose=f"import events {path.name}",
                        publish=True, create=True) as wh:
        _, counts = run_job(wh, "import-consent-events", {"path": str(path)}, job)
    return EventImportReport(
        path.name, len(parsed.events) + len(parsed.problems), counts.imported,
        len(parsed.events) - counts.imported, parsed.problems, counts.suppressed_people,
    )


@dataclass(frozen=True)
class Subject:
    """The keys a person is filed under: normalised e-mail address or phone number."""

    email: str | None
    phone: str | None


@dataclass(frozen=True)
class ConsentHistory:
    subject: Subject
    ledger_intact: bool
    ledger_problems: list[str]
    """Where the hash chain breaks (empty when intact)."""
    events: list[dict[str, Any]]
    """The ledger rows filed under the subject, with their evidence, in chain order."""


def consent_history(settings: Settings, identifier: str) -> ConsentHistory:
    """A person's consent events with their evidence, and whether the ledger is intact."""
    email = email_key(identifier) if "@" in identifier else None
    phone = None if email else phone_key(identifier)
    with open_warehouse(settings, write=False) as wh:
        chain_problems = verify_chain(ledger_events(wh))
        events = events_for_subject(wh, email, phone)
    for event in events:
        for key in ("attributes", "evidence"):
            if isinstance(event[key], str):
                event[key] = json.loads(event[key])
    return ConsentHistory(Subject(email, phone), not chain_problems, chain_problems, events)
