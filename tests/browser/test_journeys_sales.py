"""A sales rep's day in Chromium: log in, filter a list, download it as Excel and read the
file back, open a lead, record what came of a call and an objection, and see the lead leave
the lists. The lists' counts are checked against the stage the page reads
(`stages.lead_lists`), the rows against the filter they were asked for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from playwright.sync_api import Locator, Page, expect

from stages.lead_lists import ListFilter, lead_list
from stages.outcomes import objected_leads
from tests.browser.conftest import Browsing, DemoWorkspace, Server

pytestmark = pytest.mark.browser

COLUMNS = ("Firma", "Name", "Kontakt", "PLZ / Ort", "Bundesland", "Score", "Klasse",
           "Entscheidung", "Quellen")
"""The list's columns, left to right (the third is named after the channel)."""


def total(page: Page) -> int:
    """The count the list page states ('1.234 Leads')."""
    text = page.get_by_text(re.compile(r"^[\d.]+ Leads")).inner_text()
    return int(text.split(" ")[0].replace(".", ""))


def rows(page: Page) -> Locator:
    return page.locator("#leads tbody tr")


def column(page: Page, name: str) -> list[str]:
    """One column's cells on this page of the list."""
    index = COLUMNS.index(name)
    return [cell.strip() for cell in rows(page).locator(f"td:nth-child({index + 1})")
            .all_inner_texts()]


def expected_total(workspace: DemoWorkspace, flt: ListFilter) -> int:
    """What the page must say: the stage's count, less the leads objected since the decide."""
    objected = objected_leads(workspace.settings).on(flt.channel)
    return lead_list(workspace.settings, flt, exclude=objected).total


def test_log_in_and_land_on_the_lead_list(browsing: Browsing, server: Server) -> None:
    page = browsing.page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fleads$"))
    user = server.users["sales"]
    page.get_by_label("Benutzername").fill(user.name)
    page.get_by_label("Passwort").fill(user.password)
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(re.compile(r"/leads$"))
    expect(page.get_by_role("heading", name="Leads für E-Mail")).to_be_visible()
    expect(page.get_by_text(f"{user.name} (Vertrieb)")).to_be_visible()
    assert total(page) > 0


def test_filter_a_list(sales_page: Page, demo_workspace: DemoWorkspace) -> None:
    page = sales_page
    page.goto("/leads")
    page.get_by_role("navigation", name="Kanal").get_by_role("link", name="Post").click()
    expect(page.get_by_role("heading", name="Leads für Post")).to_be_visible()
    everyone = total(page)
    assert everyone == expected_total(demo_workspace, ListFilter(channel="post"))

    page.get_by_label("Klasse").select_option(["B"])
    page.get_by_label("PLZ beginnt mit").fill("8")
    page.get_by_role("button", name="Filtern").click()
    expect(page).to_have_url(re.compile(r"channel=post.*grade=B.*plz=8"))
    filtered = total(page)
    assert 0 < filtered < everyone
    assert filtered == expected_total(demo_workspace, ListFilter(
        channel="post", grades=("B",), postcodes=("8",)))
    assert set(column(page, "Klasse")) == {"B"}
    assert all(place.startswith("8") for place in column(page, "PLZ / Ort"))
    expect(page.get_by_label("PLZ beginnt mit")).to_have_value("8")  # the form keeps it

    city = column(page, "PLZ / Ort")[0].split(" ", 1)[1]
    page.get_by_label("Suche").fill(city.lower())
    page.get_by_role("button", name="Filtern").click()
    found = total(page)
    assert 0 < found <= filtered
    assert found == expected_total(demo_workspace, ListFilter(
        channel="post", grades=("B",), postcodes=("8",), query=city.lower()))
    assert all(city in place for place in column(page, "PLZ / Ort"))

    page.get_by_label("Suche").fill("gibt-es-nicht-xyz")
    page.get_by_role("button", name="Filtern").click()
    expect(page.get_by_role("cell", name="Keine Leads für diesen Filter.")).to_be_visible()


def download_list(page: Page, channel: str, layout: str, tmp_path: Path
                  ) -> tuple[int, Worksheet, str]:
    """The whole list of a channel tab exported as XLSX from its page: (the count the page
    states, the workbook's sheet, the file name)."""
    page.goto("/leads")
    page.get_by_role("navigation", name="Kanal").get_by_role("link", name=channel).click()
    expect(page.get_by_role("heading", name=f"Leads für {channel}")).to_be_visible()
    count = total(page)
    assert count > rows(page).count(), "the list should span more than one page"
    export = page.get_by_role("form", name="Export")
    export.get_by_label("Format").select_option(label="Excel (XLSX)")
    export.get_by_label("Spalten").select_option(label=layout)
    with page.expect_download() as download:
        export.get_by_role("button", name=f"Liste exportieren ({count} Leads)").click()
    name = download.value.suggested_filename
    assert name.endswith(".xlsx")
    download.value.save_as(tmp_path / name)
    sheet = load_workbook(tmp_path / name).active
    assert isinstance(sheet, Worksheet)
    return count, sheet, name


def _header(sheet: Worksheet) -> list[str]:
    return [str(c.value) for c in sheet[1]]


