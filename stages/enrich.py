"""The enrich stage: every new (or re-configured) record gets its enriched fields."""

from __future__ import annotations

import math
import shutil
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from enrichment.config import enrichment_version, use_config_dir
from enrichment.dns import DomainChecker
from enrichment.record import enrich_many
from foundation.config import ConfigError
from foundation.progress import SILENT, Progress, counted
from foundation.settings import Settings
from stages.leftovers import partitions_run_folder
from warehouse.db import Warehouse, open_warehouse
from warehouse.enriched import (
    WarehouseDomainCache,
    forget,
    ids_to_enrich,
    provenance_columns,
    staged_records,
    store,
)
from warehouse.partitions import (
    ColumnTypes,
    column_types,
    distinct_values,
    load_files,
    read_rows,
    write_arrays,
)
from warehouse.partitions import write_rows as write_partition
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


READ_PAGE = 50_000
"""Staged records read at a time: a million of them held at once were 2.5 GB of the
writer's memory, the largest part of the nightly's peak."""


def _paged(wh: Warehouse, source_kind: str, record_ids: list[str]
           ) -> Iterator[dict[str, Any]]:
    """The staged records of these ids, a page at a time, as enrichment asks for them (each
    page is read to its end before the next query, so storing may go on in between)."""
    for start in range(0, len(record_ids), READ_PAGE):
        yield from staged_records(wh, source_kind, record_ids[start:start + READ_PAGE])


def enrich_pending(wh: Warehouse, settings: Settings,
                   progress: Progress = SILENT) -> EnrichResult:
    """Enrich what is new or changed inside the caller's transaction; return counts."""
    use_config_dir(settings.config_dir)
    version = enrichment_version()
    pending = ids_to_enrich(wh, version)
    total = sum(len(ids) for ids in pending.values())
    if not total:
        return EnrichResult(0, 0, 0)
    forget(wh, [record_id for ids in pending.values() for record_id in ids])
    dns = (DomainChecker(cache=WarehouseDomainCache(wh, ttl_s=7 * 24 * 3600))
           if settings.dns_enabled else None)
    records = values = 0
    with progress.track("enrich", total=total, unit="records") as step:
        for source_kind, ids in pending.items():
            stored = store(wh, counted(enrich_many(
                _paged(wh, source_kind, ids), source_kind=source_kind, dns=dns,
                workers=2 if len(ids) >= PARALLEL_FROM else 1,
            ), step))
            records += stored[0]
            values += stored[1]
    return EnrichResult(records, values, dns.lookups if dns else 0,
                        {k: len(v) for k, v in pending.items()})


def enrich_new(settings: Settings, progress: Progress = SILENT) -> EnrichResult:
    """Open the warehouse and run the enrich stage as one job."""
    with open_warehouse(settings, write=True, purpose="enrich", publish=True) as wh:
        _, result = run_job(wh, "enrich", {},
                            lambda wh, run_id: enrich_pending(wh, settings, progress))
    return result


# --- Partitioned: the same stage with its enrichment spread over workers (docs/scaling.md) ---

@dataclass(frozen=True)
class EnrichPartition:
    """One partition of the enrich stage: the records of some companies of one source kind,
    as a file in the shared partitions folder, and where its results go."""

    index: int
    source_kind: str
    records: int
    input_file: Path
    records_file: Path
    provenance_file: Path
    config_dir: Path
    """The enrichment configuration the writer planned with; a worker on another machine
    needs the same folder (shared storage) so that its rows carry the same version."""
    now: datetime
    """The enrichment time of its source kind's records, the same in every partition."""
    records_schema: ColumnTypes
    provenance_schema: ColumnTypes


@dataclass(frozen=True)
class PartitionDone:
    """What one partition produced, and what it cost the worker that ran it."""

    index: int
    records: int
    values: int
    cpu_s: float
    wall_s: float


RunPartitions = Callable[[list[EnrichPartition]], list[PartitionDone]]
"""Runs `enrich_partition` on every partition (in this process, or as Prefect tasks on a
Dask cluster) and returns when all are done."""


def partitions_by_company(rows: list[dict[str, Any]],
                          per_partition: int) -> list[list[dict[str, Any]]]:
    """Split records into about len/per_partition partitions, a company's (else an e-mail's)
    records always in the same one, as `enrich_many` shards its chunks: a worker parses each
    company once. The key is hashed with CRC-32, not `hash()`, so that the split is the same
    in every process and on every machine."""
    count = max(1, math.ceil(len(rows) / per_partition))
    parts: list[list[dict[str, Any]]] = [[] for _ in range(count)]
    for row in rows:
        key = str(row.get("company") or row.get("email")).encode("utf-8")
        parts[zlib.crc32(key) % count].append(row)
    return [part for part in parts if part]


