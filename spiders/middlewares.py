"""Downloader middleware that applies the SSRF guard and the HTML-only rule to every request.

Priority 50 places it before RobotsTxtMiddleware (100) on the way out, so robots.txt is never
fetched from a refused host either, and after RedirectMiddleware (600) on the way back: a
redirect re-enters the chain as a new request, so every hop is checked again.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse

from spiders.safety import Policy, UnsafeTarget, check_url

HTML_TYPES = ("text/html", "application/xhtml+xml")
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")


class SkipRequest(IgnoreRequest):
    """A request dropped on purpose; `reason` is a stable short code for stats and output."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def policy_from_settings(settings: Any) -> Policy:
    return Policy.build(settings.getbool("LEADPIPE_ALLOW_PRIVATE"),
                        settings.getlist("LEADPIPE_PRIVATE_ALLOWLIST"))


def content_problem(response: Response) -> str | None:
    """Why a 2xx response is not an HTML page we should parse, else None."""
    ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    if ctype and ctype.split(";")[0].strip() not in HTML_TYPES:
        return "non_html"
    if not isinstance(response, TextResponse) or response.body.startswith(_BINARY_MAGIC) \
            or b"\x00" in response.body[:1024]:
        return "binary"
    return None


class SafetyMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.policy = policy_from_settings(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SafetyMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        try:
            check_url(request.url, self.policy)
        except UnsafeTarget as exc:
            raise SkipRequest(exc.reason, exc.detail) from exc
        check_redirect = getattr(self.crawler.spider, "check_redirect", None)
        if request.meta.get("redirect_urls") and check_redirect is not None:
            problem = check_redirect(request)
            if problem is not None:
                raise SkipRequest("offsite_redirect", problem)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("site") is None or not 200 <= response.status < 300:
            return response
        problem = content_problem(response)
        if problem is not None:
            ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
            raise SkipRequest(problem, ctype or "no content type")
        return response
