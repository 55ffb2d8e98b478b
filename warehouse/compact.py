"""Rewriting the warehouse file so that deleted rows leave no bytes behind.

DuckDB, like SQLite, reuses freed blocks but does not overwrite them: after an erasure the
person's e-mail, phone and name stay readable in the file until the blocks are reused. A
rewrite (`COPY FROM DATABASE` into a new file, then an atomic swap) writes only live rows.
Erasure runs it at once; if it was interrupted, a marker file makes the next writer's caller
(the nightly run) finish it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class CompactResult:
    path: str
    bytes_before: int
    bytes_after: int
    seconds: float


def pending_marker(db_path: Path) -> Path:
    """Present while an erasure's rewrite is owed."""
    return db_path.with_name(db_path.name + ".compact-pending")


def mark_pending(db_path: Path) -> None:
    pending_marker(db_path).touch(mode=0o600)


def is_pending(db_path: Path) -> bool:
    return pending_marker(db_path).exists()


def copy_live(con: duckdb.DuckDBPyConnection, db_path: Path) -> Path:
    """Copy the live contents of the open warehouse into a fresh file beside it."""
    for leftover in db_path.parent.glob(f".{db_path.name}.compact-*"):
        leftover.unlink()  # a rewrite that was killed: its copy is incomplete
    fresh = db_path.with_name(f".{db_path.name}.compact-{os.getpid()}")
    con.execute("CHECKPOINT")
    (source,) = con.execute("SELECT current_database()").fetchone() or ("",)
    con.execute(f"ATTACH '{fresh}' AS fresh")
    con.execute(f'COPY FROM DATABASE "{source}" TO fresh')
    con.execute("DETACH fresh")
    return fresh


def swap_in(fresh: Path, db_path: Path, started: float) -> CompactResult:
    """Replace the warehouse by its rewritten copy (connection closed); clear the marker."""
    before = db_path.stat().st_size
    fresh.chmod(db_path.stat().st_mode & 0o777)
    with open(fresh, "rb") as fh:
        os.fsync(fh.fileno())
    fresh.replace(db_path)
    db_path.with_name(db_path.name + ".wal").unlink(missing_ok=True)
    pending_marker(db_path).unlink(missing_ok=True)
    return CompactResult(str(db_path), before, db_path.stat().st_size,
                         round(time.monotonic() - started, 2))
