"""Reading and writing the suppression list (what counts as a match: compliance/suppression.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from compliance.suppression import SuppressionEntry
from warehouse.db import Warehouse


def add_entries(
    wh: Warehouse, hashes: Iterable[tuple[str, str]], *, origin: str, scope: str = "all",
    reference: str | None = None,
) -> int:
    """Store (kind, hash) pairs not yet on the list; return how many were new."""
    known = {(k, h) for k, h in wh.fetchall("SELECT kind, hash FROM core.suppression "
                                              "WHERE origin = ?", [origin])}
    rows = [[h, k, origin, scope, reference, datetime.now(UTC)]
            for k, h in hashes if (k, h) not in known]
    if rows:
        wh.con.executemany(
            "INSERT INTO core.suppression (hash, kind, origin, scope, reference, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)", rows,
        )
    return len(rows)


def suppression_entries(wh: Warehouse) -> dict[tuple[str, str], SuppressionEntry]:
    """(kind, hash) → its entry; the one reading of the suppression list."""
    entries: dict[tuple[str, str], SuppressionEntry] = {}
    for kind, hash_, origin, at in wh.fetchall(
            "SELECT kind, hash, origin, max(created_at) FROM core.suppression "
            "GROUP BY kind, hash, origin ORDER BY origin = 'erasure'"):
        entries[(kind, hash_)] = SuppressionEntry(origin, at)
    return entries


def suppression_index(wh: Warehouse) -> dict[tuple[str, str], str]:
    """(kind, hash) → origin; erasure wins over objection when both exist."""
    return {key: entry.origin for key, entry in suppression_entries(wh).items()}