def enrich_partition(partition: EnrichPartition) -> PartitionDone:
    """Input rows → enriched rows and provenance rows, each a Parquet file; runs on a worker.

    It never opens the warehouse: the single writer loads the files (`enrich_partitioned`).
    """
    started, cpu = time.perf_counter(), time.process_time()
    use_config_dir(partition.config_dir)
    rows: list[dict[str, Any]] = []
    provenance: list[tuple[Any, ...]] = []
    for enriched in enrich_many(read_rows(partition.input_file),
                                source_kind=partition.source_kind, workers=1,
                                now=partition.now):
        rows.append(enriched.to_row())
        provenance.extend(enriched.provenance())
    write_partition(partition.records_file, partition.records_schema, rows)
    values = write_arrays(partition.provenance_file, partition.provenance_schema, {
        name: np.asarray(column, dtype=object)
        for name, column in provenance_columns(provenance).items()})
    return PartitionDone(partition.index, len(rows), values,
                         round(time.process_time() - cpu, 3),
                         round(time.perf_counter() - started, 3))


def enrich_partitioned(settings: Settings, run_partitions: RunPartitions, folder: Path,
                       per_partition: int, progress: Progress = SILENT) -> EnrichResult:
    """The enrich stage with its records split into partitions that `run_partitions` runs
    anywhere; this process stays the single writer and loads their files in one job.

    DNS lookups need the warehouse's answer cache: with LEADPIPE_DNS on, the stage runs in
    this process as `enrich_new` does.
    """
    if settings.dns_enabled:
        return enrich_new(settings, progress)
    with open_warehouse(settings, write=True, purpose="enrich", publish=True) as wh:
        _, result = run_job(wh, "enrich", {}, lambda wh, run_id: _enrich_in_partitions(
            wh, settings, run_partitions, partitions_run_folder(folder, "enrich", run_id),
            per_partition, progress))
    return result


def _enrich_in_partitions(wh: Warehouse, settings: Settings, run_partitions: RunPartitions,
                          folder: Path, per_partition: int,
                          progress: Progress) -> EnrichResult:
    use_config_dir(settings.config_dir)
    version = enrichment_version()
    pending = ids_to_enrich(wh, version)
    total = sum(len(ids) for ids in pending.values())
    if not total:
        return EnrichResult(0, 0, 0)
    by_source = {source_kind: staged_records(wh, source_kind, ids)
                 for source_kind, ids in pending.items()}
    input_schema = column_types(wh, "staging.stg_lead_records")
    partitions: list[EnrichPartition] = []
    try:
        with progress.track("enrich: write partitions", total=total, unit="records") as step:
            for source_kind, rows in by_source.items():
                # A time per source kind, in this order, as the in-process stage stamps them:
                # matching's survivorship breaks ties by it.
                now = datetime.now(UTC)
                for part in partitions_by_company(rows, per_partition):
                    index = len(partitions)
                    partitions.append(EnrichPartition(
                        index, source_kind, len(part), folder / f"{index:05d}.in.parquet",
                        folder / f"{index:05d}.records.parquet",
                        folder / f"{index:05d}.provenance.parquet",
                        settings.config_dir.resolve(), now,
                        column_types(wh, "core.enriched_records"),
                        column_types(wh, "core.field_provenance")))
                    write_partition(partitions[-1].input_file, input_schema, part)
                    step.advance(len(part))
        done = run_partitions(partitions)
        record_files = [p.records_file for p in partitions]
        versions = distinct_values(wh, "config_version", record_files)
        if versions != [version]:
            raise ConfigError(
                f"enrichment partitions came back with configuration version(s) "
                f"{', '.join(versions)} instead of {version}: every Dask worker must read the "
                f"same configuration folder ({settings.config_dir.resolve()}) as the writer")
        forget(wh, [record_id for ids in pending.values() for record_id in ids])
        records = values = 0
        for source_kind in by_source:  # as the in-process stage stores them
            kind = [p for p in partitions if p.source_kind == source_kind]
            records += load_files(wh, "core.enriched_records",
                                  [p.records_file for p in kind], "record_id")
            values += load_files(wh, "core.field_provenance",
                                 [p.provenance_file for p in kind], "record_id")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if records != total or records != sum(d.records for d in done):
        raise RuntimeError(f"enrichment partitions returned {records} of {total} records; "
                           "nothing was stored, run the stage again")
    return EnrichResult(records, values, 0, {k: len(v) for k, v in by_source.items()})
