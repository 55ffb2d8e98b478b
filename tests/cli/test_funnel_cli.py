"""`leadpipe funnel`: counts and rates per source on the small warehouse, and the chart."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from scoring.funnel import build_funnel
from stages.export import ExportRequest, export_leads
from stages.score import score_all
from tests.scoring.test_stage_data import build
from warehouse.db import open_warehouse

runner = CliRunner()


@pytest.fixture
def worked(settings: Settings, tmp_path: Path) -> Settings:
    """Scored, one phone export, and a won outcome for Alpha."""
    build(settings)
    score_all(settings, date(2026, 11, 20))
    export_leads(settings, ExportRequest(channel="phone", out=tmp_path / "p.csv",
                                         min_grade="D"))
    with open_warehouse(settings, write=True, create=True) as wh:
        wh.execute("INSERT INTO core.lead_outcomes (outcome_id, lead_id, outcome, recorded_at, "
                   "source) VALUES ('o1', 'L1', 'lost', '2026-01-01', 'a'), ('o2', 'L1', 'won', "
                   "'2026-02-01', 'b'), ('o3', 'L3', 'lost', '2026-02-01', 'b')")
    return settings


def _funnel(settings: Settings, *args: str, min_grade: str = "D"
            ) -> dict[str, dict[str, tuple[int, float | None]]]:
    result = runner.invoke(app, ["funnel", "--db", str(settings.db_path), "--json",
                                 "--min-grade", min_grade, *args])
    assert result.exit_code == 0, result.output
    return {(f["source_kind"] + (f":{f['vendor']}" if f["vendor"] else "")):
            {s["stage"]: (s["count"], s["rate"]) for s in f["steps"]}
            for f in json.loads(result.output)}


def test_counts_per_source_and_stage(worked: Settings) -> None:
    funnel = _funnel(worked)
    total, acme = funnel["all"], funnel["purchased_list:acme"]
    assert total["ingested"] == (5, None)
    assert total["unique"] == (3, 0.6)                          # leads per record
    assert total["enriched"] == (3, 1.0)
    assert total["eligible:phone"] == (2, pytest.approx(2 / 3, abs=1e-4))
    assert total["qualified:phone"] == (2, 1.0)
    assert total["exported:phone"] == (2, 1.0)
    assert total["eligible:email"][0] == 1
    assert total["exported:email"] == (0, 0.0)
    assert total["contacted"] == (2, pytest.approx(2 / 3, abs=1e-4))
    assert total["reached"] == (2, 1.0)          # a loss means the lead was reached
    assert total["appointment"] == (1, 0.5)      # a win counts as having had its appointment
    assert total["won"] == (1, 1.0)              # latest outcome counts: L1 lost, then won
    assert total["lost"] == (1, 0.5)
    assert total["not_interested"] == (0, 0.0)
    assert acme["ingested"][0] == 3
    assert acme["unique"][0] == 2
    assert funnel["crawl"]["unique"][0] == 1
    assert funnel["web_form"]["eligible:email"][0] == 1


@pytest.mark.parametrize("min_grade", ["A", "B", "C", "D"])
def test_each_stage_counts_within_the_one_before(worked: Settings, min_grade: str) -> None:
    """A phone export at grade D counts as exported only where the lead is still qualified."""
    for stages in _funnel(worked, min_grade=min_grade).values():
        for ch in ("email", "phone", "post", "sms", "fax"):
            assert (stages["enriched"][0] >= stages[f"eligible:{ch}"][0]
                    >= stages[f"qualified:{ch}"][0] >= stages[f"exported:{ch}"][0])
        assert (stages["enriched"][0] >= stages["contacted"][0] >= stages["reached"][0]
                >= stages["appointment"][0] >= stages["won"][0])
        assert stages["reached"][0] >= stages["lost"][0] + stages["not_interested"][0]


def test_json_is_complete_and_marks_the_multiplier_and_empty_channels(worked: Settings
                                                                     ) -> None:
    result = runner.invoke(app, ["funnel", "--db", str(worked.db_path), "--json"])
    steps = {s["stage"]: s for s in json.loads(result.output)[0]["steps"]}
    assert steps["unique"] | {"multiplier": True, "relative_to": "ingested"} == steps["unique"]
    assert steps["eligible:sms"]["empty_channel"]              # no lead allowed on sms
    assert not steps["eligible:fax"]["empty_channel"]          # Alpha is, on fax
    assert [s for s in steps.values() if s["multiplier"]] == [steps["unique"]]


def test_chart_files_are_written(worked: Settings, tmp_path: Path) -> None:
    for suffix, magic in ((".png", b"\x89PNG"), (".svg", b"<?xml"), (".html", b"<!doctype")):
        chart = tmp_path / f"funnel{suffix}"
        _funnel(worked, "--chart", str(chart))
        assert chart.read_bytes().startswith(magic)
        assert chart.stat().st_size > 20_000                   # a drawing, not an empty page
    page = (tmp_path / "funnel.html").read_text(encoding="utf-8")
    assert "<svg" in page
    assert "<?xml" not in page                                 # the SVG inline, not a file
    assert "<td>phone: qualified (% of allowed)</td><td>2 (100%)</td>" in page
    assert "sms" not in page.replace("Left out: sms", "")
    svg = (tmp_path / "funnel.svg").read_text(encoding="utf-8")
    assert svg.count('<g id="axes_') == 4                     # all, crawl, acme, web form


def test_table_output_and_bad_chart_suffix(worked: Settings, tmp_path: Path) -> None:
    result = runner.invoke(app, ["funnel", "--db", str(worked.db_path)],
                           env={"COLUMNS": "160"})
    assert result.exit_code == 0
    lines = result.output.splitlines()
    labels = [line.split("│")[1].strip() for line in lines if line.startswith("│")]
    assert labels[:4] == ["records ingested", "leads (× per record)", "enriched (% of leads)",
                          "email: allowed (% of enriched)"]
    assert labels[-6:] == ["contacted (% of enriched)", "reached (% of contacted)",
                           "appointment (% of reached)", "won (% of appointment)",
                           "not interested (% of reached)", "lost (% of reached)"]
    assert not any("sms" in label for label in labels)
    assert "Left out: sms (no lead allowed in any source)." in result.output
    assert "× = leads per record" in result.output
    narrow = runner.invoke(app, ["funnel", "--db", str(worked.db_path)], env={"COLUMNS": "60"})
    assert "│ phone: qualified " in narrow.output                # the basis on its own line
    assert "│ % of allowed " in narrow.output
    bad = runner.invoke(app, ["funnel", "--db", str(worked.db_path), "--chart",
                              str(tmp_path / "f.gif")])
    assert bad.exit_code == 2
    assert ".png, .svg or .html" in bad.output


def test_rates_are_none_without_a_base() -> None:
    funnel = build_funnel([{"source_kind": "all", "vendor": "", "stage": "ingested", "n": 0}],
                          channels=("email",))
    steps = {s.stage: s for s in funnel[0].steps}
    assert steps["unique"].count == 0
    assert steps["unique"].rate is None
    assert list(steps) == ["ingested", "unique", "enriched", "eligible:email",
                           "qualified:email", "exported:email", "contacted", "reached",
                           "appointment", "won", "not_interested", "lost"]
