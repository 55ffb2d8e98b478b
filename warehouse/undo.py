"""Taking a purchased-list or customer-export batch out of the warehouse again, with
everything derived from it.

A batch's rows are found by its id (raw, staging, quarantine, suppressed rows) and by its
record ids (enrichment, provenance, Robinson checks, lead membership, match pairs). Leads made
only of the batch's records go with it (their golden records, decisions and scores); leads
that keep records from other sources stay, their current decision and score are retired (so
the marts do not show a permission that rested on the batch) until the next decide and score
run, and the caller rebuilds their golden records.

Never touched: the suppression list, the consent ledger (objections and consents stay, also
those filed under one of the batch's record ids), GDPR requests, the export log, human match
decisions, CRM outcomes, crawled pages (they belong to a website, not to a list row).

Everything here runs inside the caller's transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from warehouse.db import Warehouse


class UnknownBatch(LookupError):
    """No purchased-list or customer batch with this id is loaded; the message names where
    to look."""


UNDOABLE = "source_kind IN ('purchased_list', 'customer')"
"""Batches an undo takes out: purchased lists and customer exports."""


@dataclass(frozen=True)
class BatchInfo:
    """One purchased-list batch as `raw.batches` holds it."""

    batch_id: str
    file_name: str
    file_sha256: str
    vendor: str | None
    column_mapping: dict[str, str]
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    rows_skipped: int
    ingested_at: datetime


@dataclass(frozen=True)
class BatchListing:
    """A purchased-list batch, loaded or undone, for `leadpipe ingest batches`."""

    batch_id: str
    file_name: str
    vendor: str | None
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    ingested_at: datetime
    state: str  # loaded | undone | replaced
    undone_at: datetime | None = None
    undone_by: str | None = None
    reason: str | None = None
    replaced_by: str | None = None


@dataclass(frozen=True)
class RemovedRows:
    """Rows an undo removes (or, for `*_retired`, marks no longer current), per table."""

    raw_records: int = 0
    staging_rows: int = 0
    quarantine_rows: int = 0
    suppressed_rows: int = 0
    enriched_records: int = 0
    field_provenance: int = 0
    robinson_checks: int = 0
    lead_members: int = 0
    match_pairs: int = 0
    leads: int = 0
    """Leads made only of the batch's records."""
    golden_records: int = 0
    decisions: int = 0
    scores: int = 0
    leads_kept: int = 0
    """Leads that also have records from elsewhere: they stay, their golden record rebuilt."""
    decisions_retired: int = 0
    scores_retired: int = 0
    customer_rows: int = 0
    """Customer exports: the customers' records loaded by the batch."""
    customer_export_rows: int = 0
    """Customer exports: who the export listed (loaded or unchanged)."""
    customer_purchases: int = 0


@dataclass(frozen=True)
class Removal:
    """What an undo removed, and the kept leads whose golden records need rebuilding."""

    rows: RemovedRows
    kept_leads: dict[str, list[str]]
    """entity type → lead ids that lost records of the batch but keep others."""


_BATCH = "batch_id = ?"
_RECORDS = "record_id IN (SELECT record_id FROM _undo_records)"
_GONE = "lead_id IN (SELECT lead_id FROM _undo_leads WHERE emptied)"
_KEPT = "is_current AND lead_id IN (SELECT lead_id FROM _undo_leads WHERE NOT emptied)"

_DELETES: tuple[tuple[str, str, str], ...] = (
    ("raw_records", "raw.records", _BATCH),
    ("staging_rows", "staging.stg_purchased_list__records", _BATCH),
    ("customer_rows", "staging.stg_customer__records", _BATCH),
    ("customer_export_rows", "staging.stg_customer__export_rows", _BATCH),
    ("customer_purchases", "core.customer_purchases", _BATCH),
    ("quarantine_rows", "ops.quarantine", _BATCH),
    ("suppressed_rows", "ops.suppressed_rows", _BATCH),
    ("enriched_records", "core.enriched_records", _RECORDS),
    ("field_provenance", "core.field_provenance",
     f"{_RECORDS} OR source_record_id IN (SELECT record_id FROM _undo_records)"),
    ("robinson_checks", "core.robinson_checks", _RECORDS),
    ("lead_members", "core.lead_members", _RECORDS),
    ("match_pairs", "core.match_pairs", "left_id IN (SELECT record_id FROM _undo_records) OR "
                                        "right_id IN (SELECT record_id FROM _undo_records)"),
    ("golden_records", "core.golden_records", _GONE),
    ("decisions", "core.eligibility_decisions", _GONE),
    ("scores", "core.lead_scores", _GONE),
    ("leads", "core.leads", _GONE),
)
"""(count name, table, condition): the rows of a batch, in the order they are deleted."""

