"""Split delimited text into records, setting malformed ones aside with their line number.

Python's `csv` module, left lenient, silently repairs broken quoting: a quote that opens a
value and never closes swallows every following line into that value, and text after a
closing quote is glued onto it. Read strictly, it stops instead. Here a record it cannot
read is set aside as a `MalformedRow` (its spreadsheet row, first physical line, reason and
text) and reading resumes with the line after that record's first line, so one stray quote
costs one row, not the rest of the list.

Physical lines are counted as Python's universal newlines split them (LF, CRLF, lone CR).
A quote inside an unquoted value (`Bäckerei "Zum Korn" GmbH`) is kept as text, as Excel
does; only quoting that cannot be read either way is malformed.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

RAW_CHARS = 2_000
"""How much of a malformed line is kept for the quarantine."""

csv.field_size_limit(sys.maxsize)


def fit_width(record: list[str], width: int, delimiter: str, *,
              last_is_free_text: bool) -> list[str] | None:
    """A record as wide as the header, as a spreadsheet reads it, or None if it cannot be.

    Cells missing at the end are empty (exports drop trailing empty cells), empty cells
    beyond the header are dropped (a trailing delimiter), and when the last column is free
    text (mapped to no field) surplus cells are its own unquoted delimiters, joined back.
    Any other surplus is a shifted row, which must not load.
    """
    if len(record) <= width:
        return record + [""] * (width - len(record))
    surplus = record[width:]
    if not any(cell.strip() for cell in surplus):
        return record[:width]
    if last_is_free_text and width:
        return [*record[:width - 1], delimiter.join(record[width - 1:])]
    return None


@dataclass(frozen=True)
class MalformedRow:
    """A record that cannot be read; the spreadsheet row it takes and where it starts."""

    row: int
    line: int
    reason: str
    raw: str


class _Lines:
    """The source's lines, with the ones read for the current record kept to put back."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._source = iter(lines)
        self._back: deque[str] = deque()
        self.taken: list[str] = []
        self.count = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._back.popleft() if self._back else next(self._source)
        self.taken.append(line)
        self.count += 1
        return line

    def put_back(self, lines: list[str]) -> None:
        self._back.extendleft(reversed(lines))
        self.count -= len(lines)


def _reason(exc: csv.Error, line: int) -> str:
    text = str(exc)
    if "unexpected end of data" in text:
        what = ("a quote opens a value that is never closed (a stray \" at the start of a "
                "value?)")
    elif "expected after" in text:
        what = ("text follows the closing quote of a quoted value; quote the whole value "
                "and double the quotes inside it (\"\")")
    else:
        what = f"the CSV cannot be read: {text}"
    return f"line {line}: {what}"


def _space_after_quote(line: str, delimiter: str) -> list[str] | None:
    """The record of a line whose only flaw is blanks after a closing quote
    ('"Zum Korn" ;Köln'), as Excel reads it; None when the line has other problems."""
    blanks = re.compile(r'"[ \t]+(?=' + re.escape(delimiter) + r"|\r?\n?$)")
    fixed = blanks.sub('"', line)
    if fixed == line:
        return None
    try:
        records = list(csv.reader([fixed], delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    return records[0] if len(records) == 1 else None


@dataclass
class RecordReader:
    """Iterate over `records()`; afterwards `lines` holds the physical lines consumed."""

    source: Iterable[str]
    delimiter: str
    first_row: int = 1
    lines: int = 0

    def records(self) -> Iterator[list[str] | MalformedRow]:
        """Each record's fields, or a `MalformedRow` in its place; rows count from `first_row`."""
        lines = _Lines(self.source)
        row = self.first_row
        reader = csv.reader(lines, delimiter=self.delimiter, strict=True)
        while True:
            lines.taken = []
            start = lines.count + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                taken = lines.taken
                lines.put_back(taken[1:])
                repaired = _space_after_quote(taken[0], self.delimiter) if taken else None
                if repaired is not None:
                    yield repaired
                else:
                    yield MalformedRow(row, start, _reason(exc, start),
                                       taken[0].rstrip("\r\n")[:RAW_CHARS] if taken else "")
                reader = csv.reader(lines, delimiter=self.delimiter, strict=True)
            else:
                yield record
            row += 1
            self.lines = lines.count
        self.lines = lines.count
