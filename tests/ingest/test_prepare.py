"""prepare_list: formats, encodings, delimiters, the pass-through fast path and bad input."""

from __future__ import annotations

import csv
import hashlib
import random
import shutil
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from ingest.errors import InputFileError
from ingest.prepare import PreparedList, prepare_list

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
csv.field_size_limit(sys.maxsize)

GERMAN_ROWS = [
    ["Firma", "Straße", "Hausnr.", "PLZ", "Ort", "Umsatz", "Ansprechpartner"],
    ["Müller & Söhne GmbH", "Hauptstraße", "5", "01067", "Dresden", "5 Mio €",
     "Jürgen Weiß"],
    ["„Größe“ AG – Niederlassung", "Am Bärenzwinger", "12a", "80331", "München", "", "Ä. Öz"],
]


def _read_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _write_delimited(path: Path, rows: list[list[str]], delimiter: str, encoding: str) -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return path


def _error(path: Path, work: Path, mapping: Path | None = None) -> InputFileError:
    with pytest.raises(InputFileError) as info:
        prepare_list(path, work, mapping)
    assert str(info.value).startswith(path.name)
    return info.value


def _duckdb_rows(prepared: PreparedList) -> list[tuple]:
    """Read csv_path the way the warehouse does, numbering rows like it (rowid + 2)."""
    n = len(prepared.headers)
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n))
    con = duckdb.connect()
    try:
        return con.execute(
            f"SELECT * FROM read_csv('{prepared.csv_path}', delim=',', quote='\"', "
            f"escape='\"', header=true, auto_detect=false, strict_mode=true, "
            f"null_padding=false, max_line_size={64 * 1024 * 1024}, columns={{{cols}}})"
        ).fetchall()
    finally:
        con.close()


# --- encodings and delimiters ----------------------------------------------------------------


def test_cp1252_semicolon_list_is_transcoded_without_mangling(tmp_path):
    src = _write_delimited(tmp_path / "liste.csv", GERMAN_ROWS, ";", "cp1252")
    prepared = prepare_list(src, tmp_path / "work")
    assert prepared.encoding == "cp1252"
    assert prepared.delimiter == ";"
    assert prepared.rewritten
    assert prepared.csv_path.parent == tmp_path / "work"
    assert _read_rows(prepared.csv_path) == GERMAN_ROWS
    assert prepared.headers == tuple(GERMAN_ROWS[0])
    assert prepared.mapping["Ansprechpartner"] == "full_name"
    assert prepared.data_row_count == 2
    assert prepared.file_format == "csv"
    prepared.cleanup()
    assert not prepared.csv_path.exists()
    assert src.exists()


def test_latin1_is_chosen_when_bytes_are_undefined_in_cp1252(tmp_path):
    src = tmp_path / "latin.csv"
    src.write_bytes("Firma;Ort\nKöln\x81 AG;Köln\n".encode("latin-1"))
    prepared = prepare_list(src, tmp_path)
    assert prepared.encoding == "latin-1"
    assert _read_rows(prepared.csv_path)[1] == ["Köln\x81 AG", "Köln"]


def test_utf8_bom_is_removed_from_the_first_header(tmp_path):
    src = _write_delimited(tmp_path / "bom.csv", GERMAN_ROWS, ",", "utf-8-sig")
    prepared = prepare_list(src, tmp_path / "work")
    assert prepared.encoding == "utf-8-sig"
    assert prepared.headers[0] == "Firma"
    assert prepared.mapping["Firma"] == "company"
    assert prepared.rewritten
    assert not prepared.csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert _read_rows(prepared.csv_path) == GERMAN_ROWS


def test_utf16_excel_unicode_text_is_read(tmp_path):
    src = _write_delimited(tmp_path / "unicode.txt", GERMAN_ROWS, "\t", "utf-16")
    prepared = prepare_list(src, tmp_path / "work")
    assert (prepared.encoding, prepared.delimiter) == ("utf-16", "\t")
    assert _read_rows(prepared.csv_path) == GERMAN_ROWS


