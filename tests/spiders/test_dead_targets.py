"""End-to-end: targets whose names do not resolve end at once, without holding up the crawl.

The crawl subprocess gets a resolver that takes SLOW_NO_S to say that a `.invalid` name does
not exist (a real resolver asks the root and TLD servers first; this one needs no network).
Done one after another on Scrapy's reactor, DEAD lookups (twice each, https and the http
fallback) would take 2 * DEAD * SLOW_NO_S seconds while nothing else happens.
"""

from __future__ import annotations

import re

import pytest

from tests.spiders.conftest import ALLOWLIST, FAST, Crawl, crawl_farm
from tests.spiders.siteserver import Farm

pytestmark = pytest.mark.crawl

DEAD = 24
SLOW_NO_S = 0.5
SLOW_RESOLVER = f'''
import socket, time

_getaddrinfo = socket.getaddrinfo


def getaddrinfo(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith(".invalid"):
        time.sleep({SLOW_NO_S})
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = getaddrinfo
'''


def dead_names() -> list[str]:
    return [f"firma-{n}-nirgendwo.invalid" for n in range(DEAD)]


@pytest.fixture(scope="module")
def dead_crawl(farm: Farm, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """Two farm sites among DEAD unresolvable names."""
    tmp = tmp_path_factory.mktemp("dead")
    (tmp / "sitecustomize.py").write_text(SLOW_RESOLVER, encoding="utf-8")
    live = [farm.url("127.0.0.4"), f"127.0.0.5:{farm.ports['127.0.0.5']}"]
    targets = [*dead_names()[: DEAD // 2], *live, *dead_names()[DEAD // 2:]]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PYTHONPATH", str(tmp))  # run_crawl puts the repository in front of it
        return crawl_farm(farm, tmp / "out.jsonl", targets,
                          {**FAST, "LEADPIPE_PRIVATE_ALLOWLIST": ALLOWLIST})


def engine_seconds(crawl: Crawl) -> float:
    found = re.search(r"'elapsed_time_seconds': ([\d.]+)", crawl.report.log_tail)
    assert found, crawl.report.log_tail
    return float(found.group(1))


def test_each_dead_name_ends_with_one_skip_and_its_outcome(dead_crawl: Crawl) -> None:
    for name in dead_names():
        url = f"https://{name}/"
        (skip,) = dead_crawl.of("skip", name)  # one: no http fallback was tried
        assert (skip["url"], skip["reason"]) == (url, "dns_error")
        assert skip["detail"].startswith(name)
        outcome = dead_crawl.outcome(name)
        assert outcome["start_url"] == url
        assert outcome["skipped"] == [{"url": url, "reason": "dns_error"}]
        assert outcome["error"].startswith(f"dns_error: {name}")
        assert outcome["pages_fetched"] == 0
    assert dead_crawl.report.skipped == {"dns_error": DEAD}
    assert dead_crawl.report.incomplete == []


def test_dead_names_do_not_hold_up_the_crawl(dead_crawl: Crawl) -> None:
    assert engine_seconds(dead_crawl) < DEAD * SLOW_NO_S / 2


def test_live_sites_are_still_crawled(dead_crawl: Crawl) -> None:
    farm = dead_crawl.farm
    assert sorted(p["final_url"] for p in dead_crawl.of("page", "127.0.0.4")) == [
        farm.url("127.0.0.4", "/"), farm.url("127.0.0.4", "/imprint.html")]
    # a connection failure still falls back from https to http
    assert sorted(p["final_url"] for p in dead_crawl.of("page", "127.0.0.5")) == [
        farm.url("127.0.0.5", "/"), farm.url("127.0.0.5", "/imprint.html")]
    assert dead_crawl.report.errors.keys() == {*dead_names()}
