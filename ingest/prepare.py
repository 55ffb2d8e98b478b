"""Turn a purchased list (CSV, TSV, semicolon, pipe or XLSX) into one clean CSV for the warehouse.

`prepare_list` detects format, encoding and delimiter, maps the columns and checks everything
that would make the whole file unusable, before anything is written to the warehouse. Its
output is a UTF-8, comma-delimited, RFC 4180 CSV file with the original header row, which the
warehouse reads with DuckDB's own `read_csv`. A file that already is exactly that (UTF-8
without BOM, commas, no quotes, no blank lines) is only validated in a streaming pass and
handed back as is: rewriting a million rows in Python would cost more than loading them.
A file with quotes is always parsed here (`ingest.records`): only a parse counts its rows,
and rows with broken quoting are set aside with their line (`PreparedList.malformed`).

Row numbers are spreadsheet rows: the header is row 1 and the first data row is row 2. A
quoted value spanning several lines is still one row. Interior blank lines keep their
number (they are written as empty rows, which the warehouse counts as skipped); blank rows
at the end of a file are dropped.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from ingest.columns import (
    ColumnChoice,
    ColumnMapping,
    ColumnsConfig,
    check_headers,
    header_is_data,
    load_columns_config,
    map_columns,
)
from ingest.errors import InputFileError, not_a_regular_file
from ingest.records import MalformedRow, RecordReader
from ingest.sniff import (
    ASCII_SAFE,
    CHUNK_BYTES,
    ByteScan,
    check_not_binary,
    choose_encoding,
    file_sha256,
    fitting_delimiter,
    header_row,
    sample_text,
    scan_bytes,
)
from ingest.vendor_mapping import VendorMapping, load_vendor_mapping

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
NO_HEADER_PREFIX = "column_"
"""Names of the columns of a list without a header row: column_1, column_2, …"""
HEAD_ROWS = 200
"""Rows read at the top of a list: the header is searched among them, and the rows below it
are the values the column mapping weighs."""
_OLD_EXCEL = frozenset({".xls", ".xlsb", ".ods"})
ColumnsFor = Callable[[Sequence[str], VendorMapping | None], VendorMapping]
"""(header row, the user's mapping file) → the mapping to load with."""


@dataclass(frozen=True)
class PreparedList:
    """A purchased list ready for loading, and everything learned about it on the way."""

    ROW_NUMBERING: ClassVar[str] = (
        "spreadsheet rows: header = row 1, first data row = row 2; the n-th data record of "
        "csv_path is row n + 1"
    )

    source_path: Path
    file_name: str
    file_sha256: str
    file_size: int
    file_format: str
    """'csv' (any delimited text) or 'xlsx'."""
    encoding: str | None
    """Codec the source was read with: utf-8, utf-8-sig (BOM), utf-16, cp1252, latin-1; None
    for XLSX."""
    delimiter: str | None
    """The source's delimiter; None for XLSX. csv_path always uses ','."""
    csv_path: Path
    """UTF-8, comma-delimited, RFC 4180 quoted, original header row first."""
    rewritten: bool
    """False when csv_path is the source file itself: never delete it then (see cleanup)."""
    headers: tuple[str, ...]
    mapping: dict[str, str]
    """Original header → canonical field, mapped headers only, in column order."""
    unmapped: tuple[str, ...]
    """Non-blank headers that map to nothing; their values stay in the raw payload."""
    ignored: tuple[str, ...]
    """Headers the mapping file told us to ignore (also kept in the raw payload)."""
    data_row_count: int
    """Data rows in csv_path (blank interior rows included), counted while reading the source."""
    list_defaults: dict[str, Any] = field(default_factory=dict)
    """List metadata from the mapping file: vendor, acquired_on, licence_end, permitted_use,
    provenance_documented (only the keys it sets)."""
    mapping_file: Path | None = None
    mapping_how: dict[str, str] = field(default_factory=dict)
    """Per mapped header: 'vendor', 'alias' or 'context'."""
    warnings: tuple[str, ...] = ()
    sheet: str | None = None
    columns_config_version: str = ""
    first_data_row: int = 2
    malformed: tuple[MalformedRow, ...] = ()
    """Rows whose quoting cannot be read; not in csv_path, which skips their row numbers."""
    columns: tuple[ColumnChoice, ...] = ()
    """Every non-blank column: its field (or none), how it was chosen, confidence, samples."""

    @property
    def source_rows(self) -> int:
        """Data rows of the source: what the warehouse must account for, row by row."""
        return self.data_row_count + len(self.malformed)

    def cleanup(self) -> None:
        """Delete the normalised copy; a no-op when csv_path is the source file."""
        if self.rewritten:
            self.csv_path.unlink(missing_ok=True)


def prepare_list(
    path: Path,
    work_dir: Path,
    mapping_file: Path | None = None,
    *,
    config_dir: Path | None = None,
    columns_for: ColumnsFor | None = None,
) -> PreparedList:
    """Validate, decode and map a purchased list; write the normalised CSV into `work_dir`.

    `columns_for` (a customer export) gives the mapping once the header row is known: the
    export's documented columns beside the user's mapping file.
    Raises `InputFileError` (file, row, field, message) for a file that cannot be loaded at
    all, and `foundation.config.ConfigError` for an invalid mapping or columns file.
    """
    path = Path(path)
    vendor = load_vendor_mapping(mapping_file) if mapping_file is not None else None
    columns = load_columns_config(config_dir)
    not_a_file = not_a_regular_file(path)
    if not_a_file is not None:
        raise InputFileError(path, None, None, not_a_file)
    suffix = path.suffix.lower()
    if suffix in _OLD_EXCEL:
        raise InputFileError(path, None, None, f"{suffix} workbooks are not supported; save "
                             "the sheet as .xlsx or CSV")
    if path.stat().st_size == 0:
        raise InputFileError(path, None, None, "the file is empty (0 bytes)")
    if suffix in XLSX_SUFFIXES:
        sha = file_sha256(path)
        parts = _read_xlsx(path, vendor, columns.value)
    else:
        scan = scan_bytes(path)
        sha = scan.sha256
        parts = _read_text(path, scan, vendor, columns.value)
    headers, first_rows, rest, source = parts
    try:
        if columns_for is not None:
            vendor = columns_for(headers, vendor)
        mapping = _map(path, headers, first_rows, columns.value, vendor, source.single_column)
    except BaseException:
        source.close()
        raise
    malformed: tuple[MalformedRow, ...] = ()
    if source.pass_through:
        csv_path, rewritten, count = path, False, source.row_count
    else:
        work_dir.mkdir(parents=True, exist_ok=True)
        csv_path = work_dir / f"{path.stem}.{sha[:12]}.prepared.csv"
        if source.transcode is not None:
            count = _transcode_quote_free(path, csv_path, *source.transcode)
        else:
            count, malformed = _write_csv(csv_path, headers, first_rows, rest)
            _check_lines(path, source, csv_path)
        rewritten = True
    return PreparedList(
        source_path=path,
        file_name=path.name,
        file_sha256=sha,
        file_size=path.stat().st_size,
        file_format=source.format,
        encoding=source.encoding,
        delimiter=source.delimiter,
        csv_path=csv_path,
        rewritten=rewritten,
        headers=tuple(headers),
        mapping=mapping.mapping,
        unmapped=mapping.unmapped,
        ignored=mapping.ignored,
        data_row_count=count,
        list_defaults=vendor.list_defaults() if vendor else {},
        mapping_file=mapping_file,
        mapping_how=mapping.how,
        warnings=(*_preamble_warning(source), *mapping.warnings),
        sheet=source.sheet,
        columns_config_version=columns.version,
        first_data_row=source.first_data_row,
        malformed=malformed,
        columns=mapping.columns,
    )


def _preamble_warning(source: _Source) -> tuple[str, ...]:
    if source.headerless:
        return (f"the list has no header row: row {source.first_data_row} is data; its "
                f"columns are named {NO_HEADER_PREFIX}1, {NO_HEADER_PREFIX}2, … and mapped by "
                "their values (name them in a mapping file to be sure)",)
    header = source.first_data_row - 1
    if header == 1:
        return ()
    rows = "row 1 above it is" if header == 2 else f"rows 1–{header - 1} above it are"
    return (f"the header is row {header}; {rows} a title, comment or `sep=` line, not data, "
            "and not loaded",)


def _check_lines(path: Path, source: _Source, written: Path) -> None:
    """Fail loudly when the reader consumed other lines than the bytes hold.

    Every physical line must end up in a record, a blank row or a malformed row; a
    difference means rows were lost or merged, and nothing may be loaded then.
    """
    if source.reader is None or source.lines is None or source.reader.lines == source.lines:
        return
    written.unlink(missing_ok=True)
    raise InputFileError(path, None, None, f"the file has {source.lines:,} lines, but reading "
                         f"it accounted for {source.reader.lines:,}; nothing was loaded. "
                         "This is a leadpipe bug: please report it with the file")


def _map(
    path: Path,
    headers: list[str],
    first_rows: list[_Row],
    config: ColumnsConfig,
    vendor: VendorMapping | None,
    single_column: bool = False,
) -> ColumnMapping:
    """Header checks in the order a user fixes them: header row, data present, mapping.

    A single column that maps to nothing is reported as what it most likely is: a file
    whose delimiter could not be detected, not one without a company column.
    """
    check_headers(path, headers)
    if not any(isinstance(row, MalformedRow) or any(cell.strip() for cell in row)
               for row in first_rows):
        raise InputFileError(path, 2, None, "no data rows: the file has a header row only")
    rows = [row for row in first_rows if isinstance(row, list)]
    try:
        return map_columns(path, headers, config, vendor, rows)
    except InputFileError as exc:
        if not single_column:
            raise
        raise InputFileError(
            path, 1, None,
            "could not detect the delimiter: none of , ; TAB | splits the header row "
            f"{headers[0][:80]!r} and most of the first rows into the same columns. Save the "
            "list as CSV with ; or , between the values, or name the delimiter in a mapping "
            "file (`delimiter: semicolon`, see docs/ingest.md)") from exc


@dataclass
class _Source:
    """What reading a list's start found out, and how to produce the normalised file."""

    format: str
    close: Callable[[], None]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    pass_through: bool = False
    """The source already is the normalised file."""
    row_count: int = 0
    single_column: bool = False
    """No delimiter splits the header and the rows alike: one column, or a delimiter we
    could not detect."""
    reader: RecordReader | None = None
    lines: int | None = None
    """Physical lines of the source counted on its bytes, for `_check_lines`."""
    transcode: tuple[str, str] | None = None
    """(encoding, delimiter) to convert with `_transcode_quote_free` instead of row by row."""
    first_data_row: int = 2
    """Spreadsheet row of the first data row: 2, unless lines above the header were skipped."""
    headerless: bool = False
    """The list has no header row: its columns got names, its first row is data."""


_Row = list[str] | MalformedRow
_R = TypeVar("_R", list[str], _Row)
_Parts = tuple[list[str], list[_Row], Iterable[_Row], _Source]


def _head(rows: Iterator[_R]) -> tuple[list[_R], int]:
    """The first `HEAD_ROWS` rows and the index of the header among them."""
    head = [row for _, row in zip(range(HEAD_ROWS), rows, strict=False)]
    return head, header_row([row if isinstance(row, list) else [] for row in head])


def _read_text(path: Path, scan: ByteScan, vendor: VendorMapping | None,
               config: ColumnsConfig) -> _Parts:
    sample = sample_text(scan)
    if scan.bom is None and not sample.strip() and scan.size <= len(scan.head):
        raise InputFileError(path, None, None, "the file is empty (whitespace only)")
    truncated = scan.size > len(scan.head)
    delimiter = (vendor.delimiter if vendor else None) or fitting_delimiter(sample, truncated)
    single_column = delimiter is None
    delimiter = delimiter or ","
    check_not_binary(path, scan, delimiter)
    encoding = choose_encoding(path, scan, delimiter, vendor.encoding if vendor else None)
    handle = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by _rows
    reader = RecordReader(handle, delimiter)
    records = reader.records()
    head, index = _head(records)
    if not head:
        handle.close()
        raise InputFileError(path, None, None, "the file is empty")
    top = head[index]
    if isinstance(top, MalformedRow):
        handle.close()
        raise InputFileError(path, index + 1, None,
                             f"the header row cannot be read: {top.reason}")
    headers, first_rows, headerless = _split_header(head, index, config)
    headers = _without_surplus_blanks(headers, first_rows)
    first_data_row = index + (1 if headerless else 2)
    source = _Source("csv", handle.close, encoding=encoding, delimiter=delimiter, reader=reader,
                     lines=None if scan.bom == "utf-16" else scan.lines,
                     single_column=single_column, first_data_row=first_data_row,
                     headerless=headerless)
    if first_data_row != 2 or headerless:
        return headers, first_rows, _rows(records, handle), source
    if (encoding == "utf-8" and delimiter == "," and not scan.has_quote
            and not scan.blank_line and not scan.lone_cr):
        handle.close()
        source.pass_through = True
        source.row_count = scan.newlines - (1 if scan.ends_with_newline else 0)
        return headers, first_rows, iter(()), source
    if _quote_free(scan, encoding, delimiter):
        handle.close()
        source.transcode = (encoding, delimiter)
        return headers, first_rows, iter(()), source
    return headers, first_rows, _rows(records, handle), source


def _split_header(head: Sequence[_R], index: int, config: ColumnsConfig,
                  ) -> tuple[list[str], list[_R], bool]:
    """(headers, the data rows, whether the list has no header row).

    A list exported without a header row starts with values ('Dr. med. Erika Muster;
    Elisenstraße 28;63739'): its columns are named column_1, column_2, … and its first row
    is data; the values then decide the mapping.
    """
    row = head[index]
    assert isinstance(row, list)
    if header_is_data(row, config):
        width = max(len(r) for r in head[index:] if isinstance(r, list))
        return [f"{NO_HEADER_PREFIX}{i + 1}" for i in range(width)], list(head[index:]), True
    return list(row), list(head[index + 1:]), False


def _without_surplus_blanks(headers: list[str], rows: list[_Row]) -> list[str]:
    """Drop blank header cells at the end that no row reaches.

    Excel writes `a;b;c;` for a header with a trailing empty cell while its rows end at
    `c`; every row would be one field short of the header and set aside.
    """
    width = max((len(r) for r in rows if isinstance(r, list) and r), default=len(headers))
    trimmed = list(headers)
    while len(trimmed) > max(width, 1) and not trimmed[-1].strip():
        trimmed.pop()
    return trimmed


def _quote_free(scan: ByteScan, encoding: str, delimiter: str) -> bool:
    """True when every delimiter and line end in the file is structure, not data.

    Then the file can be converted in large byte chunks instead of row by row (many times
    faster): no quote character anywhere, CR only as part of CRLF, no blank line before the
    last row, and an encoding in which those characters are single ASCII bytes.
    """
    return (
        not scan.has_quote and not scan.lone_cr and not scan.interior_blank_line
        and encoding in ASCII_SAFE and delimiter.isascii()
    )


def _quote_all(data: bytes, delimiter: bytes) -> bytes:
    """b'a;b\nc;d\n' → b'"a","b"\n"c","d"\n' (data holds whole lines, no quotes)."""
    body = data.replace(b"\r\n", b"\n").rstrip(b"\n")
    if not body:
        return b""
    return b'"' + body.replace(delimiter, b'","').replace(b"\n", b'"\n"') + b'"\n'


def _transcode_quote_free(src: Path, out: Path, encoding: str, delimiter: str) -> int:
    """Quote every field and re-encode to UTF-8 in byte chunks; return the data row count.

    Without quotes in the source every delimiter separates fields and every line end
    separates rows, so quoting every field keeps commas in values as values. Blank lines
    can only trail the last row here (see `_quote_free`); they are dropped.
    """
    sep = delimiter.encode("ascii")
    recode = encoding not in {"utf-8", "utf-8-sig"}
    lines = 0

    def emit(data: bytes) -> None:
        nonlocal lines
        quoted = _quote_all(data, sep)
        lines += quoted.count(b"\n")
        dst.write(quoted.decode(encoding).encode("utf-8") if recode else quoted)

    try:
        with open(src, "rb") as fh, open(out, "wb") as dst:
            if encoding == "utf-8-sig":
                fh.seek(len(codecs.BOM_UTF8))
            carry = b""
            while chunk := fh.read(CHUNK_BYTES):
                data = carry + chunk
                cut = data.rfind(b"\n") + 1
                carry = data[cut:]
                emit(data[:cut])
            emit(carry + b"\n")
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return lines - 1


def _rows(records: Iterator[_Row], handle: Any) -> Iterator[_Row]:
    """The remaining records; closes the file at the end."""
    try:
        yield from records
    finally:
        handle.close()


def _write_csv(
    out: Path,
    headers: Sequence[str],
    first_rows: list[_Row],
    rest: Iterable[_Row],
) -> tuple[int, tuple[MalformedRow, ...]]:
    """Write header and rows as RFC 4180 CSV; return the data rows written and those set aside.

    Interior blank rows are written as empty fields so that row numbers stay aligned with
    the source; trailing blank rows are dropped. Every field is quoted: a lone CR inside a
    value would otherwise be written bare and read back as a line end.
    """
    blank = [""] * max(len(headers), 1)
    pending = 0
    written = 0
    malformed: list[MalformedRow] = []
    try:
        with open(out, "w", encoding="utf-8", newline="") as dst:
            writer = csv.writer(dst, lineterminator="\n", quoting=csv.QUOTE_ALL)
            writer.writerow(headers)
            for rows in (first_rows, rest):
                for row in rows:
                    if isinstance(row, list) and not any(row):
                        pending += 1
                        continue
                    for _ in range(pending):
                        writer.writerow(blank)
                    written += pending
                    pending = 0
                    if isinstance(row, MalformedRow):
                        malformed.append(row)
                    else:
                        writer.writerow(row)
                        written += 1
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return written, tuple(malformed)


# --- XLSX ----------------------------------------------------------------------------------


def _cell_text(value: Any, number_format: str | None) -> str:
    """A cell as the text a user sees in Excel, never evaluated.

    Formulas come back as their text ('=HYPERLINK(...)'): the workbook is opened with
    data_only=False and formulas are not computed. Whole numbers lose the '.0' Excel never
    shows; a '00000'-style format (postcodes) restores leading zeros; dates become ISO.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return repr(value)
        text = str(int(value))
        if number_format and number_format.strip("0") == "" and len(number_format) > len(text):
            text = text.zfill(len(number_format))
        return text
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _row_texts(cells: Sequence[Any]) -> list[str]:
    row = [_cell_text(c.value, getattr(c, "number_format", None)) for c in cells]
    while row and not row[-1]:
        row.pop()
    return row


def _read_xlsx(path: Path, vendor: VendorMapping | None, config: ColumnsConfig) -> _Parts:
    import openpyxl  # deferred: only XLSX lists need it
    from openpyxl.utils.exceptions import InvalidFileException

    if not zipfile.is_zipfile(path):
        raise InputFileError(path, None, None, "not a valid XLSX workbook (it is not a ZIP "
                             "archive); is it a CSV file with the wrong extension?")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputFileError(path, None, None, f"not a readable XLSX workbook: {exc}") from exc
    wanted = vendor.sheet if vendor else None
    if wanted is not None and wanted not in workbook.sheetnames:
        workbook.close()
        raise InputFileError(path, None, None, f"no worksheet named {wanted!r}; the workbook "
                             f"has {', '.join(workbook.sheetnames)}")
    sheet = workbook[wanted] if wanted else workbook.worksheets[0]
    sheet.reset_dimensions()  # some writers store wrong dimensions; read what is there
    rows = (_row_texts(cells) for cells in sheet.iter_rows())
    head, index = _head(rows)
    if not head or not head[index]:
        workbook.close()
        raise InputFileError(path, None, None, f"worksheet {sheet.title!r} is empty")
    named, first_rows, headerless = _split_header(head, index, config)
    # values right of the last header cell are kept under a blank header, not cut off
    width = max(len(row) for row in head[index:])
    headers = named + [""] * (width - len(named))

    def rest() -> Iterator[_Row]:
        try:
            for row in rows:
                yield row + [""] * (width - len(row)) if row else row
        finally:
            workbook.close()

    padded_first: list[_Row] = [r + [""] * (width - len(r)) if r else r for r in first_rows]
    return headers, padded_first, rest(), _Source(
        "xlsx", workbook.close, sheet=sheet.title,
        first_data_row=index + (1 if headerless else 2), headerless=headerless)
