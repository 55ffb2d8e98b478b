"""The doors a user takes with many values or pages: `leadpipe inspect KIND --file -` in a pipe
and `leadpipe extract FOLDER`, each one process answering JSON lines."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

LEADPIPE = [sys.executable, "-m", "leadpipe.cli"]


def test_inspect_reads_a_pipe_and_answers_one_json_line_per_value() -> None:
    values = "Tel.: 030 / 123 45-6\nHandy: 0171 1234567\nkeine Nummer\n"
    result = subprocess.run([*LEADPIPE, "inspect", "phone", "--file", "-"], input=values,
                            capture_output=True, text=True, cwd=REPO, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["e164"] for line in lines] == ["+4930123456", "+491711234567", None]
    assert [line["input"] for line in lines] == values.splitlines()


def test_extract_reads_a_folder_in_one_process() -> None:
    folder = REPO / "tests" / "fixtures" / "impressum" / "classes"
    result = subprocess.run([*LEADPIPE, "extract", str(folder)], capture_output=True, text=True,
                            cwd=REPO, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(list(folder.glob("*.html")))
    assert all(line["source"].endswith(".html") for line in lines)
