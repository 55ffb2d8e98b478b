"""An export never overwrites leadpipe's own files; Prefect runs only name a file."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foundation.outputs import OutputPathRefused, check_output, export_file
from foundation.settings import Settings
from leadpipe.cli.main import app
from stages.score import score_all
from tests.scoring.test_stage_data import build

runner = CliRunner()


@pytest.fixture
def scored(settings: Settings) -> Settings:
    build(settings)
    score_all(settings, date(2026, 11, 20))
    return settings


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _export(settings: Settings, out: str | Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["leads", "export", "--db", str(settings.db_path), "--channel",
                                 "post", "--min-grade", "D", "--out", str(out), *args],
                           env={"LEADPIPE_DATA_DIR": str(settings.data_dir),
                                "LEADPIPE_CONFIG_DIR": str(settings.config_dir)})
    return result.exit_code, result.output


def test_export_onto_the_warehouse_is_refused_even_with_force(scored: Settings) -> None:
    before = _digest(scored.db_path)
    code, output = _export(scored, scored.db_path, "--force")
    assert code == 2, output
    assert "refusing to write" in output
    assert "leadpipe.duckdb" in output
    assert "Traceback" not in output
    assert _digest(scored.db_path) == before


@pytest.mark.parametrize("target", ["suppression.key", "leadpipe.published.duckdb",
                                    "intake/intake.sqlite", "new.csv"])
def test_nothing_is_written_into_the_data_directory(scored: Settings, target: str) -> None:
    (scored.data_dir / "intake").mkdir(exist_ok=True)
    code, output = _export(scored, scored.data_dir / target, "--force")
    assert code == 2, output
    assert "data directory" in output or "own file" in output
    assert not (scored.data_dir / "new.csv").exists()


def test_a_symlink_into_the_data_directory_is_refused(scored: Settings, tmp_path: Path) -> None:
    link = tmp_path / "harmless.csv"
    link.symlink_to(scored.db_path)
    before = _digest(scored.db_path)
    code, output = _export(scored, link, "--force")
    assert code == 2, output
    assert _digest(scored.db_path) == before
    folder_link = tmp_path / "out"
    folder_link.symlink_to(scored.data_dir)
    assert _export(scored, folder_link / "leads.csv")[0] == 2
    assert not (scored.data_dir / "leads.csv").exists()


def test_dot_dot_into_the_data_directory_is_refused(scored: Settings, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    sneaky = f"{tmp_path}/elsewhere/../data/leadpipe.duckdb"
    code, output = _export(scored, sneaky, "--force")
    assert code == 2, output


def test_configuration_files_are_refused(scored: Settings) -> None:
    scored.config_dir.mkdir(parents=True, exist_ok=True)
    assert _export(scored, scored.config_dir / "thresholds.yaml")[0] == 2
    with pytest.raises(OutputPathRefused, match="code"):
        check_output(Path(__file__).resolve().parents[2] / "flows" / "defaults" / "x.yaml",
                     scored)


def test_normal_paths_and_the_exports_folder_still_work(scored: Settings,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "sales" / "post.csv"
    code, output = _export(scored, out)
    assert code == 0, output
    assert list(csv.DictReader(out.open(encoding="utf-8")))
    inside = scored.exports_dir / "post.csv"
    assert _export(scored, inside)[0] == 0
    assert inside.exists()


def test_prefect_file_name_must_be_bare(settings: Settings) -> None:
    for name in ("../leadpipe.duckdb", "/etc/passwd", "sub/dir.csv", ".hidden", "..", ""):
        with pytest.raises(OutputPathRefused, match="bare file name"):
            export_file(name, settings)
    assert export_file("anrufe.xlsx", settings) == (settings.exports_dir / "anrufe.xlsx").resolve()


def test_an_exports_dir_that_holds_the_data_directory_is_refused(settings: Settings) -> None:
    with pytest.raises(OutputPathRefused, match="LEADPIPE_EXPORTS_DIR"):
        export_file("a.csv", replace(settings, exports_root=settings.data_dir.parent))
    with pytest.raises(OutputPathRefused, match="LEADPIPE_EXPORTS_DIR"):
        export_file("intake.sqlite", replace(settings, exports_root=settings.data_dir / "intake"))


def test_prefect_export_flow_takes_a_file_name_only(scored: Settings,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    prefect_harness: None) -> None:
    from flows.export import export_leads_flow

    monkeypatch.setenv("LEADPIPE_DATA_DIR", str(scored.data_dir))
    monkeypatch.setenv("LEADPIPE_CONFIG_DIR", str(scored.config_dir))
    refused = export_leads_flow(channel="post", file_name=str(scored.db_path),
                                db=str(scored.db_path), min_grade="D", return_state=True)
    assert refused.is_failed()
    assert "bare file name" in str(refused.message)
    result = export_leads_flow(channel="post", file_name="post.csv",
                               db=str(scored.db_path), min_grade="D")
    assert Path(result.path) == (scored.exports_dir / "post.csv").resolve()
    assert Path(result.path).exists()
    assert oct(Path(result.path).stat().st_mode & 0o777) == "0o600"
