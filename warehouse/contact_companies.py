"""Which company lead each contact lead belongs to (`core.leads.company_lead_id`)."""

from __future__ import annotations

from warehouse.db import Warehouse

_COMPANY_OF_CONTACT = (
    "SELECT c.lead_id, mode(k.lead_id) AS company_lead_id FROM core.lead_members c "
    "JOIN core.lead_members k ON k.record_id = c.record_id AND k.entity_type = 'company' "
    "WHERE c.entity_type = 'contact' GROUP BY c.lead_id")
"""Each contact lead with the company lead most of its records belong to."""


def link_contacts_to_companies(wh: Warehouse) -> int:
    """Each contact belongs to the company lead of its records (the most common one);
    return how many contacts were linked. One statement in the warehouse: the links never
    travel through Python, however many contacts there are."""
    wh.execute(
        f"UPDATE core.leads SET company_lead_id = m.company_lead_id "
        f"FROM ({_COMPANY_OF_CONTACT}) m WHERE core.leads.lead_id = m.lead_id "
        f"AND core.leads.company_lead_id IS DISTINCT FROM m.company_lead_id")
    return int(wh.scalar(f"SELECT count(*) FROM ({_COMPANY_OF_CONTACT})") or 0)
