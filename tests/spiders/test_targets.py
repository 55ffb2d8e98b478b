"""Target selection: website first, else a business e-mail domain; never freemail; recrawl age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from spiders.run import select_targets

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def test_website_then_business_email_never_freemail() -> None:
    leads: list[dict[str, str | None]] = [
        {"website": "https://www.beispiel.de/kontakt", "email": "info@other.de"},
        {"website": None, "email": "Max.Muster@Firma-Zwei.de"},
        {"website": "", "email": "max@gmx.de"},
        {"email": "anna@gmail.com"},
        {"website": "http://shop.beispiel.de"},            # same registrable domain: once
        {"website": "not a url", "email": None},
    ]
    assert select_targets(leads, {}, NOW, 30) == ["beispiel.de", "firma-zwei.de"]


def test_recently_crawled_domains_wait() -> None:
    leads = [{"website": "a.de"}, {"website": "b.de"}, {"website": "c.de"}]
    crawled = {"a.de": NOW - timedelta(days=5), "b.de": NOW - timedelta(days=31)}
    assert select_targets(leads, crawled, NOW, 30) == ["b.de", "c.de"]
    assert select_targets(leads, crawled, NOW, 0) == ["a.de", "b.de", "c.de"]
