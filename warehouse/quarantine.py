"""Writing `ops.quarantine` for files read outside the loads: lines that could not be used."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from warehouse.db import Warehouse


def is_noted(wh: Warehouse, batch_id: str) -> bool:
    """Whether this file's problems are in the quarantine already (a file read again)."""
    return bool(wh.scalar("SELECT count(*) FROM ops.quarantine WHERE batch_id = ?", [batch_id]))


def note_problems(wh: Warehouse, batch_id: str, file_name: str,
                  problems: Sequence[tuple[int, str | None, str]], at: datetime) -> None:
    """One quarantine row per (line, field, reason)."""
    for line, field, reason in problems:
        wh.execute(
            "INSERT INTO ops.quarantine (batch_id, file_name, row_number, field, reason, "
            "quarantined_at) VALUES (?, ?, ?, ?, ?, ?)",
            [batch_id, file_name, line, field, reason, at],
        )
