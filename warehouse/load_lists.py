"""Load a prepared purchased list into raw, staging and quarantine, in one transaction.

`ingest.prepare_list` has already detected encoding and delimiter, mapped the columns and
written (or validated) a UTF-8 comma-separated file. Here DuckDB reads that file itself,
which keeps a million-row list within a few times DuckDB's own `read_csv` time.

Row numbers are spreadsheet rows: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from compliance.suppression import SuppressionList
from enrichment.text import SPREADSHEET_ERRORS
from ingest.errors import InputFileError
from ingest.fields import COMBINED_FIELDS, IDENTITY_FIELDS, SPLIT_PATTERNS, fields_filled
from ingest.records import MalformedRow, RecordReader, fit_width
from warehouse.db import Warehouse

SUBJECT_FIELDS = frozenset({
    "email", "phone", "mobile", "first_name", "last_name", "full_name", "street",
    "street_full", "house_number", "postcode", "country",
})
"""The canonical fields the suppression check looks at."""

MAX_FIELD_CHARS = 10_000
"""Longer values are no lead data (a pasted document, garbage); such rows are quarantined."""

_MAX_LINE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class ListMetadata:
    """What the buyer knows about a purchased list; the compliance rules depend on it."""

    vendor: str
    acquired_on: date
    licence_end: date | None = None
    permitted_use: str | None = None
    provenance_documented: bool = False


class CountsDoNotReconcile(InputFileError):
    """Rows read, loaded, quarantined and skipped do not add up: the batch is not loaded."""


@dataclass(frozen=True)
class BatchReport:
    """What happened to one input file: `rows_in = loaded + quarantined + skipped`."""

    batch_id: str
    file_name: str
    status: str  # loaded | skipped
    rows_in: int
    loaded: int
    quarantined: int
    skipped: int
    note: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    """Purchased lists: header → field of every mapped column."""
    unmapped: tuple[str, ...] = ()
    """Purchased lists: columns kept in the raw payload only."""
    warnings: tuple[str, ...] = ()
    """Purchased lists: what the mapping was unsure of or could not find (a key field)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id, "file": self.file_name, "status": self.status,
            "in": self.rows_in, "loaded": self.loaded, "quarantined": self.quarantined,
            "skipped": self.skipped, "note": self.note, "mapping": self.mapping,
            "unmapped": list(self.unmapped), "warnings": list(self.warnings),
        }


def batch_id_for(source_kind: str, sha256: str) -> str:
    prefix = {"purchased_list": "L", "web_form": "F", "crawl": "C", "customer": "K"}[source_kind]
    return f"{prefix}{sha256[:15]}"


def already_ingested(wh: Warehouse, source_kind: str, sha256: str, file_name: str,
                     column_mapping: dict[str, str] | None = None) -> BatchReport | None:
    """The earlier batch of the same content, reported as `file_name` skipped, or None.

    Given the `column_mapping` of this load, the note says when the earlier batch was loaded
    with another mapping, and how to load the file again with this one (`--replace`).
    """
    row = wh.fetchone(
        "SELECT batch_id, file_name, rows_in, column_mapping FROM raw.batches "
        "WHERE source_kind = ? AND file_sha256 = ?",
        [source_kind, sha256],
    )
    if row is None:
        return None
    batch_id, earlier_name, rows_in, earlier_mapping = row
    same = "file" if earlier_name == file_name else f"content (as {earlier_name})"
    note = f"the same {same} was already ingested as batch {batch_id}"
    if column_mapping is not None and json.loads(earlier_mapping or "{}") != column_mapping:
        note += (" with another column mapping; to load it with this mapping in its place, "
                 "run again with --replace (the replace parameter of the flow)")
    return BatchReport(batch_id, file_name, "skipped", rows_in, 0, 0, rows_in, note=note)


