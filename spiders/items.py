"""Output records of the company_site spider: the stable JSONL format (docs/crawling.md).

Every line carries `record_type` ("page", "skip" or "outcome") and `schema_version`, so the
raw-layer loader can route lines without guessing. New fields may be added at the end; existing
fields keep their name and meaning. The spider hands a target's records on together, as one
`SiteCrawl`; the feed writes each record as its own line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1


@dataclass
class CompanyPage:
    """One fetched page that can carry company facts."""

    domain: str
    url: str
    final_url: str
    page_kind: str                      # home | impressum | contact | about
    status: int
    fetched_at: str                     # ISO 8601 UTC
    encoding: str | None
    title: str | None
    html: str                           # capped at max_html_chars
    html_truncated: bool
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    microdata: list[dict[str, Any]] = field(default_factory=list)
    extracted: dict[str, Any] | None = None
    record_type: str = "page"
    schema_version: int = SCHEMA_VERSION


@dataclass
class SkipRecord:
    """A URL that was not fetched or not used, and why (reason is a stable short code)."""

    domain: str
    url: str
    reason: str
    detail: str
    at: str
    record_type: str = "skip"
    schema_version: int = SCHEMA_VERSION


@dataclass
class CrawlOutcome:
    """The end of one target domain's crawl."""

    domain: str
    start_url: str
    pages_fetched: int
    skipped: list[dict[str, str]]      # [{"url", "reason"}]
    error: str | None
    redirected_to: str | None           # registrable domain after an off-site start redirect
    finished_at: str
    record_type: str = "outcome"
    schema_version: int = SCHEMA_VERSION


@dataclass
class SiteCrawl:
    """Everything one target produced (pages and skips as they happened, its outcome last),
    emitted when its last request has ended. Scrapy's per-item machinery (spider middlewares,
    pipelines, signals, feed) cost about as much as parsing a page; one trip per site instead
    of one per record is most of the crawler's own cost saved. A target still running when the
    crawl is stopped writes nothing and stays a target for the next crawl."""

    domain: str
    records: list[CompanyPage | SkipRecord | CrawlOutcome]

    @property
    def pages(self) -> list[CompanyPage]:
        return [r for r in self.records if isinstance(r, CompanyPage)]
