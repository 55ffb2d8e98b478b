"""Writing lead lists for sales: CSV (plain or German Excel), XLSX or JSON, safely.

Exports are opened in Excel, and lead data comes from untrusted sources (web forms, purchased
lists), so every text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
is neutralised with a leading apostrophe: Excel then shows it as text and never evaluates it
(OWASP "CSV injection"). Files are written to a temporary name and renamed when complete, so
a crash never leaves half a list behind, and an existing file is only replaced with `force`.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import TYPE_STRING

ExportFormat = Literal["csv", "xlsx", "json"]
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class ExportPathExists(FileExistsError):
    """The output file exists and `force` was not given."""


def neutralize(value: Any) -> Any:
    """Make a cell safe for spreadsheets; non-text values pass unchanged.

    The check runs on the NFKC form: spreadsheet programs read the full-width `＝` and
    `＋` (and their kin) as `=` and `+`, so `＝HYPERLINK(…)` is a formula too.
    """
    if isinstance(value, str) and unicodedata.normalize("NFKC", value[:1]).startswith(
            FORMULA_TRIGGERS):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, default=str)
    return neutralize(value)


def _atomic_target(path: Path, force: bool) -> Path:
    if path.exists() and not force:
        raise ExportPathExists(f"{path} exists; choose another name or pass --force")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def write_rows(
    path: Path,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    fmt: ExportFormat,
    excel_de: bool = False,
    force: bool = False,
) -> int:
    """Write `rows` (only `columns`, in that order); return how many rows were written.

    `excel_de` writes CSV the way German Excel opens it with a double click: UTF-8 with BOM,
    semicolons, CRLF. An empty result still gets a file with the header row.
    """
    tmp = _atomic_target(path, force)
    count = 0
    try:
        if fmt == "csv":
            with open(tmp, "w", encoding="utf-8-sig" if excel_de else "utf-8", newline="") as fh:
                writer = csv.writer(fh, delimiter=";" if excel_de else ",",
                                    lineterminator="\r\n" if excel_de else "\n")
                writer.writerow(columns)
                for row in rows:
                    writer.writerow([_cell(row.get(c)) for c in columns])
                    count += 1
        elif fmt == "xlsx":
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("leads")
            sheet.append(list(columns))
            for row in rows:
                sheet.append([_xlsx_cell(sheet, _cell(row.get(c))) for c in columns])
                count += 1
            workbook.save(tmp)
        else:
            materialised = [{c: row.get(c) for c in columns} for row in rows]
            count = len(materialised)
            tmp.write_text(json.dumps(materialised, ensure_ascii=False, indent=2, default=str),
                           encoding="utf-8")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """Text goes in as an explicit string cell, so openpyxl never stores it as a formula."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = TYPE_STRING
    return cell


def remove_rows(path: Path, column: str, values: set[str]) -> int:
    """Rewrite an export without the rows whose `column` is in `values` (GDPR erasure).

    The dialect is kept: CSV delimiter and BOM as found, XLSX as text cells, JSON as a list.
    Returns how many rows were removed; a missing file removes nothing.
    """
    if not path.exists():
        return 0
    suffix = path.suffix.lower()
    if suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
        kept = [r for r in rows if str(r.get(column)) not in values]
        columns = list(rows[0]) if rows else []
        write_rows(path, columns, kept, fmt="json", force=True)
        return len(rows) - len(kept)
    if suffix == ".xlsx":
        sheet = load_workbook(path, read_only=True).active
        table = list(sheet.iter_rows(values_only=True)) if sheet is not None else []
        header = [str(h) for h in table[0]] if table else []
        records = [dict(zip(header, row, strict=False)) for row in table[1:]]
        kept = [r for r in records if str(r.get(column)).lstrip("'") not in values]
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
    kept = [r for r in records if str(r.get(column)).lstrip("'") not in values]
    write_rows(path, header, kept, fmt="csv", excel_de=excel_de or bom, force=True)
    return len(records) - len(kept)
