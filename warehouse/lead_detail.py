"""What the lead page shows of one lead, read per request (the workspace's lead detail).

Small queries keyed by one lead id: the lead, its golden values with the record each came
from, its member records with their origins (file and row, form submission, crawled page),
its current decisions with the case they rest on, the ledger events that concern it (the
scope the decide stage uses), its current score, its company and the company's contacts,
and its recorded outcomes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from warehouse.db import Warehouse
from warehouse.ledger import READ_COLUMNS

# Every lookup filters on one key column only (`lead_id = ?`, `record_id IN (…)`): DuckDB
# answers those from an ART index where one exists, but not a conjunction with another column.
POSITION_PRIORITY = "CASE o.source_kind WHEN 'web_form' THEN 0 WHEN 'crawl' THEN 1 ELSE 2 END"
"""A position as the golden rules trust sources: web form, then Impressum, then list."""


def lead_row(wh: Warehouse, lead_id: str) -> dict[str, Any] | None:
    rows = wh.dicts("SELECT lead_id, entity_type, company_lead_id, created_at, updated_at "
                    "FROM core.leads WHERE lead_id = ?", [lead_id])
    return rows[0] if rows else None


def golden_values(wh: Warehouse, lead_id: str) -> list[dict[str, Any]]:
    """field, value, source_record_id, rule of each golden value of the lead."""
    return wh.dicts("SELECT field, value, source_record_id, rule FROM core.golden_records "
                    "WHERE lead_id = ? ORDER BY field", [lead_id])


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def member_records(wh: Warehouse, lead_id: str) -> list[dict[str, Any]]:
    """The lead's records: origin (file, row, vendor, submission, page), the staged position
    and the enriched values, oldest activity first.

    Looked up by record id step by step: a join of the lead's members with the origin and
    staging views would build them whole on every request."""
    ids = [str(r) for (r,) in wh.fetchall(
        "SELECT record_id FROM core.lead_members WHERE lead_id = ?", [lead_id])]
    if not ids:
        return []
    rows = wh.dicts(
        "SELECT record_id, source_kind, file_name, vendor, acquired_on, row_number, "
        "submission_id, form_source, form_id, url, fetched_at, submitted_at, request_type, "
        f"ingested_at, activity_at FROM staging.stg_record_origins WHERE record_id IN "
        f"({_marks(ids)}) ORDER BY activity_at, record_id", ids)
    enriched = {r["record_id"]: r for r in _enriched(wh, ids)}
    positions = dict(wh.fetchall(
        "SELECT record_id, position FROM staging.stg_lead_records "
        f"WHERE record_id IN ({_marks(ids)})", ids))
    for row in rows:
        extra = {k: v for k, v in enriched.get(row["record_id"], {}).items()
                 if k not in ("record_id", "source_kind")}
        row.update(extra, position=positions.get(row["record_id"]))
    return rows


def _enriched(wh: Warehouse, record_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Whole enriched rows of a few records: found by their row ids first, since a filter on
    the record id alone makes DuckDB read every one of the table's sixty columns."""
    rowids = [int(r) for (r,) in wh.fetchall(
        f"SELECT rowid FROM core.enriched_records WHERE record_id IN ({_marks(record_ids)})",
        list(record_ids))]
    if not rowids:
        return []
    return wh.dicts(f"SELECT * FROM core.enriched_records WHERE rowid IN ({_marks(rowids)})",
                    rowids)


def current_decisions(wh: Warehouse, lead_id: str) -> list[dict[str, Any]]:
    """The lead's current decision per channel with the case (`inputs`) it rests on."""
    rows = wh.dicts("SELECT channel, decision, reason, rule, legal_basis, rules_version, "
                    "as_of, decided_at, inputs FROM core.eligibility_decisions "
                    "WHERE lead_id = ? AND is_current", [lead_id])
    for row in rows:
        row["inputs"] = _json(row["inputs"])
    return rows


