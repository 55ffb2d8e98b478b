"""Demo websites: an Impressum is always one link away from the start page."""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser
from pathlib import Path

TRUTH_KEYS = {"company_name", "legal_form", "street", "postcode", "city", "country", "phones",
              "fax", "emails", "managing_directors", "register_court", "register_number",
              "vat_id", "responsible_persons"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _resolve(site: Path, href: str) -> Path:
    target = site / href.lstrip("/")
    return target / "index.html" if href.endswith("/") else target


def test_every_site_links_its_impressum_from_the_start_page(demo_dir: Path) -> None:
    sites = sorted(p for p in (demo_dir / "sites").iterdir() if p.is_dir())
    assert len(sites) == 40
    link_texts = set()
    for site in sites:
        meta = json.loads((site / "site.json").read_text("utf-8"))
        truth = json.loads((site / "truth.json").read_text("utf-8"))
        assert set(truth) == TRUTH_KEYS
        parser = _Links()
        parser.feed((site / "index.html").read_text("utf-8"))
        linked = {_resolve(site, href) for href in parser.hrefs}
        impressum = site / meta["impressum_page"]
        assert impressum in linked, site.name
        page = impressum.read_text("utf-8")
        assert html.escape(truth["company_name"]) in page
        link_texts.add(meta["impressum_page"].split("/")[0])
    assert len(link_texts) >= 5  # /impressum, /imprint, /legal, /kontakt, /ueber-uns, ...


def test_sites_vary_layout_and_include_foreign_and_english_pages(demo_dir: Path) -> None:
    metas = [json.loads(p.read_text("utf-8")) for p in (demo_dir / "sites").glob("*/site.json")]
    truths = [json.loads(p.read_text("utf-8")) for p in (demo_dir / "sites").glob("*/truth.json")]
    assert {m["layout"] for m in metas} == {"br", "blob", "table", "dl", "plain", "english"}
    assert {t["country"] for t in truths} == {"DE", "AT", "CH"}
    traps = {t for m in metas for t in m["traps"]}
    assert {"jsonld", "robots_txt", "email_style_1", "email_style_2", "email_style_3",
            "general_partner_entity"} <= traps
    pages = "".join(p.read_text("utf-8") for p in (demo_dir / "sites").rglob("*.html"))
    for marker in ("Steuernummer", "Webdesign", "Hosting:", "[at]", "(at)", "&#", "FN ",
                   "CHE-", "Amtsgericht Charlottenburg"):
        assert marker in pages, marker
