"""Each refusal names the real cause, and user text in a message is printed as is (#20, item 16)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app

runner = CliRunner()


def _ingest(settings: Settings, path: str, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["ingest", "list", path, "--vendor", "V", "--acquired-on",
                                 "20.11.2026", "--db", str(settings.db_path), *extra])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_a_device_is_named_as_a_device_not_as_a_missing_file(settings: Settings) -> None:
    code, out = _ingest(settings, "/dev/zero")
    assert code == 2
    assert "/dev/zero is a character device, not a file" in out
    assert "not found" not in out


def test_a_named_pipe_is_named_and_never_read(settings: Settings, tmp_path: Path) -> None:
    fifo = tmp_path / "liste.csv"
    os.mkfifo(fifo)
    code, out = _ingest(settings, str(fifo))
    assert code == 2
    assert "is a named pipe (FIFO), not a file" in out


@pytest.mark.timeout(20)
def test_a_device_as_mapping_file_is_refused_not_read_forever(
    settings: Settings, tmp_path: Path,
) -> None:
    path = tmp_path / "liste.csv"
    path.write_text("Firma;Ort\nA;Ulm\n", encoding="utf-8")
    code, out = _ingest(settings, str(path), "--mapping", "/dev/zero")
    assert code == 2
    assert "mapping file: /dev/zero is a character device" in out


def test_an_undetectable_delimiter_is_reported_as_such(settings: Settings, tmp_path: Path,
                                                       ) -> None:
    path = tmp_path / "liste.csv"
    path.write_text("Firma:Ort:Telefon\nA:Ulm:0731\nB:Bonn:0228\n", encoding="utf-8")
    code, out = _ingest(settings, str(path))
    assert code == 2
    assert "could not detect the delimiter" in out
    assert "no column maps to a company" not in out


def test_a_binary_file_is_named_by_what_it_is(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "liste.csv"
    path.write_bytes(b"\xff\xd8\xff\xe0\x10JFIF" + bytes(range(32, 127)) * 3)
    code, out = _ingest(settings, str(path))
    assert code == 2
    assert "not a text list but a JPEG image" in out


def test_markup_in_a_file_name_is_printed_not_interpreted(settings: Settings, tmp_path: Path,
                                                          ) -> None:
    path = tmp_path / "[bold]liste[::1][red].csv"
    path.write_text("Firma;Ort\nA;Ulm\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", "list", str(path), "--db", str(settings.db_path)])
    assert result.exit_code == 2
    assert "[bold]liste[::1][red].csv" in result.output