def staging_columns(wh: Warehouse, table: str) -> list[str]:
    schema, name = table.split(".")
    return [
        r[0]
        for r in wh.fetchall(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, name],
        )
    ]


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _read_csv_sql(path: Path, columns: dict[str, str]) -> str:
    cols = ", ".join(f"{_sql_str(name)}: {_sql_str(kind)}" for name, kind in columns.items())
    return (
        f"read_csv({_sql_str(str(path))}, delim=',', quote='\"', escape='\"', header=true, "
        f"auto_detect=false, strict_mode=true, null_padding=false, "
        f"max_line_size={_MAX_LINE_BYTES}, columns={{{cols}}})"
    )


def _read_incoming(wh: Warehouse, csv_path: Path, n_cols: int, checks: str) -> None:
    """Read the prepared CSV into temp table `_incoming` (c0..cN as text, in file order).

    DuckDB keeps insertion order, so a row's `rowid` + 2 is its spreadsheet row. `checks`
    adds the computed `_blank` and `_problem` columns in the same pass.
    """
    columns = {f"c{i}": "VARCHAR" for i in range(n_cols)}
    source = _read_csv_sql(csv_path, columns)
    wh.execute(_incoming_sql(source, n_cols, checks))


def _incoming_sql(source: str, n_cols: int, checks: str) -> str:
    """`_blank` (no value in the row) and `_lone` (exactly one) are computed first; `checks`
    read them. A million-row list must load within a few times DuckDB's own read, so the
    usual row is settled by comparisons and only the rare one is trimmed cell by cell."""
    cells = [f"nullif(trim(c{i}), '')" for i in range(n_cols)]
    if not cells:
        return f"CREATE OR REPLACE TEMP TABLE _incoming AS SELECT *, true AS _blank, false AS " \
               f"_lone, {checks} FROM {source}"
    # a cell starting with a printable character is not blank: a comparison, no trim;
    # only rows with fewer than two such cells are counted exactly
    printable = " + ".join(f"coalesce(c{i} >= '!', false)::INT" for i in range(n_cols))
    count = " + ".join(f"({c} IS NOT NULL)::INT" for c in cells)
    blank = (f"CASE WHEN {printable} > 0 THEN false "
             f"ELSE coalesce({', '.join(cells)}) IS NULL END")
    lone = f"CASE WHEN {printable} > 1 THEN false ELSE {count} = 1 END"
    return (f"CREATE OR REPLACE TEMP TABLE _incoming AS SELECT *, {checks} FROM "
            f"(SELECT *, {blank} AS _blank, {lone} AS _lone FROM {source})")


@dataclass(frozen=True)
class SetAside:
    """A row that cannot be stored field by field; it goes to quarantine with its text."""

    row: int
    reason: str
    raw: str | None = None


def _row_numbers(skip: frozenset[int], first: int) -> Iterator[int]:
    """Spreadsheet rows from `first` on, without those `skip` already took (malformed rows)."""
    row = first
    while True:
        if row not in skip:
            yield row
        row += 1


def _reread(csv_path: Path, n_cols: int, work: Path, malformed: tuple[MalformedRow, ...],
            first_row: int, free_text_delimiter: str | None = None,
            ) -> tuple[Path, list[SetAside]]:
    """Slow path for files DuckDB rejects or rows prepare set aside: number rows in Python.

    Returns a clean CSV with a leading row-number column, and the rows that could not go
    into it (ragged, malformed).
    """
    bad = [SetAside(m.row, m.reason, m.raw) for m in malformed]
    work.mkdir(parents=True, exist_ok=True)
    out_path = work / (csv_path.stem + ".numbered.csv")
    numbers = _row_numbers(frozenset(m.row for m in malformed), first_row)
    with open(csv_path, encoding="utf-8", newline="") as src, \
         open(out_path, "w", encoding="utf-8", newline="") as dst:
        records = RecordReader(src, ",").records()
        writer = csv.writer(dst, quoting=csv.QUOTE_ALL)
        next(records, None)
        writer.writerow(["_row", *[f"c{i}" for i in range(n_cols)]])
        for row, record in zip(numbers, records, strict=False):  # numbers never end
            if isinstance(record, MalformedRow):
                bad.append(SetAside(row, record.reason, record.raw))
            elif (fitted := fit_width(record, n_cols, free_text_delimiter or ",",
                                      last_is_free_text=free_text_delimiter is not None)) is None:
                bad.append(SetAside(row, f"expected {n_cols} fields, found {len(record)}"))
            else:
                writer.writerow([row, *fitted])
    return out_path, bad


