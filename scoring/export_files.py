"""Writing lead lists for sales: CSV (plain or German Excel), XLSX or JSON, safely.

Exports are opened in Excel, and lead data comes from untrusted sources (web forms, purchased
lists), so in a CSV every text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
return is neutralised with a leading apostrophe: Excel then shows it as text and never
evaluates it (OWASP "CSV injection"). An XLSX cell carries its type: text goes in as a string
cell, which Excel never evaluates, so it needs no apostrophe (one would break click-to-dial
on `+49…`). The sheet opens ready to work: header frozen, autofilter on, columns as wide as
their values. Files are written to a temporary name and renamed when complete, so
a crash never leaves half a list behind, and an existing file is only replaced with `force`.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import re
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, islice
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.utils import get_column_letter

from foundation.spreadsheet import FORMULA_TRIGGERS, is_text_marked, starts_like_formula

ExportFormat = Literal["csv", "xlsx", "json"]
_SAFE_START = frozenset({""} | {chr(c) for c in range(32, 127)} - set(FORMULA_TRIGGERS) - {"'"})
"""First characters (none: an empty cell) NFKC leaves as they are, that trigger no formula
and that are no apostrophe (`'=` must be marked again, `is_text_marked`): a text starting
with one needs no further look."""


class ExportPathExists(FileExistsError):
    """The output file exists and `force` was not given."""


@dataclass(frozen=True)
class CsvDialect:
    """A CSV as another program's import wants it (a CRM's), instead of the two built in."""

    encoding: str = "utf-8"
    bom: bool = False
    delimiter: str = ","
    lineterminator: str = "\r\n"
    e164_columns: tuple[str, ...] = ()
    """Columns whose E.164 numbers (`+4989…`, digits only) are written as they are: a CRM
    import would keep the apostrophe, and a plus sign followed by nothing but digits is a
    number to a spreadsheet, never a formula that calls anything."""


_E164 = re.compile(r"^\+[1-9]\d{1,14}$")


def neutralize(value: Any) -> Any:
    """Make a cell safe for spreadsheets; non-text values pass unchanged. `＝HYPERLINK(…)`
    is a formula too (`starts_like_formula` reads the NFKC form); a text that reads as a
    neutralised one (`'=`) is marked once more, so reading it back gives it unchanged."""
    if isinstance(value, str) and (starts_like_formula(value) or is_text_marked(value)):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    """Lists as `a; b`, mappings as JSON; everything else as it is."""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _csv_cell(value: Any, excel_de: bool, text: bool = False, e164: bool = False) -> Any:
    if type(value) is str and value[:1] in _SAFE_START and not excel_de:
        return value  # most cells: plain text that is no formula, as `neutralize` would keep it
    value = _plain(value)
    if e164 and isinstance(value, str) and _E164.match(value):
        return value
    if excel_de and isinstance(value, float):
        return str(value).replace(".", ",")  # German Excel reads 87,5, not 87.5
    if excel_de and text and isinstance(value, str) and _LEADING_ZERO.match(value):
        return f'="{value}"'  # Excel would read 01067 as the number 1067
    return neutralize(value)


_AS_IS_TYPES = frozenset({str, type(None), int, float})
_UNSAFE_CLASS = "[^\x00\x20-\x26\x28-\x2a\x2c\x2e-\x3c\x3e\x3f\x41-\x7e]"
_UNSAFE_START = re.compile("\x00" + _UNSAFE_CLASS)
"""A cell (each preceded by `\\x00`) starting with a character `_SAFE_START` lacks; the
literal first character lets the search skip ahead, several times faster than `^|\\x00`."""


def _csv_row(row: Sequence[Any], excel_de: bool, text: list[bool],
             e164: list[bool]) -> Sequence[Any]:
    """`_csv_cell` over a row. A plain CSV row of text, numbers and empty cells is searched
    once, in C, for cells that start with a character `_SAFE_START` lacks, and only those go
    through `_csv_cell`: a call per cell made writing a million rows take seconds."""
    if not excel_de and len(row) == len(text) and _AS_IS_TYPES.issuperset(map(type, row)):
        joined = "\x00" + "\x00".join(map(str, row))
        first = _UNSAFE_START.search(joined)
        if first is None:
            return row
        if joined.count("\x00") == len(row):  # else a cell holds NUL: cells not told apart
            cells = list(row)
            for match in _UNSAFE_START.finditer(joined, first.start()):
                k = joined.count("\x00", 0, match.start())
                cells[k] = _csv_cell(cells[k], False, text[k], e164[k])
            return cells
    return [_csv_cell(v, excel_de, t, e) for v, t, e in zip(row, text, e164, strict=True)]


_LEADING_ZERO = re.compile(r"^0\d*$")
_TEXT_FORMULA = re.compile(r'^="(0\d*)"$')


@contextmanager
def _atomically(path: Path, force: bool) -> Iterator[Path]:
    """A temporary file beside `path` to write, renamed to `path` when the block ends and
    removed if it fails: a crash never leaves half a file behind."""
    if path.exists() and not force:
        raise ExportPathExists(f"{path} exists; choose another name or pass --force")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_rows(
    path: Path,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    fmt: ExportFormat,
    excel_de: bool = False,
    force: bool = False,
    text_columns: Sequence[str] = (),
    dialect: CsvDialect | None = None,
) -> int:
    """Write `rows` (only `columns`, in that order); return how many rows were written.
    `write_table` writes rows that already are values in column order."""
    if fmt not in ("csv", "xlsx"):
        with _atomically(path, force) as tmp:
            materialised = [{c: row.get(c) for c in columns} for row in rows]
            tmp.write_text(json.dumps(materialised, ensure_ascii=False, indent=2, default=str),
                           encoding="utf-8")
        return len(materialised)
    return write_table(path, columns, ([row.get(c) for c in columns] for row in rows), fmt=fmt,
                       excel_de=excel_de, force=force, text_columns=text_columns,
                       dialect=dialect)


def write_table(
    path: Path,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    fmt: Literal["csv", "xlsx"],
    excel_de: bool = False,
    force: bool = False,
    text_columns: Sequence[str] = (),
    dialect: CsvDialect | None = None,
) -> int:
    """Write `rows`, each its values in the order of `columns`; return how many rows.

    `excel_de` writes CSV the way German Excel opens it with a double click: UTF-8 with BOM,
    semicolons, CRLF; digits with a leading zero in `text_columns` (postcodes: 01067) as
    `="01067"`, the one CSV spelling Excel keeps as text. An empty result still gets a file
    with the header row. `dialect` (CSV only) sets encoding, BOM and delimiter for another
    program's import and the columns whose E.164 numbers stay as they are.
    """
    dialect = dialect or _dialect(excel_de)
    with _atomically(path, force) as tmp:
        if fmt == "csv":
            return _write_csv(tmp, columns, rows, dialect, excel_de, text_columns)
        return _write_xlsx(tmp, columns, rows)


def write_csv_in_parts(path: Path, columns: Sequence[str],
                       parts: Sequence[Callable[[], Iterable[Sequence[Any]]]], *,
                       force: bool = False) -> int:
    """`write_table` of a plain CSV whose rows come in `parts`, one after the other: each
    part after the first is written at the same time by a forked process of its own, and
    the file is put together when all are done. The file is the one `write_table` writes of
    all parts' rows in order (a test compares them byte for byte); a large list's output
    then takes about its share of the time on each core."""
    dialect = _dialect(False)
    with _atomically(path, force) as tmp:
        pieces = [tmp.with_name(f"{tmp.name}.{k}") for k in range(1, len(parts))]
        context = multiprocessing.get_context("fork")
        counts = [context.Value("q", 0) for _ in pieces]
        writers = [context.Process(target=_write_piece,
                                   args=(piece, columns, part, dialect, count))
                   for piece, part, count in zip(pieces, parts[1:], counts, strict=True)]
        try:
            for writer in writers:
                writer.start()
            total = _write_csv(tmp, columns, parts[0](), dialect, False, ())
            for writer in writers:
                writer.join()
                if writer.exitcode != 0:
                    raise RuntimeError(f"writing part of {path} failed (exit code "
                                       f"{writer.exitcode})")
            with open(tmp, "ab") as out:
                for piece in pieces:
                    with open(piece, "rb") as fh:
                        shutil.copyfileobj(fh, out, 1 << 20)
        except BaseException:
            for writer in writers:
                if writer.is_alive():
                    writer.terminate()
            raise
        finally:
            for piece in pieces:
                piece.unlink(missing_ok=True)
    return total + sum(count.value for count in counts)


def write_csv_columns(path: Path, columns: Sequence[str], table: pa.Table, *,
                      force: bool = False) -> int:
    """`write_table` of a plain CSV whose cells are all text or empty, given as Arrow string
    columns (null: an empty cell): the same bytes (a test compares them), but each cell
    neutralised, quoted and joined into its line by Arrow's kernels, a slice of rows at a
    time, where `csv.writer` took a Python call per row. A cell starting with a formula
    character gets its apostrophe in a kernel; only one starting with an apostrophe or a
    non-ASCII character (`＝` is a formula after NFKC) goes through `neutralize`."""
    with _atomically(path, force) as tmp:
        _write_csv(tmp, columns, (), _dialect(False), False, ())  # the header row
        with open(tmp, "ab") as out, ThreadPoolExecutor(2) as pool:
            # two slices at a time: Arrow's kernels release the GIL
            pending: deque[Future[memoryview]] = deque()
            for start in range(0, table.num_rows, SLICE_ROWS):
                pending.append(pool.submit(_csv_lines, table.slice(start, SLICE_ROWS)))
                if len(pending) > 1:
                    out.write(pending.popleft().result())
            while pending:
                out.write(pending.popleft().result())
    return table.num_rows


SLICE_ROWS = 100_000
"""Rows `write_csv_columns` renders at once: its text exists twice while a slice is joined."""


def _csv_lines(part: pa.Table) -> memoryview:
    """The rows of `part` as `csv.writer` writes them after `_csv_row` (plain dialect)."""
    cells = [_csv_text(pc.fill_null(column.combine_chunks().cast(pa.large_string()), ""))
             for column in part.columns]
    if len(cells) == 1:  # a row of one empty cell is written `""`, not as an empty line
        cells = [pc.if_else(pc.equal(cells[0], ""), _text('""'), cells[0])]
    lines = _joined(*cells, separator=",") if len(cells) > 1 else cells[0]
    text = _joined(lines, _text(""), separator="\n")
    offsets = np.frombuffer(text.buffers()[1], np.int64)[text.offset:text.offset + len(text) + 1]
    data = text.buffers()[2]
    return memoryview(data)[int(offsets[0]):int(offsets[-1])] if data is not None else \
        memoryview(b"")


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _joined(*parts: pa.Array | pa.Scalar, separator: str) -> pa.Array:
    """Each row's `parts` joined with `separator` (Arrow wants every part the same type)."""
    return pc.binary_join_element_wise(*parts, _text(separator))


