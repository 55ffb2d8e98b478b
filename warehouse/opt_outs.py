"""What the export check reads: the opt-outs of the leads about to be exported.

The ledger events come through `decisions.lead_events`, so an export sees exactly the events
the decision saw (a colleague's objection never silences the company's switchboard); the
suppression hits are checked the way ingest checks a new row (`compliance.suppression`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from compliance.opt_outs import OPT_OUT_KINDS, LedgerEvent
from compliance.suppression import check_hashes
from warehouse.db import Warehouse
from warehouse.decisions import lead_events, wanted_leads


def _suppression_entries(wh: Warehouse) -> dict[tuple[str, str], tuple[str, datetime]]:
    """(kind, hash) → (origin, when entered); erasure wins over objection."""
    entries: dict[tuple[str, str], tuple[str, datetime]] = {}
    for kind, hash_, origin, created in wh.fetchall(
            "SELECT kind, hash, origin, min(created_at) FROM core.suppression "
            "GROUP BY kind, hash, origin ORDER BY origin = 'erasure'"):
        entries[(kind, hash_)] = (origin, created)
    return entries


def opt_out_events(wh: Warehouse, lead_ids: Sequence[str], secret: bytes
                   ) -> dict[str, list[LedgerEvent]]:
    """lead id → its opt-out and consent events, plus its suppression hits as events."""
    found: dict[str, list[LedgerEvent]] = defaultdict(list)
    for lead_id, events in lead_events(wh, lead_ids, OPT_OUT_KINDS).items():
        found[lead_id] = [LedgerEvent(e["seq"], e["kind"], tuple(e["channels"]),
                                      e["occurred_at"]) for e in events]
    entries = _suppression_entries(wh)
    if not entries:
        return found
    for record in wh.dicts(
            "SELECT m.lead_id, e.first_name, e.last_name, e.email_normalized AS email, "
            "e.phone_e164 AS phone, e.mobile_e164 AS mobile, e.street, e.house_number, "
            "e.postcode, e.country FROM core.lead_members m JOIN core.leads l USING (lead_id) "
            "JOIN core.enriched_records e USING (record_id) WHERE m.lead_id IN (SELECT "
            f"lead_id FROM {wanted_leads(wh, lead_ids)}) "
            "AND (l.entity_type <> 'company' OR e.last_name IS NULL)"):
        for pair in check_hashes(secret, record):
            if pair in entries:
                origin, created = entries[pair]
                found[record["lead_id"]].append(
                    LedgerEvent(0, f"suppression_{origin}", ("all",), created))
    return found
