"""Marketing ops in Chromium: a purchased list uploaded through its preview and a corrected
mapping, then loaded; uncertain duplicates decided side by side."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

UPLOAD = ("Firma;Ansprechpartner;Kennung;PLZ;Ort;Telefon\n"
          "Alpha Hochladen GmbH;Maier;A-1;80331;München;089 555111\n"
          "Beta Hochladen KG;Huber;B-2;10115;Berlin;030 444222\n"
          "Gamma Hochladen AG;Schulz;D-4;20095;Hamburg;040 333444\n")
"""A vendor's list whose contact column says only 'Ansprechpartner' (a surname here)."""


def test_upload_a_list_through_its_preview(marketing_page: Page, tmp_path: Path) -> None:
    page = marketing_page
    source = tmp_path / "Messe Kontakte 2026.csv"
    source.write_bytes(UPLOAD.encode("cp1252"))
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name="Listen hochladen").click()
    expect(page.get_by_role("heading", name="Gekaufte Liste hochladen")).to_be_visible()
    page.get_by_label("Datei der Liste").set_input_files(source)
    page.get_by_label("Lieferant").fill("Messe Verlag")
    page.get_by_label("Kaufdatum").fill((date.today() - timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Hochladen und Vorschau zeigen").click()

    expect(page.get_by_role("heading", name="Vorschau: Messe_Kontakte_2026.csv")).to_be_visible()
    expect(page.get_by_text("Noch ist nichts geladen.")).to_be_visible()
    rows = page.locator("dt", has_text="Zeilen").locator("xpath=following-sibling::dd[1]")
    expect(rows).to_have_text("3")
    page.get_by_label("Feld für Ansprechpartner").select_option("last_name")
    page.get_by_label("Feld für Kennung").select_option(label="nicht übernehmen")
    page.get_by_role("button", name="Zuordnung übernehmen und neu prüfen").click()
    expect(page.get_by_text("Es gilt Ihre Zuordnung")).to_be_visible()
    expect(page.get_by_label("Feld für Ansprechpartner")).to_have_value("last_name")

    page.get_by_role("button", name="Liste jetzt laden").click()
    expect(page.get_by_role("heading", name=re.compile("Ladevorgang"))).to_be_visible()
    expect(page.get_by_text("Status: fertig")).to_be_visible(timeout=60_000)
    loaded = page.get_by_role("row", name=re.compile("^geladen"))
    expect(loaded.get_by_role("cell")).to_have_text("3")
    page.get_by_role("link", name="Zurück zu den Listen").click()
    expect(page.get_by_role("row", name=re.compile("Messe Verlag"))).to_contain_text("fertig")


def test_decide_a_review_pair(marketing_page: Page) -> None:
    page = marketing_page
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name="Dubletten prüfen").click()
    expect(page.get_by_role("heading", name="Dubletten prüfen")).to_be_visible()
    open_pairs = page.get_by_text(re.compile(r"(\d+) offene Paare"))
    before = int(re.findall(r"\d+", open_pairs.inner_text())[-1])
    assert before >= 1
    page.get_by_role("link", name="Erstes Paar prüfen").click()
    expect(page.get_by_role("heading", name=re.compile("^Paar prüfen"))).to_be_visible()
    pair = page.locator("table.pair")
    expect(pair.get_by_role("columnheader", name="Ähnlichkeit")).to_be_visible()
    left = pair.get_by_role("columnheader").nth(1).inner_text()
    page.get_by_label("Notiz (optional)").fill("im Browser geprüft")
    page.get_by_role("button", name=re.compile("verschieden", re.IGNORECASE)).click()
    page.wait_for_load_state()
    page.goto("/review")
    if before == 1:
        expect(page.get_by_text("Keine offenen Paare")).to_be_visible()
    else:
        expect(page.get_by_text(f"{before - 1} offene Paare")).to_be_visible()
    expect(page.get_by_role("cell", name=left, exact=True)).to_have_count(0)
