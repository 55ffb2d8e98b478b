"""Storing Robinson lists and recording checks of records against them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from compliance.robinson import identifier_hash, record_identifiers
from warehouse.db import Warehouse


def import_list(
    wh: Warehouse, *, list_name: str, channel: str, list_date: date, file_name: str,
    file_sha256: str, entries: list[tuple[str, date | None]],
) -> tuple[str, bool]:
    """Store a list version; (list_id, False) when this exact file was imported before."""
    list_id = f"R{file_sha256[:15]}"
    if wh.scalar("SELECT count(*) FROM core.robinson_lists WHERE list_id = ?", [list_id]):
        return list_id, False
    wh.execute(
        "INSERT INTO core.robinson_lists VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [list_id, list_name, channel, list_date, file_name, file_sha256, len(entries),
         datetime.now(UTC)],
    )
    wh.insert_columns("core.robinson_entries", {
        "list_id": [list_id] * len(entries), "hash": [h for h, _ in entries],
        "entry_date": [d for _, d in entries],
    } if entries else {})
    return list_id, True


def current_lists(wh: Warehouse) -> list[dict[str, Any]]:
    """The newest version of each (list name, channel): older versions are superseded."""
    return wh.dicts(
        "SELECT list_id, list_name, channel, list_date FROM core.robinson_lists "
        "QUALIFY row_number() OVER (PARTITION BY list_name, channel "
        "ORDER BY list_date DESC, imported_at DESC) = 1 ORDER BY list_name, channel"
    )


def check_records(
    wh: Warehouse, records: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Check enriched records against every current list of their channel; store and return
    the checks.

    Each check becomes a row in `core.robinson_checks` (hit or not), so it can be shown when
    a decision is questioned; a record checked under several identifiers (landline and
    mobile) has one check per list, a hit when any of them is listed. One join over all
    records, not a query per record.
    """
    lists = current_lists(wh)
    if not lists:
        return []
    probes: dict[str, list[str]] = {"record_id": [], "list_id": [], "hash": []}
    for record in records:
        for lst in lists:
            for identifier in record_identifiers(lst["channel"], record):
                probes["record_id"].append(record["record_id"])
                probes["list_id"].append(lst["list_id"])
                probes["hash"].append(identifier_hash(identifier))
    if not probes["hash"]:
        return []
    wh.execute("CREATE OR REPLACE TEMP TABLE _robinson_probe "
               "(record_id VARCHAR, list_id VARCHAR, hash VARCHAR)")
    wh.insert_columns("_robinson_probe", probes)
    wh.execute(
        "CREATE OR REPLACE TEMP TABLE _robinson_check AS SELECT p.record_id, l.channel, "
        "p.list_id, l.list_name AS list, l.list_date, bool_or(e.hash IS NOT NULL) AS hit, "
        "min(e.entry_date) AS entry_date, ?::TIMESTAMPTZ AS checked_at "
        "FROM _robinson_probe p JOIN core.robinson_lists l USING (list_id) "
        "LEFT JOIN core.robinson_entries e ON e.list_id = p.list_id AND e.hash = p.hash "
        "GROUP BY ALL", [datetime.now(UTC)])
    wh.execute("INSERT INTO core.robinson_checks SELECT record_id, channel, list_id, hit, "
               "entry_date, checked_at FROM _robinson_check")
    checks = wh.dicts("SELECT * FROM _robinson_check ORDER BY record_id, channel, list_id")
    wh.execute("DROP TABLE _robinson_probe")
    wh.execute("DROP TABLE _robinson_check")
    return checks
