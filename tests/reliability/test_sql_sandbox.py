"""`leadpipe sql` reads the warehouse's tables and nothing else: no files, no settings."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from stages.score import score_all
from tests.scoring.test_stage_data import build
from warehouse.db import open_warehouse

runner = CliRunner()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("sql") / "data"
    settings = Settings(data_dir=data, db_path=data / "leadpipe.duckdb",
                        config_dir=data.parent / "config", read_wait_s=2.0)
    build(settings)
    score_all(settings, date(2026, 11, 20))
    return settings


def _sql(settings: Settings, query: str) -> tuple[int, str]:
    result = runner.invoke(app, ["sql", query, "--json", "--db", str(settings.db_path)])
    return result.exit_code, result.output


def test_a_select_on_the_marts_works(warehouse: Settings) -> None:
    code, output = _sql(warehouse, "SELECT lead_id FROM marts.qualified_leads ORDER BY 1")
    assert code == 0, output
    assert json.loads(output)


@pytest.mark.parametrize("query", [
    "COPY (SELECT * FROM core.leads) TO '{tmp}/stolen.csv'",
    "INSTALL httpfs",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_csv('{tmp}/secret.csv')",
    "ATTACH '{tmp}/other.duckdb' AS other",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
], ids=lambda q: q.split("(")[0].split(" '")[0][:30])
def test_file_access_and_settings_are_refused(warehouse: Settings, tmp_path: Path,
                                              query: str) -> None:
    (tmp_path / "secret.csv").write_text("a\n1\n", encoding="utf-8")
    before = warehouse.db_path.read_bytes()
    code, output = _sql(warehouse, query.format(tmp=tmp_path, db=warehouse.db_path))
    assert code == 2, output
    assert "only reads the warehouse's tables" in output
    assert "Traceback" not in output
    assert not (tmp_path / "stolen.csv").exists()
    assert not (tmp_path / "other.duckdb").exists()
    assert warehouse.db_path.read_bytes() == before


def test_the_snapshot_fallback_is_locked_down_too(warehouse: Settings, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # `leadpipe sql` reads its settings from the environment: wait 2 s, not the default 20,
    # for the writer below before falling back to the snapshot.
    monkeypatch.setenv("LEADPIPE_READ_WAIT", str(warehouse.read_wait_s))
    with open_warehouse(warehouse, write=True, publish=True):
        pass
    with open_warehouse(warehouse, write=True, purpose="test: a long nightly"):
        code, output = _sql(warehouse, f"COPY core.leads TO '{tmp_path}/stolen.csv'")
    assert code == 2, output
    assert not (tmp_path / "stolen.csv").exists()
