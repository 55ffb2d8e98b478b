"""List dates that would defeat the Art. 14 deadline are refused at every door (#20, item 3).

The doors: the CLI options, the inbox sidecar YAML, and the Prefect flow's parameters. Each
refusal names the field and where it was written, and nothing reaches the warehouse.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.ingest import ingest_list_task
from foundation.settings import Settings
from ingest.dates import day_or_none, refuse_list_dates
from leadpipe.cli.main import app
from stages.ingest import ListOptions, RejectedFile, load_inbox_list
from tests.flows.inbox import LIST_CSV
from warehouse.db import open_warehouse

FUTURE = date.today() + timedelta(days=30)
"""A purchase date in the future, far enough that a test run crossing midnight still sees it
there."""


@pytest.fixture
def list_file(tmp_path: Path) -> Path:
    path = tmp_path / "liste.csv"
    path.write_bytes(LIST_CSV.encode("cp1252"))
    return path


def _batches(settings: Settings) -> int:
    if not settings.db_path.exists():
        return 0
    with open_warehouse(settings, write=False) as wh:
        return int(wh.scalar("SELECT count(*) FROM raw.batches"))


@pytest.mark.parametrize(("args", "field"), [
    (["--acquired-on", f"{FUTURE:%d.%m.%Y}"], "acquired_on"),
    (["--acquired-on", "2026-11-20", "--licence-end", "19.11.2026"], "licence_end"),
])
def test_cli_refuses_future_purchase_and_licence_ending_before_it(
    settings: Settings, list_file: Path, args: list[str], field: str,
) -> None:
    result = CliRunner().invoke(app, ["ingest", "list", str(list_file), "--vendor", "V", *args,
                                      "--db", str(settings.db_path)])
    assert result.exit_code == 2, result.output
    assert f"field '{field}'" in result.output
    assert f"--{field.replace('_', '-')}" in result.output
    assert "Traceback" not in result.output
    assert _batches(settings) == 0


def test_inbox_sidecar_with_licence_end_before_purchase_names_the_yaml_key(
    settings: Settings, tmp_path: Path,
) -> None:
    path = tmp_path / "lists" / "liste.csv"
    path.parent.mkdir()
    path.write_bytes(LIST_CSV.encode("cp1252"))
    path.with_name("liste.csv.yaml").write_text(
        "vendor: V\nacquired_on: 20.11.2026\nlicence_end: 01.10.2026\n", encoding="utf-8")
    outcome = load_inbox_list(settings, path)
    assert isinstance(outcome, RejectedFile)
    assert "field 'licence_end'" in outcome.problem
    assert "liste.csv.yaml, key licence_end" in outcome.problem
    assert _batches(settings) == 0


def test_flow_parameter_with_future_purchase_is_refused(
    settings: Settings, list_file: Path,
) -> None:
    options = ListOptions(vendor="V", acquired_on=day_or_none(f"{FUTURE:%d.%m.%Y}"))
    outcome = ingest_list_task.fn(str(list_file), options, str(settings.db_path))
    assert isinstance(outcome, RejectedFile)
    assert "field 'acquired_on'" in outcome.problem
    assert "lies in the future" in outcome.problem
    assert _batches(settings) == 0


def test_today_and_a_licence_ending_on_the_purchase_day_are_fine() -> None:
    today = date(2026, 12, 5)
    assert refuse_list_dates(today, today, today) is None