def _load_numbered(wh: Warehouse, numbered: Path, n_cols: int, checks: str) -> None:
    columns = {"_row": "BIGINT", **{f"c{i}": "VARCHAR" for i in range(n_cols)}}
    source = _read_csv_sql(numbered, columns)
    wh.execute(_incoming_sql(source, n_cols, checks))


def payload_expr(headers: list[str]) -> str:
    parts = []
    for i, header in enumerate(headers):
        key = header if header.strip() else f"column_{i + 1}"
        parts.append(f"{_sql_str(key)}, c{i}")
    return f"json_object({', '.join(parts)})"


_ERROR_VALUES = ", ".join(_sql_str(v) for v in sorted(SPREADSHEET_ERRORS))
_MIN_COLUMNS_FOR_LONE_VALUE = 3


def _problem_expr(headers: list[str], mapping: dict[str, str]) -> str:
    """A CASE giving 'field|reason' for the first problem of a row, else NULL.

    A row with a single value in a list of several columns is a title, note or vendor footer
    ('Stand: 01.11.2026 – Quelle: …'), not a lead; a name that is a spreadsheet error value
    identifies nobody.
    """
    whens = []
    for i, header in enumerate(headers):
        whens.append(
            f"WHEN strlen(c{i}) > {MAX_FIELD_CHARS} AND length(c{i}) > {MAX_FIELD_CHARS} THEN "
            f"{_sql_str(header + '|value longer than ' + str(MAX_FIELD_CHARS) + ' characters')}"
        )
    named = [i for i, h in enumerate(headers) if h.strip()]
    if len(named) >= _MIN_COLUMNS_FOR_LONE_VALUE:
        lone = _sql_str("|a single value in the row: a title, note or footer line, not a lead")
        whens.append(f"WHEN _lone THEN {lone}")
    identity = [i for i, h in enumerate(headers) if mapping.get(h) in IDENTITY_FIELDS]
    damaged = "|a spreadsheet error value (#NV, #WERT!…) instead of a name: the row is damaged"
    for i in identity:
        whens.append(f"WHEN contains(c{i}, '#') AND upper(trim(c{i})) IN ({_ERROR_VALUES}) "
                     f"THEN {_sql_str(headers[i] + damaged)}")
    if identity:
        wanted = "/".join(headers[i] for i in identity)
        printable = " OR ".join(f"coalesce(c{i} >= '!', false)" for i in identity)
        raw = ", ".join(f"nullif(trim(c{i}), '')" for i in identity)
        whens.append(
            f"WHEN NOT ({printable}) AND coalesce({raw}) IS NULL THEN "
            f"{_sql_str(wanted + '|no company and no person name')}"
        )
    return "CASE " + " ".join(whens) + " ELSE NULL END" if whens else "NULL"


def _columns_of(field: str, headers: list[str], mapping: dict[str, str]) -> list[str]:
    return [f"c{i}" for i, h in enumerate(headers) if mapping.get(h) == field]


