"""company_site: the pages of a company's own website that state who the company is.

From each target's home page (https first, http as fallback) the spider follows only links
whose text or URL names an Impressum, contact or about page, only on the same site, within a
depth and a per-domain page budget. It records a CompanyPage per fetched page, a SkipRecord
for every URL it did not fetch or use (with a reason), and a CrawlOutcome per target, and yields
them as one SiteCrawl item when the target's last request has ended.

A start URL the safety policy refuses (a name that does not resolve, a private address) gets
no request: its skip and outcome are yielded from start() at once. The policy is checked in
threads there, because it resolves the name, and again by the middleware for every request.

Requests are never dropped silently: the spider dedupes URLs itself (dont_filter=True) and
enforces depth and budget itself, so each request ends in a callback or errback and the
per-domain outcome is emitted when the last one finishes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit, urlunsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import get_base_url
from twisted.python.failure import Failure

from enrichment.domains import registrable_domain
from spiders.config import PagePatterns, config_dir_setting, page_patterns
from spiders.items import CompanyPage, CrawlOutcome, SiteCrawl, SkipRecord
from spiders.middlewares import SkipRequest, policy_from_settings
from spiders.safety import Policy, Resolver, UnsafeTarget, check_url, resolve_host
from spiders.structured import classify_link, js_link_target, page_title, schema_org

KIND_PRIORITY = {"impressum": 30, "contact": 20, "about": 10}
# A name that does not resolve does not resolve for http either: no fallback for dns_error.
_FALLBACK_REASONS = {"connection_refused", "timeout", "download_error", "tls_error"}
# Name lookups of start URLs at the same time, each in a thread of asyncio's default executor
# (min(32, CPUs + 4) threads): a slow lookup holds up its own target, not the reactor.
START_CHECKS_IN_FLIGHT = 8

T = TypeVar("T")
R = TypeVar("R")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def site_key(url: str) -> str:
    """The registrable domain of a URL; the bare host for IPs and single-label hosts."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    return registrable_domain(host) or host


def canonical(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))


@lru_cache(maxsize=8192)
def resolve(base: str, href: str) -> tuple[str, str]:
    """(absolute URL, canonical URL) of a link; a site's menu repeats on each of its pages."""
    url = urljoin(base, href)
    return url, canonical(url)


def start_url(target: str) -> str:
    target = target.strip()
    return target if "://" in target else f"https://{target.strip('/')}/"


def failure_reason(failure: Failure) -> tuple[str, str]:
    """A stable reason code and a short detail for a failed request."""
    exc = failure.value
    if isinstance(exc, SkipRequest):
        return exc.reason, exc.detail
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}", exc.response.url
    name = type(exc).__name__
    text = str(exc)
    if "robots.txt" in text:
        return "robots_txt", "forbidden by robots.txt"
    if name == "DownloadCancelledError" or "maxsize" in text:
        return "too_large", text[:200]
    if "Timeout" in name or "timed out" in text.lower():
        return "timeout", text[:200]
    if name in {"CannotResolveHostError", "DNSLookupError"}:
        return "dns_error", text[:200]
    if "ConnectionRefused" in name:
        return "connection_refused", text[:200]
    if "SSL" in name or "TLS" in text:
        return "tls_error", text[:200]
    return "download_error", f"{name}: {text[:200]}"


class NeedsLookup(Exception):
    """A URL's check has come to resolving its host name."""


def no_lookup(host: str) -> tuple[str, ...]:
    """A resolver for the checks that need none (addresses, allowlisted hosts, bad URLs)."""
    raise NeedsLookup(host)


def start_refusal(url: str, policy: Policy,
                  resolve: Resolver = resolve_host) -> UnsafeTarget | None:
    """Why the safety policy refuses a start URL, or None."""
    try:
        check_url(url, policy, resolve)
    except UnsafeTarget as exc:
        return exc
    return None


async def in_threads(items: Iterable[T], func: Callable[[T], R],
                     width: int) -> AsyncIterator[tuple[T, R]]:
    """(item, func(item)) in order of completion, at most `width` calls running in threads."""
    todo = iter(items)
    running: dict[asyncio.Future[R], T] = {}
    try:
        while True:
            for item in todo:
                running[asyncio.ensure_future(asyncio.to_thread(func, item))] = item
                if len(running) >= width:
                    break
            if not running:
                return
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for future in done:
                yield running.pop(future), future.result()
    finally:
        for future in running:
            future.cancel()


