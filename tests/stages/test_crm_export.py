"""`leads export --format hubspot|pipedrive|centralstation`: files a CRM's spreadsheet import
takes without remapping, checked column by column against the vendor's documented format.

The warehouse is the small one of the score tests (tests/scoring/test_stage_data.py): Alpha
GmbH (company, phone allowed, web domain alpha.de), Dana Demo (contact at Alpha, e-mail
allowed on a double opt-in whose ledger events are below) and a consumer whose first name is
`=HYPERLINK(1)` (phone allowed). A HubSpot customer export knows the consumer as a customer
(a purchase on 2026-05-04) and Alpha as a lead that is no customer. Built once for the module.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from compliance.consent_basis import ConsentEvent, consent_evidence_id
from foundation.settings import Settings
from leadpipe.cli.main import app
from scoring.crm_formats import id_headers, load_crm_formats
from scoring.export_files import remove_rows
from stages.export import ExportRequest, export_leads
from stages.score import score_all
from tests.scoring.test_stage_data import NOW, build, set_decision
from warehouse.db import open_warehouse
from warehouse.ledger import append_events

runner = CliRunner()

# HubSpot, "Set up your import files" (knowledge.hubspot.com/crm-setup/set-up-your-import-file,
# last updated 6 March 2024) and "Import and associate multiple objects" (20 January 2023):
# contact property labels, Company Name / Company Domain Name to create and associate the
# company in the same row, UTF-8 CSV with commas. leadpipe_* are the custom contact
# properties docs/exports.md tells the user to create first.
HUBSPOT = ["First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
           "Job Title", "Street Address", "Postal Code", "City", "Country/Region",
           "Company Name", "Company Domain Name", "Lifecycle Stage", "Lead Status",
           "leadpipe_source", "leadpipe_note", "leadpipe_id"]
# Pipedrive, "Import fields" (support.pipedrive.com/en/article/import-fields, 30 October 2023)
# and "Importing: mandatory fields" (21 June 2022): fields as "<item> - <field>" for the
# person, organization, lead (title required, linked to the person or organization) and note;
# Person - leadpipe_id is the custom person field the docs ask for.
PIPEDRIVE = ["Person - Name", "Person - First name", "Person - Last name", "Person - Email",
             "Person - Phone", "Person - Labels", "Person - leadpipe_id", "Organization - Name",
             "Organization - Address", "Lead - Title", "Lead - Labels", "Note - Content"]
# CentralStationCRM, "Personen und Firmen zu CentralStationCRM importieren"
# (cscrm.centraldesk.com/de/articles/jffx-personen-und-firmen-zu-centralstationcrm-importieren):
# Excel import, German field names of the person form; leadpipe_id is an own field ("Eigenes
# Feld").
CENTRALSTATION = ["Anrede", "Titel", "Vorname", "Nachname", "Firma", "Position", "E-Mail",
                  "Telefon", "Mobil", "Straße", "PLZ", "Ort", "Land", "Tags", "Hintergrundinfo",
                  "leadpipe_id"]

CONSENTS = [  # Dana's e-mail consents; the decision (as of 2026-11-20) rests on the newest
    ("2026-10-01 09:00:00+00", ["email"]),             # older
    ("2026-11-18 09:00:00+00", ["email"]),             # ← the one the decision rests on
    ("2026-11-19 09:00:00+00", ["phone"]),             # another channel
    ("2026-11-25 09:00:00+00", ["email"]),             # after the decision
]


@pytest.fixture(scope="module")
def crm_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("crm")
    settings = Settings(data_dir=root / "data", db_path=root / "data" / "leadpipe.duckdb",
                        config_dir=root / "config", lock_timeout_s=30.0, read_wait_s=2.0)
    build(settings)
    with open_warehouse(settings, write=True) as wh:
        wh.execute("INSERT INTO core.golden_records VALUES ('L1', 'website_domain', "
                   "'alpha.de', 'r1', 'trust', ?)", [NOW])
        set_decision(wh, "L2", "email", "allowed", "consent_valid_doi",
                     "UWG §7(2) Nr. 2 consent; GDPR Art. 6(1)(a), Art. 7(1)")
        append_events(wh, [{"record_id": "r3", "kind": "consent_given", "channels": channels,
                            "occurred_at": at, "attributes": {"method": "double_opt_in"}}
                           for at, channels in CONSENTS])
        wh.execute("INSERT INTO raw.batches (batch_id, run_id, source_kind, file_name, "
                   "file_sha256, rows_in, rows_loaded, rows_quarantined, rows_skipped, "
                   "ingested_at, crm, export_kind) VALUES ('b-crm', 'run', 'customer', "
                   "'contacts.csv', 'y', 2, 2, 0, 0, ?, 'hubspot', 'contacts')", [NOW])
        for record, lead, entity, customer in (("c1", "L3", "consumer", True),
                                               ("c2", "L1", "company", False)):
            wh.execute("INSERT INTO raw.records (record_id, batch_id, source_kind, payload, "
                       "ingested_at) VALUES (?, 'b-crm', 'customer', '{}', ?)", [record, NOW])
            wh.execute("INSERT INTO staging.stg_customer__records (record_id, batch_id, "
                       "row_number, crm, export_kind, customer_key, is_customer) VALUES "
                       "(?, 'b-crm', 1, 'hubspot', 'contacts', ?, ?)",
                       [record, f"hubspot:contact:{record}", customer])
            wh.execute("INSERT INTO core.lead_members VALUES (?, ?, ?, ?)",
                       [lead, entity, record, NOW])
        wh.execute("INSERT INTO core.customer_purchases (customer_key, purchased_on, record_id, "
                   "batch_id) VALUES ('hubspot:contact:c1', '2026-05-04', 'c1', 'b-crm')")
    score_all(settings, date(2026, 11, 20))
    return settings


def _event_id(settings: Settings, occurred_at: str) -> str:
    with open_warehouse(settings, write=False) as wh:
        return str(wh.scalar("SELECT event_id FROM core.consent_events WHERE occurred_at = ?",
                             [occurred_at]))


def _csv(path: Path) -> tuple[bytes, list[str], list[dict[str, str]]]:
    raw = path.read_bytes()
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))
    return raw, list(reader.fieldnames or []), list(reader)


def _export(settings: Settings, out: Path, fmt: str, channel: str, **options: bool) -> None:
    export_leads(settings, ExportRequest(channel=channel, out=out, fmt=fmt,  # type: ignore[arg-type]
                                         min_grade="D", by="rita", **options))


def test_hubspot_file_is_the_documented_contacts_and_companies_import(
        crm_home: Settings, tmp_path: Path) -> None:
    out = tmp_path / "hubspot.csv"
    _export(crm_home, out, "hubspot", "email")
    raw, header, rows = _csv(out)
    assert header == HUBSPOT
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM, commas
    assert raw.split(b"\r\n")[0].count(b",") == len(HUBSPOT) - 1
    (dana,) = rows
    assert (dana["First Name"], dana["Last Name"], dana["Email"]) == ("Dana", "Demo",
                                                                       "dana@alpha.de")
    # the person with the organisation on it: HubSpot creates and associates the company
    assert (dana["Company Name"], dana["Company Domain Name"]) == ("Alpha GmbH", "alpha.de")
    assert (dana["Lifecycle Stage"], dana["Lead Status"]) == ("Lead", "New")
    assert dana["Phone Number"] == ""  # her phone decision is review: no number in the CRM
    assert dana["leadpipe_source"] == "web_form"
    assert dana["leadpipe_id"] == "L2"
    note = dana["leadpipe_note"]
    assert "Kanal email: allowed (consent_valid_doi)" in note
    assert "Rechtsgrundlage: UWG §7(2) Nr. 2 consent; GDPR Art. 6(1)(a), Art. 7(1)" in note
    evidence = _event_id(crm_home, CONSENTS[1][0])
    assert f"Einwilligungsnachweis (Ledger-Event): {evidence}" in note
    assert note.endswith("leadpipe_id: L2")


def test_pipedrive_file_has_person_organization_lead_and_note(
        crm_home: Settings, tmp_path: Path) -> None:
    out = tmp_path / "pipedrive.csv"
    _export(crm_home, out, "pipedrive", "phone")
    raw, header, rows = _csv(out)
    assert header == PIPEDRIVE
    assert not raw.startswith(b"\xef\xbb\xbf")
    by_id = {r["Person - leadpipe_id"]: r for r in rows}
    assert set(by_id) == {"L1", "L3"}  # Dana's phone decision is review
    alpha = by_id["L1"]  # the company itself: an organization with its lead, no person
    assert (alpha["Person - Name"], alpha["Organization - Name"]) == ("", "Alpha GmbH")
    assert alpha["Person - Phone"] == "+498912345"  # E.164, no apostrophe
    # street and postcode are post's contact data: only where post is allowed (call lists too)
    assert alpha["Organization - Address"] == "München"
    assert alpha["Lead - Title"] == "Alpha GmbH (leadpipe: acme, crawl, customer, purchased_list)"
    assert (alpha["Person - Labels"], alpha["Lead - Labels"]) == ("", "Cold")  # no customer
    assert "Rechtsgrundlage: UWG §7(2) Nr. 1 Alt. 2" in alpha["Note - Content"]
    assert "Einwilligungsnachweis" not in alpha["Note - Content"]  # presumed consent: none
    consumer = by_id["L3"]
    # formula injection neutralised as in every CSV export, E.164 phones left dialable
    assert consumer["Person - First name"] == "'=HYPERLINK(1)"
    assert consumer["Person - Name"] == "'=HYPERLINK(1) Muster"
    assert consumer["Person - Phone"] == "+493012345"
    assert consumer["Organization - Name"] == ""
    assert (consumer["Person - Labels"], consumer["Lead - Labels"]) == ("Customer", "Warm")
    assert "Bestandskunde: ja, letzter Kauf 2026-05-04" in consumer["Note - Content"]


def test_centralstation_file_is_an_excel_sheet_with_german_fields(
        crm_home: Settings, tmp_path: Path) -> None:
    out = tmp_path / "centralstation.xlsx"
    _export(crm_home, out, "centralstation", "phone")
    sheet = load_workbook(out).active
    assert sheet is not None
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == CENTRALSTATION
    rows = {r[-1]: dict(zip(CENTRALSTATION, r, strict=True)) for r in table[1:]}
    consumer = rows["L3"]
    assert (consumer["Vorname"], consumer["Nachname"]) == ("=HYPERLINK(1)", "Muster")
    assert consumer["Telefon"] == "+493012345"  # a text cell: never a formula in XLSX
    assert consumer["Tags"] == "leadpipe, phone, acme, customer, purchased_list, Bestandskunde"
    assert "Bestandskunde: ja, letzter Kauf 04.05.2026" in str(consumer["Hintergrundinfo"])
    assert rows["L1"]["Firma"] == "Alpha GmbH"
    assert "Rechtsgrundlage: UWG §7(2) Nr. 1" in str(consumer["Hintergrundinfo"])


def test_erasure_removes_the_row_and_keeps_the_crm_dialect(
        crm_home: Settings, tmp_path: Path) -> None:
    out = tmp_path / "pipedrive.csv"
    _export(crm_home, out, "pipedrive", "phone")
    ids = ("lead_id", "Lead-ID", *id_headers(load_crm_formats().value))
    assert remove_rows(out, ids, {"L3"}) == 1
    raw, header, rows = _csv(out)
    assert header == PIPEDRIVE
    assert b";" not in raw.split(b"\r\n")[0]
    assert [(r["Person - leadpipe_id"], r["Person - Phone"]) for r in rows] == [
        ("L1", "+498912345")]


def test_the_consent_a_decision_rests_on() -> None:
    events = [ConsentEvent("ev-old", 1, ("email",), date(2026, 10, 1)),
              ConsentEvent("ev-all", 2, ("all",), date(2026, 11, 1)),
              ConsentEvent("ev-late", 3, ("email",), date(2026, 12, 1))]
    assert consent_evidence_id("consent_valid_doi", "email", date(2026, 11, 20),
                               events) == "ev-all"
    assert consent_evidence_id("consent_valid_doi", "email", None, events) == "ev-late"
    assert consent_evidence_id("uwg7_3_existing_customer", "email", None, events) is None
    assert consent_evidence_id("consent_express_b2b", "phone", None, events[:1]) is None


@pytest.mark.parametrize(("args", "message"), [
    (("--format", "hubspot", "--excel-de"), "leave out --excel-de"),
    (("--format", "pipedrive", "--layout", "anrufliste"), "leave out --layout"),
    (("--new-only", "--customers-only"), "use one of the two"),
])
def test_options_that_do_not_fit_are_refused(
        crm_home: Settings, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    out = tmp_path / "x.csv"
    result = runner.invoke(app, ["leads", "export", "--db", str(crm_home.db_path), "--channel",
                                 "phone", "--out", str(out), *args])
    assert result.exit_code == 2
    assert message in result.output.replace("\n", " ")
    assert not out.exists()


def test_a_format_without_the_lead_id_column_is_refused(tmp_path: Path) -> None:
    from foundation.config import ConfigError

    folder = tmp_path / "scoring"
    folder.mkdir()
    (folder / "crm_formats.yaml").write_text(
        "formats:\n  hubspot:\n    columns:\n      - {header: Email, field: email}\n",
        encoding="utf-8")
    with pytest.raises(ConfigError, match=r"formats\.hubspot.*no column with field lead_id"):
        load_crm_formats(tmp_path)


@pytest.mark.parametrize(("fmt", "option", "expected"), [
    ("pipedrive", "new_only", {"L2"}),  # Alpha is in the CRM, the consumer a customer
    ("hubspot", "customers_only", {"L3"}),
    ("centralstation", "new_only", {"L2"}),
])
def test_new_only_and_customers_only_filter_by_the_last_customer_import(
        crm_home: Settings, tmp_path: Path, fmt: str, option: str, expected: set[str]) -> None:
    out = tmp_path / f"x.{'xlsx' if fmt == 'centralstation' else 'csv'}"
    result = export_leads(crm_home, ExportRequest(
        channel="phone", out=out, fmt=fmt, min_grade="D", include_review=True,  # type: ignore[arg-type]
        **{option: True}))
    with open_warehouse(crm_home, write=False) as wh:
        logged = {lead for (lead,) in wh.fetchall(
            "SELECT lead_id FROM ops.export_leads WHERE export_id = ?", [result.export_id])}
    assert logged == expected
    assert result.left_out_by_crm == 3 - len(expected)
    assert result.filters[option] is True
