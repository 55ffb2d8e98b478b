"""Issue 21's done-when for campaigns: customers and prospects through ingest → enrich →
match → decide, then §7(3) e-mail decided per campaign at export; post despite a Robinson
entry and the B2B call decided by the nightly decide.

The customers (a generic ERP export, dates relative to today): Karl Lindner of Holzbau
Lindner GmbH (business, saw blades three months ago), Maria Huber (consumer, saw blades two
months ago, on the DDV Robinson post list), Eva Schulz (bought saw blades, unsubscribed
since), Paul Alt (last purchase 30 months ago). A purchased list holds Karl and Maria again,
and Otto Vogel, a prospect on the Robinson list.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from stages.decide import decide_all
from stages.enrich import enrich_new
from stages.match import match_all
from stages.score import score_all
from warehouse.db import open_warehouse

runner = CliRunner()
TODAY = date.today()
KARL, MARIA, EVA, PAUL, OTTO = ("k.lindner@holzbau-lindner.de", "maria.huber@web.de",
                                "eva.schulz@gmx.de", "paul.alt@t-online.de", "otto.vogel@web.de")


def _ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).strftime("%d.%m.%Y")


CUSTOMERS = (
    "Kundennummer;Firma;Anrede;Vorname;Nachname;Straße;PLZ;Ort;Telefon;E-Mail;Letzter Kauf;"
    "Warengruppe;Beim Kauf erhoben;Widerspruchshinweis\n"
    f"K-1;Holzbau Lindner GmbH;Herr;Karl;Lindner;Industriestr. 4;86150;Augsburg;0821 455120;"
    f"{KARL};{_ago(90)};Sägeblätter;ja;ja\n"
    f"K-2;;Frau;Maria;Huber;Gartenweg 3;80995;München;;{MARIA};{_ago(60)};Sägeblätter;ja;ja\n"
    f"K-3;;Frau;Eva;Schulz;Birkenweg 9;90402;Nürnberg;;{EVA};{_ago(45)};Sägeblätter;ja;ja\n"
    f"K-4;;Herr;Paul;Alt;Eichenstr. 1;93047;Regensburg;;{PAUL};{_ago(900)};Sägeblätter;ja;ja\n")
PURCHASED = (
    "Firma;Vorname;Nachname;Straße;Hausnummer;PLZ;Ort;Telefon;E-Mail\n"
    f"Holzbau Lindner GmbH;Karl;Lindner;Industriestr.;4;86150;Augsburg;0821 455120;{KARL}\n"
    f";Maria;Huber;Gartenweg;3;80995;München;;{MARIA}\n"
    f";Otto;Vogel;Ahornweg;5;70173;Stuttgart;;{OTTO}\n")
ROBINSON = ("first_name;last_name;street;house_number;postcode;entry_date\n"
            "Maria;Huber;Gartenweg;3;80995;2024-05-01\nOtto;Vogel;Ahornweg;5;70173;2024-05-01\n")


def _cli(settings: Settings, *args: str) -> str:
    result = runner.invoke(app, [*args, "--db", str(settings.db_path)])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    home = tmp_path_factory.mktemp("customers")
    settings = Settings(data_dir=home / "data", db_path=home / "data" / "leadpipe.duckdb",
                        config_dir=home / "config", lock_timeout_s=30.0, read_wait_s=2.0)
    files = {"kunden.csv": CUSTOMERS, "liste.csv": PURCHASED, "robinson.csv": ROBINSON,
             "abmeldungen.csv": "type,email,at\nunsubscribe,"
                                f"{EVA},{(TODAY - timedelta(days=10)).isoformat()}T10:00:00\n"}
    for name, text in files.items():
        (home / name).write_text(text, encoding="utf-8")
    _cli(settings, "ingest", "customers", str(home / "kunden.csv"), "--crm", "generic")
    _cli(settings, "ingest", "list", str(home / "liste.csv"), "--vendor", "Adressbroker",
         "--acquired-on", TODAY.isoformat())
    _cli(settings, "robinson", "import", str(home / "robinson.csv"), "--list", "DDV",
         "--channel", "post", "--list-date", TODAY.isoformat())
    _cli(settings, "consent", "import", str(home / "abmeldungen.csv"))
    for stage in (enrich_new, match_all, decide_all, score_all):
        stage(settings)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEADPIPE_CONFIG_DIR", str(settings.config_dir))
        for args in (("saegen", "--product-category", "Kreissägen", "--similar", "Sägeblätter"),
                     ("moebel", "--product-category", "Büromöbel")):
            assert runner.invoke(app, ["campaign", "add", *args]).exit_code == 0
        yield settings


def _decisions(settings: Settings) -> dict[tuple[str, str], dict[str, Any]]:
    """(golden e-mail, channel) → the current decision with its stored case."""
    with open_warehouse(settings, write=False) as wh:
        rows = wh.dicts("SELECT g.email_normalized AS email, d.channel, d.decision, d.reason, "
                        "d.rule, d.inputs FROM core.eligibility_decisions d "
                        "JOIN core.golden_leads g USING (lead_id) "
                        "WHERE d.is_current AND g.email_normalized IS NOT NULL")
    return {(r["email"], r["channel"]): {**r, "inputs": json.loads(r["inputs"])} for r in rows}


def _export(settings: Settings, out: Path, campaign: str) -> tuple[dict[str, dict[str, str]],
                                                                 dict[str, Any]]:
    output = _cli(settings, "leads", "export", "--channel", "email", "--campaign", campaign,
                  "--min-grade", "D", "--include-review", "--out", str(out), "--json")
    with open(out, encoding="utf-8", newline="") as fh:
        rows = {r["email"]: r for r in csv.DictReader(fh) if r["email"]}
    return rows, json.loads(output[output.index("{"):])


def test_the_nightly_decide_knows_customers_among_prospects(pipeline: Settings) -> None:
    decided = _decisions(pipeline)
    for customer in (KARL, MARIA, PAUL):          # no campaign: §7(3) cannot be shown
        assert (decided[customer, "email"]["rule"], decided[customer, "email"]["reason"]) == (
            "E6", "uwg7_3_no_notice")
        assert decided[customer, "email"]["inputs"]["lead"]["source"] == "existing_customer"
    assert decided[EVA, "email"]["reason"] == "uwg7_3_objected"
    assert decided[KARL, "phone"]["decision"] == "allowed"      # business relationship
    assert (decided[KARL, "phone"]["rule"], decided[KARL, "phone"]["reason"]) == (
        "P6", "uwg7_2_1_presumed_consent_documented")
    robinson = [e for e in decided[MARIA, "post"]["inputs"]["evidence"]
                if e["kind"] == "robinson_list_check"]
    assert {e["hit"] for e in robinson} == {True}    # her list record and customer record
    assert (decided[MARIA, "post"]["decision"], decided[MARIA, "post"]["rule"]) == (
        "allowed", "PO2")
    assert (decided[OTTO, "post"]["decision"], decided[OTTO, "post"]["reason"]) == (
        "blocked", "robinson_list_hit")
    assert decided[OTTO, "email"]["reason"] == "uwg7_2_2_no_consent"


def test_a_similar_campaign_mails_customers_under_7_3(pipeline: Settings, tmp_path: Path
                                                     ) -> None:
    rows, result = _export(pipeline, tmp_path / "saegen.csv", "saegen")
    assert set(rows) == {KARL, MARIA, PAUL}
    for customer in (KARL, MARIA):
        assert rows[customer]["decision"] == "allowed"
        assert rows[customer]["reason_code"] == "uwg7_3_existing_customer"
        assert rows[customer]["legal_basis"].startswith("UWG §7(3)")
        assert rows[customer]["legal_basis"].endswith("campaign saegen (Kreissägen)")
    # last purchase 30 months ago: a person decides (only with --include-review)
    assert (rows[PAUL]["decision"], rows[PAUL]["reason_code"]) == (
        "review", "uwg7_3_customer_stale_review")
    assert result["campaign_decisions"]["uwg7_3_objected"] == 1      # Eva unsubscribed
    assert result["filters"]["campaign"]["product_category"] == "Kreissägen"


def test_a_dissimilar_campaign_mails_no_customer(pipeline: Settings, tmp_path: Path) -> None:
    rows, result = _export(pipeline, tmp_path / "moebel.csv", "moebel")
    assert rows == {}
    assert set(result["campaign_decisions"]) == {"uwg7_3_not_similar", "uwg7_3_objected"}
    assert _decisions(pipeline)[KARL, "email"]["reason"] == "uwg7_3_no_notice"   # unchanged


def test_the_campaigns_warm_list_goes_into_the_crm_with_its_legal_basis(
    pipeline: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "saegen-hubspot.csv"
    _cli(pipeline, "leads", "export", "--channel", "email", "--campaign", "saegen",
         "--customers-only", "--format", "hubspot", "--out", str(out), "--min-grade", "D")
    with open(out, encoding="utf-8", newline="") as fh:
        rows = {r["Email"]: r for r in csv.DictReader(fh) if r["Email"]}
    assert set(rows) == {KARL, MARIA}                   # Paul only with --include-review
    for row in rows.values():
        assert row["Lifecycle Stage"] == "Customer"
        assert "(uwg7_3_existing_customer)" in row["leadpipe_note"]
        assert "Rechtsgrundlage: UWG §7(3)" in row["leadpipe_note"]
        assert "campaign saegen (Kreissägen)" in row["leadpipe_note"]
