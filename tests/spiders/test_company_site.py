"""The company_site spider's callbacks on hand-made responses: one item per target, duplicates."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from spiders.crawlers.company_site import CompanySiteSpider
from spiders.items import CompanyPage, CrawlOutcome, SiteCrawl, SkipRecord

HOME = (b"<html><head><title>Firma</title></head><body><a href='/impressum'>Impressum</a>"
        b"<a href='/imprint'>Imprint</a><a href='/produkte'>Produkte</a></body></html>")
IMPRESSUM = b"<html><body><h1>Impressum</h1><p>Firma GmbH</p></body></html>"


@pytest.fixture
def spider() -> CompanySiteSpider:
    crawler = get_crawler(CompanySiteSpider, {"LEADPIPE_MAX_PAGES_PER_DOMAIN": 8,
                                              "LEADPIPE_DEPTH": 2,
                                              "LEADPIPE_MAX_HTML_CHARS": 10_000})
    spider = crawler._create_spider(targets="firma.de")
    assert isinstance(spider, CompanySiteSpider)
    crawler.spider = spider
    assert crawler.stats is not None
    crawler.stats.open_spider()
    return spider


def start(spider: CompanySiteSpider) -> Request:
    async def first() -> Any:
        return await anext(aiter(spider.start()))
        return None

    request: Request = asyncio.run(first())
    return request


def respond(request: Request, body: bytes, url: str | None = None) -> HtmlResponse:
    return HtmlResponse(url or request.url, body=body, encoding="utf-8", request=request)


def test_one_item_per_target_when_its_last_request_ends(spider: CompanySiteSpider) -> None:
    home = start(spider)
    out = list(spider.parse_page(respond(home, HOME)))
    requests = [o for o in out if isinstance(o, Request)]
    assert [r.url for r in requests] == ["https://firma.de/impressum", "https://firma.de/imprint"]
    assert not any(isinstance(o, SiteCrawl) for o in out)  # two requests still pending

    assert list(spider.parse_page(respond(requests[0], IMPRESSUM,
                                          "https://firma.de/impressum.html"))) == []
    (item,) = spider.parse_page(respond(requests[1], IMPRESSUM, "https://firma.de/impressum.html"))

    assert isinstance(item, SiteCrawl)
    assert item.domain == "firma.de"
    home_page, impressum, duplicate, outcome = item.records
    assert isinstance(home_page, CompanyPage)
    assert home_page.title == "Firma"
    assert isinstance(impressum, CompanyPage)
    assert impressum.page_kind == "impressum"
    assert isinstance(duplicate, SkipRecord)
    assert duplicate.reason == "duplicate_page"
    assert isinstance(outcome, CrawlOutcome)
    assert outcome.pages_fetched == 3
    assert outcome.skipped == [{"url": "https://firma.de/impressum.html",
                                "reason": "duplicate_page"}]
    assert [p.final_url for p in item.pages] == ["https://firma.de/",
                                                 "https://firma.de/impressum.html"]
