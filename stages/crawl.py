"""The crawl stage: company websites of the leads, crawled in a subprocess, then loaded.

The crawl itself runs without the warehouse lock (it takes minutes and needs none); only the
target selection before and the load after open the warehouse. Sharded (docs/scaling.md),
the targets are split by registrable domain into shards that Prefect tasks crawl anywhere,
each in its own Scrapy subprocess; this process stays the single writer and loads them.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from enrichment.domains import registrable_domain
from foundation.progress import SILENT, Progress
from foundation.settings import Settings
from ingest.crawled_pages import crawled_pages
from spiders.config import crawl_config
from spiders.run import run_crawl, select_targets
from stages.leftovers import crawl_output, partitions_run_folder
from warehouse.db import open_warehouse
from warehouse.load_crawl import crawl_candidates, crawled_at, load_crawl
from warehouse.load_lists import BatchReport
from warehouse.runs import run_job


def choose_targets(settings: Settings) -> list[str]:
    """Registrable domains of leads not crawled within the configured number of days."""
    days = crawl_config(settings.config_dir).value.recrawl_after_days
    with open_warehouse(settings, write=False) as wh:
        return select_targets(crawl_candidates(wh), crawled_at(wh), datetime.now(UTC), days,
                              settings.config_dir)


@dataclass(frozen=True)
class CrawlResult:
    targets: int
    pages: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    """Requests not fetched or pages not used, by reason code."""
    errors: dict[str, str] = field(default_factory=dict)
    """Sites whose start page failed, with the error."""
    timed_out: bool = False
    batch: BatchReport | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"targets": self.targets, "pages": self.pages, "skipped": self.skipped,
                "errors": self.errors, "timed_out": self.timed_out,
                "batch": self.batch.as_dict() if self.batch else None}


def _chosen(settings: Settings, targets: list[str] | None,
            max_targets: int | None) -> list[str]:
    chosen = list(targets) if targets is not None else choose_targets(settings)
    return chosen[:max_targets] if max_targets is not None else chosen


def _overrides(settings: Settings) -> dict[str, Any] | None:
    return ({"LEADPIPE_PRIVATE_ALLOWLIST": list(settings.crawl_allowlist)}
            if settings.crawl_allowlist else None)


def _load(settings: Settings, targets: int, out: Path, lines: list[str]) -> BatchReport:
    """Write a crawl's complete output lines to `out` in a stable order, load the file as
    one batch, then remove it."""
    ordered = in_stable_order(lines)
    out.write_text("".join(line for line, _ in ordered), encoding="utf-8")
    records = [record for _, record in ordered]
    with open_warehouse(settings, write=True, purpose="crawl load", publish=True,
                        create=True) as wh:
        _, batch = run_job(wh, "crawl", {"targets": targets, "file": str(out)},
                           lambda wh, run_id: load_crawl(wh, run_id=run_id, path=out,
                                                         pages=crawled_pages(records)))
    # the raw layer now holds what the crawl found; the file would only keep a second copy
    # of the pages (with names of people) outside the warehouse's erasure
    out.unlink(missing_ok=True)
    return batch


def crawl_and_load(settings: Settings, targets: list[str] | None = None,
                   max_targets: int | None = None, progress: Progress = SILENT) -> CrawlResult:
    """Crawl `targets` (or the leads' domains due for a crawl) and load what was found."""
    chosen = _chosen(settings, targets, max_targets)
    if not chosen:
        return CrawlResult(targets=0)
    out = crawl_output(settings, f"{datetime.now(UTC):%Y%m%dT%H%M%S}")
    with progress.track("crawl", total=len(chosen), unit="sites") as step:
        report = run_crawl(chosen, out, config_dir=settings.config_dir,
                           overrides=_overrides(settings), proxy=settings.crawl_proxy,
                           on_site_done=step.advance)
    batch = _load(settings, len(chosen), Path(out), _whole_lines(Path(out)))
    return CrawlResult(len(chosen), report.pages, report.skipped, report.errors,
                       report.timed_out, batch)


# --- Sharded: the same stage with its sites spread over workers (docs/scaling.md) ---

@dataclass(frozen=True)
class CrawlShard:
    """The sites of some registrable domains, crawled by one Scrapy subprocess on a worker
    into one file of the shared partitions folder."""

    index: int
    targets: tuple[str, ...]
    out_file: Path
    config_dir: Path
    """The crawl configuration the writer planned with; a worker on another machine needs
    the same folder (shared storage)."""
    private_allowlist: tuple[str, ...]
    proxy: str | None


@dataclass(frozen=True)
class ShardDone:
    """What one shard's crawl found, as `CrawlResult` counts it."""

    index: int
    pages: int
    skipped: dict[str, int]
    errors: dict[str, str]
    timed_out: bool
    wall_s: float


RunShards = Callable[[list[CrawlShard]], list[ShardDone]]
"""Runs `crawl_shard` on every shard (in this process, or as Prefect tasks on a Dask
cluster) and returns when all are done."""


def shards_by_domain(targets: list[str], per_shard: int) -> list[list[str]]:
    """Split targets into shards of at most `per_shard` sites (more only when one domain has
    more targets), every target of a registrable domain in the same shard: Scrapy keeps its
    per-domain politeness (delay, concurrency) within one process only. Domains keep their
    order of first appearance, so the same targets always give the same shards."""
    by_domain: dict[str, list[str]] = {}
    for target in targets:
        by_domain.setdefault(registrable_domain(target) or target, []).append(target)
    shards: list[list[str]] = []
    for group in by_domain.values():
        if not shards or len(shards[-1]) + len(group) > per_shard:
            shards.append([])
        shards[-1].extend(group)
    return shards


def crawl_shard(shard: CrawlShard) -> ShardDone:
    """Targets → a JSONL file of pages, in a Scrapy subprocess (Twisted's reactor cannot
    restart in a process, and a worker runs many shards); runs on a worker.

    It never opens the warehouse: the single writer loads the files (`crawl_sharded`).
    """
    started = time.perf_counter()
    overrides = ({"LEADPIPE_PRIVATE_ALLOWLIST": list(shard.private_allowlist)}
                 if shard.private_allowlist else None)
    report = run_crawl(list(shard.targets), shard.out_file, config_dir=shard.config_dir,
                       overrides=overrides, proxy=shard.proxy)
    return ShardDone(shard.index, report.pages, report.skipped, report.errors,
                     report.timed_out, round(time.perf_counter() - started, 3))


def crawl_sharded(settings: Settings, run_shards: RunShards, folder: Path, per_shard: int,
                  targets: list[str] | None = None, max_targets: int | None = None,
                  progress: Progress = SILENT) -> CrawlResult:
    """The crawl stage with its sites split into shards that `run_shards` crawls anywhere;
    this process then loads every shard's pages (`in_stable_order`) as one batch in one job."""
    chosen = _chosen(settings, targets, max_targets)
    if not chosen:
        return CrawlResult(targets=0)
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S}"
    run_folder = partitions_run_folder(folder, "crawl", stamp)
    shards = [CrawlShard(index, tuple(part), run_folder / f"{index:05d}.jsonl",
                         settings.config_dir.resolve(), settings.crawl_allowlist,
                         settings.crawl_proxy)
              for index, part in enumerate(shards_by_domain(chosen, per_shard))]
    out = Path(crawl_output(settings, stamp))
    try:
        with progress.track("crawl: shards", total=len(shards), unit="shards") as step:
            done = run_shards(shards)
            step.advance(len(done))
        batch = _load(settings, len(chosen), out,
                      [line for shard in shards for line in _whole_lines(shard.out_file)])
    finally:
        shutil.rmtree(run_folder, ignore_errors=True)
        out.unlink(missing_ok=True)
    skipped: Counter[str] = Counter()
    errors: dict[str, str] = {}
    for shard_done in done:
        skipped.update(shard_done.skipped)
        errors.update(shard_done.errors)
    return CrawlResult(len(chosen), sum(d.pages for d in done), dict(sorted(skipped.items())),
                       errors, any(d.timed_out for d in done), batch)


def in_stable_order(lines: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """A crawl's output lines (with their records) by domain, record type and URL instead of
    the order the pages answered in, so that the warehouse rows (their row numbers) are the
    same however the sites were spread over processes and however fast they answered."""
    keyed = []
    for index, line in enumerate(lines):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        keyed.append(((str(record.get("domain")), str(record.get("record_type")),
                       str(record.get("url")), index), line, record))
    return [(line, record) for _, line, record in sorted(keyed, key=lambda k: k[0])]


def _whole_lines(path: Path) -> list[str]:
    """A shard file's complete lines: a crawl killed mid-line leaves a torn last one."""
    if not path.exists():
        return []
    # "\n" only: the JSON is written with ensure_ascii off, and str.splitlines would also
    # break a line at a U+2028 or U+0085 inside a page's text
    *whole, _torn = path.read_text(encoding="utf-8").split("\n")
    return [line + "\n" for line in whole]
