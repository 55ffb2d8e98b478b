"""Fetch one page for `leadpipe extract URL`, under the crawler's rules.

A single page does not justify a Scrapy process (about a second of start-up), so this uses
the standard library, with the same rules as the crawl: the SSRF guard on the URL and on every
redirect hop (spiders.safety), robots.txt for our user agent, the response size cap and the
HTML-only rule from spiders/defaults/crawl.yaml.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass
from datetime import UTC, datetime
from http.client import HTTPMessage
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from w3lib.encoding import html_to_unicode

from spiders.config import crawl_config
from spiders.middlewares import HTML_TYPES
from spiders.safety import Policy, UnsafeTarget, check_url


class FetchError(Exception):
    """The page was not fetched; `reason` uses the crawl's skip vocabulary."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class FetchedPage:
    url: str
    final_url: str
    status: int
    html: str
    fetched_at: str
    encoding: str


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, policy: Policy, max_hops: int) -> None:
        self.policy = policy
        self.max_hops = max_hops

    def http_error_302(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                       headers: HTTPMessage) -> Any:
        if len(getattr(req, "redirect_dict", {})) >= self.max_hops:
            raise FetchError("too_many_redirects", req.full_url)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                         headers: HTTPMessage, newurl: str) -> urllib.request.Request | None:
        try:
            check_url(urljoin(req.full_url, newurl), self.policy)
        except UnsafeTarget as exc:
            raise FetchError(exc.reason, f"redirect to {newurl}: {exc.detail}") from exc
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _read_capped(resp: Any, limit: int) -> bytes:
    body = resp.read(limit + 1)
    if len(body) > limit:
        raise FetchError("too_large", f"more than {limit} bytes")
    return bytes(body)


def _robots_allows(opener: urllib.request.OpenerDirector, url: str, agent: str,
                   headers: dict[str, str], timeout_s: float, limit: int) -> bool:
    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    parser = urllib.robotparser.RobotFileParser()
    try:
        with opener.open(urllib.request.Request(robots_url, headers=headers),
                         timeout=timeout_s) as resp:
            parser.parse(_read_capped(resp, limit).decode("utf-8", "replace").splitlines())
    except (urllib.error.URLError, OSError, FetchError, ValueError):
        return True  # no readable robots.txt: allowed, as Scrapy's RobotsTxtMiddleware does
    return parser.can_fetch(agent, url)


def fetch_html(url: str, *, allow_private: bool = False, timeout_s: float = 20,
               allowlist: tuple[str, ...] = (), config_dir: Path | None = None) -> FetchedPage:
    """Fetch one HTML page or raise FetchError (reason: an SSRF code, robots_txt, http_NNN,
    too_large, non_html, binary, timeout, download_error). `config_dir`: the installation's
    configuration directory (None: the crawl defaults)."""
    cfg = crawl_config(config_dir).value
    policy = Policy.build(allow_private or cfg.allow_private_targets,
                          [*cfg.private_allowlist, *allowlist])
    try:
        check_url(url, policy)
    except UnsafeTarget as exc:
        raise FetchError(exc.reason, exc.detail) from exc
    agent = cfg.user_agent.split("/")[0]
    headers = {"User-Agent": f"{cfg.user_agent} (+{cfg.contact_url})",
               "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"}
    opener = urllib.request.build_opener(_GuardedRedirects(policy, cfg.redirect_max_times))
    if not _robots_allows(opener, url, agent, headers, timeout_s, cfg.max_response_bytes):
        raise FetchError("robots_txt", "forbidden by robots.txt")
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=timeout_s) as resp:
            status, final_url = resp.status, resp.geturl()
            ctype = resp.headers.get("Content-Type", "")
            if ctype and ctype.split(";")[0].strip().lower() not in HTML_TYPES:
                raise FetchError("non_html", ctype)
            body = _read_capped(resp, cfg.max_response_bytes)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"http_{exc.code}", url) from exc
    except TimeoutError as exc:
        raise FetchError("timeout", f"{url}: no answer within {timeout_s} s") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise FetchError("timeout", f"{url}: no answer within {timeout_s} s") from exc
        raise FetchError("download_error", f"{url}: {exc.reason}") from exc
    if b"\x00" in body[:1024]:
        raise FetchError("binary", ctype or "no content type")
    encoding, html = html_to_unicode(ctype or None, body)
    return FetchedPage(url=url, final_url=final_url, status=status, html=html,
                       fetched_at=datetime.now(UTC).isoformat(timespec="seconds")
                       .replace("+00:00", "Z"), encoding=encoding)