@pytest.mark.parametrize(("delimiter", "name"), [("\t", "liste.tsv"), ("|", "liste.txt"),
                                                 (";", "liste.csv")])
def test_delimiters_are_detected(tmp_path, delimiter, name):
    rows = [*GERMAN_ROWS, ["Komma, Punkt GmbH", "Weg, Ecke", "1", "10115", "Berlin", "1,5 Mio",
                           "Hans, Peter"]]
    src = _write_delimited(tmp_path / name, rows, delimiter, "utf-8")
    prepared = prepare_list(src, tmp_path / "work")
    assert prepared.delimiter == delimiter
    assert _read_rows(prepared.csv_path) == rows


QUOTED_ROWS = [
    ["Firma", "Straße", "Notiz"],
    ["Meier; Söhne", "Ring 1\nHof 2", 'Sagt "Grüß Gott"'],
    ["", "", ""],
    ["Weiß GmbH", "Allee 3", "Umsatz 5 Mio €"],
]


def test_quoted_cp1252_list_is_parsed_row_by_row(tmp_path):
    src = _write_delimited(tmp_path / "quoted.csv", QUOTED_ROWS, ";", "cp1252")
    prepared = prepare_list(src, tmp_path / "work")
    assert (prepared.encoding, prepared.delimiter) == ("cp1252", ";")
    assert _read_rows(prepared.csv_path) == QUOTED_ROWS
    rows = _duckdb_rows(prepared)
    assert rows[0] == ("Meier; Söhne", "Ring 1\nHof 2", 'Sagt "Grüß Gott"')
    assert rows[1] == (None, None, None)  # the blank row 3 keeps its number
    assert prepared.data_row_count == 3


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_line_endings(tmp_path, newline):
    src = tmp_path / "ends.csv"
    src.write_bytes(newline.join(["Firma;Ort", "A, B & C;Köln", "D;Ulm", ""]).encode("cp1252"))
    prepared = prepare_list(src, tmp_path / "work")
    assert _read_rows(prepared.csv_path) == [["Firma", "Ort"], ["A, B & C", "Köln"],
                                             ["D", "Ulm"]]
    assert prepared.data_row_count == 2


def test_quote_free_fast_path_agrees_with_the_row_by_row_path(tmp_path):
    rows = [["Firma", "Ort", "Notiz"], ["A, B", "Köln", "x"], ["C", "Ulm", ""],
            ["D", "Kiel"]]  # a short (ragged) row stays ragged in both paths
    fast = _write_delimited(tmp_path / "fast.csv", rows, ";", "cp1252")
    slow_rows = [*rows, ["E", "Bonn", 'mit "Zitat"']]
    slow = _write_delimited(tmp_path / "slow.csv", slow_rows, ";", "cp1252")
    assert _read_rows(prepare_list(fast, tmp_path / "w").csv_path) == rows
    assert _read_rows(prepare_list(slow, tmp_path / "w").csv_path) == slow_rows


def test_quoted_utf8_comma_file_is_read_row_by_row_and_counted(tmp_path):
    src = Path(shutil.copy(FIXTURES / "vendor_b.csv", tmp_path / "vendor_b.csv"))
    prepared = prepare_list(src, tmp_path / "work")
    assert prepared.rewritten  # quotes: only a parse can count its rows and find broken ones
    assert (prepared.encoding, prepared.delimiter) == ("utf-8", ",")
    assert prepared.data_row_count == 3
    assert prepared.unmapped == ("Customer no.",)
    assert prepared.mapping["Address"] == "street_full"
    rows = _duckdb_rows(prepared)
    prepared.cleanup()
    assert src.exists()
    assert len(rows) == 3
    assert rows[1][5] == "Marktplatz 3\nHinterhaus"  # one row, though two lines


def test_unquoted_clean_file_reports_its_row_count(tmp_path):
    src = tmp_path / "plain.csv"
    src.write_text("Firma,Ort\nA,B\nC,D\nE,F\n", encoding="utf-8")
    prepared = prepare_list(src, tmp_path)
    assert not prepared.rewritten
    assert prepared.data_row_count == 3
    assert prepared.file_sha256 == hashlib.sha256(src.read_bytes()).hexdigest()


