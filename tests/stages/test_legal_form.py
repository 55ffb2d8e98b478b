"""Legal form as a first-class field (#15): an IHK-style list whose `Firmenname` lacks the
suffix and whose `Rechtsform` column carries it, loaded through `leadpipe ingest list`.

A GmbH or GmbH & Co. KG named after its managing director ("Müller Metallbau", contact Thomas
Müller) used to become a sole trader and its phone a consumer's line
(`uwg7_2_1_no_consent_consumer`); the column now decides, and a real Einzelunternehmen stays a
sole trader.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from stages.decide import decide_all
from stages.enrich import enrich_new
from stages.match import match_all
from warehouse.db import open_warehouse

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "ingest" / "ihk_rechtsform.csv"


@pytest.fixture
def decided(settings: Settings) -> Settings:
    result = CliRunner().invoke(app, ["ingest", "list", str(FIXTURE), "--vendor", "IHK Export",
                                      "--acquired-on", "20.11.2026", "--db",
                                      str(settings.db_path)])
    assert result.exit_code == 0, result.output
    enrich_new(settings)
    match_all(settings)
    decide_all(settings, date(2026, 11, 26))
    return settings


def test_the_rechtsform_column_is_staged_as_given(decided: Settings) -> None:
    with open_warehouse(decided, write=False) as wh:
        staged = dict(wh.fetchall("SELECT company, legal_form FROM "
                                  "staging.stg_purchased_list__records"))
    assert staged["Müller Metallbau"] == "GmbH & Co. KG"
    assert staged["Schneider Druck"] == "GmbH"
    assert staged["Bäckerei Hans Huber"] == "Einzelunternehmen"
    assert staged["Kaiser Sanitär"] == "2"  # no legal form, but kept as delivered
    assert staged["Fischer Elektrotechnik GmbH"] is None


def test_enrichment_normalises_the_form_and_its_class(decided: Settings) -> None:
    with open_warehouse(decided, write=False) as wh:
        rows = {r["company_name"]: r for r in wh.dicts(
            "SELECT company_name, legal_form, legal_entity, sole_trader, audience, reasons "
            "FROM core.enriched_records")}
    expected = {
        "Müller Metallbau": ("GmbH & Co. KG", "partnership", False),
        "Schneider Druck": ("GmbH", "corporation", False),
        "Wagner Logistik": ("GmbH & Co. KG", "partnership", False),
        "Beratung Keller": ("GmbH", "corporation", False),
        "Fischer Elektrotechnik GmbH": ("GmbH", "corporation", False),  # from the name
        "Bäckerei Hans Huber": ("Einzelunternehmen", "sole_trader", True),
    }
    for company, (form, cls, sole) in expected.items():
        row = rows[company]
        assert (row["legal_form"], row["legal_entity"], row["sole_trader"]) == \
            (form, cls, sole), company
        assert row["audience"] == "b2b", company
    kaiser = rows["Kaiser Sanitär"]
    assert kaiser["legal_form"] is None
    assert "legal_form_unreadable: 2" in kaiser["reasons"]


def test_the_golden_company_record_carries_the_legal_form(decided: Settings) -> None:
    with open_warehouse(decided, write=False) as wh:
        golden = dict(wh.fetchall(
            "SELECT n.value, f.value FROM core.golden_records n JOIN core.golden_records f "
            "ON f.lead_id = n.lead_id AND f.field = 'legal_form' "
            "WHERE n.field = 'company_name'"))
    assert golden["Müller Metallbau"] == "GmbH & Co. KG"
    assert golden["Schneider Druck"] == "GmbH"
    assert golden["Bäckerei Hans Huber"] == "Einzelunternehmen"


def test_companies_phones_are_business_lines_not_a_consumers(decided: Settings) -> None:
    with open_warehouse(decided, write=False) as wh:
        rows = wh.dicts(
            "SELECT g.value AS last_name, d.decision, d.reason FROM core.eligibility_decisions d "
            "JOIN core.leads l USING (lead_id) JOIN core.golden_records g "
            "ON g.lead_id = d.lead_id AND g.field = 'last_name' "
            "WHERE d.is_current AND d.channel = 'phone' AND l.entity_type = 'contact'")
    phone = {r["last_name"]: r for r in rows}
    for name in ("Müller", "Schneider", "Wagner", "Keller", "Fischer"):
        assert phone[name]["reason"] != "uwg7_2_1_no_consent_consumer", phone[name]
    # The bakery is a sole trader: its landline from a bought list is not a published business
    # contact point, so consumer rules apply (rule A3).
    assert phone["Huber"]["reason"] == "uwg7_2_1_no_consent_consumer"


def test_the_lead_profile_shows_the_legal_form_for_companies_and_their_contacts(
        decided: Settings) -> None:
    with open_warehouse(decided, write=False) as wh:
        rows = wh.fetchall("SELECT entity_type, company_name, legal_form FROM marts.lead_profile "
                           "JOIN core.leads USING (lead_id, entity_type) "
                           "WHERE company_name = 'Müller Metallbau'")
    assert {(t, f) for t, _, f in rows} == {("company", "GmbH & Co. KG"),
                                             ("contact", "GmbH & Co. KG")}


def test_lists_loaded_before_the_migration_get_their_legal_form_from_raw(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from warehouse import db, migrate

    every = migrate.migration_files()
    monkeypatch.setattr(migrate, "migration_files", lambda: [m for m in every if m[0] < 10])
    # the views are built for the newest tables; the old release's loading needs none
    monkeypatch.setattr(db, "build_views", lambda wh, force=False: [])
    result = CliRunner().invoke(app, ["ingest", "list", str(FIXTURE), "--vendor", "IHK Export",
                                      "--acquired-on", "20.11.2026", "--db",
                                      str(settings.db_path)])
    assert result.exit_code == 0, result.output
    monkeypatch.undo()  # this release again: every migration, then the views
    enrich_new(settings)  # opens the warehouse for writing: migration 0010 runs first
    with open_warehouse(settings, write=False) as wh:
        staged = dict(wh.fetchall("SELECT company, legal_form FROM "
                                  "staging.stg_purchased_list__records"))
        sole = dict(wh.fetchall("SELECT company_name, sole_trader FROM core.enriched_records"))
    assert staged["Müller Metallbau"] == "GmbH & Co. KG"
    assert sole["Müller Metallbau"] is False
    assert sole["Bäckerei Hans Huber"] is True