_RETIRES: tuple[tuple[str, str], ...] = (
    ("decisions_retired", "core.eligibility_decisions"),
    ("scores_retired", "core.lead_scores"),
)


def _batch_info(row: Sequence[Any]) -> BatchInfo:
    mapping = row[4]
    return BatchInfo(row[0], row[1], row[2], row[3],
                     dict(json.loads(mapping)) if mapping else {}, *row[5:])


_INFO_COLUMNS = ("batch_id, file_name, file_sha256, vendor, column_mapping, rows_in, "
                 "rows_loaded, rows_quarantined, rows_skipped, ingested_at")


def find_list_batch(wh: Warehouse, batch_id: str) -> BatchInfo:
    """The loaded purchased-list or customer batch `batch_id`, or `UnknownBatch` saying
    what exists."""
    row = wh.fetchone(f"SELECT {_INFO_COLUMNS} FROM raw.batches WHERE batch_id = ? AND "
                      f"{UNDOABLE}", [batch_id])
    if row is not None:
        return _batch_info(row)
    kind = wh.scalar("SELECT source_kind FROM raw.batches WHERE batch_id = ?", [batch_id])
    if kind is not None:
        raise UnknownBatch(
            f"batch {batch_id} is a {kind.replace('_', '-')} batch; only purchased-list and "
            "customer batches can be undone (web forms carry consent evidence, crawls belong "
            "to websites). `leadpipe ingest batches` lists the batches that can")
    undone = wh.fetchone("SELECT undone_at, undone_by FROM ops.batch_undos WHERE batch_id = ? "
                         "ORDER BY undone_at DESC LIMIT 1", [batch_id])
    if undone is not None:
        raise UnknownBatch(
            f"batch {batch_id} was already undone ({undone[0]:%Y-%m-%d %H:%M} by {undone[1]}); "
            "`leadpipe ingest batches` lists the batches still loaded")
    raise UnknownBatch(f"no batch {batch_id} in the warehouse {wh.path}; `leadpipe ingest "
                       "batches` lists the batch ids")


def earlier_list_batch(wh: Warehouse, sha256: str, file_name: str) -> BatchInfo | None:
    """The loaded batch a new load of `file_name` replaces: the one with the same content
    (only the mapping changed), else the newest one of the same file name."""
    row = wh.fetchone(
        f"SELECT {_INFO_COLUMNS} FROM raw.batches WHERE source_kind = 'purchased_list' AND "
        "(file_sha256 = ? OR file_name = ?) "
        "ORDER BY file_sha256 = ? DESC, ingested_at DESC LIMIT 1",
        [sha256, file_name, sha256])
    return None if row is None else _batch_info(row)


def list_batches(wh: Warehouse) -> list[BatchListing]:
    """Purchased-list and customer batches loaded now and undone before, newest first."""
    rows = wh.fetchall(
        "SELECT batch_id, file_name, vendor, rows_in, rows_loaded, rows_quarantined, "
        "ingested_at, 'loaded', NULL, NULL, NULL, NULL FROM raw.batches "
        f"WHERE {UNDOABLE} "
        "UNION ALL SELECT batch_id, file_name, vendor, rows_in, rows_loaded, rows_quarantined, "
        "ingested_at, CASE WHEN replaced_by IS NULL THEN 'undone' ELSE 'replaced' END, "
        "undone_at, undone_by, reason, replaced_by FROM ops.batch_undos "
        "ORDER BY ingested_at DESC, undone_at DESC NULLS FIRST")
    return [BatchListing(*row) for row in rows]


