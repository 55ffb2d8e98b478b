"""What the lead page shows of one lead, read per request (the workspace's lead detail).

Small queries keyed by one lead id: the lead, its golden values with the record each came
from, its member records with their origins (file and row, form submission, crawled page),
its current decisions with the case they rest on, the ledger events that concern it (the
scope the decide stage uses), its current score, its company and the company's contacts,
and its recorded outcomes.
"""

from __future__ import annotations

import json
from typing import Any

from warehouse.db import Warehouse
from warehouse.decisions import lead_events
from warehouse.ledger import READ_COLUMNS

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


def member_records(wh: Warehouse, lead_id: str) -> list[dict[str, Any]]:
    """The lead's records: origin (file, row, vendor, submission, page), the staged position
    and the enriched values, oldest activity first."""
    return wh.dicts(
        "SELECT o.record_id, o.source_kind, o.file_name, o.vendor, o.acquired_on, "
        "o.row_number, o.submission_id, o.form_source, o.form_id, o.url, o.fetched_at, "
        "o.submitted_at, o.request_type, o.ingested_at, o.activity_at, s.position, "
        "e.* EXCLUDE (record_id, source_kind) "
        "FROM core.lead_members m JOIN staging.stg_record_origins o USING (record_id) "
        "LEFT JOIN core.enriched_records e ON e.record_id = m.record_id "
        "LEFT JOIN staging.stg_lead_records s ON s.record_id = m.record_id "
        "WHERE m.lead_id = ? ORDER BY o.activity_at, o.record_id", [lead_id])


def current_decisions(wh: Warehouse, lead_id: str) -> list[dict[str, Any]]:
    """The lead's current decision per channel with the case (`inputs`) it rests on."""
    rows = wh.dicts("SELECT channel, decision, reason, rule, legal_basis, rules_version, "
                    "as_of, decided_at, inputs FROM core.eligibility_decisions "
                    "WHERE lead_id = ? AND is_current", [lead_id])
    for row in rows:
        row["inputs"] = _json(row["inputs"])
    return rows


def ledger_rows(wh: Warehouse, lead_id: str) -> list[dict[str, Any]]:
    """The ledger events that concern this lead, whole (evidence included), in chain order:
    exactly those the decide stage hands to the rules (`warehouse.decisions.lead_events`)."""
    seqs = [int(e["seq"]) for e in lead_events(wh, [lead_id]).get(lead_id, [])]
    wh.execute("DROP TABLE IF EXISTS _wanted_leads")
    if not seqs:
        return []
    rows = wh.dicts(f"SELECT {', '.join(READ_COLUMNS)} FROM core.consent_events "
                    "WHERE list_contains(?, seq) ORDER BY seq", [seqs])
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
    return wh.dicts(
        "WITH pos AS (SELECT m.lead_id, s.position FROM core.lead_members m "
        "  JOIN staging.stg_lead_records s USING (record_id) "
        "  JOIN staging.stg_record_origins o USING (record_id) "
        "  WHERE s.position IS NOT NULL AND m.lead_id IN "
        "    (SELECT lead_id FROM core.leads WHERE company_lead_id = ?) "
        f"  QUALIFY row_number() OVER (PARTITION BY m.lead_id ORDER BY {POSITION_PRIORITY}, "
        "    o.activity_at DESC) = 1) "
        "SELECT l.lead_id, g.salutation, g.title, g.first_name, g.last_name, p.position "
        "FROM core.leads l LEFT JOIN core.golden_leads g USING (lead_id) "
        "LEFT JOIN pos p USING (lead_id) WHERE l.company_lead_id = ? "
        "ORDER BY g.last_name, g.first_name, l.lead_id", [company_lead_id, company_lead_id])


def company_name(wh: Warehouse, lead_id: str) -> str | None:
    value = wh.scalar("SELECT company_name FROM core.golden_leads WHERE lead_id = ?", [lead_id])
    return None if value is None else str(value)


def lead_outcomes(wh: Warehouse, lead_id: str) -> list[dict[str, Any]]:
    """Recorded sales outcomes, latest first (the latest counts)."""
    return wh.dicts("SELECT outcome, recorded_at, recorded_by, note, value_eur, source "
                    "FROM core.lead_outcomes WHERE lead_id = ? ORDER BY recorded_at DESC",
                    [lead_id])


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
