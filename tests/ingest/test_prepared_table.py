"""A prepared list read whole as Arrow columns gives the rows and records Python's CSV
reader gives, and refuses (None) what Arrow cannot read the same way."""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.prepared_table import MappedTable, read_prepared_table

CELL = st.text(alphabet=st.sampled_from(['a', 'Z', ' ', ',', '"', '\n', '\r', ';', "'", 'ä',
                                         'ß', '＝', '+', '=', '\t', '\u200b', '0', '1']),
               max_size=8)


def _prepared(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """A CSV as `ingest.prepare` writes it: every field quoted, `\\n` line ends."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _python_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))[1:]


@settings(max_examples=60, deadline=None)
@given(width=st.integers(1, 4), data=st.data())
def test_the_columns_are_the_rows_pythons_reader_reads(tmp_path_factory, width: int,
                                                       data: st.DataObject) -> None:
    rows = data.draw(st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=12))
    path = _prepared(tmp_path_factory.mktemp("t") / "p.csv", [f"h{k}" for k in range(width)],
                     rows)
    table = read_prepared_table(path, width)
    assert table is not None
    assert [list(row) for row in zip(*(c.to_pylist() for c in table.columns), strict=True)
            ] == _python_rows(path)


def test_a_row_wider_or_narrower_than_the_header_is_left_to_pythons_reader(
        tmp_path: Path) -> None:
    for ragged in (["1", "2"], ["1", "2", "3", "4"]):
        path = _prepared(tmp_path / "p.csv", ["a", "b", "c"], [["x", "y", "z"], ragged])
        assert read_prepared_table(path, 3) is None


def test_records_take_the_first_non_empty_column_of_a_field_trimmed(tmp_path: Path) -> None:
    header = ["Firma", "Name", "Mail", "E-Mail", "Notiz"]
    rows = [["  Muster GmbH ", "Erika", "", "e@muster.de", "x"],
            ["", " ", "a@b.de", "c@d.de", ""],
            ["", "", "", "", ""]]
    table = read_prepared_table(_prepared(tmp_path / "p.csv", header, rows), len(header))
    assert table is not None
    mapped = MappedTable.of(table, header, {"Firma": "company", "Name": "last_name",
                                            "Mail": "email", "E-Mail": "email"})
    assert mapped.records([2, 0, 1]) == [
        {}, {"company": "Muster GmbH", "last_name": "Erika", "email": "e@muster.de"},
        {"email": "a@b.de"}]
    assert mapped.records([]) == []
    one_each = MappedTable.of(table, header, {"Firma": "company", "Name": "last_name"})
    assert one_each.records([0, 1]) == [{"company": "Muster GmbH", "last_name": "Erika"}, {}]


def test_codes_name_equal_values_alike_and_missing_ones_minus_one(tmp_path: Path) -> None:
    header = ["Firma", "E-Mail"]
    rows = [["Muster GmbH", "a@muster.de"], [" Muster GmbH", "b@muster.de"],
            ["", "p@privat.de"], ["", ""], ["Beispiel AG", ""], ["", "p@privat.de"]]
    table = read_prepared_table(_prepared(tmp_path / "p.csv", header, rows), 2)
    assert table is not None
    codes = MappedTable.of(table, header, {"Firma": "company", "E-Mail": "email"}).codes(
        ["company", "email"]).tolist()
    assert codes[0] == codes[1] != codes[2] == codes[5]
    assert codes[3] == -1
    assert len({codes[0], codes[2], codes[4]}) == 3
    assert MappedTable.of(table, header, {}).codes(["company"]).tolist() == [-1] * 6


def test_a_cell_longer_than_a_block_is_read_whole_or_left_to_pythons_reader(
        tmp_path: Path) -> None:
    for size in (1 << 20, 2 << 20, 3 << 20):
        long = "y" * size
        path = _prepared(tmp_path / "p.csv", ["a", "b"], [["x", long], ["1", "2"]])
        table = read_prepared_table(path, 2)
        assert table is None or table.column(1).to_pylist() == [long, "2"]
