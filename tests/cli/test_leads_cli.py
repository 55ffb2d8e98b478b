"""`leadpipe leads export` and `leadpipe score` through the CLI, on a small warehouse."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from stages.score import score_all
from tests.scoring.test_stage_data import build
from warehouse.db import open_warehouse

runner = CliRunner()


@pytest.fixture
def scored(settings: Settings) -> Settings:
    build(settings)
    score_all(settings, date(2026, 11, 20))
    return settings


def _export(settings: Settings, out: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["leads", "export", "--db", str(settings.db_path),
                                 "--out", str(out), "--by", "rita", *args])
    return result.exit_code, result.output


def _csv(path: Path, delimiter: str = ",", encoding: str = "utf-8") -> list[dict[str, str]]:
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def test_phone_export_lists_allowed_leads_best_first(scored: Settings, tmp_path: Path) -> None:
    out = tmp_path / "phone.csv"
    code, output = _export(scored, out, "--channel", "phone", "--min-grade", "D")
    assert code == 0, output
    rows = _csv(out)
    assert [r["lead_id"] for r in rows] == ["L1", "L3"]          # L2 is only review
    assert float(rows[0]["score"]) >= float(rows[1]["score"])
    # E.164 numbers begin with "+": neutralised like any formula trigger, so Excel keeps
    # them as text instead of evaluating "+49…" to a number
    assert rows[0]["phone"] == "'+498912345"
    assert rows[0]["company"] == "Alpha GmbH"
    assert rows[0]["reason_code"] == "b2b_presumed_consent"
    assert rows[0]["legal_basis"].startswith("UWG")
    assert rows[0]["sources"] == "acme; crawl; purchased_list"
    assert "decision" not in rows[0]


def test_include_review_adds_marked_review_rows(scored: Settings, tmp_path: Path) -> None:
    out = tmp_path / "phone.csv"
    assert _export(scored, out, "--channel", "phone", "--min-grade", "D",
                   "--include-review")[0] == 0
    decisions = {r["lead_id"]: r["decision"] for r in _csv(out)}
    assert decisions == {"L1": "allowed", "L2": "review", "L3": "allowed"}


def test_formula_in_a_cell_stays_text(scored: Settings, tmp_path: Path) -> None:
    out = tmp_path / "post.xlsx"
    assert _export(scored, out, "--channel", "post", "--min-grade", "D",
                   "--format", "xlsx")[0] == 0
    sheet = load_workbook(out).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))  # German headers for Excel
    assert row["Vorname"].value == "=HYPERLINK(1)"
    assert row["Vorname"].data_type == "s"  # a string cell: shown, never evaluated
    assert row["Straße"].value == "Ring 2"
    assert row["Ort"].value == "Berlin"


def test_excel_de_dialect(scored: Settings, tmp_path: Path) -> None:
    out = tmp_path / "post.csv"
    assert _export(scored, out, "--channel", "post", "--min-grade", "D", "--excel-de")[0] == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    rows = _csv(out, ";", "utf-8-sig")
    assert rows[0]["Vorname"] == "'=HYPERLINK(1)"
    assert "." not in rows[0]["Score"]  # German Excel reads a decimal comma


def test_filters_region_industry_source_and_limit(scored: Settings, tmp_path: Path) -> None:
    cases = {("--region", "80"): ["L1"], ("--region", "10,11"): ["L3"],
             ("--industry", "62"): ["L1"], ("--industry", "J"): ["L1"],
             ("--source", "acme"): ["L1", "L3"], ("--source", "crawl"): ["L1"],
             ("--limit", "1"): ["L1"]}
    for i, (args, expected) in enumerate(cases.items()):
        out = tmp_path / f"f{i}.json"
        code, output = _export(scored, out, "--channel", "phone", "--min-grade", "D",
                               "--format", "json", *args)
        assert code == 0, (args, output)
        assert [r["lead_id"] for r in json.loads(out.read_text())] == expected, args


def test_grade_filter(scored: Settings, tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    assert _export(scored, out, "--channel", "phone", "--min-grade", "A",
                   "--format", "json")[0] == 0
    with open_warehouse(scored, write=False) as wh:
        grade_a = {r[0] for r in wh.fetchall("SELECT lead_id FROM core.lead_scores "
                                             "WHERE is_current AND grade = 'A'")}
    assert {r["lead_id"] for r in json.loads(out.read_text())} == grade_a & {"L1", "L3"}


@pytest.mark.parametrize(("args", "message"), [
    (("--channel", "pigeon"), "pigeon"),
    (("--channel", "phone", "--min-grade", "E"), "E"),
    (("--channel", "phone", "--region", "8x"), "unknown region 8x"),
    (("--channel", "phone", "--industry", "IT"), "unknown industry IT"),
    (("--channel", "phone", "--source", "nobody"), "unknown source nobody"),
    (("--channel", "phone", "--since", "yesterday"), "--since"),
])
def test_bad_input_is_refused(scored: Settings, tmp_path: Path, args: tuple[str, ...],
                              message: str) -> None:
    out = tmp_path / "x.csv"
    code, output = _export(scored, out, *args)
    assert code == 2
    assert message in output
    assert not out.exists()


def test_empty_result_writes_headers_only(scored: Settings, tmp_path: Path) -> None:
    out = tmp_path / "sms.csv"
    code, output = _export(scored, out, "--channel", "sms")
    assert code == 0
    assert "No leads match" in output
    assert out.read_text().splitlines() == [
        "lead_id,company,name,mobile,score,grade,top_reasons,reason_code,legal_basis,sources"]


def test_existing_file_needs_force(scored: Settings, tmp_path: Path) -> None:
    out = tmp_path / "phone.csv"
    out.write_text("keep me\n")
    code, output = _export(scored, out, "--channel", "phone")
    assert code == 2
    assert "--force" in output
    assert out.read_text() == "keep me\n"
    assert _export(scored, out, "--channel", "phone", "--min-grade", "D", "--force")[0] == 0
    assert out.read_text().startswith("lead_id,")


def test_every_export_is_logged(scored: Settings, tmp_path: Path) -> None:
    out = tmp_path / "phone.csv"
    assert _export(scored, out, "--channel", "phone", "--min-grade", "D",
                   "--include-review", "--region", "80,10")[0] == 0
    with open_warehouse(scored, write=False) as wh:
        export = wh.dicts("SELECT * FROM ops.exports")[0]
        leads = wh.fetchall("SELECT lead_id, channel, decision, reason FROM ops.export_leads "
                            "ORDER BY lead_id")
        sends = wh.scalar("SELECT count(*) FROM core.consent_events "
                          "WHERE kind = 'advertising_sent'")
    assert export["exported_by"] == "rita"
    assert export["channel"] == "phone"
    assert export["lead_count"] == 3
    assert export["path"] == str(out.resolve())
    assert json.loads(export["filters"])["regions"] == ["80", "10"]
    assert leads == [("L1", "phone", "allowed", "b2b_presumed_consent"),
                     ("L2", "phone", "review", "consent_unclear"),
                     ("L3", "phone", "allowed", "consent_phone")]
    assert sends == 0                       # exporting is not sending


def test_score_command_and_training_refusal(scored: Settings, tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", "--db", str(scored.db_path), "--json",
                                 "--as-of", "2026-11-20"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["unchanged"] == 3
    outcomes = tmp_path / "crm.csv"
    outcomes.write_text("email;outcome\ndana@alpha.de;won\nL1;lost\n", encoding="utf-8")
    result = runner.invoke(app, ["score", "--db", str(scored.db_path), "--train",
                                 str(outcomes)])
    assert result.exit_code == 2
    assert "at least 200 leads" in result.output
    assert "outcomes stored: 2" in result.output


def test_export_flow_offers_dropdowns_for_channel_format_and_grade() -> None:
    from prefect.utilities.callables import parameter_schema

    from flows.export import export_leads_flow

    properties = parameter_schema(export_leads_flow.fn).model_dump()["properties"]
    assert properties["channel"]["enum"] == ["email", "phone", "post", "sms", "fax"]
    assert properties["format"]["enum"] == ["csv", "xlsx", "json", "hubspot", "pipedrive",
                                            "centralstation"]
    assert properties["min_grade"]["enum"] == ["A", "B", "C", "D"]
    assert properties["layout"]["enum"] == ["standard", "serienbrief", "anrufliste"]
    assert properties["per_address"]["default"] is False


def test_an_export_that_cannot_be_logged_leaves_no_file(scored: Settings, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from stages import export as export_stage

    def broken_log(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_stage, "write_journal", broken_log)
    out = tmp_path / "phone.csv"
    out.write_text("previous list\n")
    with pytest.raises(RuntimeError):
        export_stage.export_leads(scored, export_stage.ExportRequest(
            channel="phone", out=out, min_grade="D", force=True))
    assert out.read_text() == "previous list\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_invalid_scoring_configuration_names_the_key(scored: Settings, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "bad-config"
    config.mkdir()
    (config / "scoring").mkdir(parents=True, exist_ok=True)
    (config / "scoring" / "scoring.yaml").write_text(
        "weights: {fit: 0.9, engagement: 0.35, quality: 0.15}\n",
                                         encoding="utf-8")
    monkeypatch.setenv("LEADPIPE_CONFIG_DIR", str(config))
    result = runner.invoke(app, ["score", "--db", str(scored.db_path)])
    assert result.exit_code == 2
    assert "weights" in result.output
    assert "add up to 1" in result.output
