"""The local site farm and the two real crawls the end-to-end tests share (each is a subprocess)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from spiders.run import CrawlReport, read_records, run_crawl
from tests.spiders.siteserver import Farm, start_farm, stop_farm

# The guard stays on: only the farm's own addresses are allowlisted (127.0.0.2 is not).
ALLOWLIST = ["127.0.0.1/32", "127.0.0.3/32", "127.0.0.4/32", "127.0.0.5/32"]
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0,
        "DOWNLOAD_TIMEOUT": 1.5, "DOWNLOAD_MAXSIZE": 200_000, "DOWNLOAD_WARNSIZE": 0,
        "LEADPIPE_DEPTH": 30}
BUDGET = 14


@dataclass
class Crawl:
    report: CrawlReport
    records: list[dict[str, Any]]
    farm: Farm

    def of(self, record_type: str, domain: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self.records if r["record_type"] == record_type
                and (domain is None or r["domain"] == domain)]

    def outcome(self, domain: str) -> dict[str, Any]:
        (found,) = self.of("outcome", domain)
        return found

    def skip_reasons(self, domain: str) -> dict[str, str]:
        return {r["url"]: r["reason"] for r in self.of("skip", domain)}

    def page(self, domain: str, path: str) -> dict[str, Any]:
        (found,) = [p for p in self.of("page", domain) if p["final_url"].endswith(path)]
        return found


@pytest.fixture(scope="session")
def farm() -> Iterator[Farm]:
    farm = start_farm()
    yield farm
    stop_farm(farm)


def crawl_farm(farm: Farm, out: Path, targets: list[str], overrides: dict[str, Any]) -> Crawl:
    """One crawl of the farm; its `farm.log` holds only this crawl's requests."""
    before = len(farm.log)
    report = run_crawl(targets, out, overrides=overrides, timeout_s=60)
    assert report.ok, report.log_tail
    return Crawl(report, read_records(out), Farm(ports=farm.ports, log=farm.log[before:]))


def crawl_company_sites(farm: Farm, out: Path, **settings: Any) -> Crawl:
    # a bare host:port target starts with https and falls back to http (the farm is http only)
    bare = f"127.0.0.5:{farm.ports['127.0.0.5']}"
    targets = [farm.url("127.0.0.1"), farm.url("localhost"), farm.url("127.0.0.3"), bare]
    return crawl_farm(farm, out, targets, {**FAST, "LEADPIPE_PRIVATE_ALLOWLIST": ALLOWLIST,
                                           "LEADPIPE_MAX_PAGES_PER_DOMAIN": BUDGET, **settings})


@pytest.fixture(scope="session")
def crawl(farm: Farm, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """Extraction in a worker process (the default)."""
    return crawl_company_sites(farm, tmp_path_factory.mktemp("crawl") / "out.jsonl")


@pytest.fixture(scope="session")
def inline_crawl(farm: Farm, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """The same crawl with extraction in the crawl process."""
    return crawl_company_sites(farm, tmp_path_factory.mktemp("inline") / "out.jsonl",
                               LEADPIPE_EXTRACT_WORKERS=0)


@pytest.fixture(scope="session")
def refused_crawl(farm: Farm, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """The same farm with the default policy: loopback targets must be refused."""
    decimal_url = f"http://2130706433:{farm.ports['127.0.0.1']}/"  # 127.0.0.1 in disguise
    return crawl_farm(farm, tmp_path_factory.mktemp("refused") / "out.jsonl",
                      [farm.url("127.0.0.1", "/"), decimal_url], FAST)


def fixture_path(*parts: str) -> Path:
    return Path(__file__).resolve().parent.parent.joinpath("fixtures", "sites", *parts)
