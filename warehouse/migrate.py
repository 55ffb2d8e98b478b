"""Versioned schema migrations, applied in order when a writer opens the warehouse.

Each file `warehouse/migrations/NNNN_name.sql` is one version. Applied versions are recorded
in `schema_version`; a migration runs inside a transaction, so a failed one leaves the
previous version intact.
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


def apply_migrations(wh: Warehouse) -> list[int]:
    """Apply every migration newer than the warehouse's version; return what was applied."""
    wh.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    have = current_version(wh)
    applied = []
    for version, name, sql in migration_files():
        if version <= have:
            continue
        with wh.transaction():
            wh.con.execute(sql)
            wh.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?)",
                [version, name, datetime.now(UTC)],
            )
        applied.append(version)
    return applied
