"""Customers in (issue #21): every CRM export kind loaded field by field, next month's export
updating instead of duplicating, customers recognised among prospects, and what decide makes
of them. One warehouse for the module: the exports, a prospect list, enrich, match, decide,
then next month's export and the stages again."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from compliance.case import case_from_dict
from compliance.engine import evaluate
from compliance.thresholds import load_eligibility_config
from foundation.settings import Settings
from ingest.customers import load_crm_exports, read_amount, read_day
from leadpipe.cli.main import app
from stages.customers import (
    CustomerOptions,
    ingest_customer_file,
    load_inbox_customers,
    preview_customers,
)
from stages.decide import decide_all
from stages.enrich import enrich_new
from stages.ingest import (
    ListOptions,
    RejectedFile,
    find_inbox_files,
    ingest_list_file,
    undo_list_batch,
)
from stages.match import match_all
from warehouse.customers import LeadCustomer, lead_customers
from warehouse.db import Warehouse, open_warehouse
from warehouse.load_lists import BatchReport

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "customers"
AS_OF = max(date(2026, 12, 7), date.today())
"""The decision date: never before today, the day the fixture loads its CRM exports (a
customer listed in an export is a relationship from the day it was loaded; evidence after
the decision date does not count)."""
runner = CliRunner()


@dataclass
class World:
    settings: Settings
    reports: dict[str, BatchReport]
    month1: dict[str, Any]
    """What the warehouse said after the first month (before next month's export)."""
    reader: Warehouse | None = None
    """One read session for the assertions (an open costs more than most queries)."""


_WORLD: list[World] = []


def _rows(settings: Settings, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    reader = _WORLD[0].reader if _WORLD else None
    if reader is not None:
        return reader.dicts(sql, params)
    with open_warehouse(settings, write=False) as wh:
        return wh.dicts(sql, params)


def _customer(settings: Settings, key: str) -> dict[str, Any]:
    rows = _rows(settings, "SELECT * FROM staging.stg_customer__records WHERE customer_key = ? "
                 "ORDER BY batch_id", [key])
    assert rows, key
    return rows[-1]


def _lead_of(settings: Settings, email: str, level: str = "contact") -> str:
    rows = _rows(settings, "SELECT DISTINCT m.lead_id FROM core.lead_members m JOIN "
                 "core.enriched_records e USING (record_id) WHERE e.email_normalized = ? AND "
                 "m.entity_type = ?", [email, level])
    assert len(rows) == 1, (email, rows)
    return str(rows[0]["lead_id"])


def _decisions(settings: Settings, lead_id: str) -> dict[str, dict[str, Any]]:
    return {r["channel"]: r for r in _rows(
        settings, "SELECT channel, decision, reason, rule, inputs FROM "
        "core.eligibility_decisions WHERE is_current AND lead_id = ?", [lead_id])}


def _stages(settings: Settings) -> None:
    enrich_new(settings)
    match_all(settings)
    decide_all(settings, AS_OF)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("customers")
    data = root / "data"
    settings = Settings(data_dir=data, db_path=data / "leadpipe.duckdb",
                        config_dir=root / "config", lock_timeout_s=30.0, read_wait_s=2.0)
    reports = {}
    for name, options in (
        ("hubspot_contacts", CustomerOptions(collected_in_sale=True)),
        ("hubspot_companies", CustomerOptions()),
        ("hubspot_deals", CustomerOptions(crm="hubspot")),
        ("pipedrive_people", CustomerOptions()),
        ("pipedrive_organizations", CustomerOptions()),
        ("pipedrive_deals", CustomerOptions(collected_in_sale=True, notice_at_collection=True)),
        ("centralstation_people", CustomerOptions()),
        ("centralstation_companies", CustomerOptions()),
        ("erp_kunden", CustomerOptions()),
    ):
        reports[name] = ingest_customer_file(settings, FIXTURES / f"{name}.csv", options)
    reports["prospects"] = ingest_list_file(settings, FIXTURES / "prospects.csv", ListOptions(
        vendor="Adressverlag Nord", acquired_on=date(2026, 11, 20)))
    _stages(settings)
    with open_warehouse(settings, write=False) as wh:
        month1 = {"customers": lead_customers(wh)}
    # next month's export, under the same file name as the first one
    nxt = root / "next" / "hubspot_contacts.csv"
    nxt.parent.mkdir()
    shutil.copy(FIXTURES / "hubspot_contacts_next_month.csv", nxt)
    reports["next_month"] = ingest_customer_file(settings, nxt, CustomerOptions(
        collected_in_sale=True))
    _stages(settings)
    world = World(settings, reports, month1)
    with open_warehouse(settings, write=False) as reader:
        world.reader = reader
        _WORLD.append(world)
        yield world
        _WORLD.clear()


def test_every_export_is_recognised_and_every_row_accounted_for(world: World) -> None:
    kinds = {name: r.note.split(":")[0] for name, r in world.reports.items()
             if name not in ("prospects", "next_month")}
    assert kinds == {
        "hubspot_contacts": "HubSpot contacts", "hubspot_companies": "HubSpot companies",
        "hubspot_deals": "HubSpot deals", "pipedrive_people": "Pipedrive people",
        "pipedrive_organizations": "Pipedrive organizations",
        "pipedrive_deals": "Pipedrive deals", "centralstation_people": "CentralStationCRM people",
        "centralstation_companies": "CentralStationCRM companies",
        "erp_kunden": "customer export"}
    for r in world.reports.values():
        assert r.rows_in == r.loaded + r.quarantined + r.skipped, r
    counts = {n: (r.rows_in, r.loaded, r.quarantined) for n, r in world.reports.items()}
    assert counts["hubspot_contacts"] == (5, 3, 2)
    assert counts["pipedrive_deals"] == (3, 2, 1)
    assert counts["erp_kunden"] == (4, 3, 1)
    quarantined = {(q["file_name"], q["row_number"]): (q["field"], q["reason"]) for q in _rows(
        world.settings, "SELECT file_name, row_number, field, reason FROM ops.quarantine")}
    assert quarantined[("hubspot_contacts.csv", 4)][1] == "no company and no person name"
    assert quarantined[("hubspot_contacts.csv", 6)] == (
        "Recent Deal Close Date",
        "'im Frühjahr' is not a date (2026-11-20, 20.11.2026 or 11/20/2026)")
    assert quarantined[("pipedrive_deals.csv", 4)][0] == "Deal - Won time"
    assert quarantined[("erp_kunden.csv", 4)][0] == "Beim Kauf erhoben"


def test_hubspot_exports_field_by_field(world: World) -> None:
    s = world.settings
    jana = _customer(s, "hubspot:contact:5101")
    assert (jana["first_name"], jana["last_name"], jana["email"], jana["phone"]) == (
        "Jana", "Kowalski", "jana.kowalski@kowalski-druck.de", "+49 30 4401220")
    assert (jana["company"], jana["position"], jana["street_full"], jana["postcode"],
            jana["city"], jana["country"]) == (
        "Kowalski Druck GmbH", "Einkauf", "Greifswalder Str. 212", "10405", "Berlin",
        "Germany")
    assert (jana["crm"], jana["export_kind"], jana["crm_record_id"], jana["lifecycle"],
            jana["is_customer"]) == ("hubspot", "contacts", "5101", "customer", True)
    assert (jana["last_purchase_on"], jana["product_category"], jana["collected_in_sale"],
            jana["notice_at_collection"]) == (date(2026, 3, 14), "Druckmaschinen", True, None)
    company = _customer(s, "hubspot:company:880011")
    assert (company["company"], company["website"], company["employees"], company["industry"],
            company["lifecycle"], company["is_customer"], company["last_purchase_on"]) == (
        "Kowalski Druck GmbH", "kowalski-druck.de", "45", "Druck", "Kunde", True,
        date(2026, 3, 14))
    assert _customer(s, "hubspot:company:880012")["is_customer"] is False
    won = _customer(s, "hubspot:deal:3301")
    assert (won["company"], won["full_name"], won["lifecycle"], won["last_purchase_on"],
            won["product_category"], won["is_customer"]) == (
        "Kowalski Druck GmbH", "Jana Kowalski", "Closed Won", date(2026, 10, 2),
        "Druckmaschinen", True)
    lost = _customer(s, "hubspot:deal:3302")
    assert (lost["is_customer"], lost["last_purchase_on"]) == (False, None)
    purchases = _rows(s, "SELECT purchased_on, product_category, value_eur FROM "
                      "core.customer_purchases WHERE customer_key = 'hubspot:deal:3301'")
    assert purchases == [{"purchased_on": date(2026, 10, 2),
                          "product_category": "Druckmaschinen",
                          "value_eur": Decimal("12500.00")}]


def test_pipedrive_and_centralstation_exports_field_by_field(world: World) -> None:
    s = world.settings
    felix = _customer(s, "pipedrive:person:204")
    assert (felix["full_name"], felix["first_name"], felix["last_name"], felix["company"],
            felix["email"], felix["phone"], felix["mobile"], felix["position"],
            felix["lifecycle"], felix["is_customer"]) == (
        "Felix Hartmann", "Felix", "Hartmann", "Hartmann Elektrotechnik GmbH",
        "f.hartmann@hartmann-elektro.de", "+49 711 6540120", "+49 171 2233445",
        "Geschäftsführer", "Customer", True)
    assert _customer(s, "pipedrive:person:205")["is_customer"] is False
    org = _customer(s, "pipedrive:organization:71")
    assert (org["company"], org["street_full"], org["postcode"], org["city"],
            org["lifecycle"], org["is_customer"]) == (
        "Hartmann Elektrotechnik GmbH", "Heilbronner Str. 150", "70191", "Stuttgart", "Kunde",
        True)
    deal = _customer(s, "pipedrive:deal:901")
    assert (deal["company"], deal["full_name"], deal["last_purchase_on"],
            deal["product_category"], deal["collected_in_sale"],
            deal["notice_at_collection"]) == (
        "Hartmann Elektrotechnik GmbH", "Felix Hartmann", date(2026, 6, 30), "Schaltanlagen",
        True, True)
    assert _rows(s, "SELECT value_eur FROM core.customer_purchases WHERE customer_key = "
                 "'pipedrive:deal:901'") == [{"value_eur": Decimal("18400.00")}]
    assert _customer(s, "pipedrive:deal:902")["is_customer"] is False
    vogel = _customer(s, "centralstation:person:55012")
    assert (vogel["salutation"], vogel["title"], vogel["first_name"], vogel["last_name"],
            vogel["company"], vogel["email"], vogel["street_full"], vogel["city"],
            vogel["customer_number"], vogel["lifecycle"], vogel["is_customer"]) == (
        "Frau", "Dr.", "Ingrid", "Vogel", "Vogel Zahntechnik GmbH",
        "i.vogel@vogel-zahntechnik.de", "Podbielskistr. 33", "Hannover", "KD-4471",
        "Kunde, Newsletter", True)
    firm = _customer(s, "centralstation:company:9120")
    assert (firm["company"], firm["fax"], firm["website"], firm["is_customer"]) == (
        "Vogel Zahntechnik GmbH", "0511 3345599", "www.vogel-zahntechnik.de", True)
    assert _customer(s, "centralstation:company:9121")["is_customer"] is False


def test_generic_erp_file_by_customer_number_and_its_7_3_columns(world: World) -> None:
    lindner = _customer(world.settings, "generic:customer:no-10023")
    assert (lindner["company"], lindner["salutation"], lindner["last_name"],
            lindner["customer_number"], lindner["last_purchase_on"],
            lindner["product_category"], lindner["collected_in_sale"],
            lindner["notice_at_collection"]) == (
        "Holzbau Lindner GmbH", "Herr", "Lindner", "10023", date(2026, 9, 3), "Sägeblätter",
        True, True)
    seidel = _customer(world.settings, "generic:customer:no-10024")
    assert (seidel["collected_in_sale"], seidel["notice_at_collection"]) == (True, False)


def test_a_prospect_list_row_of_a_customer_lands_in_the_customers_lead(world: World) -> None:
    s = world.settings
    lead = _lead_of(s, "jana.kowalski@kowalski-druck.de")
    kinds = {r["source_kind"] for r in _rows(
        s, "SELECT o.source_kind FROM core.lead_members m JOIN staging.stg_record_origins o "
        "USING (record_id) WHERE m.lead_id = ?", [lead])}
    assert kinds == {"customer", "purchased_list"}
    inputs = json.loads(_decisions(s, lead)["email"]["inputs"])
    assert inputs["lead"]["source"] == "existing_customer"
    prospect = _lead_of(s, "t.neumann@neumann-verpackungen.de")
    assert world.reader is not None
    assert prospect not in lead_customers(world.reader)
    assert set(lead_customers(world.reader, [lead, prospect])) == {lead}


def test_lead_customers_and_next_months_export(world: World) -> None:
    s = world.settings
    before: dict[str, LeadCustomer] = world.month1["customers"]
    wh = world.reader
    assert wh is not None
    after = lead_customers(wh)
    versions = wh.dicts("SELECT customer_key, count(*) AS n FROM "
                        "staging.stg_customer__records WHERE crm = 'hubspot' AND "
                        "export_kind = 'contacts' GROUP BY 1 ORDER BY 1")
    purchases = wh.scalar("SELECT count(*) FROM core.customer_purchases WHERE "
                          "customer_key LIKE 'hubspot:contact:%'")
    report = world.reports["next_month"]
    assert (report.rows_in, report.loaded, report.quarantined, report.skipped) == (3, 2, 0, 1)
    assert "1 customer(s) unchanged" in report.note
    assert versions == [{"customer_key": "hubspot:contact:5101", "n": 1},
                        {"customer_key": "hubspot:contact:5102", "n": 2},
                        {"customer_key": "hubspot:contact:5104", "n": 1},
                        {"customer_key": "hubspot:contact:5106", "n": 1}]
    assert purchases == 4  # 5101 and 5104 from month one, 5102 and 5106 new; none twice
    jana = _lead_of(s, "jana.kowalski@kowalski-druck.de")
    ole = _lead_of(s, "ole.brandt@brandt-logistik.de")
    mira = _lead_of(s, "mira.yilmaz@yilmaz-moebel.de")
    assert before[ole].is_customer is False
    assert after[ole].is_customer is True
    assert after[ole].last_purchase_on == date(2026, 11, 20)
    assert after[ole].customer_keys == ("hubspot:contact:5102", "hubspot:deal:3302")
    versions_of_ole = _rows(s, "SELECT DISTINCT m.lead_id FROM core.lead_members m JOIN "
                            "staging.stg_customer__records c USING (record_id) WHERE "
                            "c.customer_key = 'hubspot:contact:5102' AND m.entity_type = "
                            "'contact'")
    assert versions_of_ole == [{"lead_id": ole}]  # the new version joined the same lead
    assert ole in before
    assert before[mira].in_latest_export is True
    assert (after[mira].in_latest_export, after[mira].last_purchase_on) == (False,
                                                                           date(2021, 2, 14))
    assert after[jana].in_latest_export is True
    assert after[jana].product_categories == ("Druckmaschinen",)
    assert after[jana].last_purchase_on == date(2026, 10, 2)  # the won deal of the company
    assert after[jana].crm == "hubspot"


def _engine(case: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    config = load_eligibility_config()
    parsed, _ = case_from_dict(case)
    result = evaluate(parsed, config.thresholds, config.parameter_aliases)
    return {c: (d.decision, d.reason, d.rule) for c, d in result.channels.items()}


def test_decide_customer_channels_email_phone_post(world: World) -> None:
    s = world.settings
    jana = _decisions(s, _lead_of(s, "jana.kowalski@kowalski-druck.de"))
    assert (jana["email"]["decision"], jana["email"]["reason"], jana["email"]["rule"]) == (
        "blocked", "uwg7_3_no_notice", "E6")
    assert (jana["phone"]["decision"], jana["phone"]["rule"]) == ("allowed", "P6")
    assert jana["phone"]["reason"] == "uwg7_2_1_presumed_consent_documented"
    case = json.loads(jana["email"]["inputs"])
    purchases = [e for e in case["evidence"] if e["kind"] == "purchase"]
    assert {(e["at"], e.get("product_category")) for e in purchases} >= {
        ("2026-03-14", "Druckmaschinen")}
    assert all(e["channels"] == ["all"] for e in purchases)
    # no purchase known, but the CRM calls her a customer: the relationship is as fresh as
    # the last export that listed her; an open deal is no relationship
    vogel = _decisions(s, _lead_of(s, "i.vogel@vogel-zahntechnik.de"))
    assert (vogel["phone"]["decision"], vogel["phone"]["rule"]) == ("allowed", "P6")
    reasons = [e for e in json.loads(vogel["phone"]["inputs"])["evidence"]
               if e["kind"] == "presumed_consent_reason"]
    assert [(e["category"], e["channels"]) for e in reasons] == [
        ("existing_business_relationship", ["phone"])]
    kraus = _decisions(s, _lead_of(s, "s.kraus@kraus-partner.de"))
    assert (kraus["phone"]["decision"], kraus["phone"]["rule"]) == ("blocked", "P7")
    # a consumer customer's letter goes out despite a Robinson entry (PO2); a prospect's not
    erika = _lead_of(s, "erika.sonnleitner@web.de", "consumer")
    decided = _decisions(s, erika)
    assert (decided["post"]["decision"], decided["post"]["rule"]) == ("allowed", "PO2")
    case = json.loads(decided["post"]["inputs"])
    case["evidence"].append({"at": "2026-12-01", "kind": "robinson_list_check",
                             "channels": ["post"], "list": "DDV Robinsonliste", "hit": True})
    assert _engine(case)["post"][:2] == ("allowed", "gdpr6_1_f_post_allowed")
    assert _engine(case)["post"][2] == "PO2"
    prospect = {**case, "lead": {**case["lead"], "source": "purchased_list"}}
    assert _engine(prospect)["post"] == ("blocked", "robinson_list_hit", "G5")


def test_a_campaign_decides_e6_and_the_purchase_ages(world: World) -> None:
    """The stored case of an ERP customer (collected in a sale, told of the right to
    object): allowed for a similar campaign, reviewed after 24 months, expired after 48."""
    s = world.settings
    lindner = _decisions(s, _lead_of(s, "k.lindner@holzbau-lindner.de"))
    assert lindner["email"]["reason"] == "uwg7_3_no_notice"  # no campaign at night
    case = json.loads(lindner["email"]["inputs"])
    case["campaign"] = {"product_category": "Sägeblätter",
                        "message_includes_objection_notice": True}
    assert _engine(case)["email"] == ("allowed", "uwg7_3_existing_customer", "E6")
    assert _engine({**case, "as_of": "2029-01-10"})["email"][:2] == (
        "review", "uwg7_3_customer_stale_review")
    assert _engine({**case, "as_of": "2031-01-10"})["email"][:2] == (
        "blocked", "uwg7_3_customer_expired")
    other = {**case, "campaign": {**case["campaign"], "product_category": "Kaffee"}}
    assert _engine(other)["email"][:2] == ("blocked", "uwg7_3_not_similar")


def test_undo_takes_a_customer_batch_out(world: World) -> None:
    report = undo_list_batch(world.settings, world.reports["centralstation_companies"].batch_id,
                             dry_run=True)
    assert (report.removed.customer_rows, report.removed.customer_export_rows) == (2, 2)
    assert report.dry_run


def test_nightly_inbox_customer_export_with_its_mapping_file(tmp_path: Path) -> None:
    """`inbox/customers/` is found; `<file>.yaml` beside an export says what the command line
    would (crm, the §7(3) flags) and names a column; the same export's refusal is a file."""
    data = tmp_path / "data"
    settings = Settings(data_dir=data, db_path=data / "leadpipe.duckdb",
                        config_dir=tmp_path / "config", lock_timeout_s=30.0, read_wait_s=2.0)
    inbox = tmp_path / "inbox" / "customers"
    inbox.mkdir(parents=True)
    shutil.copy(FIXTURES / "unknown_export.csv", inbox / "kunden.csv")
    (inbox / "kunden.csv.yaml").write_text(
        "crm: generic\ncollected_in_sale: true\nnotice_at_collection: true\n"
        "columns: {Umsatz: null}\n", encoding="utf-8")
    assert find_inbox_files(tmp_path / "inbox").customers == [inbox / "kunden.csv"]
    report = load_inbox_customers(settings, inbox / "kunden.csv")
    assert isinstance(report, BatchReport)
    assert (report.rows_in, report.loaded) == (1, 1)
    with open_warehouse(settings, write=False) as wh:
        assert wh.fetchall("SELECT company, city, crm, collected_in_sale, notice_at_collection "
                           "FROM staging.stg_customer__records") == [
            ("Alpha", "Berlin", "generic", True, True)]
    (inbox / "kunden.csv.yaml").unlink()
    shutil.copy(FIXTURES / "unknown_export.csv", inbox / "other.csv")
    refused = load_inbox_customers(settings, inbox / "other.csv")
    assert isinstance(refused, RejectedFile)
    assert "not a known CRM export" in refused.problem


def test_unknown_export_without_mapping_names_the_columns(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"  # a refused file is still recorded (ops.runs)
    result = runner.invoke(app, ["ingest", "customers", str(FIXTURES / "unknown_export.csv"),
                                 "--db", str(db)])
    assert result.exit_code == 2, result.output
    out = " ".join(result.output.split())
    assert "unknown_export.csv, row 1: not a known CRM export" in out
    assert "'Kunde', 'Ort', 'Umsatz'" in out
    assert "HubSpot contacts: Record ID, First Name, Last Name" in out
    assert "--mapping" in out
    assert "Traceback" not in out
    result = runner.invoke(app, ["ingest", "customers", str(FIXTURES / "hubspot_deals.csv"),
                                 "--crm", "pipedrive", "--db", str(db)])
    assert result.exit_code == 2
    assert "not a Pipedrive export" in " ".join(result.output.split())


def test_preview_counts_what_the_load_quarantines(world: World) -> None:
    preview = preview_customers(world.settings, FIXTURES / "pipedrive_deals.csv",
                                CustomerOptions())
    assert {c.header: c.field for c in preview.columns if c.field}["Deal - Won time"] == (
        "purchased_on")
    assert [(p.field, p.rows, p.examples) for p in preview.would_quarantine] == [
        ("Deal - Won time", 1, (4,))]
    assert preview.would_load == world.reports["pipedrive_deals"].loaded == 2


def test_values_as_crms_write_them() -> None:
    assert read_day("2026-03-14 10:22") == date(2026, 3, 14)
    assert read_day("14.02.2021") == date(2021, 2, 14)
    assert read_day("11/20/2026") == date(2026, 11, 20)
    assert read_amount("1.234,50 €") == Decimal("1234.50")
    assert read_amount("12,500.00") == Decimal("12500.00")
    assert read_amount("18,400") == Decimal("18400")
    assert read_amount("EUR 980") == Decimal("980")
    assert load_crm_exports().value.exports


def test_erasing_a_customer_leaves_no_byte_and_keeps_them_out(tmp_path: Path) -> None:
    from stages.gdpr import erase

    data = tmp_path / "data"
    settings = Settings(data_dir=data, db_path=data / "leadpipe.duckdb",
                        config_dir=tmp_path / "config", lock_timeout_s=30.0, read_wait_s=2.0)
    export = tmp_path / "kunden.csv"
    shutil.copy(FIXTURES / "erp_kunden.csv", export)
    ingest_customer_file(settings, export, CustomerOptions())
    result = erase(settings, "k.lindner@holzbau-lindner.de")
    assert [r.source_kind for r in result.records] == ["customer"]
    with open_warehouse(settings, write=False) as wh:
        left = {t: wh.scalar(f"SELECT count(*) FROM {t} WHERE customer_key = "
                             "'generic:customer:no-10023'")
                for t in ("staging.stg_customer__records", "staging.stg_customer__export_rows",
                          "core.customer_purchases")}
    assert left == dict.fromkeys(left, 0)
    assert b"lindner" not in settings.db_path.read_bytes().lower()
    # next month's export still lists him: he is not loaded again
    again = tmp_path / "kunden_next.csv"
    again.write_bytes((FIXTURES / "erp_kunden.csv").read_bytes() + b"\r\n")
    report = ingest_customer_file(settings, again, CustomerOptions())
    assert (report.loaded, report.quarantined, report.skipped) == (0, 1, 3)  # 2 unchanged
    with open_warehouse(settings, write=False) as wh:
        assert wh.fetchall("SELECT row_number FROM ops.suppressed_rows WHERE batch_id = ?",
                           [report.batch_id]) == [(2,)]
