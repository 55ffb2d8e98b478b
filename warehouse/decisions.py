"""Inputs and history of the eligibility decisions.

What a lead's decision may rest on is strictly its own: the records that make up the lead,
the ledger events recorded for those records, and events filed only under one of the lead's
own e-mail addresses or phone numbers (an unsubscribe from the e-mail tool, a do-not-call
note). A person's consent never reaches a colleague or the company: company leads see only
events of their person-less records (a company's own contact points), and events recorded
for the company itself (attribute `scope: company`, an objection a sales rep recorded on the
company lead), which in turn never reach the people in its records.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from warehouse.db import Warehouse


def _group_by(rows: Iterable[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


_CUSTOMER_LISTED = (
    "SELECT c.record_id, max(l.ingested_at) AS customer_listed_at "
    "FROM staging.stg_customers c JOIN staging.stg_customer_listings l USING (customer_key) "
    "WHERE c.is_customer GROUP BY c.record_id, c.customer_key "
    "HAVING any_value(c.ingested_at) = (SELECT max(v.ingested_at) FROM staging.stg_customers v "
    "WHERE v.customer_key = c.customer_key)")
"""Per record of the newest version of a customer that the CRM calls a customer: the last
import of an export that listed the customer (the relationship is as fresh as that)."""


def all_lead_ids(wh: Warehouse) -> list[str]:
    """Every lead id in a stable order, for stages that walk the leads in batches."""
    return [lead_id for (lead_id,) in wh.fetchall("SELECT lead_id FROM core.leads ORDER BY 1")]


def _only(wh: Warehouse, lead_ids: Sequence[str] | None, column: str) -> str:
    """A condition keeping rows of these leads (all leads when None)."""
    if lead_ids is None:
        return "true"
    return f"{column} IN (SELECT lead_id FROM {wanted_leads(wh, lead_ids)})"


_ORIGIN_FIELDS = frozenset({"batch_id", "vendor", "acquired_on", "provenance_documented",
                            "ingested_at", "fetched_at", "submitted_at"})


def _record_column(field: str) -> str:
    if field == "customer_listed_at":
        return "c.customer_listed_at"
    return f"o.{field}" if field in _ORIGIN_FIELDS else f"e.{field}"


@dataclass(frozen=True)
class LeadRecords:
    """Each lead's records as rows of `fields`, web forms first. Plain tuples: a batch of
    them goes to another process, and tuples travel at a fraction of the cost of dicts."""

    fields: tuple[str, ...]
    rows: dict[str, list[tuple[Any, ...]]]


def lead_records(wh: Warehouse, lead_ids: Sequence[str] | None, fields: Collection[str]
                 ) -> LeadRecords:
    """The records of these leads with these `fields` of their enriched values, origin
    (source and list metadata) and customer listing (the newest version of a customer the
    CRM calls one says when an export last listed it). Only the fields asked for: a case
    reads a fifth of the enriched columns, and reading all of them was half the decide
    stage at a million leads."""
    wanted = tuple(sorted(set(fields) | {"record_id", "source_kind"}))
    rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for lead_id, *values in wh.fetchall(
            f"SELECT m.lead_id, {', '.join(_record_column(f) for f in wanted)} "
            "FROM core.lead_members m JOIN core.enriched_records e USING (record_id) "
            "JOIN staging.stg_record_origins o USING (record_id) "
            f"LEFT JOIN ({_CUSTOMER_LISTED}) c USING (record_id) "
            f"WHERE {_only(wh, lead_ids, 'm.lead_id')} "
            "ORDER BY m.lead_id, (e.source_kind = 'web_form') DESC, e.record_id"):
        rows[lead_id].append(tuple(values))
    return LeadRecords(wanted, rows)


def wanted_leads(wh: Warehouse, lead_ids: Sequence[str]) -> str:
    """The temporary table of these lead ids the queries of this module join against."""
    return wh.id_table("_wanted_leads", "lead_id", lead_ids)


def lead_events(wh: Warehouse, lead_ids: Sequence[str] | None = None,
                kinds: Sequence[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """lead id → ledger events that concern exactly this lead, in ledger order.

    `lead_ids` and `kinds` narrow the answer (an export checks only the leads it writes).
    """
    scope = ""
    if lead_ids is not None:
        scope = f"WHERE m.lead_id IN (SELECT lead_id FROM {wanted_leads(wh, lead_ids)})"
    rows = wh.dicts(
        "WITH member AS (SELECT m.lead_id, m.record_id, l.entity_type, e.last_name, "
        "  e.email_normalized, e.phone_e164, e.mobile_e164 FROM core.lead_members m "
        "  JOIN core.leads l USING (lead_id) JOIN core.enriched_records e USING (record_id) "
        f"  {scope}), "
        "own AS (SELECT lead_id, record_id, entity_type = 'company' AS company, "
        "  last_name IS NULL AS personless FROM member), "
        "keys AS (SELECT DISTINCT lead_id, email_normalized AS email, NULL AS phone FROM member "
        "  WHERE email_normalized IS NOT NULL AND (entity_type <> 'company' OR last_name IS NULL)"
        "  UNION SELECT DISTINCT lead_id, NULL, unnest([phone_e164, mobile_e164]) FROM member "
        "  WHERE entity_type <> 'company' OR last_name IS NULL) "
        "SELECT DISTINCT o.lead_id, c.seq, c.kind, c.channels, c.occurred_at, c.attributes "
        "FROM own o JOIN core.consent_events c ON c.record_id = o.record_id AND CASE "
        "  WHEN o.company THEN o.personless OR coalesce(json_extract_string(c.attributes, "
        "  '$.scope') = 'company', false) "
        "  ELSE coalesce(json_extract_string(c.attributes, '$.scope'), '') <> 'company' END "
        "UNION SELECT DISTINCT k.lead_id, c.seq, c.kind, c.channels, c.occurred_at, c.attributes "
        "FROM keys k JOIN core.consent_events c ON c.record_id IS NULL AND "
        "((k.email IS NOT NULL AND c.subject_email = k.email) OR "
        " (k.phone IS NOT NULL AND c.subject_phone = k.phone)) "
        "ORDER BY 1, 2")
    for row in rows:
        if isinstance(row["attributes"], str):
            row["attributes"] = json.loads(row["attributes"])
    return _group_by((r for r in rows if r["channels"] is not None
                      and (kinds is None or r["kind"] in kinds)), "lead_id")


def stored_cases(wh: Warehouse, channel: str, lead_ids: Sequence[str]
                 ) -> dict[str, dict[str, Any]]:
    """lead id → the case its current decision on `channel` was taken on (`inputs`)."""
    if not lead_ids:
        return {}
    return {lead_id: json.loads(inputs) for lead_id, inputs in wh.fetchall(
        "SELECT lead_id, inputs FROM core.eligibility_decisions WHERE is_current AND "
        f"channel = ? AND lead_id IN (SELECT lead_id FROM {wanted_leads(wh, lead_ids)})",
        [channel])}


def lead_purchases(wh: Warehouse, lead_ids: Sequence[str] | None = None
                   ) -> dict[str, list[dict[str, Any]]]:
    """lead id → the purchases of the customers the lead is made of (`purchase` evidence),
    oldest first; a purchase named by two records of the lead counts once."""
    rows = wh.dicts(
        "SELECT DISTINCT m.lead_id, p.purchased_on, p.product_category, p.collected_in_sale, "
        "p.notice_at_collection, p.customer_key "
        "FROM core.lead_members m JOIN staging.stg_customers c USING (record_id) "
        "JOIN core.customer_purchases p ON p.customer_key = c.customer_key "
        f"WHERE {_only(wh, lead_ids, 'm.lead_id')} "
        "ORDER BY m.lead_id, p.purchased_on, p.customer_key")
    return _group_by(rows, "lead_id")


def latest_robinson_checks(wh: Warehouse, lead_ids: Sequence[str] | None = None
                           ) -> dict[str, list[dict[str, Any]]]:
    """record id → its checks against the current list versions, newest check only."""
    members = "true" if lead_ids is None else (
        "c.record_id IN (SELECT record_id FROM core.lead_members m "
        f"WHERE {_only(wh, lead_ids, 'm.lead_id')})")
    rows = wh.dicts(
        "SELECT c.record_id, c.channel, l.list_name AS list, c.hit, c.entry_date, c.checked_at "
        "FROM core.robinson_checks c JOIN core.robinson_lists l USING (list_id) "
        f"WHERE {members} "
        "QUALIFY row_number() OVER (PARTITION BY c.record_id, l.list_name, c.channel "
        "ORDER BY l.list_date DESC, c.checked_at DESC) = 1")
    return _group_by(rows, "record_id")


def current_hashes(wh: Warehouse, lead_ids: Sequence[str] | None = None
                   ) -> dict[tuple[str, str], str]:
    return {(lead, channel): h for lead, channel, h in wh.fetchall(
        "SELECT lead_id, channel, inputs_hash FROM core.eligibility_decisions WHERE is_current "
        f"AND {_only(wh, lead_ids, 'lead_id')}")}


def store_decisions(wh: Warehouse, rows: Iterable[dict[str, Any]]) -> int:
    """Insert new current decisions; the ones they replace stay as history."""
    new = list(rows)
    if not new:
        return 0
    now = datetime.now(UTC)
    wh.execute("CREATE OR REPLACE TEMP TABLE _replaced (lead_id VARCHAR, channel VARCHAR)")
    wh.insert_columns("_replaced", {"lead_id": [r["lead_id"] for r in new],
                                    "channel": [r["channel"] for r in new]})
    wh.execute("UPDATE core.eligibility_decisions d SET is_current = false FROM _replaced r "
               "WHERE d.is_current AND d.lead_id = r.lead_id AND d.channel = r.channel")
    wh.execute("DROP TABLE _replaced")
    columns = ("lead_id", "channel", "decision", "reason", "rule", "legal_basis",
               "rules_version", "as_of", "inputs_hash", "inputs")
    wh.insert_columns("core.eligibility_decisions", {
        **{c: [r[c] for r in new] for c in columns},
        "decided_at": [now] * len(new), "is_current": [True] * len(new),
    })
    return len(new)


def retire_orphans(wh: Warehouse) -> int:
    """Leads merged away keep their history but no longer a current decision."""
    count = wh.scalar("SELECT count(*) FROM core.eligibility_decisions WHERE is_current AND "
                      "lead_id NOT IN (SELECT lead_id FROM core.leads)")
    wh.execute("UPDATE core.eligibility_decisions SET is_current = false WHERE is_current AND "
               "lead_id NOT IN (SELECT lead_id FROM core.leads)")
    return int(count or 0)
