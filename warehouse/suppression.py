"""Reading and writing the suppression list, and checking incoming rows against it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from compliance.suppression import check_hashes
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


def suppression_index(wh: Warehouse) -> dict[tuple[str, str], str]:
    """(kind, hash) → origin; erasure wins over objection when both exist."""
    index: dict[tuple[str, str], str] = {}
    for kind, hash_, origin in wh.fetchall("SELECT kind, hash, origin FROM core.suppression"):
        if index.get((kind, hash_)) != "erasure":
            index[(kind, hash_)] = origin
    return index


def match(
    index: Mapping[tuple[str, str], str], secret: bytes, record: Mapping[str, str | None]
) -> tuple[str, str] | None:
    """(kind, origin) of the first suppression entry the record matches, or None."""
    for kind, hash_ in check_hashes(secret, record):
        origin = index.get((kind, hash_))
        if origin is not None:
            return kind, origin
    return None


def erasure_times(wh: Warehouse) -> dict[tuple[str, str], datetime]:
    """(kind, hash) → when the person was erased (the latest erasure, if several)."""
    return {(kind, hash_): at for kind, hash_, at in wh.fetchall(
        "SELECT kind, hash, max(created_at) FROM core.suppression WHERE origin = 'erasure' "
        "GROUP BY kind, hash")}


def erased_at(
    entries: Mapping[tuple[str, str], datetime], secret: bytes, record: Mapping[str, str | None]
) -> tuple[str, datetime] | None:
    """(kind, erasure time) when the record is of an erased person, else None."""
    for kind, hash_ in check_hashes(secret, record):
        if (kind, hash_) in entries:
            return kind, entries[(kind, hash_)]
    return None
