"""Sales export files: formula injection neutralised, German Excel dialect, atomic writes."""

from __future__ import annotations

import csv
import io
import itertools
import json
import tempfile
from functools import partial
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from scoring.export_files import (
    ExportPathExists,
    _csv_cell,
    neutralize,
    write_csv_columns,
    write_csv_in_parts,
    write_rows,
    write_table,
)

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


def test_xlsx_cells_are_text_not_formulas_and_need_no_apostrophe(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    write_rows(path, COLUMNS, ROWS, fmt="xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    first = sheet.cell(row=2, column=1)
    assert first.data_type == "s"  # a string cell: Excel shows it, never evaluates it
    assert first.value == '=HYPERLINK("http://evil.example","klick")'
    phone = sheet.cell(row=2, column=2)
    assert (phone.value, phone.data_type) == ("+49 89 1234560", "s")  # click-to-dial works
    assert sheet.cell(row=2, column=7).value == 87


def test_xlsx_opens_ready_to_work(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    write_rows(path, COLUMNS, ROWS, fmt="xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:G3"
    widths = {c: sheet.column_dimensions[c].width for c in "ABG"}
    assert widths["A"] > widths["B"] > widths["G"]  # the formula text, a phone, a score
    assert widths["G"] >= 8


def test_german_excel_csv_writes_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    write_rows(path, ["lead", "score"], [{"lead": "L1", "score": 87.5}, {"lead": "L2",
                                                                         "score": 12},
                                         {"lead": "L3", "score": 1234567.25}],
               fmt="csv", excel_de=True)
    rows = list(csv.reader(path.read_bytes().decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[1:] == [["L1", "87,5"], ["L2", "12"], ["L3", "1234567,25"]]
    plain = tmp_path / "plain.csv"
    write_rows(plain, ["score"], [{"score": 87.5}], fmt="csv")
    assert plain.read_text(encoding="utf-8").splitlines()[1] == "87.5"


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


_CELLS = st.one_of(
    st.none(), st.integers(-5, 5), st.floats(allow_nan=False, width=32), st.booleans(),
    st.text(alphabet=st.sampled_from(list("aZ0 =+-@\t\r\x00'\"；＝＋Ö,;")), max_size=4),
    st.lists(st.text(alphabet="ab=", max_size=2), max_size=2))


@hyp_settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(_CELLS, min_size=3, max_size=3), max_size=6))
def test_plain_csv_rows_are_written_as_each_cell_would_be(rows: list[list[object]]) -> None:
    """The whole-row check that lets plain rows skip the per-cell look writes exactly what
    neutralising every cell writes: formula triggers after an empty cell, a NUL, full-width
    `＝`, lists and negative numbers included."""
    out = io.StringIO()
    reference = csv.writer(out, lineterminator="\n")
    reference.writerow(["a", "b", "c"])
    for row in rows:
        reference.writerow([_csv_cell(v, False) for v in row])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "out.csv")
        write_table(path, ["a", "b", "c"], rows, fmt="csv")
        assert path.read_bytes().decode("utf-8") == out.getvalue()


@hyp_settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(_CELLS, min_size=3, max_size=3), max_size=12),
       cuts=st.lists(st.integers(0, 12), max_size=3))
def test_a_csv_written_in_parts_is_the_csv_written_at_once(rows: list[list[object]],
                                                          cuts: list[int]) -> None:
    """Each part after the first is written by a process of its own; put together, the file
    is byte for byte the one `write_table` writes of all rows (header, quoting, neutralised
    cells, an empty part)."""
    bounds = [0, *sorted(min(c, len(rows)) for c in cuts), len(rows)]
    parts = [partial(iter, rows[a:b]) for a, b in itertools.pairwise(bounds)]
    with tempfile.TemporaryDirectory() as tmp:
        whole, pieced = Path(tmp, "whole.csv"), Path(tmp, "pieced.csv")
        write_table(whole, ["a", "b", "c"], rows, fmt="csv")
        assert write_csv_in_parts(pieced, ["a", "b", "c"], parts) == len(rows)
        assert pieced.read_bytes() == whole.read_bytes()
        assert sorted(p.name for p in Path(tmp).iterdir()) == ["pieced.csv", "whole.csv"]


def test_a_part_that_fails_leaves_no_file(tmp_path: Path) -> None:
    def broken() -> list[list[object]]:
        raise OSError("disk full")

    with pytest.raises(RuntimeError, match="exit code"):
        write_csv_in_parts(tmp_path / "out.csv", ["a"], [lambda: [["x"]], broken])
    assert list(tmp_path.iterdir()) == []


_CELL = st.one_of(st.none(), st.text(alphabet=st.sampled_from(
    ['a', 'Z', ' ', ',', '"', '\n', '\r', '=', '+', '-', '@', '\t', '\x00', 'ä', '＝', '＋',
     '﹢', "'", '\u200b', '0', '1']), max_size=6))


@hyp_settings(max_examples=80, deadline=None)
@given(width=st.integers(1, 4), data=st.data())
def test_columns_are_written_as_write_table_writes_their_rows(tmp_path_factory, width: int,
                                                              data: st.DataObject) -> None:
    """`write_csv_columns` renders in Arrow what `write_table` writes cell by cell: the same
    bytes, neutralised formulas (`＝`, `﹢` too), quotes, line breaks and empty cells."""
    rows = data.draw(st.lists(st.lists(_CELL, min_size=width, max_size=width), max_size=15))
    columns = [f"c{k}" for k in range(width)]
    root = tmp_path_factory.mktemp("columns")
    write_table(root / "rows.csv", columns, rows, fmt="csv")
    table = pa.table({c: pa.array([row[k] for row in rows], pa.string())
                      for k, c in enumerate(columns)})
    assert write_csv_columns(root / "columns.csv", columns, table) == len(rows)
    assert (root / "columns.csv").read_bytes() == (root / "rows.csv").read_bytes()
