"""What recording an outcome or objection reads, and the opt-outs newer than a decision.

The writes go through the workspace journal (`warehouse.workspace_journal`); this module only
reads: the lead and its member records at record time, the outcomes for training, and the
leads whose current decision an objection or withdrawal has overtaken.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from warehouse.db import Warehouse
from warehouse.decisions import wanted_leads


def lead_entity(wh: Warehouse, lead_id: str) -> str | None:
    """The lead's entity type (company, contact, consumer), or None when there is no such lead."""
    row = wh.fetchone("SELECT entity_type FROM core.leads WHERE lead_id = ?", [lead_id])
    return None if row is None else str(row[0])


def member_records(wh: Warehouse, lead_id: str) -> list[dict[str, Any]]:
    """The lead's records with what a ledger event and a suppression hash are made of."""
    return wh.dicts(
        "SELECT e.record_id, e.first_name, e.last_name, e.email_normalized AS email, "
        "e.phone_e164 AS phone, e.mobile_e164 AS mobile, e.street, e.house_number, "
        "e.postcode, e.country FROM core.lead_members m "
        "JOIN core.enriched_records e USING (record_id) WHERE m.lead_id = ? "
        "ORDER BY e.record_id", [lead_id])


def latest_outcomes(wh: Warehouse, outcomes: Sequence[str] | None = None) -> dict[str, str]:
    """lead id → its latest outcome (by time recorded), only leads whose latest is one of
    `outcomes` when given."""
    rows = wh.fetchall(
        "SELECT lead_id, outcome FROM core.lead_outcomes QUALIFY row_number() OVER "
        "(PARTITION BY lead_id ORDER BY recorded_at DESC, outcome_id DESC) = 1 ORDER BY 1")
    return {lead: outcome for lead, outcome in rows
            if outcomes is None or outcome in outcomes}


def outcome_history(wh: Warehouse, lead_id: str) -> list[dict[str, Any]]:
    """Every outcome recorded for the lead, newest first (the lead detail page)."""
    return wh.dicts("SELECT outcome_id, outcome, recorded_at, recorded_by, note, value_eur, "
                    "source FROM core.lead_outcomes WHERE lead_id = ? "
                    "ORDER BY recorded_at DESC, outcome_id DESC", [lead_id])


def recent_opt_outs(wh: Warehouse, kinds: Sequence[str], skip_requests: Sequence[str] = ()
                    ) -> tuple[Any, ...]:
    """Fill `_recent_opt_outs` with the ledger events of these kinds recorded since the last
    decide run, but those of the requests in `skip_requests` (whose leads the caller knows);
    return (last decision time, last ledger seq, how many) — what the answer of
    `overtaken_leads` depends on, so a caller may keep it until this changes.

    Only such events can be newer than a current decision: that run evaluated every lead
    with every event recorded before it (it held the write lock).
    """
    since = wh.scalar("SELECT max(decided_at) FROM core.eligibility_decisions")
    wh.execute("CREATE OR REPLACE TEMP TABLE _recent_opt_outs AS SELECT seq, record_id, "
               "subject_email, subject_phone, recorded_at, coalesce(json_extract_string("
               "attributes, '$.scope') = 'company', false) AS company_scope "
               "FROM core.consent_events WHERE list_contains(?, kind) AND channels IS NOT NULL "
               "AND redacted_at IS NULL AND (? IS NULL OR recorded_at > ?) AND NOT "
               "list_contains(?, coalesce(json_extract_string(attributes, '$.request_id'), ''))",
               [list(kinds), since, since, list(skip_requests)])
    row = wh.fetchone("SELECT (SELECT max(seq) FROM core.consent_events), count(*) "
                      "FROM _recent_opt_outs")
    return (since, *(row or (None, 0)))


def overtaken_leads(wh: Warehouse) -> list[str]:
    """Leads with an allowed or review decision older than an event of `_recent_opt_outs`
    (`recent_opt_outs`) that concerns them, by the rule of `decisions.lead_events`; the
    caller checks which channels it blocks. Starts from those events, which are few: the
    large tables are only probed for their records."""
    if not wh.scalar("SELECT count(*) FROM _recent_opt_outs"):
        return []
    wh.execute("""
        CREATE OR REPLACE TEMP TABLE _opt_out_hits AS
        SELECT m.lead_id, m.record_id, ev.recorded_at, ev.company_scope, false AS by_key
        FROM _recent_opt_outs ev JOIN core.lead_members m ON m.record_id = ev.record_id""")
    if wh.scalar("SELECT count(*) FROM _recent_opt_outs WHERE record_id IS NULL"):
        # events filed under an e-mail address or phone number alone
        wh.execute("""
            INSERT INTO _opt_out_hits
            SELECT m.lead_id, m.record_id, k.recorded_at, false, true FROM (
                SELECT e.record_id, ev.recorded_at FROM _recent_opt_outs ev
                JOIN core.enriched_records e ON e.email_normalized = ev.subject_email
                WHERE ev.record_id IS NULL
                UNION ALL SELECT e.record_id, ev.recorded_at FROM _recent_opt_outs ev
                JOIN core.enriched_records e ON e.phone_e164 = ev.subject_phone
                WHERE ev.record_id IS NULL
                UNION ALL SELECT e.record_id, ev.recorded_at FROM _recent_opt_outs ev
                JOIN core.enriched_records e ON e.mobile_e164 = ev.subject_phone
                WHERE ev.record_id IS NULL) k
            JOIN core.lead_members m USING (record_id)""")
    return [r[0] for r in wh.fetchall("""
        WITH hit AS (
            SELECT h.lead_id, h.recorded_at FROM _opt_out_hits h
            JOIN core.leads l USING (lead_id) JOIN core.enriched_records e USING (record_id)
            WHERE CASE WHEN l.entity_type = 'company'
                       THEN e.last_name IS NULL OR (h.company_scope AND NOT h.by_key)
                       ELSE NOT h.company_scope END
        )
        SELECT DISTINCT h.lead_id FROM hit h JOIN core.eligibility_decisions d
          ON d.lead_id = h.lead_id AND d.is_current AND d.decided_at < h.recorded_at
         AND d.decision IN ('allowed', 'review')
        ORDER BY 1""")]


def open_decisions(wh: Warehouse, lead_ids: Sequence[str]) -> dict[str, list[str]]:
    """lead id → channels whose current decision is allowed or review."""
    found: dict[str, list[str]] = defaultdict(list)
    if not lead_ids:
        return found
    for lead, channel in wh.fetchall(
            "SELECT lead_id, channel FROM core.eligibility_decisions WHERE is_current AND "
            "decision IN ('allowed', 'review') AND lead_id IN (SELECT lead_id FROM "
            f"{wanted_leads(wh, lead_ids)}) ORDER BY 1, 2"):
        found[lead].append(channel)
    return found
