"""Read-only views of the warehouse for `leadpipe status`, `quarantine` and `sql`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from warehouse.db import Warehouse


@dataclass(frozen=True)
class TableCount:
    table: str
    rows: int


def table_counts(wh: Warehouse) -> list[TableCount]:
    """Rows per table, layer by layer."""
    tables = wh.fetchall(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema IN ('raw', 'staging', 'core', 'marts', 'ops') "
        "AND table_type = 'BASE TABLE' ORDER BY "
        "list_position(['raw', 'staging', 'core', 'marts', 'ops'], table_schema), table_name"
    )
    return [TableCount(f"{schema}.{name}", wh.scalar(f'SELECT count(*) FROM "{schema}"."{name}"'))
            for schema, name in tables]


def leads_by_type(wh: Warehouse) -> dict[str, int]:
    return {str(k): int(n) for k, n in wh.fetchall(
        "SELECT entity_type, count(*) FROM core.leads GROUP BY ALL ORDER BY 1")}


def allowed_by_channel(wh: Warehouse) -> dict[str, int]:
    """Leads whose current decision on a channel is `allowed`."""
    return {str(k): int(n) for k, n in wh.fetchall(
        "SELECT channel, count(*) FILTER (WHERE decision = 'allowed') FROM "
        "core.eligibility_decisions WHERE is_current GROUP BY ALL ORDER BY 1")}


def review_pairs_open(wh: Warehouse) -> int:
    """Uncertain duplicate pairs nobody has decided yet."""
    return int(wh.scalar(
        "SELECT count(*) FROM core.match_pairs p WHERE band = 'review' AND NOT EXISTS ("
        "SELECT 1 FROM core.match_decisions d WHERE d.entity_type = p.entity_type AND "
        "d.left_id = p.left_id AND d.right_id = p.right_id)") or 0)


@dataclass(frozen=True)
class FailedRun:
    run_id: str
    flow: str
    status: str  # failed | killed
    started_at: datetime
    error: str | None
    path: str
    """The file the run was given ('' for runs without one)."""


def unresolved_failures(wh: Warehouse) -> list[FailedRun]:
    """Failed or killed runs not followed by a successful run of the same flow and file.

    A list rejected for its missing date stays here until a corrected copy loads."""
    return [FailedRun(*row) for row in wh.fetchall(
        "WITH r AS (SELECT *, coalesce(parameters->>'path', '') AS target FROM ops.runs) "
        "SELECT f.run_id, f.flow, f.status, f.started_at, f.error, f.target AS path FROM r f "
        "WHERE f.status IN ('failed', 'killed') AND NOT EXISTS (SELECT 1 FROM r s WHERE "
        "s.flow = f.flow AND s.target = f.target AND s.status = 'succeeded' AND "
        "s.started_at > f.started_at) ORDER BY f.started_at DESC")]


@dataclass(frozen=True)
class BatchRow:
    """One input file as `raw.batches` holds it."""

    batch_id: str
    source_kind: str
    file_name: str
    vendor: str | None
    acquired_on: date | None
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    rows_skipped: int
    ingested_at: datetime


def batches(wh: Warehouse, limit: int = 20) -> list[BatchRow]:
    return [BatchRow(*row) for row in wh.fetchall(
        "SELECT batch_id, source_kind, file_name, vendor, acquired_on, rows_in, rows_loaded, "
        "rows_quarantined, rows_skipped, ingested_at FROM staging.stg_batches "
        "ORDER BY ingested_at DESC LIMIT ?",
        [limit],
    )]


def quarantine(wh: Warehouse, batch_id: str | None, limit: int) -> list[dict[str, Any]]:
    where, params = ("WHERE q.batch_id = ?", [batch_id]) if batch_id else ("", [])
    return wh.dicts(
        "SELECT q.batch_id, q.file_name, q.row_number, q.field, q.reason, "
        "coalesce(q.raw_content, left(r.payload::VARCHAR, 300)) AS content "
        "FROM ops.quarantine q LEFT JOIN raw.records r ON r.record_id = q.record_id "
        f"{where} ORDER BY q.batch_id, q.row_number LIMIT ?",
        [*params, limit],
    )


def quarantine_reasons(wh: Warehouse, batch_ids: list[str]) -> list[tuple[str, str, int]]:
    """(file name, reason, rows) of the given batches' quarantined rows, most rows first."""
    return [(str(f), str(r), int(n)) for f, r, n in wh.fetchall(
        "SELECT file_name, reason, count(*) AS n FROM ops.quarantine "
        "WHERE list_contains(?, batch_id) GROUP BY ALL ORDER BY file_name, n DESC, reason",
        [batch_ids])]


def run_sql(wh: Warehouse, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    cur = wh.con.execute(sql)
    rows = cur.fetchall()
    return [d[0] for d in cur.description or []], rows


@dataclass(frozen=True)
class QuarantinedRow:
    """Where a row of a file was set aside and why, without the row's content."""

    row_number: int | None
    field: str | None
    reason: str


def quarantine_total(wh: Warehouse) -> int:
    return int(wh.scalar("SELECT count(*) FROM ops.quarantine") or 0)


def quarantined_rows(wh: Warehouse, batch_id: str, limit: int) -> list[QuarantinedRow]:
    return [QuarantinedRow(*row) for row in wh.fetchall(
        "SELECT row_number, field, reason FROM ops.quarantine WHERE batch_id = ? "
        "ORDER BY row_number LIMIT ?", [batch_id, limit])]
