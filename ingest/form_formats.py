"""Reading formats: a form export's bytes as (row number, object or problem, raw text).

NDJSON gives the line number (first line = 1), a JSON array the position of the submission
(first = 1), CSV the spreadsheet row (header = 1, first submission = 2). A line that cannot
be read comes as a `RowProblem` in the object's place; a file that cannot be read at all
raises `InputFileError`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.columns import check_headers
from ingest.errors import InputFileError
from ingest.form_values import MAX_DEPTH, RowProblem, decode_json, parse_json
from ingest.sniff import (
    check_not_binary,
    choose_encoding,
    detect_delimiter,
    sample_text,
    scan_bytes,
)

Rows = Iterator[tuple[int, Any, str | None]]
"""(row number, parsed object or the RowProblem, raw text when there is one)."""


def ndjson_objects(data: bytes) -> Rows:
    """(line number, parsed object or the problem, raw line) per non-blank line."""
    for number, raw in enumerate(data.splitlines(), start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        text = raw.decode("utf-8", errors="replace")
        nul = raw.find(b"\0")
        if nul >= 0:
            yield number, RowProblem(None, f"binary data: NUL byte at column {nul + 1}"), \
                text.replace("\0", "\\0")
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, RowProblem(None, f"not valid UTF-8 at column {exc.start + 1}"), text
            continue
        try:
            yield number, parse_json(line), line
        except RowProblem as problem:
            yield number, problem, line


def json_objects(path: Path, data: bytes, containers: list[str]) -> Rows:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(path, None, None, f"not valid UTF-8 at byte {exc.start}; JSON "
                             "exports must be UTF-8") from exc
    try:
        doc = decode_json(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(path, exc.lineno, None, f"invalid JSON at line {exc.lineno}, "
                             f"column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise InputFileError(path, None, None, "JSON nested too deeply to read (a submission "
                             f"has at most {MAX_DEPTH} levels); export it as NDJSON, one "
                             "submission per line, to quarantine only the bad ones") from exc
    items: Any = doc
    if isinstance(doc, dict):
        items = next((doc[k] for k in containers if isinstance(doc.get(k), list)), None)
        if items is None:
            items = [doc]
    if not isinstance(items, list):
        raise InputFileError(path, None, None, "a JSON export must be an array of submissions "
                             f"or an object with one of: {', '.join(containers)}")
    for number, item in enumerate(items, start=1):
        yield number, item, None


def csv_objects(path: Path) -> tuple[Rows, str]:
    scan = scan_bytes(path)
    sample = sample_text(scan)
    delimiter = detect_delimiter(sample, scan.size > len(scan.head))
    check_not_binary(path, scan, delimiter)
    encoding = choose_encoding(path, scan, delimiter, None)

    def rows() -> Rows:
        with open(path, encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            headers = next(reader, None)
            if headers is None:
                raise InputFileError(path, None, None, "the file is empty")
            check_headers(path, headers)
            for number, row in enumerate(reader, start=2):
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(headers):
                    yield number, RowProblem(None, f"expected {len(headers)} fields, found "
                                             f"{len(row)}"), delimiter.join(row)
                    continue
                yield number, dict(zip(headers, row, strict=True)), None

    return rows(), encoding


def export_format(path: Path, data: bytes) -> str:
    """'ndjson', 'json' or 'csv', by the file name, else by the content."""
    suffix = path.suffix.lower()
    if suffix in {".ndjson", ".jsonl"}:
        return "ndjson"
    if suffix == ".csv":
        return "csv"
    try:
        parse_json(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, RowProblem):
        # NDJSON saved as .json: the first line alone is a complete object
        first = data.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
        try:
            return "ndjson" if isinstance(parse_json(first.decode("utf-8")), dict) else "json"
        except (UnicodeDecodeError, RowProblem):
            return "json"
    return "json"