def test_interior_blank_lines_keep_row_numbers(tmp_path):
    src = tmp_path / "gaps.csv"
    src.write_text("Firma,Ort\nA,Ulm\n\nC,Kiel\n\n\n", encoding="utf-8")
    prepared = prepare_list(src, tmp_path / "work")
    assert prepared.rewritten  # DuckDB would skip the blank line and shift row numbers
    rows = _duckdb_rows(prepared)
    numbered = {i + prepared.first_data_row: r for i, r in enumerate(rows)}
    assert numbered[2] == ("A", "Ulm")
    assert numbered[3] == (None, None)
    assert numbered[4] == ("C", "Kiel")
    assert len(rows) == 3  # trailing blank lines are dropped
    assert prepared.data_row_count == 3


def test_formulas_in_csv_fields_stay_text(tmp_path):
    src = shutil.copy(FIXTURES / "vendor_b.csv", tmp_path / "f.csv")
    prepared = prepare_list(Path(src), tmp_path)
    rows = _duckdb_rows(prepared)
    assert rows[2][0] == '=HYPERLINK("https://evil.example","Klick")'


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_ten_megabyte_field_passes_through(tmp_path, delimiter):
    big = "x" * (10 * 1024 * 1024)
    src = _write_delimited(tmp_path / "big.csv", [["Firma", "Notiz"], ["A", big], ["B", "kurz"]],
                           delimiter, "utf-8")
    prepared = prepare_list(src, tmp_path / "work")
    rows = _read_rows(prepared.csv_path)
    assert len(rows[1][1]) == len(big)
    assert rows[2] == ["B", "kurz"]


# --- mapping files ---------------------------------------------------------------------------


def _vendor_a_file(tmp_path: Path) -> Path:
    rows = [["Name 1", "AP", "Tel.-Durchwahl", "PLZ", "Ort", "Interne Nr", "Kampagne"],
            ["Spedition Kühne", "Frau Dr. Ölberg", "0421 77-12", "28195", "Bremen", "17", "Q4"]]
    return _write_delimited(tmp_path / "vendor_a.csv", rows, ";", "cp1252")


def test_vendor_mapping_file_overrides_and_supplies_list_metadata(tmp_path):
    mapping = FIXTURES / "vendor_a.mapping.yaml"
    prepared = prepare_list(_vendor_a_file(tmp_path), tmp_path / "work", mapping)
    assert prepared.mapping == {"Name 1": "company", "AP": "full_name",
                                "Tel.-Durchwahl": "phone", "PLZ": "postcode", "Ort": "city"}
    assert prepared.ignored == ("Interne Nr", "Kampagne")
    assert prepared.unmapped == ()
    assert prepared.list_defaults["vendor"] == "Adressbroker Nord GmbH"
    assert prepared.list_defaults["permitted_use"] == "postal and phone B2B campaigns"
    assert prepared.mapping_file == mapping
    assert _read_rows(prepared.csv_path)[1][1] == "Frau Dr. Ölberg"


# --- XLSX ------------------------------------------------------------------------------------


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Adressen"
    ws.append(["Unternehmen", "Vorname", "Nachname", "PLZ", "Telefon", "Gegründet", "Web",
               "Aktiv"])
    ws.append(["Grün & Co. KG", "Björn", "Maß", 1067, 4930123456, datetime(1999, 5, 1),
               '=HYPERLINK("https://gruen.example","Website")', True])
    ws.append([])
    ws.append(["Zweite GmbH", None, None, 80331, 3.5, None, None, False])
    ws["D2"].number_format = "00000"
    ws["D4"].number_format = "00000"
    for _ in range(3):
        ws.append([None] * 8)
    other = wb.create_sheet("Notizen")
    other.append(["Firma"])
    other.append(["Nur im zweiten Blatt"])
    path = tmp_path / "liste.xlsx"
    wb.save(path)
    return path


