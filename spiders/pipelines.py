"""Item pipelines, one concern each: drop duplicate pages, attach the Impressum extraction,
count what was produced."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from spiders.extraction import Extractor
from spiders.items import CompanyPage


class DropDuplicatePages:
    """Two requested URLs of one target can end on the same page after redirects; keep the
    first. Per target domain: two targets redirecting to one site each keep their pages."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, CompanyPage):
            key = (item.domain, item.final_url)
            if key in self.seen:
                raise DropItem(f"duplicate page {item.final_url}")
            self.seen.add(key)
        return item


class AttachExtraction:
    """Runs the Impressum extractor on the page kinds configured in LEADPIPE_EXTRACT_KINDS,
    in LEADPIPE_EXTRACT_WORKERS processes (0: in the crawl process). The spider closes only
    when every item has left the pipelines, so every extraction is attached and written."""

    def __init__(self, crawler: Crawler) -> None:
        self.extractor = Extractor(crawler.settings.getint("LEADPIPE_EXTRACT_WORKERS"))
        self.kinds = set(crawler.settings.getlist("LEADPIPE_EXTRACT_KINDS"))
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AttachExtraction:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, CompanyPage) and item.page_kind in self.kinds and item.html:
            try:
                item.extracted = await self.extractor(item.html, item.final_url)
            except Exception as exc:  # one bad page (or a dead worker) must not end the crawl
                assert self.stats is not None
                self.stats.inc_value(f"leadpipe/extract_error/{type(exc).__name__}")
        return item

    def close_spider(self) -> None:
        self.extractor.close()


class CountItems:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CountItems:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        assert self.stats is not None
        self.stats.inc_value(f"leadpipe/items/{getattr(item, 'record_type', 'other')}")
        return item