_TRIGGER_START = "^[" + "".join(f"\\x{ord(c):02x}" for c in FORMULA_TRIGGERS) + "]"


def _csv_text(column: pa.Array) -> pa.Array:
    """One column's cells as `csv.writer` writes them: neutralised, then quoted where
    they hold the delimiter, a quote or the line end."""
    trigger = pc.match_substring_regex(column, _TRIGGER_START)
    unsafe = pc.match_substring_regex(column, "^(?:'|[^\x00-\x7f])")
    if pc.any(unsafe).as_py():  # NFKC may make a formula, or a marked text: `neutralize` decides
        fixed = [neutralize(value) for value in column.filter(unsafe).to_pylist()]
        column = pc.replace_with_mask(column, unsafe, pa.array(fixed, column.type))
    if pc.any(trigger).as_py():  # a plain formula character: `neutralize` prefixes it
        column = pc.if_else(trigger, _joined(_text("'"), column, separator=""), column)
    quote = pc.match_substring_regex(column, '[,"\n]')
    if not pc.any(quote).as_py():
        return column
    quoted = _joined(_text(""), pc.replace_substring(column, '"', '""'), _text(""),
                     separator='"')
    return pc.if_else(quote, quoted, column)


def _write_piece(piece: Path, columns: Sequence[str], part: Callable[[], Iterable[Sequence[Any]]],
                 dialect: CsvDialect, count: Synchronized[int]) -> None:
    """One part's rows, without header, in a process of its own (`write_csv_in_parts`)."""
    count.value = _write_csv(piece, columns, part(), dialect, False, (), header=False)


