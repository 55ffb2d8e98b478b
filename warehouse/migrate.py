"""Versioned schema migrations, applied in order when a writer opens the warehouse.

Each file `warehouse/migrations/NNNN_name.sql` is one version. Applied versions are recorded
in `schema_version`; a migration runs inside a transaction, so a failed one leaves the
previous version intact. Migrations hold only tables (state); views are files built by
`warehouse.views` after them. A migration is known by its number alone (no checksum), which
is why the view DDL could leave the files of 0005, 0007, 0008 and 0010: a warehouse that ran
them keeps its views until the first build replaces them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warehouse.db import Warehouse

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every migration shipped with this leadpipe, in order."""
    found = []
    for entry in resources.files("warehouse").joinpath("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_version() -> int:
    files = migration_files()
    return files[-1][0] if files else 0


def current_version(wh: Warehouse) -> int:
    exists = wh.scalar(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_name = 'schema_version'"
    )
    if not exists:
        return 0
    return int(wh.scalar("SELECT coalesce(max(version), 0) FROM schema_version") or 0)


def applied_versions(wh: Warehouse) -> set[int]:
    if not current_version(wh):
        return set()
    return {int(v) for (v,) in wh.fetchall("SELECT version FROM schema_version")}


def pending_versions(wh: Warehouse) -> list[int]:
    """Migrations shipped with this leadpipe that the warehouse has not had yet."""
    have = applied_versions(wh)
    return [version for version, _, _ in migration_files() if version not in have]


def apply_migrations(wh: Warehouse) -> list[int]:
    """Apply every migration the warehouse has not had yet, in order; return what was applied.

    Versions are checked one by one, not against the highest applied: a migration numbered
    below one already applied (written on another branch at the same time) still runs.
    """
    wh.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    have = applied_versions(wh)
    applied = []
    for version, name, sql in migration_files():
        if version in have:
            continue
        with wh.transaction():
            wh.con.execute(sql)
            wh.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?)",
                [version, name, datetime.now(UTC)],
            )
        applied.append(version)
    return applied
