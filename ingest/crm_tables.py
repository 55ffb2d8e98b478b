"""Small spreadsheets exported by CRMs and newsletter tools: CSV (any delimiter, UTF-8 or the
cp1252 German Excel writes) or XLSX, first sheet, header in row 1.

These files have hundreds or thousands of rows, not the millions of a purchased list, so they
are read whole; rows keep their spreadsheet number (header = row 1) for the quarantine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
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

    def columns(self, aliases: Mapping[str, Sequence[str]]) -> dict[str, int]:
        """field → index of its column, for the fields (with their aliases) the file has."""
        return {name: i for name, names in aliases.items() if (i := self.column(names)) is not None}

    def best_format(self, detect: Mapping[str, Sequence[str]], order: Sequence[str]) -> str:
        """The format whose characteristic headers the file has most of; the first of `order`
        on a tie, `generic` when it has none of any."""
        headers = {fold(h) for h in self.headers}
        scores = {name: sum(fold(h) in headers for h in wanted) for name, wanted in detect.items()}
        best = max(scores.values(), default=0)
        return next((name for name in order if best and scores.get(name) == best), "generic")


def cell(cells: Sequence[str], columns: Mapping[str, int], name: str) -> str | None:
    """The row's value of field `name` (None when the file has no such column or it is empty)."""
    index = columns.get(name)
    if index is None or index >= len(cells):
        return None
    return cells[index].strip() or None


class RowProblem(ValueError):
    """A value of one row that cannot be read: its header and why, for the quarantine."""

    def __init__(self, header: str, message: str) -> None:
        super().__init__(message)
        self.header = header


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
