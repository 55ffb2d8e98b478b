"""What a CRM export shows beyond the qualified lead list: the company's web domain (HubSpot
associates contacts with companies by it) and the consent events a decision may rest on.

Consents come from `decisions.lead_events`, the decide stage's own scope, so a note never
names a colleague's or the company's consent for a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from compliance.consent_basis import ConsentEvent
from warehouse.db import Warehouse
from warehouse.decisions import lead_events, wanted_leads


@dataclass(frozen=True)
class CrmLeadFacts:
    company_domain: str | None = None
    """The golden website domain of the lead, else of its company lead."""
    decided_on: date | None = None
    """The as-of date of the lead's current decision on the export's channel."""
    consents: tuple[ConsentEvent, ...] = field(default_factory=tuple)


def crm_lead_facts(wh: Warehouse, lead_ids: Sequence[str], channel: str
                   ) -> dict[str, CrmLeadFacts]:
    """lead id → its CRM facts, for the leads of one export."""
    if not lead_ids:
        return {}
    wanted = wanted_leads(wh, lead_ids)
    rows = wh.fetchall(
        "SELECT w.lead_id, coalesce(g.website_domain, cg.website_domain), d.as_of "
        f"FROM {wanted} w JOIN core.leads l USING (lead_id) "
        "LEFT JOIN core.golden_leads g ON g.lead_id = l.lead_id "
        "LEFT JOIN core.golden_leads cg ON cg.lead_id = l.company_lead_id "
        "LEFT JOIN core.eligibility_decisions d ON d.lead_id = l.lead_id AND d.is_current "
        "AND d.channel = ?", [channel])
    events = lead_events(wh, lead_ids, kinds=["consent_given"])
    seqs = sorted({e["seq"] for evs in events.values() for e in evs})
    ids = dict(wh.fetchall("SELECT seq, event_id FROM core.consent_events "
                           "WHERE list_contains(?, seq)", [seqs])) if seqs else {}
    return {lead: CrmLeadFacts(domain, decided_on, tuple(
        ConsentEvent(ids[e["seq"]], e["seq"], tuple(e["channels"]), _day(e["occurred_at"]))
        for e in events.get(lead, []) if e["seq"] in ids))
        for lead, domain, decided_on in rows}


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value
