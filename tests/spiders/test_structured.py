"""Pure page parsers: link kinds, JavaScript links, schema.org data."""

from __future__ import annotations

import pytest
from parsel import Selector

from spiders.config import page_patterns
from spiders.crawlers.company_site import canonical, failure_reason, site_key, start_url
from spiders.structured import (
    classify_link,
    js_link_target,
    organizations_jsonld,
    organizations_microdata,
    page_title,
    schema_org,
)

PATTERNS = page_patterns().value
TYPES = PATTERNS.organization_types


@pytest.mark.parametrize(("text", "url", "kind"), [
    ("Impressum", "https://a.de/x", "impressum"),
    ("  Legal\n Notice ", "https://a.de/x", "impressum"),
    ("Imprint", "https://a.de/en/", "impressum"),
    ("", "https://a.de/de/impressum/", "impressum"),
    ("Kontakt", "https://a.de/k", "contact"),
    ("Contact us", "https://a.de/k", "contact"),
    ("Über uns", "https://a.de/u", "about"),
    ("", "https://a.de/%C3%BCber-uns", "about"),
    ("Produkte", "https://a.de/produkte", None),
    ("Datenschutz", "https://a.de/datenschutz", None),
])
def test_classify_link(text: str, url: str, kind: str | None) -> None:
    assert classify_link(text, url, PATTERNS) == kind


def test_js_link_target() -> None:
    assert js_link_target("javascript:openPage('/impressum.html')", "") == "/impressum.html"
    assert js_link_target("#", "window.location='/kontakt'") == "/kontakt"
    assert js_link_target("javascript:void(0)", "") is None


def test_jsonld_types_graph_lists_and_broken_blocks() -> None:
    html = """<script type="application/ld+json">[{"@type": ["LocalBusiness", "Store"],
      "name": "Laden"}, {"@type": "Person", "name": "X"}]</script>
      <script type="application/ld+json">{"@graph": [{"@type": "https://schema.org/Organization",
      "name": "Org"}]};</script><script type="application/ld+json">{oops</script>"""
    found = organizations_jsonld(Selector(text=html), TYPES)
    assert [o["name"] for o in found] == ["Laden", "Org"]


def test_microdata_nested_items_and_repeated_properties() -> None:
    html = """<div itemscope itemtype="http://schema.org/Organization">
      <span itemprop="name">Beispiel AG</span><a itemprop="email" href="mailto:a@b.de">Mail</a>
      <span itemprop="telephone">+49 1</span><span itemprop="telephone">+49 2</span>
      <div itemprop="address" itemscope itemtype="http://schema.org/PostalAddress">
        <span itemprop="streetAddress">Weg 1</span></div></div>
      <div itemscope itemtype="http://schema.org/Person"><span itemprop="name">P</span></div>"""
    (org,) = organizations_microdata(Selector(text=html), TYPES)
    assert org["name"] == "Beispiel AG"
    assert org["email"] == "mailto:a@b.de"
    assert org["telephone"] == ["+49 1", "+49 2"]
    assert org["address"] == {"@type": ["PostalAddress"], "streetAddress": "Weg 1"}
    assert "streetAddress" not in org


def test_targets_and_site_keys() -> None:
    assert start_url("beispiel.de") == "https://beispiel.de/"
    assert start_url("http://www.beispiel.de/home") == "http://www.beispiel.de/home"
    assert site_key("https://shop.beispiel.co.uk/x") == "beispiel.co.uk"
    assert site_key("http://127.0.0.1:8080/") == "127.0.0.1"
    assert canonical("http://A.de/impressum#top") == "http://a.de/impressum"


def test_failure_reason_for_robots_message() -> None:
    from scrapy.exceptions import IgnoreRequest
    from twisted.python.failure import Failure

    assert failure_reason(Failure(IgnoreRequest("Forbidden by robots.txt")))[0] == "robots_txt"


def test_page_title_normalised_like_xpath() -> None:
    sel = Selector(text="<html><head><title>\n  Beispiel\tGmbH \u00a0– Start </title></head>"
                        "<body><svg><title>Logo</title></svg></body></html>")
    assert page_title(sel) == sel.xpath("normalize-space(//title)").get()
    assert page_title(Selector(text="<p>no title</p>")) is None


def test_schema_org_skips_pages_without_markers() -> None:
    html = ('<div ITEMSCOPE itemtype="https://schema.org/Organization"><span itemprop="name">'
            'Org</span></div><p>plain</p>')
    jsonld, microdata = schema_org(Selector(text=html), html, TYPES)
    assert jsonld == []
    assert [m["name"] for m in microdata] == ["Org"]
    assert schema_org(Selector(text="<p>x</p>"), "<p>x</p>", TYPES) == ([], [])
