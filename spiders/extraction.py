"""The Impressum extractor for the crawl: in the crawl process, or in worker processes.

A local or fast crawl is CPU-bound on one core (Scrapy's reactor thread); extraction costs
about as much per Impressum page as fetching and parsing it. With workers the reactor only
ships the HTML out and the 14-key contract back, spaCy loads in the workers (never in the
crawl process), and a second core does the work while the crawl goes on. Workers are spawned,
not forked: a fork would copy the running reactor and its threads.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, wait
from typing import Any

Contract = dict[str, Any]


def extract_contract(html: str, url: str | None) -> Contract:
    from enrichment.impressum import extract_impressum  # heavy (spaCy): load only here

    return extract_impressum(html, url).to_contract()


def _warm_up() -> None:
    """Build the spaCy pipeline now, not on the first page."""
    extract_contract("<html></html>", None)


def _warm_up_worker() -> None:
    """spaCy's objects live as long as the worker: the cyclic GC need not scan them again."""
    _warm_up()
    gc.freeze()


class Extractor:
    """`await extractor(html, url)`: the contract, computed inline (workers=0) or in a pool."""

    def __init__(self, workers: int) -> None:
        self.extract = extract_contract
        self.pool: ProcessPoolExecutor | None = None
        if workers > 0:
            self.pool = ProcessPoolExecutor(workers, multiprocessing.get_context("spawn"),
                                            initializer=_warm_up_worker)
            # start and warm every worker now, before the engine starts, not on the first page
            wait([self.pool.submit(gc.isenabled) for _ in range(workers)])
        else:
            _warm_up()

    async def __call__(self, html: str, url: str | None) -> Contract:
        if self.pool is None:
            return self.extract(html, url)
        return await asyncio.wrap_future(self.pool.submit(self.extract, html, url))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
