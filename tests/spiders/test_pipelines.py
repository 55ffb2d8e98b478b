"""Item pipelines with a real crawler object: extraction by page kind, counts."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from scrapy.spiders import Spider
from scrapy.utils.test import get_crawler

from spiders.extraction import WORKER_NICENESS, Extractor
from spiders.items import CompanyPage, CrawlOutcome, SiteCrawl, SkipRecord
from spiders.pipelines import AttachExtraction, CountItems
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


def site(*records: Any) -> SiteCrawl:
    return SiteCrawl(domain="a.de", records=list(records))


def extracted(pipe: AttachExtraction, item: CompanyPage) -> dict[str, Any] | None:
    (done,) = asyncio.run(pipe.process_item(site(item))).pages
    return done.extracted


def test_every_page_of_a_site_gets_its_own_extraction() -> None:
    pipe = AttachExtraction.from_crawler(crawler())
    other = fixture_path("newsite", "imprint.html").read_text(encoding="utf-8")
    skip = SkipRecord("a.de", "http://a.de/x.pdf", "non_html", "application/pdf", "t")
    item = asyncio.run(pipe.process_item(site(
        page("impressum"), skip, page("contact", "http://a.de/kontakt", html=other),
        page("home", "http://a.de/"))))
    impressum, contact, home = item.pages
    assert impressum.extracted == extracted(pipe, page("impressum"))
    assert contact.extracted is not None
    assert contact.extracted != impressum.extracted
    assert home.extracted is None
    assert item.records[1] is skip


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

    async def crawl() -> list[Any]:  # one event loop, as in a crawl; sites overlap
        return await asyncio.gather(*(pooled.process_item(site(page(k), page(k)))
                                      for k in kinds))

    try:
        done = asyncio.run(crawl())
    finally:
        pooled.close_spider()
    assert [[p.extracted for p in d.pages] for d in done] == \
        [[extracted(inline, page(k))] * 2 for k in kinds]
    assert done[0].pages[0].extracted is not None


def test_dead_worker_counted_then_pages_read_inline() -> None:
    c = crawler(LEADPIPE_EXTRACT_WORKERS=1)
    c.stats.open_spider()
    pipe = AttachExtraction.from_crawler(c)

    async def crawl() -> list[Any]:
        first = asyncio.ensure_future(pipe.process_item(site(page("impressum"))))
        worker = pipe.extractor.workers[0]
        while not worker.jobs:  # until the page is sent to the worker
            await asyncio.sleep(0)
        worker.process.kill()
        return [await first, await pipe.process_item(site(page("contact")))]

    try:
        lost, inline = asyncio.run(crawl())
    finally:
        pipe.close_spider()
    assert lost.pages[0].extracted is None
    assert c.stats.get_value("leadpipe/extract_error/WorkerDied") == 1
    assert inline.pages[0].extracted is not None


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
    pipe.process_item(site(
        page("home"),
        SkipRecord("a.de", "http://a.de/x.pdf", "non_html", "application/pdf", "t"),
        SkipRecord("a.de", "http://a.de/y.pdf", "non_html", "application/pdf", "t"),
        CrawlOutcome("a.de", "http://a.de/", 1, [], None, None, "t")))
    pipe.process_item(site(page("home", "http://a.de/")))
    assert c.stats.get_value("leadpipe/items/page") == 2
    assert c.stats.get_value("leadpipe/items/skip") == 2
    assert c.stats.get_value("leadpipe/items/outcome") == 1


def test_worker_yields_the_cpu_to_the_crawl() -> None:
    extractor = Extractor(1)
    try:
        worker = extractor.workers[0].process.pid
        assert worker is not None
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, worker) == min(19, ours + WORKER_NICENESS)
    finally:
        extractor.close()
