"""The crawl's GC tuning: start-up objects frozen, collections less frequent."""

from __future__ import annotations

import gc

from scrapy import signals
from scrapy.spiders import Spider
from scrapy.utils.test import get_crawler

from spiders.gc_tuning import GC_THRESHOLD, CrawlGC


def test_engine_start_freezes_and_raises_threshold() -> None:
    crawler = get_crawler(Spider, {"EXTENSIONS": {}, "MEMUSAGE_ENABLED": False})
    extension = CrawlGC.from_crawler(crawler)  # signals hold receivers weakly: keep it alive
    before = gc.get_threshold()
    try:
        crawler.signals.send_catch_log(signals.engine_started)
        assert extension is not None
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == GC_THRESHOLD
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
