"""What importing a CRM's outcomes and a newsletter tool's engagement reads and writes.

Reads: which lead ids exist, and the records (with their leads) that carry the e-mail
addresses, phone numbers or company names a file names, for `ingest.crm_match`. Writes:
outcomes into `core.lead_outcomes` (ids computed by the stage, so a file imported again adds
nothing), and engagement rows into `core.engagement_events`. Objections go through the
workspace journal (`stages.outcomes`), not through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from warehouse.db import Warehouse


def existing_leads(wh: Warehouse, lead_ids: Iterable[str]) -> set[str]:
    """Those of `lead_ids` that are leads now."""
    ids = sorted(set(lead_ids))
    if not ids:
        return set()
    return {r[0] for r in wh.fetchall(
        "SELECT lead_id FROM core.leads WHERE list_contains(?, lead_id)", [ids])}


def candidate_records(wh: Warehouse, emails: Iterable[str], phones: Iterable[str],
                      company_names: Iterable[str]) -> list[dict[str, Any]]:
    """Records (one row per record and lead) with one of these e-mails (in any case),
    phones or company match names: what a file's rows are matched against."""
    return wh.dicts(
        "SELECT m.lead_id, l.entity_type, e.record_id, e.email_normalized AS email, "
        "e.phone_e164 AS phone, e.mobile_e164 AS mobile, e.first_name, e.last_name, "
        "e.company_match_name FROM core.enriched_records e "
        "JOIN core.lead_members m USING (record_id) JOIN core.leads l USING (lead_id) "
        "WHERE list_contains(?::VARCHAR[], lower(e.email_normalized)) "
        "OR list_contains(?::VARCHAR[], e.phone_e164) "
        "OR list_contains(?::VARCHAR[], e.mobile_e164) "
        "OR list_contains(?::VARCHAR[], e.company_match_name) ORDER BY m.lead_id, e.record_id",
        [sorted({e.lower() for e in emails}), sorted(set(phones)), sorted(set(phones)),
         sorted(set(company_names))])


def known_outcomes(wh: Warehouse, outcome_ids: Sequence[str]) -> set[str]:
    return {r[0] for r in wh.fetchall(
        "SELECT outcome_id FROM core.lead_outcomes WHERE list_contains(?, outcome_id)",
        [list(outcome_ids)])}


def known_requests(wh: Warehouse, request_ids: Sequence[str]) -> set[str]:
    """Those of these objection request ids that are stored (`ops.gdpr_requests`)."""
    return {r[0] for r in wh.fetchall(
        "SELECT request_id FROM ops.gdpr_requests WHERE list_contains(?, request_id)",
        [list(request_ids)])}


def store_outcomes(wh: Warehouse, rows: Sequence[dict[str, Any]]) -> int:
    """Insert the outcomes whose id is not stored yet (a row repeated in the file once);
    return how many were new."""
    known = known_outcomes(wh, [r["outcome_id"] for r in rows])
    new = list({r["outcome_id"]: r for r in rows if r["outcome_id"] not in known}.values())
    if not new:
        return 0
    columns = ("outcome_id", "lead_id", "outcome", "recorded_at", "recorded_by", "note",
               "value_eur", "source")
    return wh.insert_columns("core.lead_outcomes",
                             {c: [r[c] for r in new] for c in columns})


def known_engagement(wh: Warehouse, event_ids: Sequence[str]) -> dict[str, int]:
    """event id → clicks stored, for these engagement rows."""
    return {r[0]: int(r[1]) for r in wh.fetchall(
        "SELECT event_id, clicks FROM core.engagement_events WHERE list_contains(?, event_id)",
        [list(event_ids)])}


def store_engagement(wh: Warehouse, rows: Sequence[dict[str, Any]]) -> int:
    """Insert new engagement rows, or raise a stored row's counts to the file's (a later
    export of the same campaign counts more); return how many rows were new."""
    known = known_engagement(wh, [r["event_id"] for r in rows])
    for row in rows:
        if row["event_id"] in known:
            wh.execute("UPDATE core.engagement_events SET opens = greatest(opens, ?), "
                       "clicks = greatest(clicks, ?), last_activity_on = coalesce(greatest("
                       "last_activity_on, ?), last_activity_on, ?) WHERE event_id = ?",
                       [row["opens"], row["clicks"], row["last_activity_on"],
                        row["last_activity_on"], row["event_id"]])
            continue
        wh.execute("INSERT INTO core.engagement_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [row[c] for c in ("event_id", "tool", "campaign", "email", "record_id",
                                     "lead_id", "opens", "clicks", "last_activity_on",
                                     "source_file", "imported_at")])
    return sum(r["event_id"] not in known for r in rows)


def engagement_of_records(wh: Warehouse, record_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The engagement rows of these records (an access request shows them)."""
    return wh.dicts("SELECT tool, campaign, email, opens, clicks, last_activity_on, "
                    "source_file, imported_at FROM core.engagement_events "
                    "WHERE list_contains(?, record_id) ORDER BY imported_at, event_id",
                    [list(record_ids)])
