"""The export log: who got which leads for which channel (Art. 14 deadlines, audits, erasure).

An export reads without the write lock, so a sales rep never waits for the nightly run; its
log entry therefore cannot always go into the warehouse at once. It is written first as a
journal file beside the warehouse (synced to disk, mode 600) before the export file appears
under its name, and the next session that holds the write lock folds it into `ops.exports`
and `ops.export_leads` — at once, when nobody else is writing.
"""

from __future__ import annotations

import getpass
import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from foundation.private import write_atomic

if TYPE_CHECKING:
    from warehouse.db import Warehouse


@dataclass(frozen=True)
class ExportedLead:
    lead_id: str
    decision: str
    reason: str
    legal_basis: str | None


@dataclass(frozen=True)
class ExportLogEntry:
    export_id: str
    exported_by: str
    exported_at: datetime
    channel: str
    filters: dict[str, Any]
    fmt: str
    path: str
    leads: Sequence[ExportedLead]

    @classmethod
    def new(cls, kind: str, *, by: str | None, channel: str, filters: dict[str, Any],
            fmt: str, path: Path, leads: Sequence[ExportedLead] = ()) -> ExportLogEntry:
        """An entry for a file written now: a fresh id (`kind-…`), by `by` or the OS user."""
        now = datetime.now(UTC)
        return cls(f"{kind}-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}",
                   by or os.environ.get("USER") or getpass.getuser(), now, channel, filters,
                   fmt, str(path.resolve()), leads)


def journal_dir(db_path: Path) -> Path:
    """Where pending log entries of the warehouse at `db_path` wait to be folded in."""
    return db_path.with_name(db_path.stem + ".export-log")


def write_journal(db_path: Path, entry: ExportLogEntry) -> Path:
    """Write the entry durably (mode 600, atomic, synced) and return its path."""
    directory = journal_dir(db_path)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"{entry.export_id}.json"
    data = {**asdict(entry), "exported_at": entry.exported_at.isoformat()}
    write_atomic(path, json.dumps(data, ensure_ascii=False, default=str).encode("utf-8"))
    return path


def _read(path: Path) -> ExportLogEntry:
    data = json.loads(path.read_text(encoding="utf-8"))
    return ExportLogEntry(
        data["export_id"], data["exported_by"], datetime.fromisoformat(data["exported_at"]),
        data["channel"], data["filters"], data["fmt"], data["path"],
        [ExportedLead(**lead) for lead in data["leads"]])


def log_export(wh: Warehouse, entry: ExportLogEntry) -> None:
    """One `ops.exports` row and one `ops.export_leads` row per exported lead."""
    wh.execute("INSERT INTO ops.exports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               [entry.export_id, entry.exported_by, entry.exported_at, entry.channel,
                json.dumps(entry.filters, default=str), entry.fmt, entry.path,
                len(entry.leads)])
    if entry.leads:
        n = len(entry.leads)
        wh.insert_columns("ops.export_leads", {
            "export_id": [entry.export_id] * n, "lead_id": [x.lead_id for x in entry.leads],
            "channel": [entry.channel] * n, "decision": [x.decision for x in entry.leads],
            "reason": [x.reason for x in entry.leads],
            "legal_basis": [x.legal_basis for x in entry.leads]})


def fold_journal(wh: Warehouse, db_path: Path) -> int:
    """Move pending journal entries into the log (one transaction); return how many.

    An entry already in the log (a fold that died before deleting its file) is not added
    twice; files are deleted only after the commit.
    """
    directory = journal_dir(db_path)
    paths = sorted(directory.glob("*.json")) if directory.is_dir() else []
    if not paths:
        return 0
    known = {r[0] for r in wh.fetchall("SELECT export_id FROM ops.exports")}
    with wh.transaction():
        for path in paths:
            entry = _read(path)
            if entry.export_id not in known:
                log_export(wh, entry)
    for path in paths:
        path.unlink(missing_ok=True)
    return len(paths)


@dataclass(frozen=True)
class ExportLogRow:
    """One logged export, for the workspace's export log page."""

    export_id: str
    exported_by: str
    exported_at: datetime
    channel: str
    filters: dict[str, Any]
    fmt: str
    file_name: str
    lead_count: int


def recent_exports(wh: Warehouse, limit: int = 100, by: str | None = None) -> list[ExportLogRow]:
    """The latest exports, newest first (optionally only those of one person)."""
    rows = wh.fetchall(
        "SELECT export_id, exported_by, exported_at, channel, filters, format, path, lead_count "
        "FROM ops.exports WHERE ? IS NULL OR exported_by = ? "
        "ORDER BY exported_at DESC LIMIT ?", [by, by, limit])
    return [ExportLogRow(r[0], r[1], r[2], r[3], json.loads(r[4]) if isinstance(r[4], str)
                         else dict(r[4] or {}), r[5], Path(r[6]).name, r[7]) for r in rows]
