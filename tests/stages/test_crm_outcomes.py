"""Outcomes and engagement back from the CRM and the newsletter tool (issue #21, part 4).

On the colleagues of tests/cli/test_gdpr_cli (Müller GmbH; Jürgen Müllerschön, also a form
consumer lead; Petra Schmidt), decided and scored once per module and copied per test. The
exports in tests/fixtures/crm are written after each tool's documented format; their lead
ids come from a `leads export` of the warehouse (the round trip).
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from stages.crm_outcomes import import_outcomes
from stages.decide import decide_all
from stages.engagement import import_engagement
from stages.funnel import compute_funnel
from stages.score import train_from_outcomes
from tests.reliability.test_opt_out_at_export import _export, decide_colleagues
from warehouse.db import open_warehouse

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "crm"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict[str, str]]:
    """The decided colleagues, and their lead ids by name from a post export (round trip)."""
    root = tmp_path_factory.mktemp("crm")
    settings = Settings(data_dir=root / "data", db_path=root / "data" / "leadpipe.duckdb",
                        config_dir=root / "config", lock_timeout_s=30.0, read_wait_s=2.0)
    decide_colleagues(settings, root)
    out = root / "post.csv"
    result = runner.invoke(app, ["leads", "export", "--channel", "post", "--min-grade", "D",
                                 "--out", str(out), "--db", str(settings.db_path)])
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    ids = {("company" if r["lead_id"].startswith("company") else r["name"].split()[0].lower()
            .replace("ü", "ue")): r["lead_id"] for r in rows}
    assert set(ids) == {"company", "juergen", "petra"}, rows
    return settings, ids


@pytest.fixture
def world(base: tuple[Settings, dict[str, str]], tmp_path: Path
          ) -> tuple[Settings, dict[str, str]]:
    settings, ids = base
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data)
    return replace(settings, data_dir=data, db_path=data / "leadpipe.duckdb"), ids


def _fixture(name: str, tmp_path: Path, ids: dict[str, str]) -> Path:
    source = FIXTURES / name
    out = tmp_path / name
    if name.startswith("centralstation") or name.startswith("cleverreach"):
        shutil.copy(source, out)  # cp1252, no lead ids: matched by name or e-mail
    else:
        out.write_text(source.read_text(encoding="utf-8").format(**ids), encoding="utf-8")
    return out


def _outcomes(settings: Settings) -> list[tuple[str, str, object, str]]:
    with open_warehouse(settings, write=False) as wh:
        return [(r[0], r[1], r[2], r[3]) for r in wh.fetchall(
            "SELECT lead_id, outcome, value_eur, source FROM core.lead_outcomes "
            "ORDER BY lead_id, recorded_at")]


def _run(settings: Settings, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--db", str(settings.db_path)])
    return result.exit_code, result.output


def test_hubspot_round_trip_through_leadpipe_id_feeds_the_funnel_and_training(
        world: tuple[Settings, dict[str, str]], tmp_path: Path) -> None:
    settings, ids = world
    path = _fixture("hubspot_deals.csv", tmp_path, ids)
    code, out = _run(settings, "outcomes", "import", str(path), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["crm"] == "hubspot"
    assert (report["in"], report["loaded"], report["quarantined"], report["skipped"]) == \
        (5, 2, 2, 1)
    assert report["matched_by"] == {"leadpipe_id": 2}
    problems = {p["row"]: (p["field"], p["reason"]) for p in report["problems"]}
    assert problems[4][0] == "leadpipe_id"
    assert "contact-000000000000" in problems[4][1]
    assert problems[5][0] == "Deal Stage"
    assert "Verhandlung läuft" in problems[5][1]
    stored = _outcomes(settings)
    assert (ids["juergen"], "won", pytest.approx(1500.5), "hubspot_deals.csv") in [
        (a, b, float(c) if c is not None else None, d) for a, b, c, d in stored]
    assert (ids["petra"], "appointment") in [(a, b) for a, b, _, _ in stored]

    steps = {s.stage: s.count for s in compute_funnel(settings, "D")[0].steps}
    assert (steps["contacted"], steps["appointment"], steps["won"]) == (2, 2, 1)
    assert train_from_outcomes(settings, by="t").matched == 1  # the win; the rest is open

    again = import_outcomes(settings, path, by="t")  # the same file: nothing new
    assert (again.outcomes_new, again.outcomes_known) == (0, 2)
    assert _outcomes(settings) == stored
    code, out = _run(settings, "quarantine", "--json")
    assert out.count("hubspot_deals.csv") == 2, out  # noted once, not per import


def test_pipedrive_matches_by_email_and_a_dnc_flag_leaves_the_next_export(
        world: tuple[Settings, dict[str, str]], tmp_path: Path) -> None:
    settings, ids = world  # Petra is in the post export of `base`
    path = _fixture("pipedrive_deals.csv", tmp_path, ids)
    dry = import_outcomes(settings, path, by="t", dry_run=True)
    assert (dry.crm, dry.outcomes_new, dry.objections_new) == ("pipedrive", 2, 1)
    assert _outcomes(settings) == []

    report = import_outcomes(settings, path, by="t")
    assert (report.rows_in, report.loaded, report.quarantined) == (3, 2, 1)
    assert report.matched_by == {"email": 2}
    assert report.problems[0][:2] == (4, "email")  # Erika Fremd is no lead of ours
    assert sorted((a, b) for a, b, _, _ in _outcomes(settings)) == sorted(
        [(ids["petra"], "appointment"), (ids["juergen"], "not_interested")])
    names = _export(settings, tmp_path, "post")[0]
    assert "Petra Schmidt" not in names
    assert "Jürgen Müllerschön" in names
    with open_warehouse(settings, write=False) as wh:
        events = wh.fetchall("SELECT kind, channels FROM core.consent_events "
                             "WHERE json_extract_string(attributes, '$.lead_id') = ?",
                             [ids["petra"]])
    assert events == [("objection_art21", ["all"])]  # the next decide blocks with G2

    again = import_outcomes(settings, path, by="t")
    assert (again.objections_new, again.objections_known, again.outcomes_new) == (0, 1, 0)


def test_centralstation_german_export_matches_by_name_and_company(
        world: tuple[Settings, dict[str, str]], tmp_path: Path) -> None:
    settings, ids = world
    path = _fixture("centralstation_deals.csv", tmp_path, ids)
    report = import_outcomes(settings, path, crm="centralstation", by="t")
    assert report.matched_by == {"name_company": 2}
    assert report.objections_new == 1  # tag "keine Werbung" on Jürgen
    stored = {(a, b): c for a, b, c, _ in _outcomes(settings)}
    assert float(stored[(ids["petra"], "won")]) == 3000.0  # type: ignore[arg-type]
    assert (ids["juergen"], "contacted") in stored


def test_generic_file_with_a_mapping_and_bad_files(
        world: tuple[Settings, dict[str, str]], tmp_path: Path) -> None:
    settings, ids = world
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("formats:\n  generic:\n    columns:\n      outcome: [Resultat]\n"
                       "    outcomes:\n      zugesagt: won\n", encoding="utf-8")
    path = tmp_path / "eigenes.csv"
    path.write_text(f"Lead-ID;Resultat;Betrag\n{ids['petra']};zugesagt;1.200\n"
                    f"{ids['petra']};zugesagt;1.200\n", encoding="utf-8")  # a repeated row
    report = import_outcomes(settings, path, crm="generic", mapping=mapping, by="t")
    assert (report.outcomes_new, report.quarantined) == (1, 0)
    assert ("won", 1200.0) in [(b, float(c)) for _, b, c, _ in _outcomes(settings)
                                if c is not None]

    empty = tmp_path / "leer.csv"
    empty.write_text("", encoding="utf-8")
    code, out = _run(settings, "outcomes", "import", str(empty))
    assert code == 2, out
    assert "leer.csv, row 1: has no header row" in out
    nobody = tmp_path / "ohne.csv"
    nobody.write_text("Deal Stage,Amount\nClosed Won,100\n", encoding="utf-8")
    code, out = _run(settings, "outcomes", "import", str(nobody))
    assert code == 2, out
    assert "no column says whom a row concerns" in out
    assert "Traceback" not in out
    bad = tmp_path / "falsch.yaml"
    bad.write_text("formats:\n  generic:\n    outcomes:\n      zugesagt: gekauft\n",
                   encoding="utf-8")
    code, out = _run(settings, "outcomes", "import", str(path), "--mapping", str(bad))
    assert code == 2, out
    assert "falsch.yaml" in out
    assert "outcomes.zugesagt" in out


def test_a_newsletter_click_puts_b2b_phone_to_review(
        world: tuple[Settings, dict[str, str]], tmp_path: Path) -> None:
    settings, ids = world
    path = _fixture("mailchimp_activity.csv", tmp_path, ids)
    code, out = _run(settings, "engagement", "import", str(path), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["tool"] == "mailchimp"
    assert (report["in"], report["loaded"], report["quarantined"], report["skipped"]) == \
        (4, 2, 1, 1)
    assert report["call_reasons_new"] == 1  # Petra clicked; Jürgen only opened
    decide_all(settings)
    with open_warehouse(settings, write=False) as wh:
        phone = dict(wh.fetchall(
            "SELECT lead_id, reason FROM core.eligibility_decisions WHERE channel = 'phone' "
            "AND is_current AND list_contains(?, lead_id)", [[ids["petra"], ids["juergen"]]]))
    assert phone == {ids["petra"]: "uwg7_2_1_presumed_consent_review",
                     ids["juergen"]: "uwg7_2_1_no_presumed_consent"}
    with open_warehouse(settings, write=False) as wh:  # scoring sees the click as engagement
        kinds = wh.scalar("SELECT request_kinds FROM core.lead_features WHERE lead_id = ?",
                          [ids["petra"]])
    assert kinds == ["newsletter_click"]
    again = import_engagement(settings, path)
    assert (again.engagement_new, again.call_reasons_new) == (0, 0)
    code, out = _run(settings, "gdpr", "access", "p.schmidt@mueller.example")
    assert code == 0, out
    assert [(e["tool"], e["clicks"]) for e in json.loads(out)["engagement"]] == [
        ("mailchimp", 1)]
    # Brevo's report has a row per click: one engagement row, the clicks added up
    for name, tool, rows in (("brevo_report.csv", "brevo", 2),
                             ("cleverreach_report.csv", "cleverreach", 1)):
        other = import_engagement(settings, _fixture(name, tmp_path, ids))
        assert (other.tool, other.loaded, other.engagement_new) == (tool, rows, 1), other
    with open_warehouse(settings, write=False) as wh:
        assert wh.scalar("SELECT clicks FROM core.engagement_events WHERE tool = 'brevo'") == 2
    code, out = _run(settings, "gdpr", "erase", "p.schmidt@mueller.example")
    assert code == 0, out
    with open_warehouse(settings, write=False) as wh:  # erasure takes the engagement along
        assert wh.scalar("SELECT count(*) FROM core.engagement_events "
                         "WHERE email ILIKE 'p.schmidt%'") == 0
