"""`leadpipe --help` and the light commands start without loading the heavy libraries.

Start-up time is what a user notices, but it depends on the machine; which modules a
command imports does not, so that is what these tests check, in a fresh interpreter each.
`bench/bench_cli_startup.py` measures the time itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from tests.conftest import REPO
from tests.flows.inbox import LIST_CSV

HEAVY = ("sklearn", "pandas", "prefect", "scrapy", "spacy", "matplotlib", "scipy")
"""Seconds of imports between them; no light command needs any of them."""

WAREHOUSE = ("duckdb", "numpy")
"""A tenth of a second; commands that read the warehouse need it, help does not."""

PROJECT = ("ingest", "warehouse", "enrichment", "matching", "compliance", "scoring", "spiders",
           "flows", "intake")

# Runs each argument list through the app in one fresh interpreter and records, after each,
# its exit status and every module imported so far.
_PROBE = """
import json, sys
from leadpipe.cli.main import app
runs = []
for args in json.loads(sys.argv[2]):
    code = None
    try:
        app(args, prog_name="leadpipe")
    except SystemExit as exc:
        code = exc.code
    runs.append({"args": args, "code": code, "modules": sorted(sys.modules)})
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump(runs, out)
"""


def probe(tmp_path: Path, *invocations: list[str]) -> list[dict[str, Any]]:
    out = tmp_path / "modules.json"
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(out), json.dumps(invocations)],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    runs: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))
    for run in runs:
        assert run["code"] in (0, None), (run["args"], proc.stdout, proc.stderr)
    return runs


def loaded(modules: list[str], packages: tuple[str, ...]) -> set[str]:
    return {m.split(".")[0] for m in modules} & set(packages)


def command_paths() -> Iterator[list[str]]:
    """Every group and command of the app, as the words a user types before `--help`."""

    def walk(command: Any, path: list[str]) -> Iterator[list[str]]:
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(app), [])


def test_help_imports_only_the_cli(tmp_path: Path) -> None:
    (run,) = probe(tmp_path, ["--help"])
    assert loaded(run["modules"], HEAVY + WAREHOUSE) == set()
    assert loaded(run["modules"], PROJECT) == set()
    assert {m for m in run["modules"] if m.startswith("leadpipe.")
            and not m.startswith("leadpipe.cli")} == set()


def test_help_of_every_group_and_command_imports_no_heavy_library(tmp_path: Path) -> None:
    paths = list(command_paths())
    assert ["leads", "export"] in paths  # the walk reaches the commands inside groups
    runs = probe(tmp_path, *([*path, "--help"] for path in paths))
    for run in runs:  # the first help that loaded one is the culprit
        assert loaded(run["modules"], HEAVY + WAREHOUSE) == set(), run["args"]


@pytest.fixture
def small_warehouse(settings: Settings, tmp_path: Path) -> Path:
    """A warehouse with one three-row purchased list in it."""
    path = tmp_path / "liste.csv"
    path.write_bytes(LIST_CSV.encode("cp1252"))
    result = CliRunner().invoke(app, ["ingest", "list", str(path), "--vendor", "V",
                                      "--acquired-on", "2026-11-20", "--json",
                                      "--db", str(settings.db_path)])
    assert result.exit_code == 0, result.output
    return settings.db_path


@pytest.mark.parametrize("command", [
    ["status"],
    ["status", "--verbose"],
    ["quarantine"],
    ["sql", "SELECT count(*) FROM raw.records"],
    ["consent", "show", "j.mueller@mueller-maschinenbau.de"],
], ids=" ".join)
def test_light_commands_import_no_heavy_library(
    command: list[str], small_warehouse: Path, tmp_path: Path
) -> None:
    (run,) = probe(tmp_path, [*command, "--db", str(small_warehouse)])
    assert loaded(run["modules"], HEAVY) == set()


def test_user_errors_still_become_messages(tmp_path: Path) -> None:
    """The exception types `user_errors` knows are imported only when one is raised."""
    proc = subprocess.run([sys.executable, "-m", "leadpipe.cli", "status", "--db",
                           str(tmp_path / "none.duckdb")], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.startswith("no warehouse at "), proc.stderr
