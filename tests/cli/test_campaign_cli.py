"""`leadpipe campaign` and `leadpipe leads export --campaign`, on stored §7(3) decisions.

The small warehouse of tests/scoring/test_stage_data, with two existing customers decided
by hand the way the nightly decide leaves them (e-mail blocked `uwg7_3_no_notice`, E6: no
campaign): the consumer L3 bought a laser printer, the company L1 office chairs.
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
from stages.score import score_all
from tests.scoring.test_stage_data import NOW, build
from warehouse.db import open_warehouse

runner = CliRunner()
TODAY = date.today()


def _customer(lead_id: str, audience: str, category: str) -> dict[str, Any]:
    bought = (TODAY - timedelta(days=90)).isoformat()
    return {"id": lead_id, "as_of": TODAY.isoformat(),
            "lead": {"audience": audience, "has_email": True, "source": "existing_customer",
                     "email_kind": "business_role" if audience == "b2b" else "private"},
            "evidence": [{"at": bought, "kind": "purchase", "channels": ["all"],
                          "email_collected_in_sale": True,
                          "objection_notice_at_collection": True,
                          "product_category": category}]}


@pytest.fixture(scope="module")
def customers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    home = tmp_path_factory.mktemp("campaigns")
    settings = Settings(data_dir=home / "data", db_path=home / "data" / "leadpipe.duckdb",
                        config_dir=home / "config", lock_timeout_s=30.0, read_wait_s=2.0)
    build(settings)
    with open_warehouse(settings, write=True) as wh:
        for lead, email, case in (("L3", "m.muster@privat.example",
                                   _customer("L3", "b2c", "Laserdrucker")),
                                  ("L1", "einkauf@alpha.example",
                                   _customer("L1", "b2b", "Bürostühle"))):
            wh.execute("INSERT INTO core.golden_records VALUES (?, 'email_normalized', ?, 'r', "
                       "'trust', ?)", [lead, email, NOW])
            wh.execute("UPDATE core.eligibility_decisions SET is_current = false "
                       "WHERE lead_id = ? AND channel = 'email'", [lead])
            wh.execute("INSERT INTO core.eligibility_decisions VALUES (?, 'email', 'blocked', "
                       "'uwg7_3_no_notice', 'E6', NULL, 'rules-1', ?, 'h', ?, ?, true)",
                       [lead, TODAY, json.dumps(case), NOW])
    score_all(settings, TODAY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEADPIPE_CONFIG_DIR", str(settings.config_dir))
        assert _run(settings, "campaign", "add", "toner", "--product-category", "Toner",
                    "--similar", "laserdrucker")[0] == 0
        yield settings


def _run(settings: Settings, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, *(("--db", str(settings.db_path))
                                          if args[0] == "leads" else ())])
    return result.exit_code, result.output


def _export(settings: Settings, out: Path, *args: str) -> tuple[list[dict[str, str]], str]:
    code, output = _run(settings, "leads", "export", "--channel", "email", "--min-grade", "D",
                        "--out", str(out), "--json", *args)
    assert code == 0, output
    with open(out, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh)), output


def test_campaign_files_through_the_cli(customers: Settings) -> None:
    code, out = _run(customers, "campaign", "show", "toner", "--json")
    assert code == 0, out
    shown = json.loads(out)
    assert shown["similar_categories"] == ["laserdrucker"]
    assert shown["starts"] == TODAY.isoformat()
    assert shown["channel"] == "email"
    assert shown["message_includes_objection_notice"] is True
    assert [c["name"] for c in json.loads(_run(customers, "campaign", "list", "--json")[1])] \
        == ["toner"]
    code, out = _run(customers, "campaign", "add", "toner", "--product-category", "Papier")
    assert code == 2
    assert "exists; edit it, or pass --force" in out


def test_a_similar_campaign_exports_the_customer_with_its_legal_basis(
    customers: Settings, tmp_path: Path
) -> None:
    without, _ = _export(customers, tmp_path / "plain.csv")
    assert [r["lead_id"] for r in without] == ["L2"]             # consent only
    rows, output = _export(customers, tmp_path / "toner.csv", "--campaign", "toner")
    by_lead = {r["lead_id"]: r for r in rows}
    assert set(by_lead) == {"L2", "L3"}                           # L1 bought chairs
    assert by_lead["L3"]["reason_code"] == "uwg7_3_existing_customer"
    assert by_lead["L3"]["legal_basis"].startswith("UWG §7(3)")
    assert by_lead["L3"]["legal_basis"].endswith("campaign toner (Toner)")
    assert by_lead["L3"]["email"] == "m.muster@privat.example"
    assert by_lead["L2"]["reason_code"] == "double_opt_in"        # untouched
    result = json.loads(output[output.index("{"):])
    assert result["campaign_decisions"] == {"uwg7_3_existing_customer": 1,
                                            "uwg7_3_not_similar": 1}
    with open_warehouse(customers, write=True) as wh:            # folds the journal
        filters = json.loads(wh.scalar("SELECT filters FROM ops.exports WHERE export_id = ?",
                                       [result["export_id"]]))
        logged = wh.fetchall("SELECT lead_id, reason, legal_basis FROM ops.export_leads "
                             "WHERE export_id = ? ORDER BY lead_id", [result["export_id"]])
    assert filters["campaign"]["name"] == "toner"
    assert filters["campaign"]["product_category"] == "Toner"
    assert len(filters["campaign"]["version"]) == 16
    assert logged[1][:2] == ("L3", "uwg7_3_existing_customer")
    assert logged[1][2].endswith("campaign toner (Toner)")


def test_limit_reads_on_past_customers_the_campaign_leaves_out(
    customers: Settings, tmp_path: Path
) -> None:
    rows, _ = _export(customers, tmp_path / "two.csv", "--campaign", "toner", "--limit", "2")
    assert {r["lead_id"] for r in rows} == {"L2", "L3"}


def test_a_campaign_outside_its_dates_or_channel_is_refused(
    customers: Settings, tmp_path: Path
) -> None:
    later = (TODAY + timedelta(days=7)).isoformat()
    code, out = _run(customers, "campaign", "add", "spaeter", "--product-category", "Toner",
                     "--starts", later)
    assert code == 0, out
    code, out = _run(customers, "leads", "export", "--channel", "email", "--campaign",
                     "spaeter", "--out", str(tmp_path / "x.csv"))
    assert code == 2
    assert f"campaign spaeter starts on {later}; it cannot be exported on {TODAY}" in out
    assert not (tmp_path / "x.csv").exists()
    code, out = _run(customers, "leads", "export", "--channel", "phone", "--campaign",
                     "toner", "--out", str(tmp_path / "x.csv"))
    assert code == 2
    assert "campaign toner is for --channel email, not phone" in out
    code, out = _run(customers, "leads", "export", "--channel", "email", "--campaign",
                     "fehlt", "--out", str(tmp_path / "x.csv"))
    assert code == 2
    assert "no campaign 'fehlt'" in out


def test_an_objection_still_reaches_the_campaign_export_at_once(
    customers: Settings, tmp_path: Path
) -> None:
    code, out = _run(customers, "leads", "object", "L3", "--note", "keine Werbung")
    assert code == 0, out
    rows, output = _export(customers, tmp_path / "after.csv", "--campaign", "toner")
    assert [r["lead_id"] for r in rows] == ["L2"]
    assert json.loads(output[output.index("{"):])["withheld"] == {"suppression_objection": 1}



def test_a_campaign_lists_every_grade_unless_told_otherwise(
    customers: Settings, tmp_path: Path
) -> None:
    """Grades rank prospects: a campaign's mailing reaches every customer §7(3) allows."""
    def logged_grade(*args: str) -> str:
        out = tmp_path / f"{len(args)}.csv"
        code, output = _run(customers, "leads", "export", "--channel", "email", "--out",
                            str(out), "--json", *args)
        assert code == 0, output
        return str(json.loads(output[output.index("{"):])["filters"]["min_grade"])

    assert logged_grade() == "B"
    assert logged_grade("--campaign", "toner") == "D"
    assert logged_grade("--campaign", "toner", "--min-grade", "B") == "B"
