"""Lead data reaches the terminal as text, never as escape sequences or markup (#20, item 13).

File names, quarantined lines and error messages come from purchased lists; printed raw, an
ESC sequence rewrites the terminal and `[bold]` or `[/]` is read as Rich markup (`[/]` even
aborts the print). Exports neutralise formulas also when they start with a full-width sign.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.common import plain
from leadpipe.cli.main import app
from scoring.export_files import neutralize

runner = CliRunner()


@pytest.fixture(autouse=True)
def as_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables and lines as a person sees them, not the JSON a pipe gets."""
    monkeypatch.setattr("leadpipe.cli.warehouse.wants_json", lambda flag: flag)


def _db(settings: Settings) -> list[str]:
    return ["--db", str(settings.db_path)]


def test_status_prints_a_file_name_with_escapes_and_markup_as_text(
    settings: Settings, tmp_path: Path,
) -> None:
    name = "evil\x1b[2J\x9b31m[bold]liste[::1].csv"
    path = tmp_path / name
    path.write_text("Firma;Ort\nA;Ulm\n", encoding="utf-8")
    refused = runner.invoke(app, ["ingest", "list", str(path), *_db(settings)])
    assert refused.exit_code == 2
    result = runner.invoke(app, ["status", *_db(settings)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "\x9b" not in result.output
    assert "evil[2J31m[bold]liste[::1].csv" in result.output


def test_quarantine_prints_a_raw_line_with_controls_and_markup_as_text(
    settings: Settings, tmp_path: Path,
) -> None:
    rows = "".join(f"Firma {i} GmbH;Ulm\n" for i in range(60))  # keeps the file text-like
    path = tmp_path / "liste.csv"
    path.write_text("Firma;Ort\n" + rows + '"\x1b]0;pwned\x07Evil" [/] GmbH;Bonn\n',
                    encoding="utf-8")
    loaded = runner.invoke(app, ["ingest", "list", str(path), "--vendor", "V",
                                 "--acquired-on", "20.11.2026", "--json", *_db(settings)])
    assert loaded.exit_code == 0, loaded.output
    result = runner.invoke(app, ["quarantine", *_db(settings)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    assert "[/]" in result.output


@pytest.mark.parametrize("value", ["＝HYPERLINK(\"http://x\")", "＋49 30", "﹦1+1", "＠SUM(A1)"])
def test_full_width_formula_signs_are_neutralised(value: str) -> None:
    assert neutralize(value) == "'" + value


def test_plain_strips_c0_and_c1_controls_but_keeps_line_breaks_and_text() -> None:
    assert plain("a\x1b[31mb\x9b2Jc\x07\td\ne\x7f") == "a[31mb2Jc\td\ne"
    assert plain("[bold]x[/]") == "\\[bold]x\\[/]"
