"""fetch_html: one page under the crawl's rules (guard on every hop, robots, size, type)."""

from __future__ import annotations

import pytest

from spiders.fetch import FetchError, fetch_html
from tests.spiders.siteserver import Farm

ALLOW = ("127.0.0.1/32", "127.0.0.4/32")


def test_fetches_and_decodes_latin1(farm: Farm) -> None:
    page = fetch_html(farm.url("127.0.0.1", "/kontakt.html"), allowlist=ALLOW)
    assert page.status == 200
    assert "Jürgen Größmann" in page.html
    assert page.fetched_at.endswith("Z")


def test_follows_safe_redirects(farm: Farm) -> None:
    page = fetch_html(farm.url("localhost", "/"), allowlist=ALLOW)
    assert page.final_url == farm.url("127.0.0.4", "/")


@pytest.mark.parametrize(("host", "path", "allow", "reason"), [
    ("127.0.0.1", "/kontakt.html", (), "loopback"),
    ("127.0.0.1", "/legal-redirect", ALLOW, "metadata_address"),
    ("127.0.0.1", "/kontakt-neu", ALLOW, "loopback"),               # hop to 127.0.0.2
    ("localhost", "/", ("127.0.0.1/32",), "loopback"),             # hop to 127.0.0.4
    ("127.0.0.1", "/intern/rechtliches.html", ALLOW, "robots_txt"),
    ("127.0.0.1", "/unternehmen/broschuere.pdf", ALLOW, "non_html"),
    ("127.0.0.1", "/kontakt-alt.html", ALLOW, "http_404"),
    ("127.0.0.1", "/about-big.html", ALLOW, "too_large"),
])
def test_refusals(farm: Farm, host: str, path: str, allow: tuple[str, ...],
                  reason: str) -> None:
    before = len(farm.log)
    with pytest.raises(FetchError) as err:
        fetch_html(farm.url(host, path), allowlist=allow)
    assert err.value.reason == reason
    if reason == "loopback" and path == "/kontakt.html":
        assert farm.log[before:] == []


def test_timeout(farm: Farm) -> None:
    with pytest.raises(FetchError) as err:
        fetch_html(farm.url("127.0.0.1", "/contact-slow.html"), allowlist=ALLOW, timeout_s=1)
    assert err.value.reason == "timeout"
