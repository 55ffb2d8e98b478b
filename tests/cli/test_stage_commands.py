"""The CLI path from a new list to a sales export, stage by stage, without the nightly flow.

Each stage command does its work, prints its counts and names the next command; a command
that needs a warehouse says there is none (and how to make one) instead of creating one.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from tests.flows.inbox import LIST_CSV

runner = CliRunner()


def _leadpipe(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output for a person at a terminal (CliRunner's output is no TTY, which means JSON)."""
    for module in ("common", "ingest", "leads"):
        monkeypatch.setattr(f"leadpipe.cli.{module}.wants_json", lambda flag: flag)


@pytest.fixture
def listed(settings: Settings, tmp_path: Path) -> Path:
    path = tmp_path / "kammer.csv"
    path.write_bytes(LIST_CSV.encode("cp1252"))
    return path


@pytest.mark.usefixtures("terminal")
def test_from_a_new_list_to_a_sales_export_each_stage_names_the_next(
    settings: Settings, listed: Path, tmp_path: Path
) -> None:
    db = ["--db", str(settings.db_path)]
    code, out = _leadpipe("ingest", "list", str(listed), "--vendor", "IHK Export",
                          "--acquired-on", "20.11.2026", *db)
    assert code == 0, out
    assert "rows in = loaded + quarantined + skipped: 3 = 2 + 1 + 0" in out
    assert f"Next: leadpipe enrich --db {settings.db_path}" in out
    for stage, next_step in (("enrich", "leadpipe match"), ("match", "leadpipe decide"),
                             ("decide", "leadpipe score"), ("score", "leadpipe leads export")):
        code, out = _leadpipe(stage, *db)
        assert code == 0, out
        assert f"Next: {next_step}" in out, out
    target = tmp_path / "post.csv"
    code, out = _leadpipe("leads", "export", "--channel", "post", "--min-grade", "D",
                          "--out", str(target), *db)
    assert code == 0, out
    with target.open(encoding="utf-8") as fh:
        companies = {row["company"] for row in csv.DictReader(fh)}
    assert companies == {"Müller Maschinenbau GmbH", "Weiß & Söhne KG"}


def test_decide_prints_every_channel_and_json_when_asked(
    settings: Settings, listed: Path
) -> None:
    db = ["--db", str(settings.db_path)]
    _leadpipe("ingest", "list", str(listed), "--vendor", "V", "--acquired-on", "2026-11-20",
              *db)
    _leadpipe("enrich", *db)
    _leadpipe("match", *db)
    code, out = _leadpipe("decide", "--as-of", "01.12.2026", *db)
    assert code == 0, out
    assert json.loads(out)["leads"] > 0  # not a terminal: JSON
    code, out = _leadpipe("decide", "--json", *db)
    result = json.loads(out)
    assert set(result["by_channel"]) == {"email", "phone", "post", "sms", "fax"}
    assert result["decisions_changed"] == 0  # nothing changed since the first decision


@pytest.mark.parametrize("command", [
    ["enrich"], ["match"], ["decide"], ["score"],
    ["leads", "export", "--channel", "post", "--out", "x.csv"],
])
def test_without_a_warehouse_a_command_says_how_to_make_one(
    settings: Settings, command: list[str]
) -> None:
    code, out = _leadpipe(*command, "--db", str(settings.db_path))
    assert code == 3
    assert "no warehouse at" in out
    assert "leadpipe ingest list" in out
    assert not settings.db_path.exists()


def test_a_rejected_list_is_an_error_with_its_fix_and_is_kept_in_the_runs(
    settings: Settings, listed: Path
) -> None:
    db = ["--db", str(settings.db_path)]
    code, out = _leadpipe("ingest", "list", str(listed), "--vendor", "V", *db)
    assert code == 2
    assert "--acquired-on" in out
    assert "Traceback" not in out
    code, out = _leadpipe("status", "--json", *db)
    failures = json.loads(out)["failures"]
    assert [f["flow"] for f in failures] == ["ingest-purchased-list"]
    assert "acquired_on" in failures[0]["error"]


def test_a_bad_date_names_the_option_and_the_accepted_forms(
    settings: Settings, listed: Path
) -> None:
    code, out = _leadpipe("ingest", "list", str(listed), "--vendor", "V", "--acquired-on",
                          "11/20/2026", "--db", str(settings.db_path))
    assert code == 2
    assert "--acquired-on" in out
    assert "2026-11-20 or 20.11.2026" in out