def test_xlsx_values_are_read_as_excel_shows_them(tmp_path, workbook):
    prepared = prepare_list(workbook, tmp_path / "work")
    assert prepared.file_format == "xlsx"
    assert prepared.sheet == "Adressen"
    assert (prepared.encoding, prepared.delimiter) == (None, None)
    rows = _read_rows(prepared.csv_path)
    assert rows[0] == ["Unternehmen", "Vorname", "Nachname", "PLZ", "Telefon", "Gegründet",
                       "Web", "Aktiv"]
    assert rows[1] == ["Grün & Co. KG", "Björn", "Maß", "01067", "4930123456", "1999-05-01",
                       '=HYPERLINK("https://gruen.example","Website")', "TRUE"]
    assert rows[2] == [""] * 8  # the blank spreadsheet row 3 keeps its place
    assert rows[3] == ["Zweite GmbH", "", "", "80331", "3.5", "", "", "FALSE"]
    assert len(rows) == 4  # trailing empty rows dropped
    assert prepared.data_row_count == 3
    assert prepared.mapping["Web"] == "website"


def test_xlsx_sheet_can_be_chosen_in_the_mapping_file(tmp_path, workbook):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("vendor: X\nsheet: Notizen\n", encoding="utf-8")
    prepared = prepare_list(workbook, tmp_path / "work", mapping)
    assert _read_rows(prepared.csv_path) == [["Firma"], ["Nur im zweiten Blatt"]]


def test_xlsx_missing_sheet_is_named(tmp_path, workbook):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("vendor: X\nsheet: Kunden\n", encoding="utf-8")
    err = _error(workbook, tmp_path, mapping)
    assert "Kunden" in err.message
    assert "Adressen" in err.message


def test_xlsx_header_only(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["Firma", "Ort"])
    path = tmp_path / "leer.xlsx"
    wb.save(path)
    err = _error(path, tmp_path)
    assert (err.row, err.field) == (2, None)


def test_xlsx_that_is_not_a_zip(tmp_path):
    path = tmp_path / "kaputt.xlsx"
    path.write_text("Firma;Ort\nA;B\n", encoding="utf-8")
    err = _error(path, tmp_path)
    assert "ZIP" in err.message


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"  \r\n\r\n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "leer.csv"
    path.write_bytes(content)
    err = _error(path, tmp_path)
    assert "empty" in err.message
    assert err.file == "leer.csv"


def test_header_only(tmp_path):
    path = tmp_path / "kopf.csv"
    path.write_bytes("Firma;Straße\r\n".encode("cp1252"))
    err = _error(path, tmp_path)
    assert (err.row, err.field) == (2, None)
    assert str(err).startswith("kopf.csv, row 2: no data rows")


def test_header_followed_only_by_blank_rows_counts_as_header_only(tmp_path):
    path = tmp_path / "kopf.csv"
    path.write_text("Firma,Ort\n,\n\n", encoding="utf-8")
    assert _error(path, tmp_path).row == 2


def test_declared_utf8_on_a_cp1252_file_names_row_and_field(tmp_path):
    path = _write_delimited(tmp_path / "falsch.csv", GERMAN_ROWS, ";", "cp1252")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("vendor: X\nencoding: utf-8\n", encoding="utf-8")
    err = _error(path, tmp_path, mapping)
    assert (err.row, err.field) == (1, "column 2")  # the 'ß' of the header 'Straße'
    assert "0xdf" in err.message