def test_download_a_call_list_as_xlsx(sales_page: Page, tmp_path: Path) -> None:
    """All pages of the phone list in German columns; phone numbers are text cells without
    the apostrophe that broke click-to-dial; frozen header, autofilter; logged."""
    page = sales_page
    count, sheet, name = download_list(page, "Telefon", "Anrufliste", tmp_path)
    header = _header(sheet)
    assert header[:6] == ["Firma", "Anrede", "Titel", "Vorname", "Nachname", "Position"]
    assert {"Telefon", "E-Mail", "Ort", "Score", "Lead-ID"} <= set(header), header
    assert not any("_" in h for h in header), header  # no snake_case left
    data = list(sheet.iter_rows(min_row=2))
    assert len(data) == count
    phones = [row[header.index("Telefon")] for row in data if row[header.index("Telefon")].value]
    assert len(phones) == count  # a call list of people with a number
    undialable = [(c.value, c.data_type) for c in phones
                  if c.data_type != "s" or not str(c.value).startswith("+")]
    assert not undialable, undialable[:5]
    assert not any(str(c.value).startswith("'") for row in data for c in row if c.value)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref

    page.get_by_role("navigation").get_by_role("link", name="Exporte").click()
    logged = page.get_by_role("row", name=re.compile(re.escape(name)))
    expect(logged).to_contain_text("Telefon")
    expect(logged).to_contain_text(str(count))
    expect(logged).to_contain_text("vertrieb")


def test_download_a_serial_letter_as_xlsx(sales_page: Page, tmp_path: Path) -> None:
    """The post list for a serial letter: its columns, one row per lead of the list, every
    postcode a text cell (01067 keeps its 0; Swiss and Austrian ones have four digits)."""
    count, sheet, _ = download_list(sales_page, "Post", "Serienbrief", tmp_path)
    header = _header(sheet)
    assert header[:10] == ["Anrede", "Titel", "Vorname", "Nachname", "Position", "Firma",
                           "Straße", "PLZ", "Ort", "Land"]
    data = list(sheet.iter_rows(min_row=2))
    assert len(data) == count
    plz, land = header.index("PLZ"), header.index("Land")
    postcodes = [row[plz] for row in data]
    not_text = [(row[plz].value, row[plz].data_type, row[land].value) for row in data
                if row[plz].data_type != "s" or not re.fullmatch(
                    r"\d{5}" if row[land].value == "Deutschland" else r"\d{4,5}",
                    str(row[plz].value))]
    assert not not_text, not_text[:5]
    assert any(str(c.value).startswith("0") for c in postcodes), "no PLZ with a leading 0"


def test_open_a_lead(sales_page: Page) -> None:
    page = sales_page
    page.goto("/leads?channel=phone")
    first = rows(page).first
    name = first.locator("td").nth(1).inner_text().strip()
    phone = first.locator("td").nth(2).inner_text().strip()
    first.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    decisions = page.get_by_role("region", name="Kanäle")
    expect(decisions.get_by_role("row", name=re.compile("^Telefon"))).to_contain_text(
        re.compile("Anruf erlaubt"))
    expect(page.get_by_role("region", name="Stammdaten")).to_contain_text(phone)
    expect(page.get_by_role("region", name="Score")).to_contain_text("Punkte")


def test_an_outcome_and_an_objection_take_the_lead_off_the_email_list(
        sales_page: Page, demo_workspace: DemoWorkspace) -> None:
    page = sales_page
    page.goto("/leads?channel=email")
    before = total(page)
    first = rows(page).first
    name = first.locator("td").nth(1).inner_text().strip()
    first.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    lead_id = page.url.rsplit("/", 1)[1].split("?")[0]

    outcome = page.get_by_role("form", name="Ergebnis")
    outcome.get_by_label("Ergebnis").select_option(label="erreicht")
    outcome.get_by_label("Notiz").fill("Rückruf nächste Woche")
    outcome.get_by_role("button", name="Ergebnis speichern").click()
    expect(page.get_by_role("status")).to_have_text("Ergebnis gespeichert.")
    expect(page.get_by_role("cell", name="Rückruf nächste Woche")).to_be_visible()

    objection = page.get_by_role("form", name="Widerspruch")
    objection.get_by_label("Notiz zum Widerspruch").fill("am Telefon: keine Werbung mehr")
    objection.get_by_role("button", name="Widerspruch: keine Werbung mehr").click()
    expect(page.get_by_role("status")).to_contain_text("Widerspruch gespeichert")
    expect(page.get_by_role("alert")).to_contain_text("Widerspruch oder Abmeldung liegt vor")

    page.get_by_role("link", name="« Leads").click()
    expect(page.get_by_role("heading", name="Leads für E-Mail")).to_be_visible()
    assert total(page) == before - 1
    expect(page.locator(f'a[href="/leads/{lead_id}"]')).to_have_count(0)
    for channel in ("phone", "post"):  # every channel, at once
        page.goto(f"/leads?channel={channel}&q={name.split()[-1].lower()}")
        expect(page.locator(f'a[href="/leads/{lead_id}"]')).to_have_count(0)
    assert lead_id in objected_leads(demo_workspace.settings).on("email")
