"""The workspace journal: sales outcomes and objections that must never wait for the lock.

A sales rep records an outcome or an objection while the nightly run may hold the write lock
for an hour. So each one is first written as a journal file beside the warehouse (mode 600,
atomic, synced; the export log's pattern, `warehouse.export_log`), and the next session that
holds the write lock folds it in — at once, when nobody else is writing. The stage computes
everything an entry stores (ledger events with their ids, suppression hashes), so folding only
inserts rows, and folding an entry twice changes nothing.

A folded entry is moved to `folded/` rather than deleted, and leaves only when a snapshot is
published (`forget_folded`): a reader of the older snapshot still sees the objection in the
journal until a snapshot that holds it replaces that one.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compliance.suppression import SuppressionEntry
from foundation.private import DIR_MODE, write_atomic

if TYPE_CHECKING:
    from warehouse.db import Warehouse


@dataclass(frozen=True)
class OutcomeEntry:
    """One outcome as `core.lead_outcomes` stores it."""

    outcome_id: str
    lead_id: str
    outcome: str
    recorded_at: datetime
    recorded_by: str
    note: str | None
    value_eur: str | None
    """A decimal as text (JSON has no decimals)."""
    source: str = "workspace"


@dataclass(frozen=True)
class ObjectionEntry:
    """One objection (Art. 21) against a lead, with every row it stores computed already."""

    request_id: str
    lead_id: str
    received_at: datetime
    recorded_by: str
    subject_hash: str
    records: int
    events: Sequence[dict[str, Any]]
    """Ledger events (`objection_art21`, channels all) with their `event_id`s."""
    suppression: Sequence[tuple[str, str]]
    """(kind, keyed hash) pairs for the suppression list."""


Entry = OutcomeEntry | ObjectionEntry


def journal_dir(db_path: Path) -> Path:
    """Where entries of the warehouse at `db_path` wait to be folded in."""
    return db_path.with_name(db_path.stem + ".workspace-journal")


def _folded_dir(db_path: Path) -> Path:
    return journal_dir(db_path) / "folded"


def _entry_id(entry: Entry) -> str:
    return entry.outcome_id if isinstance(entry, OutcomeEntry) else entry.request_id


def write_entry(db_path: Path, entry: Entry) -> Path:
    """Write the entry durably (mode 600, atomic, synced) and return its path."""
    directory = journal_dir(db_path)
    directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    path = directory / f"{_entry_id(entry)}.json"
    kind = "outcome" if isinstance(entry, OutcomeEntry) else "objection"
    data = {"kind": kind, **asdict(entry)}
    write_atomic(path, json.dumps(data, ensure_ascii=False, default=str).encode("utf-8"))
    return path


def _read(path: Path) -> Entry:
    data = json.loads(path.read_text(encoding="utf-8"))
    kind = data.pop("kind")
    if kind == "outcome":
        data["recorded_at"] = datetime.fromisoformat(data["recorded_at"])
        return OutcomeEntry(**data)
    data["received_at"] = datetime.fromisoformat(data["received_at"])
    data["suppression"] = [tuple(pair) for pair in data["suppression"]]
    for event in data["events"]:
        event["occurred_at"] = datetime.fromisoformat(event["occurred_at"])
    return ObjectionEntry(**data)


def _paths(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.json")) if directory.is_dir() else []


def _readable(paths: Sequence[Path]) -> list[tuple[Path, Entry]]:
    """The entries of these files; one that cannot be read is reported and left in place
    (it never blocks a run, and nobody deletes it unseen)."""
    found = []
    for path in paths:
        try:
            found.append((path, _read(path)))
        except FileNotFoundError:
            continue  # folded meanwhile by the writer
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"leadpipe: cannot read the workspace journal entry {path} ({exc}); it "
                  "stays there until someone looks at it", file=sys.stderr)
    return found


def journal_entries(db_path: Path, *, folded: bool = True) -> list[Entry]:
    """Entries not yet in the warehouse, and (with `folded`) those folded since the last
    snapshot was published, oldest first by id."""
    paths = _paths(journal_dir(db_path)) + (_paths(_folded_dir(db_path)) if folded else [])
    return [entry for _, entry in _readable(paths)]


def pending_objections(db_path: Path) -> list[ObjectionEntry]:
    """Objections a reader may not see in its warehouse or snapshot yet."""
    return [e for e in journal_entries(db_path) if isinstance(e, ObjectionEntry)]


def pending_suppression(entries: Sequence[ObjectionEntry]) -> dict[tuple[str, str],
                                                                    SuppressionEntry]:
    """Their suppression pairs as list entries (to check rows against with the stored list)."""
    return {pair: SuppressionEntry("objection", entry.received_at)
            for entry in entries for pair in entry.suppression}


def is_folded(db_path: Path, entry_id: str) -> bool:
    return not (journal_dir(db_path) / f"{entry_id}.json").exists()


def _store(wh: Warehouse, entries: Sequence[Entry]) -> None:
    """Insert what is not there yet; the ledger events of all objections in one append."""
    from warehouse.ledger import append_events
    from warehouse.subjects import record_request
    from warehouse.suppression import add_entries

    outcomes = [e for e in entries if isinstance(e, OutcomeEntry)]
    known = {r[0] for r in wh.fetchall(
        "SELECT outcome_id FROM core.lead_outcomes WHERE list_contains(?, outcome_id)",
        [[e.outcome_id for e in outcomes]])}
    for outcome in outcomes:
        if outcome.outcome_id not in known:
            wh.execute("INSERT INTO core.lead_outcomes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [outcome.outcome_id, outcome.lead_id, outcome.outcome,
                        outcome.recorded_at, outcome.recorded_by, outcome.note,
                        outcome.value_eur, outcome.source])
            known.add(outcome.outcome_id)
    objections = [e for e in entries if isinstance(e, ObjectionEntry)]
    append_events(wh, [event for e in objections for event in e.events])
    requests = {r[0] for r in wh.fetchall(
        "SELECT request_id FROM ops.gdpr_requests WHERE list_contains(?, request_id)",
        [[e.request_id for e in objections]])}
    for entry in objections:
        add_entries(wh, entry.suppression, origin="objection", reference=entry.request_id)
        if entry.request_id not in requests:
            record_request(wh, entry.request_id, "objection", entry.subject_hash,
                           entry.received_at, entry.records, len(entry.events))


def fold_workspace_journal(wh: Warehouse, db_path: Path) -> int:
    """Store pending entries (one transaction) and move them to `folded/`; return how many.

    Called by every writer session as it opens (`warehouse.db.open_warehouse`).
    """
    found = _readable(_paths(journal_dir(db_path)))
    if not found:
        return 0
    with wh.transaction():
        _store(wh, [entry for _, entry in found])
    folded = _folded_dir(db_path)
    folded.mkdir(mode=DIR_MODE, exist_ok=True)
    for path, _ in found:
        path.replace(folded / path.name)
    return len(found)


def folded_entries(db_path: Path) -> list[Path]:
    """The folded entries now: a snapshot copied after this call holds them."""
    return _paths(_folded_dir(db_path))


def forget_folded(db_path: Path, paths: Sequence[Path]) -> None:
    """Delete folded entries once a published snapshot holds them."""
    for path in paths:
        path.unlink(missing_ok=True)