@dataclass
class SiteState:
    key: str
    start_url: str
    domains: set[str]
    scheduled: int = 0
    pages: int = 0
    pending: int = 0
    seen: set[str] = field(default_factory=set)
    page_urls: set[str] = field(default_factory=set)     # final URLs of the recorded pages
    records: list[CompanyPage | SkipRecord] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None
    redirected_to: str | None = None
    pinned_scheme: bool = False         # a target given as a full URL gets no http fallback


class CompanySiteSpider(scrapy.Spider):
    name = "company_site"

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Scrapy's default queue scans every waiting site on each request (cost ~ targets²);
        spiders.scheduling's queue spreads requests over sites at a constant cost."""
        super().update_settings(settings)
        settings.set("SCHEDULER_PRIORITY_QUEUE", "spiders.scheduling.IdleSlotFirstQueue",
                     priority="spider")

    def __init__(self, targets_file: str | None = None, targets: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        lines: list[str] = []
        if targets_file:
            lines += Path(targets_file).read_text(encoding="utf-8").splitlines()
        if targets:
            lines += targets.split(",")
        self.targets = [t.strip() for t in lines if t.strip() and not t.strip().startswith("#")]
        self.sites: dict[str, SiteState] = {}

    @cached_property
    def patterns(self) -> PagePatterns:
        return page_patterns(config_dir_setting(self.settings.get("LEADPIPE_CONFIG_DIR"))).value

    @property
    def max_pages(self) -> int:
        return self.settings.getint("LEADPIPE_MAX_PAGES_PER_DOMAIN")

    @property
    def depth(self) -> int:
        return self.settings.getint("LEADPIPE_DEPTH")

    async def start(self) -> AsyncIterator[scrapy.Request | SiteCrawl]:
        """A request per target, or the target's records at once when the policy refuses it.

        The safety middleware checks every request (redirect hops, links) on the reactor
        thread, where one slow name lookup stops the whole crawl (a resolver that drops a
        query is asked again after 5 s). Start URLs, whose names nobody has looked up yet, are
        checked here: in threads when the check resolves a name (the middleware then finds
        the answer cached), at once when it does not (a thread costs more than such a check).
        """
        policy = policy_from_settings(self.settings)
        for target in self.targets:
            url = start_url(target)
            key = site_key(url)
            if key and key not in self.sites:
                self.sites[key] = SiteState(key=key, start_url=url, domains={key},
                                            pinned_scheme="://" in target)
        lookups = []
        for site in self.sites.values():
            try:
                refusal = start_refusal(site.start_url, policy, no_lookup)
            except NeedsLookup:
                lookups.append(site)
                continue
            yield self._begin(site, refusal)
        checks = in_threads(lookups, lambda site: start_refusal(site.start_url, policy),
                            START_CHECKS_IN_FLIGHT)
        async for site, refusal in checks:
            yield self._begin(site, refusal)

    def _begin(self, site: SiteState, refusal: UnsafeTarget | None) -> scrapy.Request | SiteCrawl:
        """The start request of a target, or all its records when the policy refuses it."""
        if refusal is None:
            return self._request(site, site.start_url, "home", hops=0, is_start=True)
        site.error = f"{refusal.reason}: {refusal.detail}"
        self._skip(site, site.start_url, refusal.reason, refusal.detail)
        return self._site_crawl(site)

    def _request(self, site: SiteState, url: str, kind: str, *, hops: int,
                 is_start: bool = False) -> scrapy.Request:
        site.seen.add(canonical(url))
        site.scheduled += 1
        site.pending += 1
        return scrapy.Request(
            url, callback=self.parse_page, errback=self.on_error, dont_filter=True,
            priority=KIND_PRIORITY.get(kind, 0),
            meta={"site": site.key, "kind": kind, "hops": hops, "is_start": is_start})

    # -- hooks used by the safety middleware -------------------------------------------
    def check_redirect(self, request: scrapy.Request) -> str | None:
        """None when a redirect hop stays on the site (or is the one allowed start redirect)."""
        site = self.sites.get(request.meta.get("site", ""))
        if site is None:
            return None
        key = site_key(request.url)
        if key in site.domains:
            return None
        if request.meta.get("is_start") and site.redirected_to is None:
            site.redirected_to = key
            site.domains.add(key)
            return None
        return f"{request.meta['redirect_urls'][0]} -> {request.url}"

    # -- bookkeeping -----------------------------------------------------------------------
    def _skip(self, site: SiteState, url: str, reason: str, detail: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"leadpipe/skipped/{reason}")
        site.skipped.append({"url": url, "reason": reason})
        site.records.append(SkipRecord(domain=site.key, url=url, reason=reason, detail=detail,
                                       at=now_iso()))

    def _finish(self, site: SiteState) -> Iterator[SiteCrawl]:
        site.pending -= 1
        if site.pending == 0:
            yield self._site_crawl(site)

    def _site_crawl(self, site: SiteState) -> SiteCrawl:
        """The target's records, its outcome last: the target has ended."""
        outcome = CrawlOutcome(domain=site.key, start_url=site.start_url,
                               pages_fetched=site.pages, skipped=list(site.skipped),
                               error=site.error, redirected_to=site.redirected_to,
                               finished_at=now_iso())
        records, site.records = site.records, []
        return SiteCrawl(domain=site.key, records=[*records, outcome])

    # -- callbacks ---------------------------------------------------------------------------
    def parse_page(self, response: Response) -> Iterator[Any]:
        site = self.sites[response.meta["site"]]
        site.pages += 1
        assert isinstance(response, TextResponse)  # the safety middleware lets only HTML through
        kind = response.meta["kind"]
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"leadpipe/pages/{kind}")
        if response.url in site.page_urls:  # two links, or redirects, ending on one page
            self._skip(site, response.url, "duplicate_page", "already recorded for this target")
        else:
            site.page_urls.add(response.url)
            site.records.append(self._page_item(site, response, kind))
        if response.meta["hops"] < self.depth:
            yield from self._follow(site, response)
        yield from self._finish(site)

    def _page_item(self, site: SiteState, response: TextResponse, kind: str) -> CompanyPage:
        cap = self.settings.getint("LEADPIPE_MAX_HTML_CHARS")
        html = response.text
        jsonld, microdata = schema_org(response.selector, html, self.patterns.organization_types)
        redirects = response.meta.get("redirect_urls") or []
        return CompanyPage(
            domain=site.key, url=redirects[0] if redirects else response.url,
            final_url=response.url, page_kind=kind, status=response.status,
            fetched_at=now_iso(), encoding=response.encoding, title=page_title(response.selector),
            html=html[:cap], html_truncated=len(html) > cap, jsonld=jsonld, microdata=microdata)

    def _follow(self, site: SiteState, response: TextResponse) -> Iterator[scrapy.Request]:
        hops = response.meta["hops"] + 1
        base = get_base_url(response)
        scheme, netloc = urlsplit(base)[:2]
        origin = f"{scheme}://{netloc}/"
        # lxml directly: a parsel Selector per link costs more than the rest of the page.
        for link in response.selector.root.iter("a"):
            href = (link.get("href") or "").strip()
            onclick = link.get("onclick") or ""
            lowered = href.lower()
            if (not href and not onclick) or lowered.startswith(("mailto:", "tel:", "data:")):
                continue
            is_js = lowered.startswith("javascript:") or (href in ("", "#") and onclick)
            target = js_link_target(href, onclick) if is_js else href
            if target:  # a root-relative link depends on the base's origin only: one cache key
                rooted = target.startswith("/") and not target.startswith("//")
                url, canon = resolve(origin if rooted else base, target)
                key = ("js:" if is_js else "") + canon
            else:
                url, key = href, f"js:{href}|{onclick}"
            if key in site.seen:  # seen, or already recorded as skipped, on this site
                continue
            text = " ".join(["".join(link.itertext()), *(img.get("alt") or "" for img in
                                                         link.iter("img")),
                             link.get("title") or "", link.get("aria-label") or ""])
            kind = classify_link(text, url if target else "", self.patterns)
            if kind is None:
                continue
            site.seen.add(key)
            if is_js:
                code = (href if href not in ("", "#") else onclick)[:120]
                self._skip(site, url, "javascript_link", f"{kind} link needs JavaScript: {code}")
            elif urlsplit(url).scheme not in ("http", "https"):
                self._skip(site, url, "scheme_not_allowed", url[:120])
            elif site_key(url) not in site.domains:
                self._skip(site, url, "offsite_link", f"{kind} page on another site")
            elif site.scheduled >= self.max_pages:
                self._skip(site, url, "page_budget", f"{self.max_pages} pages per domain")
            else:
                yield self._request(site, url, kind, hops=hops)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        site = self.sites[request.meta["site"]]
        reason, detail = failure_reason(failure)
        if request.meta.get("is_start") and request.url.startswith("https://") \
                and reason in _FALLBACK_REASONS and not site.pinned_scheme:
            yield self._request(site, "http://" + request.url[len("https://"):], "home",
                                hops=0, is_start=True)
            site.scheduled -= 1  # the fallback is the same page, not a second one
        else:
            if request.meta.get("is_start"):
                site.error = f"{reason}: {detail}"
            self._skip(site, request.url, reason, detail)
        yield from self._finish(site)
