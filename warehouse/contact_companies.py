"""Which company lead each contact lead belongs to (`core.leads.company_lead_id`)."""

from __future__ import annotations

from warehouse.db import Warehouse


def link_contacts_to_companies(wh: Warehouse) -> int:
    """Each contact belongs to the company lead of its records (the most common one);
    return how many contacts were linked."""
    rows = wh.fetchall(
        "SELECT c.lead_id, mode(k.lead_id) FROM core.lead_members c JOIN core.lead_members k "
        "ON k.record_id = c.record_id AND k.entity_type = 'company' "
        "WHERE c.entity_type = 'contact' GROUP BY c.lead_id")
    for contact, company in rows:
        wh.execute("UPDATE core.leads SET company_lead_id = ? WHERE lead_id = ? AND "
                   "company_lead_id IS DISTINCT FROM ?", [company, contact, company])
    return len(rows)
