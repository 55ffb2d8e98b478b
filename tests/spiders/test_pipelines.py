"""Item pipelines with a real crawler object: duplicates, extraction by page kind, counts."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.spiders import Spider
from scrapy.utils.test import get_crawler

from spiders.items import CompanyPage, SkipRecord
from spiders.pipelines import AttachExtraction, CountItems, DropDuplicatePages
from tests.spiders.conftest import fixture_path

IMPRESSUM = fixture_path("acme", "impressum.html").read_text(encoding="utf-8")


def page(kind: str, final_url: str = "http://a.de/impressum", domain: str = "a.de",
         html: str = IMPRESSUM) -> CompanyPage:
    return CompanyPage(domain=domain, url=final_url, final_url=final_url, page_kind=kind,
                       status=200, fetched_at="2026-11-26T00:00:00Z", encoding="utf-8",
                       title=None, html=html, html_truncated=False)


def crawler(**settings: Any) -> Any:
    c = get_crawler(Spider, {"LEADPIPE_EXTRACT_KINDS": ["impressum", "contact"], **settings})
    c.spider = c._create_spider("test")
    return c


def test_duplicates_dropped_per_domain() -> None:
    pipe = DropDuplicatePages()
    pipe.process_item(page("impressum"))
    with pytest.raises(DropItem):
        pipe.process_item(page("impressum"))
    assert pipe.process_item(page("impressum", domain="b.de")).domain == "b.de"


def test_extraction_only_on_configured_kinds() -> None:
    pipe = AttachExtraction.from_crawler(crawler())
    done = pipe.process_item(page("impressum"))
    assert done.extracted["vat_id"] == "DE136695976"
    assert len(done.extracted) == 14
    assert pipe.process_item(page("about")).extracted is None


def test_extraction_error_is_counted_not_raised() -> None:
    c = crawler()
    c.stats.open_spider()
    pipe = AttachExtraction.from_crawler(c)

    def broken(html: str, url: str | None = None) -> Any:
        raise RuntimeError("boom")

    pipe.extract = broken
    assert pipe.process_item(page("contact")).extracted is None
    assert c.stats.get_value("leadpipe/extract_error/RuntimeError") == 1


def test_counts_by_record_type() -> None:
    c = crawler()
    c.stats.open_spider()
    pipe = CountItems.from_crawler(c)
    pipe.process_item(page("home"))
    pipe.process_item(SkipRecord("a.de", "http://a.de/x.pdf", "non_html", "application/pdf", "t"))
    pipe.process_item(SkipRecord("a.de", "http://a.de/y.pdf", "non_html", "application/pdf", "t"))
    assert c.stats.get_value("leadpipe/items/page") == 1
    assert c.stats.get_value("leadpipe/items/skip") == 2
