"""The company_site spider on hand-made responses and failures: one item per target, duplicates,
refused start targets, the https→http fallback."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from twisted.internet import error
from twisted.python.failure import Failure

from spiders.crawlers.company_site import CompanySiteSpider
from spiders.items import CompanyPage, CrawlOutcome, SiteCrawl, SkipRecord

HOME = (b"<html><head><title>Firma</title></head><body><a href='/impressum'>Impressum</a>"
        b"<a href='/imprint'>Imprint</a><a href='/produkte'>Produkte</a></body></html>")
IMPRESSUM = b"<html><body><h1>Impressum</h1><p>Firma GmbH</p></body></html>"


def make_spider(targets: str) -> CompanySiteSpider:
    # firma.de is allowlisted: its start check passes without a DNS lookup
    crawler = get_crawler(CompanySiteSpider, {"LEADPIPE_MAX_PAGES_PER_DOMAIN": 8,
                                              "LEADPIPE_DEPTH": 2,
                                              "LEADPIPE_MAX_HTML_CHARS": 10_000,
                                              "LEADPIPE_PRIVATE_ALLOWLIST": ["firma.de"]})
    spider = crawler._create_spider(targets=targets)
    assert isinstance(spider, CompanySiteSpider)
    crawler.spider = spider
    assert crawler.stats is not None
    crawler.stats.open_spider()
    return spider


@pytest.fixture
def spider() -> CompanySiteSpider:
    return make_spider("firma.de")


def started(spider: CompanySiteSpider) -> list[Any]:
    """Everything the spider's start() yields."""
    async def collect() -> list[Any]:
        return [out async for out in spider.start()]

    return asyncio.run(collect())


def start(spider: CompanySiteSpider) -> Request:
    (request,) = started(spider)
    assert isinstance(request, Request)
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


def unresolvable(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """Lookups of `names` fail as they do for a name that does not exist."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host in names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_refused_targets_end_at_start_without_a_request(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    unresolvable(monkeypatch, "nirgendwo-gmbh.de")
    spider = make_spider("nirgendwo-gmbh.de,firma.de,http://127.0.0.1:8080/")
    out = started(spider)

    assert [r.url for r in out if isinstance(r, Request)] == ["https://firma.de/"]
    ended = {item.domain: item.records for item in out if isinstance(item, SiteCrawl)}
    assert set(ended) == {"nirgendwo-gmbh.de", "127.0.0.1"}
    for domain, start_url, reason in (("nirgendwo-gmbh.de", "https://nirgendwo-gmbh.de/",
                                       "dns_error"),
                                      ("127.0.0.1", "http://127.0.0.1:8080/", "loopback")):
        skip, outcome = ended[domain]
        assert isinstance(skip, SkipRecord)
        assert (skip.url, skip.reason) == (start_url, reason)
        assert isinstance(outcome, CrawlOutcome)
        assert outcome.start_url == start_url
        assert outcome.pages_fetched == 0
        assert outcome.skipped == [{"url": start_url, "reason": reason}]
        assert outcome.error is not None
        assert outcome.error.startswith(f"{reason}: ")


def failed(request: Request, exc: Exception) -> Failure:
    failure = Failure(exc)
    failure.request = request  # type: ignore[attr-defined]
    return failure


def test_dns_failure_of_the_start_page_gets_no_http_fallback(spider: CompanySiteSpider) -> None:
    home = start(spider)
    (item,) = spider.on_error(failed(home, error.DNSLookupError("firma.de")))
    assert isinstance(item, SiteCrawl)
    skip, outcome = item.records
    assert isinstance(skip, SkipRecord)
    assert (skip.url, skip.reason) == ("https://firma.de/", "dns_error")
    assert isinstance(outcome, CrawlOutcome)
    assert outcome.error is not None
    assert outcome.error.startswith("dns_error: ")


def test_refused_connection_falls_back_to_http(spider: CompanySiteSpider) -> None:
    home = start(spider)
    (fallback,) = spider.on_error(failed(home, error.ConnectionRefusedError("firma.de:443")))
    assert isinstance(fallback, Request)
    assert fallback.url == "http://firma.de/"
