"""Item pipelines with a real crawler object: duplicates, extraction by page kind, counts."""

from __future__ import annotations

import asyncio
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
    c = get_crawler(Spider, {"LEADPIPE_EXTRACT_KINDS": ["impressum", "contact"],
                             "LEADPIPE_EXTRACT_WORKERS": 0, **settings})
    c.spider = c._create_spider("test")
    return c


def extracted(pipe: AttachExtraction, item: CompanyPage) -> dict[str, Any] | None:
    return asyncio.run(pipe.process_item(item)).extracted


def test_duplicates_dropped_per_domain() -> None:
    pipe = DropDuplicatePages()
    pipe.process_item(page("impressum"))
    with pytest.raises(DropItem):
        pipe.process_item(page("impressum"))
    assert pipe.process_item(page("impressum", domain="b.de")).domain == "b.de"


def test_extraction_only_on_configured_kinds() -> None:
    pipe = AttachExtraction.from_crawler(crawler())
    done = extracted(pipe, page("impressum"))
    assert done is not None
    assert done["vat_id"] == "DE136695976"
    assert len(done) == 14
    assert extracted(pipe, page("about")) is None


def test_worker_process_gives_the_same_extraction() -> None:
    inline = AttachExtraction.from_crawler(crawler())
    pooled = AttachExtraction.from_crawler(crawler(LEADPIPE_EXTRACT_WORKERS=1))
    kinds = ["impressum", "contact", "about", "impressum"]

    async def crawl() -> list[Any]:  # one event loop, as in a crawl; pages overlap
        return await asyncio.gather(*(pooled.process_item(page(k)) for k in kinds))

    try:
        done = asyncio.run(crawl())
    finally:
        pooled.close_spider()
    assert [d.extracted for d in done] == [extracted(inline, page(k)) for k in kinds]
    assert done[0].extracted is not None


def test_dead_worker_counted_then_pages_read_inline() -> None:
    c = crawler(LEADPIPE_EXTRACT_WORKERS=1)
    c.stats.open_spider()
    pipe = AttachExtraction.from_crawler(c)

    async def crawl() -> list[Any]:
        first = asyncio.ensure_future(pipe.process_item(page("impressum")))
        await asyncio.sleep(0)  # sent to the worker
        pipe.extractor.workers[0].process.kill()
        return [await first, await pipe.process_item(page("contact"))]

    try:
        lost, inline = asyncio.run(crawl())
    finally:
        pipe.close_spider()
    assert lost.extracted is None
    assert c.stats.get_value("leadpipe/extract_error/WorkerDied") == 1
    assert inline.extracted is not None


def test_extraction_error_is_counted_not_raised() -> None:
    c = crawler()
    c.stats.open_spider()
    pipe = AttachExtraction.from_crawler(c)

    def broken(html: str, url: str | None = None) -> Any:
        raise RuntimeError("boom")

    pipe.extractor.extract = broken
    assert extracted(pipe, page("contact")) is None
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