def ledger_rows(wh: Warehouse, entity_type: str, members: Sequence[Mapping[str, Any]]
                ) -> list[dict[str, Any]]:
    """The ledger events that concern this lead, whole (evidence included), in chain order.

    The scope of `warehouse.decisions.lead_events`, which the decide stage hands to the
    rules, for one lead whose `member_records` are given: events of its records, and
    events filed only under one of its own addresses or numbers; a company lead owns only
    its person-less records (tests/stages/test_lead_detail.py compares the two)."""
    own = [m for m in members if entity_type != "company" or m.get("last_name") is None]
    ids = [str(m["record_id"]) for m in own]
    emails = sorted({str(m["email_normalized"]) for m in own if m.get("email_normalized")})
    phones = sorted({str(m[k]) for m in own for k in ("phone_e164", "mobile_e164") if m.get(k)})
    if not ids:
        return []
    keyed = []
    if emails:
        keyed.append(f"subject_email IN ({_marks(emails)})")
    if phones:
        keyed.append(f"subject_phone IN ({_marks(phones)})")
    by_key = f" OR (record_id IS NULL AND ({' OR '.join(keyed)}))" if keyed else ""
    rows = wh.dicts(f"SELECT {', '.join(READ_COLUMNS)} FROM core.consent_events "
                    f"WHERE record_id IN ({_marks(ids)}){by_key} ORDER BY seq",
                    [*ids, *emails, *phones])
    for row in rows:
        row["attributes"] = _json(row["attributes"])
        row["evidence"] = _json(row["evidence"])
    return rows


def current_score(wh: Warehouse, lead_id: str) -> dict[str, Any] | None:
    rows = wh.dicts("SELECT total, grade, fit, engagement, quality, explanation, top_reasons, "
                    "config_version, scored_at FROM core.lead_scores "
                    "WHERE lead_id = ? AND is_current ORDER BY scored_at DESC LIMIT 1", [lead_id])
    if not rows:
        return None
    rows[0]["explanation"] = _json(rows[0]["explanation"]) or []
    return rows[0]


def company_contacts(wh: Warehouse, company_lead_id: str) -> list[dict[str, Any]]:
    """The company's contact leads: lead id, golden name, and the position the most trusted
    of their records states (positions are staged, not golden)."""
    leads = [str(r) for (r,) in wh.fetchall(
        "SELECT lead_id FROM core.leads WHERE company_lead_id = ? ORDER BY lead_id",
        [company_lead_id])]
    if not leads:
        return []
    found: dict[str, dict[str, Any]] = {
        lead: {"lead_id": lead, "salutation": None, "title": None, "first_name": None,
               "last_name": None, "position": None} for lead in leads}
    for lead, field, value in wh.fetchall(  # by lead id alone: an index on it stays usable
            f"SELECT lead_id, field, value FROM core.golden_records WHERE lead_id IN "
            f"({_marks(leads)})", leads):
        if field in ("salutation", "title", "first_name", "last_name"):
            found[lead][field] = value
    members = wh.fetchall(f"SELECT record_id, lead_id FROM core.lead_members WHERE lead_id IN "
                          f"({_marks(leads)})", leads)
    records = [str(r) for r, _ in members]
    if records:
        lead_of = {str(r): str(lead) for r, lead in members}
        for record, position in wh.fetchall(
                "SELECT s.record_id, s.position FROM staging.stg_lead_records s "
                "JOIN staging.stg_record_origins o USING (record_id) "
                f"WHERE s.record_id IN ({_marks(records)}) AND s.position IS NOT NULL "
                f"ORDER BY {POSITION_PRIORITY} DESC, o.activity_at", records):
            found[lead_of[record]]["position"] = position  # the most trusted comes last
    return sorted(found.values(), key=lambda c: (str(c["last_name"] or ""),
                                                 str(c["first_name"] or ""), c["lead_id"]))


def company_name(wh: Warehouse, lead_id: str) -> str | None:
    value = wh.scalar("SELECT max(value) FILTER (WHERE field = 'company_name') "
                      "FROM core.golden_records WHERE lead_id = ?", [lead_id])
    return None if value is None else str(value)


def lead_outcomes(wh: Warehouse, lead_id: str) -> list[dict[str, Any]]:
    """Recorded sales outcomes, latest first (the latest counts)."""
    return wh.dicts("SELECT outcome_id, outcome, recorded_at, recorded_by, note, value_eur, source "
                    "FROM core.lead_outcomes WHERE lead_id = ? ORDER BY recorded_at DESC",
                    [lead_id])


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