def _select_rows(wh: Warehouse, batch_id: str) -> None:
    """Temp tables of the batch's record ids, and of the leads they belong to (`emptied`:
    no member from anywhere else)."""
    wh.execute("CREATE OR REPLACE TEMP TABLE _undo_records AS SELECT record_id FROM raw.records "
               "WHERE batch_id = ?", [batch_id])
    wh.execute(
        "CREATE OR REPLACE TEMP TABLE _undo_leads AS SELECT m.lead_id, "
        "any_value(m.entity_type) AS entity_type, bool_and(u.record_id IS NOT NULL) AS emptied "
        "FROM core.lead_members m LEFT JOIN _undo_records u USING (record_id) "
        "WHERE m.lead_id IN (SELECT lead_id FROM core.lead_members "
        f"WHERE {_RECORDS}) GROUP BY m.lead_id")


def _params(condition: str, batch_id: str) -> list[str]:
    return [batch_id] if "?" in condition else []


def _count(wh: Warehouse, table: str, condition: str, batch_id: str) -> int:
    return int(wh.scalar(f"SELECT count(*) FROM {table} WHERE {condition}",
                         _params(condition, batch_id)) or 0)


def _kept_leads(wh: Warehouse) -> dict[str, list[str]]:
    kept: dict[str, list[str]] = {}
    for lead_id, entity_type in wh.fetchall(
            "SELECT lead_id, entity_type FROM _undo_leads WHERE NOT emptied ORDER BY lead_id"):
        kept.setdefault(entity_type, []).append(lead_id)
    return kept


def _drop_temp(wh: Warehouse) -> None:
    wh.execute("DROP TABLE IF EXISTS _undo_records")
    wh.execute("DROP TABLE IF EXISTS _undo_leads")


def plan_removal(wh: Warehouse, batch_id: str) -> Removal:
    """What `remove_batch` would remove, counted and nothing changed (a dry run)."""
    _select_rows(wh, batch_id)
    counts = {name: _count(wh, table, where, batch_id) for name, table, where in _DELETES}
    retired = {name: _count(wh, table, _KEPT, batch_id) for name, table in _RETIRES}
    kept = _kept_leads(wh)
    _drop_temp(wh)
    return Removal(RemovedRows(**counts, **retired,
                               leads_kept=sum(len(v) for v in kept.values())), kept)


def remove_batch(wh: Warehouse, batch_id: str) -> Removal:
    """Delete the batch's rows and what derives from them, and the batch row itself.

    Kept leads (see the module text) lose their current decision and score; contacts of a
    company lead that goes lose the link to it.
    """
    _select_rows(wh, batch_id)
    counts: dict[str, int] = {}
    for name, table, where in _DELETES:
        counts[name] = _count(wh, table, where, batch_id)
        if counts[name]:
            wh.execute(f"DELETE FROM {table} WHERE {where}", _params(where, batch_id))
    for name, table in _RETIRES:
        counts[name] = _count(wh, table, _KEPT, batch_id)
        if counts[name]:
            wh.execute(f"UPDATE {table} SET is_current = false WHERE {_KEPT}")
    wh.execute("UPDATE core.leads SET company_lead_id = NULL WHERE company_lead_id IN "
               "(SELECT lead_id FROM _undo_leads WHERE emptied)")
    kept = _kept_leads(wh)
    wh.execute("DELETE FROM raw.batches WHERE batch_id = ?", [batch_id])
    _drop_temp(wh)
    return Removal(RemovedRows(**counts, leads_kept=sum(len(v) for v in kept.values())), kept)


def log_undo(wh: Warehouse, *, run_id: str, batch: BatchInfo, removed: RemovedRows,
             undone_by: str, reason: str | None, replaced_by: str | None = None) -> str:
    """One row in `ops.batch_undos`; returns its id."""
    undo_id = f"undo-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    wh.execute(
        "INSERT INTO ops.batch_undos VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [undo_id, run_id, batch.batch_id, batch.file_name, batch.file_sha256, batch.vendor,
         json.dumps(batch.column_mapping, ensure_ascii=False), batch.rows_in,
         batch.rows_loaded, batch.rows_quarantined, batch.rows_skipped, batch.ingested_at,
         undone_by, datetime.now(UTC), reason, replaced_by, json.dumps(asdict(removed))],
    )
    return undo_id