def test_declared_cp1252_on_a_utf8_file_is_refused_rather_than_mangled(tmp_path):
    rows = [["Firma", "Ort"], ["Alpha AG", "Berlin"], ["Beta AG", "Köln"]]
    path = _write_delimited(tmp_path / "utf8.csv", rows, ";", "utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("vendor: X\nencoding: cp1252\n", encoding="utf-8")
    err = _error(path, tmp_path, mapping)
    assert (err.row, err.field) == (3, "Ort")
    assert "UTF-8" in err.message
    assert str(err).startswith("utf8.csv, row 3, field 'Ort': ")


def test_declared_encoding_that_cannot_decode_a_byte(tmp_path):
    path = tmp_path / "ascii.csv"
    path.write_bytes(b"Firma;Ort\nAlpha;Berlin\nBeta;K\xf6ln\n")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("vendor: X\nencoding: ascii\n", encoding="utf-8")
    err = _error(path, tmp_path, mapping)
    assert (err.row, err.field) == (3, "Ort")
    assert "0xf6" in err.message


def test_mixed_encodings_are_refused_with_the_row(tmp_path):
    path = tmp_path / "gemischt.csv"
    path.write_bytes("Firma;Ort\nMüller;Köln\n".encode() + "Bär AG;Ulm\n".encode("cp1252"))
    err = _error(path, tmp_path)
    assert (err.row, err.field) == (3, "Firma")
    assert "mixed encodings" in err.message


def test_utf8_umlauts_inside_a_cp1252_file_are_refused(tmp_path):
    path = tmp_path / "gemischt2.csv"
    path.write_bytes("Firma;Ort\nBär AG;Ulm\n".encode("cp1252") + "Müller;Köln\n".encode())
    err = _error(path, tmp_path)
    assert (err.row, err.field) == (3, "Firma")


def test_binary_garbage_with_nul_bytes(tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(b"Firma;Ort\nAlpha;Be\x00rlin\n")
    err = _error(path, tmp_path)
    assert (err.row, err.field) == (2, "Ort")
    assert "NUL" in err.message


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (random.Random(7).randbytes(4096) + b"\x00", "NUL byte"),
        (bytes(range(1, 32)) * 50, "control bytes"),
    ],
)
def test_random_binary_file(tmp_path, content, detail):
    path = tmp_path / "random.csv"
    path.write_bytes(content)
    err = _error(path, tmp_path)
    assert err.message.startswith("binary data")
    assert detail in err.message


@pytest.mark.parametrize(("magic", "hint"), [(b"PK\x03\x04", "xlsx"),
                                             (b"\xd0\xcf\x11\xe0", ".xls")])
def test_known_binary_formats_with_a_csv_name_get_a_hint(tmp_path, magic, hint):
    path = tmp_path / "liste.csv"
    path.write_bytes(magic + b"\x00" * 100)
    assert hint in _error(path, tmp_path).message


def test_old_excel_extension_is_refused(tmp_path):
    path = tmp_path / "alt.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    assert ".xls" in _error(path, tmp_path).message


def test_missing_required_columns_before_anything_is_written(tmp_path):
    path = _write_delimited(tmp_path / "ohne.csv", [["PLZ", "Ort"], ["10115", "Berlin"]], ";",
                            "cp1252")
    work = tmp_path / "work"
    err = _error(path, work)
    assert (err.row, err.field) == (1, "company/last_name/full_name")
    assert not work.exists()


def test_duplicate_headers_name_both_columns(tmp_path):
    path = tmp_path / "doppelt.csv"
    path.write_text("Firma,E-Mail,Ort,E-Mail\nA,a@x.de,Ulm,b@x.de\n", encoding="utf-8")
    err = _error(path, tmp_path)
    assert (err.row, err.field) == (1, "E-Mail")
    assert "columns 2 and 4" in err.message


def test_missing_file(tmp_path):
    assert "not found" in _error(tmp_path / "nix.csv", tmp_path).message


@pytest.mark.parametrize(
    ("record", "free_text", "expected"),
    [
        (["A", "B"], False, ["A", "B", ""]),  # a trailing empty cell dropped by the export
        (["A", "B", "C", ""], False, ["A", "B", "C"]),  # a trailing delimiter
        (["A", "B", "C", "D"], False, None),  # shifted: must not load
        (["A", "B", "C", " D"], True, ["A", "B", "C; D"]),  # free text split at ';'
    ],
)
def test_rows_are_fitted_to_the_header_as_a_spreadsheet_reads_them(record, free_text, expected):
    from ingest.records import fit_width

    assert fit_width(record, 3, ";", last_is_free_text=free_text) == expected
