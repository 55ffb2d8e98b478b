"""Load a customer export (CRM or ERP) into raw, staging and the customers' purchases.

The file is read like a purchased list (`read_incoming` fills `_incoming`); each row is then
one version of one customer. Its record id is the customer key and a digest of its mapped
values, so next month's export of the same CRM loads only what changed: an unchanged row is
skipped (its record is already there), a changed one loads as a new record of the same
customer key, and purchases accumulate without duplicates. Every row of the export, loaded or
unchanged, is noted in `staging.stg_customer__export_rows`, which tells who left the export.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from compliance.suppression import SuppressionList
from ingest.customers import (
    CRM_LABELS,
    CrmExportsConfig,
    CustomerExport,
    CustomerRow,
    RowProblem,
    content_digest,
    customer_row,
)
from ingest.fields import CUSTOMER_FIELDS, LIST_FIELDS
from warehouse.db import Warehouse
from warehouse.load_lists import (
    BatchReport,
    CountsDoNotReconcile,
    Incoming,
    ProblemCount,
    batch_id_for,
    canonical_expr,
    kept_rows,
    mark_suppressed,
    payload_expr,
    read_incoming,
)

_FIELDS = (*LIST_FIELDS, *CUSTOMER_FIELDS)


@dataclass
class _Rows:
    """What becomes of the rows of one export, gathered before anything is written."""

    raw: list[list[Any]] = field(default_factory=list)
    staged: list[tuple[str, int, dict[str, str | None], CustomerRow]] = field(
        default_factory=list)
    present: list[list[Any]] = field(default_factory=list)
    quarantined: list[list[Any]] = field(default_factory=list)
    unchanged: int = 0


def load_customer_export(
    wh: Warehouse,
    *,
    run_id: str,
    prepared: Any,
    export: CustomerExport,
    config: CrmExportsConfig,
    incoming: Incoming,
    suppression: SuppressionList,
) -> BatchReport:
    """Load `_incoming` (see `read_incoming`) inside the caller's transaction.

    Blank rows, suppressed people (objected, erased) and unchanged customers are skipped;
    rows with a problem (no name, a date or flag that cannot be read) are quarantined with
    the column and the reason.
    """
    batch_id = batch_id_for("customer", prepared.file_sha256)
    headers: list[str] = list(prepared.headers)
    mapping: dict[str, str] = dict(prepared.mapping)
    now = datetime.now(UTC)
    row = incoming.row_expr
    suppressed = mark_suppressed(wh, headers, mapping, suppression, batch_id, row, now)
    keep = kept_rows(suppressed, batch_id, row)
    source = _source_rows(wh, headers, mapping, row, keep)
    known = {r for (r,) in wh.fetchall(
        "SELECT record_id FROM raw.records WHERE source_kind = 'customer'")}
    rows = _sort_rows(source, batch_id, export, config, mapping, known)
    _write(wh, batch_id, prepared.file_name, export, rows, incoming, now)
    _store_purchases(wh, batch_id, rows)

    blank = int(wh.scalar("SELECT count(*) FROM _incoming WHERE _blank"))
    loaded, quarantined = len(rows.staged), len(rows.quarantined) + len(incoming.set_aside)
    skipped = blank + suppressed + rows.unchanged
    if loaded + quarantined + skipped != prepared.source_rows:
        raise CountsDoNotReconcile(
            prepared.file_name, None, None,
            f"the counts do not reconcile: reading the file found {prepared.source_rows:,} "
            f"rows, but {loaded:,} were loaded + {quarantined:,} quarantined + {skipped:,} "
            "skipped; nothing was loaded. This is a leadpipe bug: please report it with the "
            "file")
    wh.execute(
        "INSERT INTO raw.batches (batch_id, run_id, source_kind, file_name, file_path, "
        "file_sha256, file_size, file_format, encoding, delimiter, vendor, column_mapping, "
        "rows_in, rows_loaded, rows_quarantined, rows_skipped, ingested_at, crm, export_kind) "
        "VALUES (?, ?, 'customer', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, run_id, prepared.file_name, str(prepared.source_path),
         prepared.file_sha256, Path(prepared.source_path).stat().st_size,
         getattr(prepared, "file_format", None), prepared.encoding, prepared.delimiter,
         CRM_LABELS[export.crm], json.dumps(mapping, ensure_ascii=False),
         prepared.source_rows, loaded, quarantined, skipped, now, export.crm, export.kind],
    )
    wh.execute("DROP TABLE IF EXISTS _incoming")
    note = (f"{export.label}: {rows.unchanged:,} customer(s) unchanged since an earlier "
            "export" if rows.unchanged else f"{export.label}")
    return BatchReport(batch_id, prepared.file_name, "loaded", prepared.source_rows, loaded,
                       quarantined, skipped, note=note, mapping=mapping,
                       unmapped=tuple(prepared.unmapped), warnings=tuple(prepared.warnings))


def _source_rows(wh: Warehouse, headers: list[str], mapping: dict[str, str], row: str,
                 keep: str) -> list[tuple[Any, ...]]:
    """(row number, problem, payload, the value of every field) of the rows of `_incoming`."""
    values_sql = ", ".join(canonical_expr(f, headers, mapping) for f in _FIELDS)
    return wh.fetchall(
        f"SELECT {row}, _problem, {payload_expr(headers)}::VARCHAR, {values_sql} "
        f"FROM _incoming WHERE {keep} ORDER BY 1")


def preview_customer_problems(prepared: Any, work_dir: Path, export: CustomerExport,
                              config: CrmExportsConfig) -> list[ProblemCount]:
    """What a load would quarantine beyond a list's checks (a date, amount or yes/no that
    cannot be read), on a throwaway database, as `preview_problems` does for a list."""
    con = duckdb.connect(":memory:")
    try:
        wh = Warehouse(con, Path(":memory:"), snapshot=False)
        incoming = read_incoming(wh, prepared, work_dir)
        source = _source_rows(wh, list(prepared.headers), dict(prepared.mapping),
                              incoming.row_expr, "NOT _blank AND _problem IS NULL")
    finally:
        con.close()
    rows = _sort_rows(source, "preview", export, config, dict(prepared.mapping), set())
    found: dict[tuple[str | None, str], list[int]] = {}
    for number, _, column, reason in rows.quarantined:
        found.setdefault((column, reason), []).append(int(number))
    return [ProblemCount(column, reason, len(numbers), tuple(numbers[:3]))
            for (column, reason), numbers in found.items()]


def _sort_rows(source: list[tuple[Any, ...]], batch_id: str, export: CustomerExport,
               config: CrmExportsConfig, mapping: dict[str, str], known: set[str]) -> _Rows:
    """Each row to load, to skip as unchanged, or to quarantine with its column."""
    header_of: dict[str, str] = {}
    for header, target in mapping.items():
        header_of.setdefault(target, header)
    rows = _Rows()
    seen: set[str] = set()
    for number, problem, payload, *texts in source:
        values = dict(zip(_FIELDS, texts, strict=True))
        parsed: CustomerRow | RowProblem | None = None
        if problem is None:
            parsed = customer_row(values, export, config)
        if problem is not None or isinstance(parsed, RowProblem):
            if isinstance(parsed, RowProblem):
                column, reason = header_of.get(parsed.field, parsed.field), parsed.reason
            else:
                column, reason = problem.split("|", 1)
            record_id = f"{batch_id}:{number}"
            rows.raw.append([record_id, number, payload])
            rows.quarantined.append([number, record_id, column or None, reason])
            continue
        assert isinstance(parsed, CustomerRow)
        digest = content_digest({**values, "crm": export.crm, "kind": export.kind})
        record_id = f"{parsed.customer_key}:{digest}"
        rows.present.append([batch_id, number, parsed.customer_key, record_id])
        if record_id in known or record_id in seen:
            rows.unchanged += 1
            continue
        seen.add(record_id)
        rows.raw.append([record_id, number, payload])
        rows.staged.append((record_id, number, values, parsed))
    return rows


def _write(wh: Warehouse, batch_id: str, file_name: str, export: CustomerExport, rows: _Rows,
           incoming: Incoming, now: datetime) -> None:
    if rows.raw:
        wh.con.executemany(
            "INSERT INTO raw.records (record_id, batch_id, source_kind, row_number, payload, "
            "ingested_at) VALUES (?, ?, 'customer', ?, ?, ?)",
            [[r, batch_id, n, p, now] for r, n, p in rows.raw])
    quarantine = [[batch_id, file_name, n, r, f, why, None, now]
                  for n, r, f, why in rows.quarantined]
    quarantine += [[batch_id, file_name, s.row, None, None, s.reason, s.raw, now]
                   for s in incoming.set_aside]
    if quarantine:
        wh.con.executemany(
            "INSERT INTO ops.quarantine (batch_id, file_name, row_number, record_id, field, "
            "reason, raw_content, quarantined_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", quarantine)
    if rows.present:
        wh.con.executemany(
            "INSERT INTO staging.stg_customer__export_rows (batch_id, row_number, "
            "customer_key, record_id) VALUES (?, ?, ?, ?)", rows.present)
    if not rows.staged:
        return
    columns = ["record_id", "batch_id", "row_number", *LIST_FIELDS, "crm", "export_kind",
               "customer_key", "customer_number", "crm_record_id", "lifecycle", "is_customer",
               "last_purchase_on", "product_category", "collected_in_sale",
               "notice_at_collection"]
    staged = []
    for record_id, number, values, c in rows.staged:
        staged.append([record_id, batch_id, number, *(values[f] for f in LIST_FIELDS),
                       export.crm, export.kind, c.customer_key, c.customer_number, c.crm_record_id,
                       c.lifecycle, c.is_customer, c.purchased_on if c.purchase else None,
                       c.product_category,
                       c.collected_in_sale, c.notice_at_collection])
    wh.con.executemany(
        f"INSERT INTO staging.stg_customer__records ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})", staged)


def _store_purchases(wh: Warehouse, batch_id: str, rows: _Rows) -> None:
    """The purchases of the loaded rows, one per customer, day and product category: the
    same last purchase named again by next month's export is not a second one."""
    purchases: dict[tuple[str, object, str], list[Any]] = {}
    for record_id, _, _, c in rows.staged:
        if c.purchase and c.purchased_on is not None:
            purchases.setdefault((c.customer_key, c.purchased_on, c.product_category or ""),
                                 [c.customer_key, c.purchased_on, c.product_category,
                                  c.value_eur, c.collected_in_sale, c.notice_at_collection,
                                  record_id, batch_id])
    if not purchases:
        return
    wh.execute("CREATE OR REPLACE TEMP TABLE _purchases AS SELECT * FROM "
               "core.customer_purchases LIMIT 0")
    wh.con.executemany("INSERT INTO _purchases VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       list(purchases.values()))
    wh.execute(
        "INSERT INTO core.customer_purchases SELECT n.* FROM _purchases n WHERE NOT EXISTS ("
        "SELECT 1 FROM core.customer_purchases p WHERE p.customer_key = n.customer_key "
        "AND p.purchased_on = n.purchased_on "
        "AND coalesce(p.product_category, '') = coalesce(n.product_category, ''))")
    wh.execute("DROP TABLE _purchases")