def canonical_expr(field: str, headers: list[str], mapping: dict[str, str]) -> str:
    """The first non-blank source column of a canonical field, trimmed, with the combined
    columns (`ingest.fields.COMBINED_FIELDS`) that fill it: split, appended or joined."""
    own = _columns_of(field, headers, mapping)
    sources = [f"nullif(trim({c}), '')" for c in own]
    for combined, pattern in SPLIT_PATTERNS.items():
        if field not in COMBINED_FIELDS[combined]:
            continue
        group = COMBINED_FIELDS[combined].index(field) + 1
        for c in _columns_of(combined, headers, mapping):
            part = f"nullif(regexp_extract({c}, {_sql_str(pattern)}, {group}), '')"
            # a street line without postcode and city is still the street
            whole = f", nullif(trim({c}), '')" if field == "street_full" else ""
            sources.append(f"coalesce({part}{whole})")
    area_code = {"phone": "phone_area_code", "fax": "fax_area_code"}.get(field)
    if area_code is not None:
        codes = [i for i, h in enumerate(headers) if mapping.get(h) == area_code]
        sources = [_with_area_code(f"c{i}", _area_code_of(i, codes, headers))
                   for i, h in enumerate(headers) if mapping.get(h) == field]
    value = f"coalesce({', '.join(sources)})" if sources else "NULL"
    if field == "company":
        more = [f"nullif(trim({c}), '')"
                for c in _columns_of("company_continued", headers, mapping)]
        if more:
            value = f"nullif(concat_ws(' ', {value}, {', '.join(more)}), '')"
    return value


def _area_code_of(number: int, codes: list[int], headers: list[str]) -> str | None:
    """The area-code column of a number column: the one with the same trailing number
    ('phone_code_2' for 'phone_number_2'), else the nearest one before it, else the first."""
    if not codes:
        return None
    suffix = headers[number].rstrip()[-1:]
    same = [i for i in codes if suffix.isdigit() and headers[i].rstrip().endswith(suffix)]
    before = [i for i in codes if i < number]
    return f"c{(same or before[-1:] or codes)[0]}"


def _with_area_code(number: str, area_code: str | None) -> str:
    """'0234' + '9388231' → '0234 9388231'; an area code that lost its 0 ('241') gets it back;
    a number that already starts with 0 or + is left alone."""
    value = f"nullif(trim({number}), '')"
    if area_code is None:
        return value
    code = f"nullif(trim({area_code}), '')"
    prefix = f"CASE WHEN regexp_matches({code}, '^[1-9][0-9]{{1,5}}$') THEN '0' || {code} " \
             f"ELSE {code} END"
    return (f"CASE WHEN {code} IS NULL OR regexp_matches({value}, '^[0+(]') THEN {value} "
            f"ELSE {prefix} || ' ' || {value} END")


def mark_suppressed(
    wh: Warehouse, headers: list[str], mapping: dict[str, str], suppression: SuppressionList,
    batch_id: str, row: str, now: datetime,
) -> int:
    """Record rows of `_incoming` that match the suppression list; return how many."""
    if not suppression:
        return 0
    fields = sorted(fields_filled(mapping.values()) & SUBJECT_FIELDS)
    cur = wh.con.execute(
        f"SELECT {row}, {', '.join(canonical_expr(f, headers, mapping) for f in fields)} "
        f"FROM _incoming WHERE NOT _blank"
    )
    hits = []
    for values in cur.fetchall():
        found = suppression.first_match(dict(zip(fields, values[1:], strict=True)))
        if found:
            hits.append([batch_id, values[0], found[0], found[1].origin, now])
    if hits:
        wh.con.executemany(
            "INSERT INTO ops.suppressed_rows (batch_id, row_number, kind, origin, suppressed_at) "
            "VALUES (?, ?, ?, ?, ?)", hits,
        )
    return len(hits)


def kept_rows(suppressed: int, batch_id: str, row: str) -> str:
    """The condition on `_incoming` for the rows a load keeps: not blank, not suppressed
    (`suppressed`: how many rows `mark_suppressed` recorded for the batch)."""
    if not suppressed:
        return "NOT _blank"
    return (f"NOT _blank AND {row} NOT IN (SELECT row_number FROM ops.suppressed_rows "
            f"WHERE batch_id = {_sql_str(batch_id)})")


