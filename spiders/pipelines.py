"""Item pipelines, one concern each: drop duplicate pages, attach the Impressum extraction,
count what was produced."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

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
    """Runs the Impressum extractor on the page kinds configured in LEADPIPE_EXTRACT_KINDS."""

    def __init__(self, crawler: Crawler) -> None:
        from enrichment.impressum import extract_impressum  # heavy (spaCy): load only here

        self.extract = extract_impressum
        extract_impressum("<html></html>")  # build the spaCy pipeline now, not on the first page
        self.kinds = set(crawler.settings.getlist("LEADPIPE_EXTRACT_KINDS"))
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AttachExtraction:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, CompanyPage) and item.page_kind in self.kinds and item.html:
            try:
                item.extracted = self.extract(item.html, item.final_url).to_contract()
            except Exception as exc:  # one bad page must not end the crawl
                assert self.stats is not None
                self.stats.inc_value(f"leadpipe/extract_error/{type(exc).__name__}")
        return item


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
