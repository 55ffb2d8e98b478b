"""The forecast stage and `leadpipe forecast` on a small warehouse built with SQL inserts.

120 leads arrive over 30 weeks from a purchased list (vendor Nord) and web forms; three in
four are allowed on a channel. Outcomes: every fifth lead was won (with a value), every
seventh lost, a few were contacted; far too few for the learned model, so base rates.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from stages.forecast import backtest_forecast, compute_forecast
from warehouse.db import open_warehouse

TODAY = date(2026, 12, 7)
N = 120


def build(settings: Settings) -> None:
    first = f"TIMESTAMPTZ '{TODAY}' - to_days(CAST(7 * 30 * i / {N} AS INTEGER) + 1)"
    explanation = ('[{"part": "fit", "factor": "industry", "detail": "WZ 62", "points": 20}, '
                   '{"part": "engagement", "factor": "request", "detail": "demo", '
                   '"points": 40}]')
    with open_warehouse(settings, write=True, create=True) as wh:
        wh.execute("INSERT INTO raw.batches (batch_id, run_id, source_kind, file_name, "
                   "file_sha256, vendor, rows_in, rows_loaded, rows_quarantined, rows_skipped, "
                   "ingested_at) VALUES ('b-list', 'r', 'purchased_list', 'l.csv', 'x', "
                   "'Nord', 1, 1, 0, 0, now()), ('b-form', 'r', 'web_form', 'f.json', 'y', "
                   "NULL, 1, 1, 0, 0, now())")
        wh.execute(f"CREATE TEMP TABLE g AS SELECT i, {first} AS first FROM range({N}) t(i)")
        wh.execute("INSERT INTO raw.records (record_id, batch_id, source_kind, payload, "
                   "ingested_at) SELECT 'r' || i, CASE WHEN i % 3 = 0 THEN 'b-form' ELSE "
                   "'b-list' END, CASE WHEN i % 3 = 0 THEN 'web_form' ELSE 'purchased_list' "
                   "END, '{}', first FROM g")
        wh.execute("INSERT INTO core.leads SELECT 'L' || i, 'company', NULL, first, first "
                   "FROM g")
        wh.execute("INSERT INTO core.lead_members SELECT 'L' || i, 'company', 'r' || i, first "
                   "FROM g")
        wh.execute("INSERT INTO core.enriched_records (record_id, source_kind, origin, "
                   "enriched_at, config_version, reasons, wz_code, wz_section, size_class, "
                   "audience) SELECT 'r' || i, 'purchased_list', 't', first, 'v', '[]', "
                   "CASE WHEN i % 2 = 0 THEN '62.01' ELSE '28.11' END, "
                   "CASE WHEN i % 2 = 0 THEN 'J' ELSE 'C' END, 'small', 'b2b' FROM g")
        wh.execute("INSERT INTO core.eligibility_decisions SELECT 'L' || i, 'email', "
                   "CASE WHEN i % 4 = 3 THEN 'blocked' ELSE 'allowed' END, 'r', 'E1', NULL, "
                   "'v', DATE '2026-12-01', 'h', '{}', now(), true FROM g")
        wh.execute("INSERT INTO core.lead_scores SELECT 'L' || i, 50, 40, 60, 50, 'B', ?, [], "
                   "'v', 'h', now(), true FROM g", [explanation])
        wh.execute("""
            INSERT INTO core.lead_outcomes
            SELECT 'o' || i, 'L' || i, CASE WHEN i % 5 = 0 THEN 'won' ELSE 'lost' END,
                   first + INTERVAL 20 DAY, 'sales', NULL,
                   CASE WHEN i % 5 = 0 THEN 4000 + 100 * i END, 'workspace'
            FROM g WHERE (i % 5 = 0 OR i % 7 = 0) AND first + INTERVAL 20 DAY < ?
            UNION ALL
            SELECT 'c' || i, 'L' || i, 'contacted', first + INTERVAL 3 DAY, 'sales', NULL,
                   NULL, 'workspace'
            FROM g WHERE i % 11 = 1""", [str(TODAY)])
        wh.execute("DROP TABLE g")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("forecast") / "data"
    built = Settings(data_dir=data, db_path=data / "leadpipe.duckdb", config_dir=data / "cfg")
    build(built)
    return built


def _open_leads(settings: Settings) -> set[str]:
    with open_warehouse(settings, write=False) as wh:
        return {r[0] for r in wh.fetchall(
            "SELECT lead_id FROM core.eligibility_decisions WHERE decision = 'allowed' "
            "EXCEPT SELECT lead_id FROM core.lead_outcomes WHERE outcome IN ('won', 'lost')")}


def test_the_forecast_counts_open_allowed_leads_with_base_rates(settings: Settings) -> None:
    result = compute_forecast(settings, 8, "vendor", TODAY)
    assert result.leads == len(_open_leads(settings)) > 0
    assert result.method.name == "base_rates"
    assert "not the learned model" in result.method.reason
    assert {g.key for g in result.groups} == {"Nord", "(no vendor)"}
    assert sum(g.leads for g in result.groups) == result.leads
    total = result.total
    assert total.conversions.low <= total.conversions.expected <= total.conversions.high
    assert total.revenue_eur.low <= total.revenue_eur.expected <= total.revenue_eur.high
    assert sum(w.conversions.expected for w in result.by_week) == pytest.approx(
        total.conversions.expected, abs=0.1 * len(result.by_week))
    # the won deals carry values: both segments have at least three
    assert {v.segment: v.basis for v in result.deal_values} == {
        "b2b · C": "segment", "b2b · J": "segment"}


def test_cli_json_has_the_documented_keys(settings: Settings) -> None:
    out = CliRunner().invoke(app, ["forecast", "--by", "segment", "--as-of", str(TODAY),
                                   "--json", "--db", str(settings.db_path)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert set(data) == {"as_of", "weeks", "interval", "by", "leads", "method", "total",
                         "groups", "by_week", "deal_values", "timing", "notes",
                         "config_version"}
    assert data["by"] == "segment"
    assert set(data["method"]) == {"name", "reason", "closed_outcomes", "wins", "periods",
                                   "period_leads", "period_wins", "level_spread"}
    assert set(data["total"]) == {"key", "leads", "conversions", "revenue_eur"}
    assert set(data["total"]["revenue_eur"]) == {"expected", "low", "high"}
    assert len(data["by_week"]) == 8


def test_cli_backtest_and_its_refusal(settings: Settings) -> None:
    start = TODAY - timedelta(weeks=8)
    result = backtest_forecast(settings, 8, start, TODAY)
    assert result.leads > 0
    assert result.forecast is result.base_rates  # no model: nothing to compare
    assert "nothing to compare" in result.verdict
    out = CliRunner().invoke(app, ["forecast", "--backtest", "--as-of", str(start), "--json",
                                   "--db", str(settings.db_path)])
    data = json.loads(out.output)
    assert set(data) == {"as_of", "ends", "weeks", "leads", "won", "method", "forecast",
                         "base_rates", "skill", "verdict"}
    assert set(data["forecast"]) == {"method", "brier", "expected", "inside_interval",
                                     "deciles"}
    assert (data["won"], data["skill"]) == (result.won, None)
    out = CliRunner().invoke(app, ["forecast", "--backtest", "--as-of", str(TODAY),
                                   "--db", str(settings.db_path)])
    assert out.exit_code == 2
    assert "has not ended yet" in out.output
    assert "Traceback" not in out.output


def test_cli_text_says_the_method(settings: Settings) -> None:
    out = CliRunner().invoke(app, ["forecast", "--as-of", str(TODAY), "--db",
                                   str(settings.db_path)])
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert "method: base_rates" in text
    assert "Probabilities: base rates per funnel stage and source" in text


def test_a_bad_configuration_names_the_key(settings: Settings,
                                           tmp_path_factory: pytest.TempPathFactory,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path_factory.mktemp("cfg")
    (config / "scoring").mkdir()
    (config / "scoring" / "forecast.yaml").write_text("segment_by: branch\n", encoding="utf-8")
    monkeypatch.setenv("LEADPIPE_CONFIG_DIR", str(config))
    out = CliRunner().invoke(app, ["forecast", "--db", str(settings.db_path)])
    assert out.exit_code == 2
    assert "segment_by" in out.output
    assert "Traceback" not in out.output