def _dialect(excel_de: bool) -> CsvDialect:
    return CsvDialect("utf-8", excel_de, ";" if excel_de else ",", "\r\n" if excel_de else "\n")


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]],
               dialect: CsvDialect, excel_de: bool, text_columns: Sequence[str], *,
               header: bool = True) -> int:
    """The rows to `path`, after the header row (and the BOM a dialect asks for) unless it
    is a later part of one file; how many rows."""
    encoding = dialect.encoding
    if dialect.bom and header:
        encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    text = [c in text_columns for c in columns]
    e164 = [c in dialect.e164_columns for c in columns]
    count = 0
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=dialect.delimiter,
                            lineterminator=dialect.lineterminator)
        if header:
            writer.writerow(columns)
        for row in rows:
            writer.writerow(_csv_row(row, excel_de, text, e164))
            count += 1
    return count


WIDTH_SAMPLE = 1000
"""Rows read to size the columns before the sheet is written (write-only sheets stream)."""


def _width(values: Iterable[Any]) -> float:
    longest = max((len(str(v)) for v in values if v is not None), default=0)
    return float(min(max(longest + 2, 8), 60))


def _write_xlsx(tmp: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """A sheet that opens ready to work: frozen header, autofilter, sized columns, text
    as string cells (never a formula, no apostrophe)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("leads")
    stream = iter(rows)
    head = [[_plain(v) for v in row] for row in islice(stream, WIDTH_SAMPLE)]
    for index, column in enumerate(columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = _width(
            [column, *(values[index] for values in head)])
    sheet.freeze_panes = "A2"
    sheet.append(list(columns))
    count = 0
    for values in chain(head, ([_plain(v) for v in row] for row in stream)):
        sheet.append([_xlsx_cell(sheet, v) for v in values])
        count += 1
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(tmp)
    return count


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """Text goes in as an explicit string cell, so neither openpyxl nor Excel ever reads it as
    a formula."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = TYPE_STRING
    return cell


def remove_rows(path: Path, column: str | Sequence[str], values: set[str]) -> int:
    """Rewrite an export without the rows whose `column` is in `values` (GDPR erasure).

    `column` may name several headers (`lead_id`, or `Lead-ID` in a German file): the first
    the file has counts. The dialect is kept: CSV delimiter and BOM as found, postcodes
    written as text stay text, XLSX as text cells, JSON as a list. Returns how many rows were
    removed; a missing file removes nothing.
    """
    if not path.exists():
        return 0
    names = [column] if isinstance(column, str) else list(column)

    def key(header: Sequence[str]) -> str:
        return next((n for n in names if n in header), names[0])
    suffix = path.suffix.lower()
    if suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
        columns = list(rows[0]) if rows else []
        kept = [r for r in rows if str(r.get(key(columns))) not in values]
        write_rows(path, columns, kept, fmt="json", force=True)
        return len(rows) - len(kept)
    if suffix == ".xlsx":
        sheet = load_workbook(path, read_only=True).active
        table = list(sheet.iter_rows(values_only=True)) if sheet is not None else []
        header = [str(h) for h in table[0]] if table else []
        records = [dict(zip(header, row, strict=False)) for row in table[1:]]
        kept = [r for r in records if str(r.get(key(header))).lstrip("'") not in values]
        write_rows(path, header, kept, fmt="xlsx", force=True)
        return len(records) - len(kept)
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    excel_de = first.count(";") > first.count(",")
    reader = csv.DictReader(text.splitlines(), delimiter=";" if excel_de else ",")
    header = list(reader.fieldnames or [])
    records = list(reader)
    as_text = {c for r in records for c, v in r.items() if v and _TEXT_FORMULA.match(v)}
    records = [{c: _unwrap(v) if c in as_text else v for c, v in r.items()} for r in records]
    kept = [r for r in records if str(r.get(key(header))).lstrip("'") not in values]
    # a bare +49… was written for a CRM's import (CsvDialect.e164_columns): keep its dialect
    e164 = tuple(sorted({c for r in records for c, v in r.items() if v and _E164.match(v)}))
    dialect = CsvDialect("utf-8", bom, ";" if excel_de else ",",
                         "\r\n" if first.endswith("\r") else "\n", e164) if e164 else None
    write_rows(path, header, kept, fmt="csv", excel_de=(excel_de or bom) and not e164,
               force=True, text_columns=sorted(as_text), dialect=dialect)
    return len(records) - len(kept)


def _unwrap(value: str | None) -> str | None:
    match = _TEXT_FORMULA.match(value or "")
    return match.group(1) if match else value
