"""Delimiter detection and the byte scan behind encoding detection."""

from __future__ import annotations

import pytest

from ingest.sniff import detect_delimiter, locate, scan_bytes


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("Firma;Ort;Umsatz\nA, B GmbH;Köln;1,5 Mio\nC;Ulm;2,0 Mio\n", ";"),
        ("Firma,Ort\n\"A; B GmbH\",Köln\nC,Ulm\n", ","),
        ("Firma\tOrt\tNotiz\nA\tKöln\tx, y; z\n", "\t"),
        ("Firma|Ort\nA|B\n", "|"),
        ("Firma\nAlpha GmbH\nBeta, Gamma AG\n", ","),  # one column: nothing to split
        ("Firma;Ort;Notiz\nA;B;C\nD;E\nF;G;H\n", ";"),  # a ragged row does not mislead
        # values with a comma but no name: ',' would take the header for a title line
        ("Firma;Ort;Notiz\r\n',;;\r\n',;;\r\n", ";"),
    ],
)
def test_detect_delimiter(sample, expected):
    assert detect_delimiter(sample, truncated=False) == expected


def test_truncated_sample_ignores_the_cut_off_last_row():
    sample = "Firma;Ort\nA;B\nC;" + "x" * 100  # the real row continues past the sample
    assert detect_delimiter(sample, truncated=True) == ";"


def test_scan_finds_interior_but_not_trailing_blank_lines(tmp_path):
    trailing = tmp_path / "t.csv"
    trailing.write_bytes(b"a,b\r\n1,2\r\n\r\n\r\n")
    interior = tmp_path / "i.csv"
    interior.write_bytes(b"a,b\n\n1,2\n")
    assert scan_bytes(trailing).blank_line
    assert not scan_bytes(trailing).interior_blank_line
    assert scan_bytes(interior).interior_blank_line


def test_scan_reports_lone_carriage_returns_only(tmp_path):
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(b"a;b\r\n1;2\r\n")
    mac = tmp_path / "mac.csv"
    mac.write_bytes(b"a;b\r1;2\r")
    assert not scan_bytes(crlf).lone_cr
    assert scan_bytes(mac).lone_cr


def test_scan_tracks_utf8_validity_and_first_non_ascii_byte(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("Firma;Ort\nA;Köln\n".encode() + b"B;K\xf6ln\n")
    scan = scan_bytes(path)
    assert scan.utf8_non_ascii == len("Firma;Ort\nA;K")
    assert scan.utf8_error == len("Firma;Ort\nA;Köln\nB;K".encode())


def test_locate_counts_quoted_newlines_as_one_row(tmp_path):
    path = tmp_path / "x.csv"
    data = b'Firma;Adresse;Ort\n"A";"Weg 1\nHof";K\xf6ln\n'
    path.write_bytes(data)
    assert locate(path, data.index(b"\xf6"), ";") == (2, "Ort")


def test_locate_at_the_end_of_a_file_without_final_newline(tmp_path):
    path = tmp_path / "x.csv"
    data = b"Firma;Ort\nA;K\xc3"  # a UTF-8 sequence cut off by the end of the file
    path.write_bytes(data)
    assert locate(path, len(data), ";") == (2, "Ort")
    assert locate(path, 0, ";") == (1, "column 1")
