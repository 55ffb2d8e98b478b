"""End-to-end: real subprocess crawls of the local farm; what is crawled, skipped and extracted."""

from __future__ import annotations

import pytest

from tests.spiders.conftest import BUDGET, Crawl

pytestmark = pytest.mark.crawl


def test_acme_fetches_exactly_the_company_pages(crawl: Crawl) -> None:
    kinds = sorted((p["page_kind"], p["final_url"].split("/", 3)[3])
                   for p in crawl.of("page", "127.0.0.1"))
    assert kinds == [("about", "ueber-uns.html"), ("contact", "kontakt.html"), ("home", ""),
                     ("impressum", "impressum.html")]
    # links that are not company pages are not followed, a fragment is not a second page
    assert "/produkte.html" not in crawl.farm.requested("127.0.0.1")
    assert crawl.farm.requested("127.0.0.1").count("/impressum.html") == 1
    assert crawl.outcome("127.0.0.1")["pages_fetched"] == 4


def test_every_skip_has_its_reason(crawl: Crawl) -> None:
    farm = crawl.farm
    reasons = crawl.skip_reasons("127.0.0.1")
    assert reasons == {
        farm.url("127.0.0.1", "/intern/rechtliches.html"): "robots_txt",
        farm.url("127.0.0.1", "/anfahrt.html"): "javascript_link",
        farm.url("127.0.0.1", "/team.html"): "javascript_link",
        farm.url("127.0.0.1", "/unternehmen/broschuere.pdf"): "non_html",
        farm.url("127.0.0.1", "/unternehmen/logo.png"): "non_html",
        farm.url("127.0.0.1", "/kontakt-alt.html"): "http_404",
        farm.url("127.0.0.1", "/contact-slow.html"): "timeout",
        farm.url("127.0.0.1", "/about-big.html"): "too_large",
        "http://169.254.169.254/latest/meta-data/": "metadata_address",
        f"http://127.0.0.2:{farm.ports['127.0.0.1']}/kontakt.html": "loopback",
        "https://agentur.example.org/impressum": "offsite_link",
    }
    outcome = crawl.outcome("127.0.0.1")
    assert sorted(s["reason"] for s in outcome["skipped"]) == sorted(reasons.values())
    assert outcome["error"] is None


def test_forbidden_and_js_pages_are_never_requested(crawl: Crawl) -> None:
    requested = crawl.farm.requested("127.0.0.1")
    assert "/intern/rechtliches.html" not in requested
    assert "/anfahrt.html" not in requested
    assert "/team.html" not in requested
    assert crawl.farm.requested("127.0.0.2") == []


def test_latin1_page_is_decoded(crawl: Crawl) -> None:
    page = crawl.page("127.0.0.1", "/kontakt.html")
    assert "Jürgen Größmann, Müllerstraße 7" in page["html"]
    assert page["microdata"][0]["name"] == "Acme Maschinenbau GmbH"
    assert page["microdata"][0]["address"]["postalCode"] == "10115"


def test_jsonld_organization_read_and_broken_block_ignored(crawl: Crawl) -> None:
    home = crawl.page("127.0.0.1", f":{crawl.farm.ports['127.0.0.1']}/")
    assert [o["name"] for o in home["jsonld"]] == ["Acme Maschinenbau GmbH"]
    assert home["title"] == "Acme Maschinenbau GmbH – Startseite"


def test_offsite_start_redirect_followed_once_and_recorded(crawl: Crawl) -> None:
    outcome = crawl.outcome("localhost")
    assert outcome["redirected_to"] == "127.0.0.4"
    pages = crawl.of("page", "localhost")
    assert sorted(p["page_kind"] for p in pages) == ["home", "impressum"]
    home = next(p for p in pages if p["page_kind"] == "home")
    assert home["url"] == crawl.farm.url("localhost", "/")
    assert home["final_url"] == crawl.farm.url("127.0.0.4", "/")


def test_bare_domain_falls_back_to_http(crawl: Crawl) -> None:
    outcome = crawl.outcome("127.0.0.5")
    assert outcome["start_url"].startswith("https://")
    assert outcome["error"] is None
    pages = crawl.of("page", "127.0.0.5")
    assert sorted(p["final_url"] for p in pages) == [crawl.farm.url("127.0.0.5", "/"),
                                                     crawl.farm.url("127.0.0.5", "/imprint.html")]


def test_link_loop_terminates_within_budget(crawl: Crawl) -> None:
    outcome = crawl.outcome("127.0.0.3")
    assert outcome["pages_fetched"] == BUDGET
    assert len(crawl.farm.requested("127.0.0.3")) == BUDGET + 1  # + robots.txt
    assert "page_budget" in {s["reason"] for s in outcome["skipped"]}


def test_extraction_attached_to_impressum_pages(crawl: Crawl) -> None:
    extracted = crawl.page("127.0.0.1", "/impressum.html")["extracted"]
    assert extracted["company_name"] == "Acme Maschinenbau GmbH"
    assert extracted["vat_id"] == "DE136695976"
    assert "info@acme-maschinenbau.de" in extracted["emails"]
    assert crawl.page("localhost", "/imprint.html")["extracted"]["vat_id"] == "DE811907980"
    assert crawl.page("127.0.0.1", "/ueber-uns.html")["extracted"] is None  # not configured


def test_worker_extraction_equals_inline(crawl: Crawl, inline_crawl: Crawl) -> None:
    def extracted(c: Crawl) -> dict[str, object]:
        return {p["final_url"]: p["extracted"] for p in c.of("page")}

    pooled = extracted(crawl)
    assert sum(v is not None for v in pooled.values()) >= 4
    assert pooled == extracted(inline_crawl)
    assert "extract_error" not in crawl.report.log_tail


def test_report_counts_match_records(crawl: Crawl) -> None:
    report = crawl.report
    assert report.domains == 4
    assert report.incomplete == []
    assert report.errors == {}
    assert report.pages == len(crawl.of("page"))
    assert report.skipped["non_html"] == 2
    assert report.skipped["robots_txt"] == 1
    assert "leadpipe/skipped/non_html" in report.log_tail
    for page in crawl.of("page"):
        assert page["fetched_at"].endswith("Z")
        assert page["schema_version"] == 1


def test_loopback_refused_without_allowlist(refused_crawl: Crawl) -> None:
    assert refused_crawl.farm.log == []  # nothing reached the server, not even robots.txt
    errors = refused_crawl.report.errors
    assert errors["127.0.0.1"].startswith("loopback")
    assert refused_crawl.report.pages == 0
    assert refused_crawl.report.skipped == {"loopback": 2}
