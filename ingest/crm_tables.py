"""Small spreadsheets exported by CRMs and newsletter tools: CSV (any delimiter, UTF-8 or the
cp1252 German Excel writes) or XLSX, first sheet, header in row 1.

These files have hundreds or thousands of rows, not the millions of a purchased list, so they
are read whole; rows keep their spreadsheet number (header = row 1) for the quarantine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from enrichment.text import fold
from ingest.errors import InputFileError, not_a_regular_file

DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    """(spreadsheet row number, cells) for every non-blank row after the header."""

    def column(self, aliases: Sequence[str]) -> int | None:
        """Index of the first header that folds like one of `aliases`, in alias order."""
        folded = [fold(h) for h in self.headers]
        for alias in aliases:
            key = fold(alias)
            if key in folded:
                return folded.index(key)
        return None


def _decode(path: Path, data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputFileError(path, None, None, "cannot be decoded as UTF-8 or Windows-1252; "
                                           "export it again as CSV (UTF-8) or XLSX")


def _read_csv(path: Path, data: bytes) -> list[list[str]]:
    if b"\x00" in data[:4096]:
        raise InputFileError(path, None, None, "is not a text file (CSV) or an XLSX workbook; "
                                               "export the list as CSV or XLSX")
    text = _decode(path, data)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(DELIMITERS, key=first.count) if first else ","
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _read_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise InputFileError(path, None, None, f"is not a readable XLSX workbook ({exc})") from exc
    try:
        sheet = book.worksheets[0]
        return [["" if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v))
                 for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def read_table(path: Path) -> Table:
    """The file's header and rows; InputFileError when it cannot be read or has no header."""
    problem = not_a_regular_file(path)
    if problem:
        raise InputFileError(path, None, None, problem)
    data = path.read_bytes()
    cells = _read_xlsx(path) if data[:4] == b"PK\x03\x04" else _read_csv(path, data)
    if not cells or not any(c.strip() for c in cells[0]):
        raise InputFileError(path, 1, None, "has no header row; the first row must name the "
                                            "columns")
    headers = tuple(c.strip() for c in cells[0])
    rows = tuple((number, tuple(c.strip() for c in row))
                 for number, row in enumerate(cells[1:], start=2) if any(c.strip() for c in row))
    return Table(headers, rows)