@dataclass(frozen=True)
class Incoming:
    """The file read into temp table `_incoming`, and how to number its rows."""

    row_expr: str
    set_aside: list[SetAside]


def read_incoming(wh: Warehouse, prepared: Any, work_dir: Path) -> Incoming:
    """Read the prepared file into temp table `_incoming`; set ragged rows aside.

    Runs before the data transaction: a CSV error from DuckDB aborts the transaction it
    happens in, so the fast attempt must not happen inside it. Rows prepare set aside
    leave gaps in the numbering, which only the Python path knows how to skip.
    """
    headers, mapping = list(prepared.headers), dict(prepared.mapping)
    n_cols = len(headers)
    checks = f"{_problem_expr(headers, mapping)} AS _problem"
    if not prepared.malformed:
        try:
            _read_incoming(wh, Path(prepared.csv_path), n_cols, checks)
        except duckdb.Error:
            pass
        else:
            return Incoming(f"(rowid + {int(prepared.first_data_row)})", [])
    # surplus cells of a row belong to a last column of free text, split at its delimiter
    free_text = prepared.delimiter if headers and headers[-1] not in mapping else None
    numbered, set_aside = _reread(Path(prepared.csv_path), n_cols, work_dir, prepared.malformed,
                                  int(prepared.first_data_row), free_text)
    _load_numbered(wh, numbered, n_cols, checks)
    numbered.unlink()
    return Incoming("_row", set_aside)


@dataclass(frozen=True)
class ProblemCount:
    """Rows a load would quarantine for one reason, with the first few row numbers."""

    field: str | None
    reason: str
    rows: int
    examples: tuple[int, ...]


def preview_problems(prepared: Any, work_dir: Path) -> tuple[list[ProblemCount], int]:
    """(what a load would quarantine, blank rows it would skip), on a throwaway database.

    The same checks as `load_purchased_list`, run on an in-memory DuckDB, so the preview
    and the load cannot disagree; the warehouse itself is not opened.
    """
    con = duckdb.connect(":memory:")
    try:
        wh = Warehouse(con, Path(":memory:"), snapshot=False)
        incoming = read_incoming(wh, prepared, work_dir)
        row = incoming.row_expr
        rows = wh.fetchall(
            f"SELECT nullif(split_part(_problem, '|', 1), ''), split_part(_problem, '|', 2), "
            f"count(*), list({row} ORDER BY {row})[1:3] FROM _incoming "
            "WHERE NOT _blank AND _problem IS NOT NULL GROUP BY ALL ORDER BY 3 DESC, 2")
        blank = int(wh.scalar("SELECT count(*) FROM _incoming WHERE _blank"))
    finally:
        con.close()
    problems = [ProblemCount(f, r, int(n), tuple(e)) for f, r, n, e in rows]
    for aside in incoming.set_aside:
        problems.append(ProblemCount(None, aside.reason, 1, (aside.row,)))
    return problems, blank


def _counted(wh: Warehouse, batch_id: str, suppressed: int) -> tuple[int, int, int]:
    """(loaded, quarantined, skipped), each counted where the rows went."""
    loaded = wh.scalar("SELECT count(*) FROM staging.stg_purchased_list__records "
                       "WHERE batch_id = ?", [batch_id])
    quarantined = wh.scalar("SELECT count(*) FROM ops.quarantine WHERE batch_id = ?", [batch_id])
    blank = wh.scalar("SELECT count(*) FROM _incoming WHERE _blank")
    return int(loaded), int(quarantined), int(blank) + suppressed


