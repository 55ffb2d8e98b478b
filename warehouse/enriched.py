"""Storing enrichment results, and the DNS answer cache behind e-mail deliverability."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from enrichment.dns import DomainCheck
from enrichment.record import PROVENANCE_COLUMNS, EnrichedRecord
from warehouse.db import Warehouse

CHUNK_ROWS = 50_000


class WarehouseDomainCache:
    """`enrichment.dns.DomainCache` backed by `core.domain_checks`, with a TTL."""

    def __init__(self, wh: Warehouse, ttl_s: float) -> None:
        self.wh = wh
        self.ttl_s = ttl_s

    def get(self, domain: str, now: float) -> DomainCheck | None:
        row = self.wh.fetchone(
            "SELECT verdict, reason, checked_at FROM core.domain_checks "
            "WHERE domain = ? AND ? - checked_at <= ?", [domain, now, self.ttl_s])
        return None if row is None else DomainCheck(domain, row[0], row[1], row[2])

    def put(self, check: DomainCheck) -> None:
        if check.verdict == "error":  # transient: ask again next time
            return
        self.wh.execute("INSERT OR REPLACE INTO core.domain_checks VALUES (?, ?, ?, ?)",
                        [check.domain, check.verdict, check.reason, check.checked_at])


def ids_to_enrich(wh: Warehouse, version: str) -> dict[str, list[str]]:
    """Source kind → the ids of staged records never enriched, or enriched under another
    configuration version, in record-id order (the order the stage enriches them)."""
    ids: dict[str, list[str]] = defaultdict(list)
    for source_kind, record_id in wh.fetchall(
            "SELECT s.source_kind, s.record_id FROM staging.stg_lead_records s "
            "LEFT JOIN core.enriched_records e USING (record_id) "
            "WHERE e.record_id IS NULL OR e.config_version <> ? ORDER BY s.record_id",
            [version]):
        ids[source_kind].append(record_id)
    return ids


def staged_records(wh: Warehouse, source_kind: str, record_ids: Sequence[str]
                   ) -> list[dict[str, Any]]:
    """These staged records of one source kind, in record-id order."""
    wh.id_table("_staged_ids", "record_id", record_ids)
    rows = wh.dicts("SELECT s.* FROM staging.stg_lead_records s WHERE s.source_kind = ? AND "
                    "s.record_id IN (SELECT record_id FROM _staged_ids) ORDER BY s.record_id",
                    [source_kind])
    wh.execute("DROP TABLE _staged_ids")
    return rows


def forget(wh: Warehouse, record_ids: list[str]) -> None:
    """Drop earlier results of records about to be enriched again."""
    for table in ("core.enriched_records", "core.field_provenance"):
        wh.execute(f"DELETE FROM {table} WHERE list_contains(?, record_id)", [record_ids])


def _chunks(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {name: [row.get(name) for row in rows] for name in rows[0]}


def provenance_columns(rows: list[tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    """`EnrichedRecord.provenance()` rows as the columns of `core.field_provenance`."""
    if not rows:
        return dict.fromkeys(PROVENANCE_COLUMNS, ())
    return dict(zip(PROVENANCE_COLUMNS, zip(*rows, strict=True), strict=True))


def store(wh: Warehouse, enriched: Iterable[EnrichedRecord]) -> tuple[int, int]:
    """Insert `EnrichedRecord`s and their provenance in chunks; (records, values) stored."""
    records = values = 0
    provenance: list[tuple[Any, ...]] = []
    for chunk in _chunks(e.to_row() | {"_prov": e.provenance()} for e in enriched):
        for row in chunk:
            provenance.extend(row.pop("_prov"))
        records += wh.insert_columns("core.enriched_records", _columns(chunk))
        if provenance:
            values += wh.insert_columns("core.field_provenance", provenance_columns(provenance))
            provenance = []
    return records, values
