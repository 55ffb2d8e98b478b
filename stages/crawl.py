"""The crawl stage: company websites of the leads, crawled in a subprocess, then loaded.

The crawl itself runs without the warehouse lock (it takes minutes and needs none); only the
target selection before and the load after open the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from foundation.progress import SILENT, Progress
from foundation.settings import Settings
from ingest.crawled_pages import crawled_pages
from spiders.config import crawl_config
from spiders.run import read_records, run_crawl, select_targets
from stages.leftovers import crawl_output
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


def crawl_and_load(settings: Settings, targets: list[str] | None = None,
                   max_targets: int | None = None, progress: Progress = SILENT) -> CrawlResult:
    """Crawl `targets` (or the leads' domains due for a crawl) and load what was found."""
    chosen = list(targets) if targets is not None else choose_targets(settings)
    if max_targets is not None:
        chosen = chosen[:max_targets]
    if not chosen:
        return CrawlResult(targets=0)
    out = crawl_output(settings, f"{datetime.now(UTC):%Y%m%dT%H%M%S}")
    overrides = ({"LEADPIPE_PRIVATE_ALLOWLIST": list(settings.crawl_allowlist)}
                 if settings.crawl_allowlist else None)
    with progress.track("crawl", total=len(chosen), unit="sites") as step:
        report = run_crawl(chosen, out, config_dir=settings.config_dir, overrides=overrides,
                           proxy=settings.crawl_proxy, on_site_done=step.advance)
    records = read_records(Path(out))
    with open_warehouse(settings, write=True, purpose="crawl load", publish=True,
                        create=True) as wh:
        _, batch = run_job(wh, "crawl", {"targets": len(chosen), "file": str(out)},
                           lambda wh, run_id: load_crawl(wh, run_id=run_id, path=Path(out),
                                                         pages=crawled_pages(records)))
    # the raw layer now holds what the crawl found; the file would only keep a second copy
    # of the pages (with names of people) outside the warehouse's erasure
    Path(out).unlink(missing_ok=True)
    return CrawlResult(len(chosen), report.pages, report.skipped, report.errors,
                       report.timed_out, batch)
