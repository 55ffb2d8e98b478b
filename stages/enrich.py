"""The enrich stage: every new (or re-configured) record gets its enriched fields."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from enrichment.config import enrichment_version, use_config_dir
from enrichment.dns import DomainChecker
from enrichment.record import enrich_many
from foundation.progress import SILENT, Progress, counted
from foundation.settings import Settings
from warehouse.db import Warehouse, open_warehouse
from warehouse.enriched import WarehouseDomainCache, forget, records_to_enrich, store
from warehouse.runs import run_job

PARALLEL_FROM = 5_000
"""Below this many records a second process costs more than it saves."""


@dataclass(frozen=True)
class EnrichResult:
    records_enriched: int
    values: int
    """Field values stored with their provenance."""
    dns_lookups: int
    by_source: dict[str, int] = field(default_factory=dict)


def enrich_pending(wh: Warehouse, settings: Settings,
                   progress: Progress = SILENT) -> EnrichResult:
    """Enrich what is new or changed inside the caller's transaction; return counts."""
    use_config_dir(settings.config_dir)
    version = enrichment_version()
    todo = records_to_enrich(wh, version)
    if not todo:
        return EnrichResult(0, 0, 0)
    forget(wh, [r["record_id"] for r in todo])
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in todo:
        by_source[record["source_kind"]].append(record)
    dns = (DomainChecker(cache=WarehouseDomainCache(wh, ttl_s=7 * 24 * 3600))
           if settings.dns_enabled else None)
    records = values = 0
    with progress.track("enrich", total=len(todo), unit="records") as step:
        for source_kind, rows in by_source.items():
            stored = store(wh, counted(enrich_many(
                rows, source_kind=source_kind, dns=dns,
                workers=2 if len(rows) >= PARALLEL_FROM else 1,
            ), step))
            records += stored[0]
            values += stored[1]
    return EnrichResult(records, values, dns.lookups if dns else 0,
                        {k: len(v) for k, v in by_source.items()})


def enrich_new(settings: Settings, progress: Progress = SILENT) -> EnrichResult:
    """Open the warehouse and run the enrich stage as one job."""
    with open_warehouse(settings, write=True, purpose="enrich", publish=True) as wh:
        _, result = run_job(wh, "enrich", {},
                            lambda wh, run_id: enrich_pending(wh, settings, progress))
    return result
