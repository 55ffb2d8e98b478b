"""Sales export files: formula injection neutralised, German Excel dialect, atomic writes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scoring.export_files import ExportPathExists, neutralize, write_rows

ROWS = [
    {"company": '=HYPERLINK("http://evil.example","klick")', "phone": "+49 89 1234560",
     "note": "-2+3", "who": "@SUM(A1)", "tab": "\tx", "plain": "Müller GmbH", "score": 87},
    {"company": "Weiß & Söhne KG", "phone": None, "note": "ok", "who": "a@b.de", "tab": "",
     "plain": "Straße", "score": 12},
]
COLUMNS = ["company", "phone", "note", "who", "tab", "plain", "score"]


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+49", "'+49"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("ok=", "ok="), (5, 5), (None, None),
])
def test_neutralize(value: object, expected: object) -> None:
    assert neutralize(value) == expected


def test_german_excel_csv(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    assert write_rows(path, COLUMNS, ROWS, fmt="csv", excel_de=True) == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == COLUMNS
    assert rows[1][0].startswith("'=HYPERLINK")
    assert rows[1][1:5] == ["'+49 89 1234560", "'-2+3", "'@SUM(A1)", "'\tx"]
    assert rows[2][5] == "Straße"


def test_xlsx_cells_are_text_not_formulas(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    write_rows(path, COLUMNS, ROWS, fmt="xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    first = sheet.cell(row=2, column=1)
    assert first.data_type == "s"
    assert first.value.startswith("'=HYPERLINK")
    assert sheet.cell(row=2, column=7).value == 87


def test_existing_file_is_refused_without_force_and_nothing_is_left_behind(
    tmp_path: Path
) -> None:
    path = tmp_path / "leads.json"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(ExportPathExists, match="--force"):
        write_rows(path, COLUMNS, ROWS, fmt="json")
    assert path.read_text(encoding="utf-8") == "old"
    write_rows(path, COLUMNS, ROWS, fmt="json", force=True)
    assert json.loads(path.read_text(encoding="utf-8"))[1]["plain"] == "Straße"
    assert [p.name for p in tmp_path.iterdir()] == ["leads.json"]


def test_empty_result_still_has_headers(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    assert write_rows(path, COLUMNS, [], fmt="csv") == 0
    assert path.read_text(encoding="utf-8").strip() == ",".join(COLUMNS)
