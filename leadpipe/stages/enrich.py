"""The enrich stage: every new (or re-configured) record gets its enriched fields."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from enrichment.config import enrichment_version
from enrichment.dns import DomainChecker
from enrichment.record import enrich_many
from leadpipe.settings import Settings
from warehouse.db import Warehouse, open_warehouse
from warehouse.enriched import WarehouseDomainCache, forget, records_to_enrich, store
from warehouse.runs import run_job

PARALLEL_FROM = 5_000
"""Below this many records a second process costs more than it saves."""


def enrich_pending(wh: Warehouse, settings: Settings) -> dict[str, Any]:
    """Enrich what is new or changed inside the caller's transaction; return counts."""
    version = enrichment_version()
    todo = records_to_enrich(wh, version)
    if not todo:
        return {"records_enriched": 0, "values": 0, "dns_lookups": 0}
    forget(wh, [r["record_id"] for r in todo])
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in todo:
        by_source[record["source_kind"]].append(record)
    dns = (DomainChecker(cache=WarehouseDomainCache(wh, ttl_s=7 * 24 * 3600))
           if settings.dns_enabled else None)
    records = values = 0
    for source_kind, rows in by_source.items():
        stored = store(wh, enrich_many(
            rows, source_kind=source_kind, dns=dns,
            workers=2 if len(rows) >= PARALLEL_FROM else 1,
        ))
        records += stored[0]
        values += stored[1]
    return {"records_enriched": records, "values": values,
            "by_source": {k: len(v) for k, v in by_source.items()},
            "dns_lookups": dns.lookups if dns else 0}


def enrich_new(settings: Settings) -> dict[str, Any]:
    """Open the warehouse and run the enrich stage as one job."""
    with open_warehouse(settings, write=True, purpose="enrich", publish=True) as wh:
        _, counts = run_job(wh, "enrich", {}, lambda wh, run_id: enrich_pending(wh, settings))
    return counts
