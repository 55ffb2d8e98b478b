"""What the export check reads: the opt-outs of the leads about to be exported.

The ledger events come through `decisions.lead_events`, so an export sees exactly the events
the decision saw (a colleague's objection never silences the company's switchboard); the
suppression hits are checked the way ingest checks a new row (`compliance.suppression`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from compliance.opt_outs import OPT_OUT_KINDS, LedgerEvent
from compliance.suppression import SuppressionList
from warehouse.db import Warehouse
from warehouse.decisions import lead_events, wanted_leads


def opt_out_events(wh: Warehouse, lead_ids: Sequence[str], suppression: SuppressionList
                   ) -> dict[str, list[LedgerEvent]]:
    """lead id → its opt-out and consent events, plus its suppression hits as events."""
    found: dict[str, list[LedgerEvent]] = defaultdict(list)
    for lead_id, events in lead_events(wh, lead_ids, OPT_OUT_KINDS).items():
        found[lead_id] = [LedgerEvent(e["seq"], e["kind"], tuple(e["channels"]),
                                      e["occurred_at"]) for e in events]
    if not suppression:
        return found
    for record in wh.dicts(
            "SELECT m.lead_id, e.first_name, e.last_name, e.email_normalized AS email, "
            "e.phone_e164 AS phone, e.mobile_e164 AS mobile, e.street, e.house_number, "
            "e.postcode, e.country FROM core.lead_members m JOIN core.leads l USING (lead_id) "
            "JOIN core.enriched_records e USING (record_id) WHERE m.lead_id IN (SELECT "
            f"lead_id FROM {wanted_leads(wh, lead_ids)}) "
            "AND (l.entity_type <> 'company' OR e.last_name IS NULL)"):
        for _, entry in suppression.matches(record):  # every hit: the latest one decides
            found[record["lead_id"]].append(
                LedgerEvent(0, f"suppression_{entry.origin}", ("all",), entry.entered_at))
    return found