def load_purchased_list(
    wh: Warehouse,
    *,
    run_id: str,
    prepared: Any,
    metadata: ListMetadata,
    incoming: Incoming,
    suppression: SuppressionList,
) -> BatchReport:
    """Load `_incoming` (see `read_incoming`) inside the caller's transaction.

    Blank rows and rows matching the suppression list (people who objected or were erased)
    are skipped and not stored; rows with a problem are stored in raw and quarantined.
    """
    batch_id = batch_id_for("purchased_list", prepared.file_sha256)
    headers: list[str] = list(prepared.headers)
    mapping: dict[str, str] = dict(prepared.mapping)
    now = datetime.now(UTC)

    row = incoming.row_expr
    suppressed = mark_suppressed(wh, headers, mapping, suppression, batch_id, row, now)
    keep = kept_rows(suppressed, batch_id, row)
    record_id = f"{_sql_str(batch_id + ':')} || {row}"
    wh.execute(
        f"INSERT INTO raw.records (record_id, batch_id, source_kind, row_number, payload, "
        f"ingested_at) SELECT {record_id}, ?, 'purchased_list', {row}, "
        f"{payload_expr(headers)}, ? FROM _incoming WHERE {keep}",
        [batch_id, now],
    )
    wh.execute(
        f"INSERT INTO ops.quarantine (batch_id, file_name, row_number, record_id, field, reason, "
        f"quarantined_at) SELECT ?, ?, {row}, {record_id}, split_part(_problem, '|', 1), "
        f"split_part(_problem, '|', 2), ? FROM _incoming WHERE {keep} AND _problem IS NOT NULL",
        [batch_id, prepared.file_name, now],
    )
    if incoming.set_aside:
        wh.con.executemany(
            "INSERT INTO ops.quarantine (batch_id, file_name, row_number, field, reason, "
            "raw_content, quarantined_at) VALUES (?, ?, ?, NULL, ?, ?, ?)",
            [[batch_id, prepared.file_name, s.row, s.reason, s.raw, now]
             for s in incoming.set_aside],
        )

    staging_cols = staging_columns(wh, "staging.stg_purchased_list__records")
    select = []
    for col in staging_cols:
        if col == "record_id":
            select.append(record_id)
        elif col == "batch_id":
            select.append(_sql_str(batch_id))
        elif col == "row_number":
            select.append(row)
        else:
            select.append(canonical_expr(col, headers, mapping))
    wh.execute(
        f"INSERT INTO staging.stg_purchased_list__records ({', '.join(staging_cols)}) "
        f"SELECT {', '.join(select)} FROM _incoming WHERE {keep} AND _problem IS NULL"
    )

    rows_in = prepared.source_rows
    loaded, quarantined, skipped = _counted(wh, batch_id, suppressed)
    if loaded + quarantined + skipped != rows_in:
        raise CountsDoNotReconcile(
            prepared.file_name, None, None,
            f"the counts do not reconcile: reading the file found {rows_in:,} rows, but "
            f"{loaded:,} were loaded + {quarantined:,} quarantined + {skipped:,} skipped; "
            "nothing was loaded. This is a leadpipe bug: please report it with the file")
    wh.execute(
        "INSERT INTO raw.batches (batch_id, run_id, source_kind, file_name, file_path, "
        "file_sha256, file_size, file_format, encoding, delimiter, vendor, acquired_on, "
        "licence_end, permitted_use, provenance_documented, column_mapping, rows_in, "
        "rows_loaded, rows_quarantined, rows_skipped, ingested_at) "
        "VALUES (?, ?, 'purchased_list', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            batch_id, run_id, prepared.file_name, str(prepared.source_path),
            prepared.file_sha256, Path(prepared.source_path).stat().st_size,
            getattr(prepared, "file_format", None), prepared.encoding, prepared.delimiter,
            metadata.vendor, metadata.acquired_on, metadata.licence_end,
            metadata.permitted_use, metadata.provenance_documented,
            json.dumps(mapping, ensure_ascii=False), rows_in, loaded, quarantined, skipped, now,
        ],
    )
    wh.execute("DROP TABLE IF EXISTS _incoming")
    return BatchReport(batch_id, prepared.file_name, "loaded", rows_in, loaded, quarantined,
                       skipped, mapping=mapping, unmapped=tuple(prepared.unmapped),
                       warnings=tuple(prepared.warnings))
