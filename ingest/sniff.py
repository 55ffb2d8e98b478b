"""Encoding and delimiter detection for text lists, in one streaming pass over the bytes.

Encoding: a byte-order mark decides (UTF-8, UTF-16). Otherwise a file that decodes as strict
UTF-8 is UTF-8: random Windows-1252 text almost never forms valid multi-byte sequences. A
file that does not is a German Excel export in Windows-1252 (cp1252), unless it contains a
byte cp1252 leaves undefined, in which case it is read as Latin-1, which maps every byte.
For text without bytes 0x80–0x9F the two are identical; with them, cp1252 is right (€, „ “
and – live there, while Latin-1 has invisible control codes). A file that mixes UTF-8 and
single-byte text cannot be decoded without mangling umlauts, so it is rejected with the row.

Delimiter: `csv.Sniffer` restricted to , ; TAB |, accepted only if it splits the header into
more than one column and most sample rows into as many; else the candidate that does this
best when counted outside quotes (at least half the rows as wide as the header).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.errors import InputFileError

CHUNK_BYTES = 4 * 1024 * 1024
SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
_SAMPLE_ROWS = 50
_SNIFF_FIT = 0.8
"""The Sniffer's answer must split this share of the sample rows like the header."""
_MIN_FIT = 0.5
"""A fallback delimiter must split at least half the sample rows like the header (lists have
ragged rows, which the warehouse quarantines)."""
_BINARY_CONTROL_SHARE = 0.01
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_UTF8_UMLAUT = re.compile(rb"\xc3[\x84\x96\x9c\x9f\xa4\xb6\xbc]")
"""UTF-8 ä ö ü Ä Ö Ü ß: read as cp1252 they are 'Ã¤' etc., which no German text contains."""
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f]")
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook?); save XLSX files with the .xlsx "
                    "extension"),
    (b"\xd0\xcf\x11\xe0", "an old binary Excel (.xls) or Office file; save it as .xlsx or CSV"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"MZ", "a Windows program or library"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive; unpack it first"),
    (b"Rar!", "a RAR archive; unpack it first"),
    (b"BZh", "a bzip2 archive; unpack it first"),
    (b"\xfd7zXZ\x00", "an xz archive; unpack it first"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_SINGLE_BYTE = frozenset({"cp1252", "iso8859-1", "iso8859-15"})
"""Single-byte codecs (as `codecs.lookup` names them): UTF-8 read with them decodes
without an error, but every umlaut comes out as two wrong characters."""
ASCII_SAFE = frozenset({"utf-8", "utf-8-sig", "cp1252", "latin-1", "iso8859-1", "iso8859-15"})
"""Codecs in which quote, delimiter and line-end bytes are always those characters."""

csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class ByteScan:
    """Facts about a file's bytes, gathered in one streaming pass."""

    size: int
    sha256: str
    head: bytes
    bom: str | None  # 'utf-8' | 'utf-16' | None
    utf8_error: int | None  # byte offset of the first invalid UTF-8 sequence
    utf8_non_ascii: int | None  # offset of the first non-ASCII byte (valid UTF-8 before error)
    nul: int | None  # offset of the first NUL byte
    blank_line: bool  # any blank line, trailing ones included
    interior_blank_line: bool  # a blank line followed by more content
    has_quote: bool
    lone_cr: bool  # a carriage return not followed by a line feed (old Mac line ends)
    newlines: int
    lines: int
    """Physical lines as universal newlines split them (LF, CRLF, lone CR), counted on the
    bytes: the reader's own count must come out the same (meaningless for UTF-16)."""
    ends_with_newline: bool


def file_sha256(path: Path) -> str:
    """Streaming SHA-256 of a file, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _line_facts(tail: bytes, chunk: bytes, want_blank: bool) -> tuple[int | None, int, int]:
    """Line-end facts of one chunk, vectorised (bytes.find/count are slow for line feeds).

    Returns the offset in `tail + chunk` of the first blank line ('\\n\\n' or '\\n\\r\\n'),
    the number of carriage returns followed by something other than a line feed (a CR as
    the last byte is judged with the next chunk), and the number of line feeds in `chunk`.
    """
    arr = np.frombuffer(tail + chunk, dtype=np.uint8)
    lf = arr == 0x0A
    blank: int | None = None
    if want_blank:
        hits = [np.flatnonzero(lf[:-1] & lf[1:]),
                np.flatnonzero(lf[:-2] & (arr[1:-1] == 0x0D) & lf[2:])]
        found = [int(h[0]) for h in hits if h.size]
        blank = min(found) if found else None
    new = max(len(tail) - 1, 0)  # the pair (tail[0], tail[1]) was counted with the last chunk
    lone = int(np.count_nonzero((arr[new:-1] == 0x0D) & ~lf[new + 1:]))
    return blank, lone, int(np.count_nonzero(lf[len(tail):]))


def scan_bytes(path: Path) -> ByteScan:
    """Hash the file and check UTF-8 validity, NUL bytes and blank lines in one pass."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    head = b""
    utf8_error: int | None = None
    non_ascii: int | None = None
    nul: int | None = None
    first_blank: int | None = None
    last_content = -1
    has_quote = False
    lone_crs = 0
    newlines = 0
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            digest.update(chunk)
            if not head:
                head = chunk[:SAMPLE_BYTES]
            if nul is None and (i := chunk.find(b"\0")) >= 0:
                nul = offset + i
            if utf8_error is None:
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    utf8_error = offset - pending + exc.start
            if non_ascii is None and not chunk.isascii():
                high = _NON_ASCII.search(chunk)
                non_ascii = offset + high.start() if high else None
            blank, lone, lines = _line_facts(tail, chunk, first_blank is None)
            if blank is not None:
                first_blank = offset - len(tail) + blank
            lone_crs += lone
            newlines += lines
            content = chunk.rstrip(b"\r\n")
            if content:
                last_content = offset + len(content) - 1
            has_quote = has_quote or b'"' in chunk
            tail = chunk[-2:]
            offset += len(chunk)
    if utf8_error is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_error = offset - len(decoder.getstate()[0])
    bom = None
    if head.startswith(codecs.BOM_UTF8):
        bom = "utf-8"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        bom = "utf-16"
    return ByteScan(
        size=offset,
        sha256=digest.hexdigest(),
        head=head,
        bom=bom,
        utf8_error=utf8_error,
        utf8_non_ascii=non_ascii,
        nul=nul,
        blank_line=first_blank is not None,
        interior_blank_line=first_blank is not None and first_blank < last_content,
        has_quote=has_quote,
        lone_cr=bool(lone_crs) or tail.endswith(b"\r"),
        newlines=newlines,
        lines=newlines + lone_crs + (0 if not tail or tail.endswith(b"\n") else 1),
        ends_with_newline=tail.endswith(b"\n"),
    )


def sample_text(scan: ByteScan) -> str:
    """The head of the file as text, good enough for delimiter detection.

    Latin-1 keeps every ASCII byte in place for UTF-8 and cp1252 alike, and delimiters,
    quotes and line ends are ASCII.
    """
    if scan.bom == "utf-16":
        return scan.head.decode("utf-16", errors="replace")
    text = scan.head.decode("latin-1")
    return text[1:] if scan.bom == "utf-8" else text


def _complete_rows(sample: str, delimiter: str, truncated: bool) -> list[list[str]]:
    rows = []
    try:
        for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
            rows.append(row)
            if len(rows) > _SAMPLE_ROWS:
                break
    except csv.Error:
        return []
    if truncated and len(rows) <= _SAMPLE_ROWS and rows:
        rows.pop()  # the last row may be cut off mid-field
    return [r for r in rows if any(cell.strip() for cell in r)]


_HEADER_SEARCH = 30
"""The header is looked for among this many rows at the top."""
_SEP_LINE = re.compile(r"^sep=(.)\r?$", re.IGNORECASE)
_COMMENT = re.compile(r"^#.")
"""'# Stand: …', '#Quelle': a comment line ('#' alone is a header, the row number column)."""


def _filled(row: Sequence[str]) -> int:
    return sum(1 for cell in row if cell.strip())


def header_row(rows: Sequence[Sequence[str]]) -> int:
    """Index of the header among the first rows: past an Excel `sep=;` line, `#` comment or
    licence lines and a title block ('Adressliste', 'Stand: 01.11.2026', a blank line).

    The header is the first row that fills at least half as many cells as the rows below
    it typically do (and two at least); lines above it say something about the file, not
    its columns. Without such a row the first row is the header, as before.
    """
    counts = [_filled(r) for r in rows]
    for index, row in enumerate(rows[:_HEADER_SEARCH]):
        first = row[0].strip() if row else ""
        if counts[index] < 2 or _SEP_LINE.match(first) or _COMMENT.match(first):
            continue
        below = sorted(c for c in counts[index + 1:index + 1 + _SAMPLE_ROWS] if c)
        typical = below[len(below) // 2] if below else counts[index]
        if counts[index] * 2 >= typical:
            return index
    return 0


def sep_line_delimiter(sample: str) -> str | None:
    """The delimiter Excel's first line `sep=;` declares, if the file has one."""
    first = sample.split("\n", 1)[0].rstrip("\r")
    match = _SEP_LINE.match(first)
    return match.group(1) if match and match.group(1) in DELIMITERS else None


def _fit(rows: list[list[str]]) -> float:
    """Share of data rows as wide as the header (found past any title lines); 0 if the
    header is a single column."""
    skipped = header_row(rows) if rows else 0
    rows = rows[skipped:]
    if not rows or len(rows[0]) < 2:
        return 0.0
    width = len(rows[0])
    data = rows[1:]
    if not data:
        # a header alone fits; a 'header' found below title lines with nothing under it is
        # a data row that a wrong delimiter split, below the real header it could not split
        return 0.0 if skipped else 1.0
    return sum(len(r) == width for r in data) / len(data)


def detect_delimiter(sample: str, truncated: bool) -> str:
    """The delimiter of a CSV sample; ',' for a file with a single column."""
    return fitting_delimiter(sample, truncated) or ","


def fitting_delimiter(sample: str, truncated: bool) -> str | None:
    """The delimiter that splits the sample like its header; None if none does.

    None means a single column or an undetectable delimiter; only the column mapping tells
    which, so the caller decides the message.
    """
    declared = sep_line_delimiter(sample)
    if declared is not None:
        return declared
    candidates = {d: _complete_rows(sample, d, truncated) for d in DELIMITERS}
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    from_top = {d for d, rows in candidates.items()
                if rows and len(rows[0]) >= 2 and header_row(rows) == 0}
    if sniffed in candidates and _fit(candidates[sniffed]) >= _SNIFF_FIT and (
            sniffed in from_top or not any(_fit(candidates[d]) >= _SNIFF_FIT
                                           for d in from_top)):
        return sniffed
    # a delimiter that splits the first row into the header beats one that has to take the
    # first row for a title line ("Firma;Ort;Notiz" above values like "',;;")
    scored = [(_fit(rows), d in from_top, len(rows[0]) if rows else 0, d)
              for d, rows in candidates.items()]
    best = max(scored)
    return best[3] if best[0] >= _MIN_FIT else None


def _lines_up_to(lines: Iterable[str], offset: int) -> Iterator[str]:
    """The text before `offset`, line by line, plus a stand-in character for the byte at it."""
    seen = 0
    previous: str | None = None
    for line in lines:
        if previous is not None:
            yield previous
        if seen + len(line) > offset:
            yield line[: offset - seen] + "x"
            return
        seen += len(line)
        previous = line
    # offset is the end of the file: the stand-in continues the last line unless it ended
    if previous is None or previous.endswith(("\n", "\r")):
        if previous is not None:
            yield previous
        yield "x"
    else:
        yield previous + "x"


def locate(path: Path, offset: int, delimiter: str, headers: list[str] | None = None,
           ) -> tuple[int, str | None]:
    """(row, header) holding byte `offset`, counting rows like a spreadsheet (header = 1).

    Error path only: re-reads the file up to `offset`, streaming. Correct for any ASCII-compatible
    encoding, since quotes, delimiters and line ends are single ASCII bytes there.
    """
    row, width = 0, 0
    first: list[str] | None = None
    with open(path, encoding="latin-1", newline="") as fh:  # latin-1: one char per byte
        for record in csv.reader(_lines_up_to(fh, offset), delimiter=delimiter):
            row += 1
            width = len(record)
            if first is None:
                first = record
    index = width - 1
    names = headers if headers is not None else first
    if row <= 1 or names is None:  # inside the header row itself: its names are incomplete
        return max(row, 1), f"column {index + 1}"
    return row, names[index] if 0 <= index < len(names) else f"column {index + 1}"


def _error_at(path: Path, offset: int, delimiter: str, message: str) -> InputFileError:
    row, column = locate(path, offset, delimiter)
    return InputFileError(path, row, column, message)


def check_not_binary(path: Path, scan: ByteScan, delimiter: str) -> None:
    """Reject files that are not text: known binary formats, NUL bytes, control-code soup."""
    for magic, what in _MAGIC:
        if scan.head.startswith(magic):
            raise InputFileError(path, None, None, f"this is not a text list but {what}")
    if scan.bom == "utf-16":
        return
    if scan.nul is not None:
        row, column = locate(path, scan.nul, delimiter)
        raise InputFileError(path, row, column if column and column.isprintable() else None,
                             f"binary data: NUL byte at byte offset {scan.nul}; this is not a "
                             "text list (or it is UTF-16 without a byte-order mark)")
    controls = len(_CONTROL.findall(scan.head))
    if scan.head and controls / len(scan.head) > _BINARY_CONTROL_SHARE:
        raise InputFileError(path, None, None,
                             f"binary data: {controls} control bytes in the first "
                             f"{len(scan.head)} bytes; this is not a text list")


def _strict_decode_error(path: Path, encoding: str, skip: int) -> int | None:
    """Offset of the first byte `encoding` cannot decode, or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with open(path, "rb") as fh:
        fh.seek(skip)
        offset = skip
        while chunk := fh.read(CHUNK_BYTES):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset - pending + exc.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset - len(decoder.getstate()[0])
    return None


def _search(path: Path, pattern: re.Pattern[bytes], starts: bytes) -> int | None:
    """Offset of the first match of a short byte pattern (two bytes at most).

    `starts` lists the bytes a match can begin with; chunks without any of them are
    skipped with a fast byte search instead of the slower regular expression.
    """
    offset = 0
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            joined = tail + chunk
            if not any(joined.find(starts[i:i + 1]) >= 0 for i in range(len(starts))):
                tail = chunk[-1:]
                offset += len(chunk)
                continue
            match = pattern.search(joined)
            if match:
                return offset - len(tail) + match.start()
            tail = chunk[-1:]
            offset += len(chunk)
    return None


def choose_encoding(path: Path, scan: ByteScan, delimiter: str, declared: str | None) -> str:
    """The Python codec to read the file with; raises if it cannot be read without damage.

    Returns 'utf-8', 'utf-8-sig' (UTF-8 with BOM), 'utf-16', 'cp1252', 'latin-1', or the
    declared codec.
    """
    if declared is not None:
        return _check_declared(path, scan, delimiter, declared)
    if scan.bom == "utf-16":
        bad = _strict_decode_error(path, "utf-16", 0)
        if bad is not None:
            raise InputFileError(path, None, None, f"the file starts with a UTF-16 byte-order "
                                 f"mark but byte offset {bad} is not valid UTF-16")
        return "utf-16"
    if scan.utf8_error is None:
        return "utf-8-sig" if scan.bom == "utf-8" else "utf-8"
    if scan.bom == "utf-8" or (scan.utf8_non_ascii is not None
                               and scan.utf8_non_ascii < scan.utf8_error):
        raise _error_at(
            path, scan.utf8_error, delimiter,
            "mixed encodings: earlier text is UTF-8 but this value is not valid UTF-8 "
            "(probably Windows-1252); re-export the list in one encoding",
        )
    umlaut = _search(path, _UTF8_UMLAUT, b"\xc3")
    if umlaut is not None:
        raise _error_at(
            path, umlaut, delimiter,
            "mixed encodings: the file is mostly Windows-1252 but this value holds UTF-8 "
            "umlauts; re-export the list in one encoding",
        )
    undefined = _search(path, _CP1252_UNDEFINED, b"\x81\x8d\x8f\x90\x9d")
    return "latin-1" if undefined is not None else "cp1252"


def _check_declared(path: Path, scan: ByteScan, delimiter: str, declared: str) -> str:
    codec = codecs.lookup(declared).name
    skip = len(codecs.BOM_UTF8) if codec == "utf-8" and scan.bom == "utf-8" else 0
    if codec in _SINGLE_BYTE and scan.utf8_error is None and scan.utf8_non_ascii is not None:
        raise _error_at(
            path, scan.utf8_non_ascii, delimiter,
            f"the mapping file declares encoding {declared!r}, but the file is UTF-8: read as "
            f"{declared} this value's umlauts would be mangled; remove the encoding line or "
            "set it to utf-8",
        )
    bad = _strict_decode_error(path, codec, skip)
    if bad is not None:
        with open(path, "rb") as fh:
            fh.seek(bad)
            byte = fh.read(1)
        raise _error_at(
            path, bad, delimiter,
            f"the mapping file declares encoding {declared!r}, but byte 0x{byte.hex()} at "
            f"offset {bad} is not valid {declared}; fix or remove the encoding line",
        )
    if codec == "utf-8" and skip:
        return "utf-8-sig"
    return codec
