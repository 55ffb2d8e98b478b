"""The crawl stage: company websites of the leads, crawled in a subprocess, then loaded.

The crawl itself runs without the warehouse lock (it takes minutes and needs none); only the
target selection before and the load after open the warehouse.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from leadpipe.settings import Settings
from spiders.config import crawl_config
from spiders.run import read_records, run_crawl, select_targets
from warehouse.db import open_warehouse
from warehouse.load_crawl import crawl_candidates, crawled_at, load_crawl
from warehouse.runs import run_job


def choose_targets(settings: Settings) -> list[str]:
    """Registrable domains of leads not crawled within the configured number of days."""
    days = crawl_config(settings.config_dir).value.recrawl_after_days
    with open_warehouse(settings, write=False) as wh:
        return select_targets(crawl_candidates(wh), crawled_at(wh), datetime.now(UTC), days)


def crawl_and_load(settings: Settings, targets: list[str] | None = None,
                   max_targets: int | None = None) -> dict[str, Any]:
    """Crawl `targets` (or the leads' domains due for a crawl) and load what was found."""
    chosen = list(targets) if targets is not None else choose_targets(settings)
    if max_targets is not None:
        chosen = chosen[:max_targets]
    if not chosen:
        return {"targets": 0, "pages": 0, "loaded": 0}
    out = settings.data_dir / "crawl" / f"crawl-{datetime.now(UTC):%Y%m%dT%H%M%S}.jsonl"
    overrides = ({"LEADPIPE_PRIVATE_ALLOWLIST": list(settings.crawl_allowlist)}
                 if settings.crawl_allowlist else None)
    report = run_crawl(chosen, out, overrides=overrides)
    records = read_records(Path(out))
    with open_warehouse(settings, write=True, purpose="crawl load", publish=True) as wh:
        _, batch = run_job(wh, "crawl", {"targets": len(chosen), "file": str(out)},
                           lambda wh, run_id: load_crawl(wh, run_id=run_id, path=Path(out),
                                                         records=records).as_dict())
    # the raw layer now holds what the crawl found; the file would only keep a second copy
    # of the pages (with names of people) outside the warehouse's erasure
    Path(out).unlink(missing_ok=True)
    return {"targets": len(chosen), "pages": report.pages, "skipped": report.skipped,
            "errors": report.errors, "timed_out": report.timed_out, "batch": batch}
