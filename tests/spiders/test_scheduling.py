"""The scheduler queue: requests spread over idle sites, busy sites wait, priorities hold."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from scrapy import Request
from scrapy.squeues import FifoMemoryQueue
from scrapy.utils.test import get_crawler

from spiders.crawlers.company_site import CompanySiteSpider
from spiders.scheduling import IdleSlotFirstQueue


class Downloader:
    """Scrapy's downloader as the queue sees it: slots by host, each with its active requests."""

    def __init__(self) -> None:
        self.slots: dict[str, SimpleNamespace] = {}

    def get_slot_key(self, request: Request) -> str:
        return urlsplit(request.url).hostname or ""

    def busy(self, host: str, n: int) -> None:
        self.slots[host] = SimpleNamespace(active=set(range(n)))


@pytest.fixture
def downloader() -> Downloader:
    return Downloader()


@pytest.fixture
def queue(downloader: Downloader) -> IdleSlotFirstQueue:
    crawler = get_crawler()
    crawler.engine = SimpleNamespace(downloader=downloader)  # type: ignore[assignment]
    return IdleSlotFirstQueue.from_crawler(crawler, FifoMemoryQueue, "")


def push(queue: IdleSlotFirstQueue, *urls: str, priority: int = 0) -> None:
    for url in urls:
        queue.push(Request(url, priority=priority))


def drain(queue: IdleSlotFirstQueue) -> list[str]:
    urls = []
    while (request := queue.pop()) is not None:
        urls.append(request.url)
    return urls


def test_idle_sites_take_turns(queue: IdleSlotFirstQueue) -> None:
    push(queue, "http://a.de/1", "http://a.de/2", "http://a.de/3", "http://b.de/1",
         "http://c.de/1", "http://c.de/2")
    assert len(queue) == 6
    assert drain(queue) == ["http://a.de/1", "http://b.de/1", "http://c.de/1", "http://a.de/2",
                            "http://c.de/2", "http://a.de/3"]
    assert len(queue) == 0


def test_a_busy_site_waits_while_others_are_idle(queue: IdleSlotFirstQueue,
                                                 downloader: Downloader) -> None:
    push(queue, "http://a.de/1", "http://b.de/1", "http://c.de/1")
    downloader.busy("a.de", 2)
    # b and c first; then nothing idle is left and the least busy site goes
    assert drain(queue) == ["http://b.de/1", "http://c.de/1", "http://a.de/1"]


def test_when_every_site_is_busy_the_least_busy_goes_first(queue: IdleSlotFirstQueue,
                                                           downloader: Downloader) -> None:
    push(queue, "http://a.de/1", "http://b.de/1")
    downloader.busy("a.de", 2)
    downloader.busy("b.de", 1)
    assert drain(queue) == ["http://b.de/1", "http://a.de/1"]


def test_priorities_hold_within_a_site_and_emptied_sites_come_back(
        queue: IdleSlotFirstQueue) -> None:
    push(queue, "http://a.de/", priority=0)
    push(queue, "http://a.de/impressum", priority=30)
    assert drain(queue) == ["http://a.de/impressum", "http://a.de/"]
    push(queue, "http://a.de/kontakt", "http://b.de/")
    assert drain(queue) == ["http://a.de/kontakt", "http://b.de/"]
    assert queue.pop() is None


def test_the_company_site_spider_uses_it() -> None:
    crawler = get_crawler(CompanySiteSpider)
    assert crawler.settings["SCHEDULER_PRIORITY_QUEUE"] == "spiders.scheduling.IdleSlotFirstQueue"
