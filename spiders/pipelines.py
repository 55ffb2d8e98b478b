"""Item pipelines, one concern each, over the spider's one item per target (SiteCrawl): attach
the Impressum extraction, count what was produced."""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.crawler import Crawler

from spiders.config import config_dir_setting
from spiders.extraction import Extractor
from spiders.items import CompanyPage, SiteCrawl


class AttachExtraction:
    """Runs the Impressum extractor on the page kinds configured in LEADPIPE_EXTRACT_KINDS,
    in LEADPIPE_EXTRACT_WORKERS processes (0: in the crawl process). The spider closes only
    when every item has left the pipelines, so every extraction is attached and written."""

    def __init__(self, crawler: Crawler) -> None:
        self.extractor = Extractor(crawler.settings.getint("LEADPIPE_EXTRACT_WORKERS"),
                                   config_dir_setting(crawler.settings.get("LEADPIPE_CONFIG_DIR")))
        self.kinds = set(crawler.settings.getlist("LEADPIPE_EXTRACT_KINDS"))
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AttachExtraction:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, SiteCrawl):
            pages = [p for p in item.pages if p.page_kind in self.kinds and p.html]
            await asyncio.gather(*(self._attach(page) for page in pages))
        return item

    async def _attach(self, page: CompanyPage) -> None:
        try:
            page.extracted = await self.extractor(page.html, page.final_url)
        except Exception as exc:  # one bad page (or a dead worker) must not end the crawl
            assert self.stats is not None
            self.stats.inc_value(f"leadpipe/extract_error/{type(exc).__name__}")

    def close_spider(self) -> None:
        self.extractor.close()


class CountItems:
    """`leadpipe/items/<record_type>`: the records written, as the feed has them."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CountItems:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        assert self.stats is not None
        for record in item.records if isinstance(item, SiteCrawl) else [item]:
            self.stats.inc_value(f"leadpipe/items/{getattr(record, 'record_type', 'other')}")
        return item
