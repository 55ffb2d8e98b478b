"""Which company lead each contact lead belongs to (`core.leads.company_lead_id`)."""

from __future__ import annotations

from warehouse.db import Warehouse


def link_contacts_to_companies(wh: Warehouse) -> int:
    """Each contact belongs to the company lead of its records (the most common one);
    return how many contacts were linked. The links stay in the warehouse, computed once
    into a temp table, however many contacts there are."""
    wh.execute(
        "CREATE OR REPLACE TEMP TABLE _contact_company AS "
        "SELECT c.lead_id, mode(k.lead_id) AS company_lead_id FROM core.lead_members c "
        "JOIN core.lead_members k ON k.record_id = c.record_id AND k.entity_type = 'company' "
        "WHERE c.entity_type = 'contact' GROUP BY c.lead_id")
    wh.execute(
        "UPDATE core.leads SET company_lead_id = m.company_lead_id FROM _contact_company m "
        "WHERE core.leads.lead_id = m.lead_id "
        "AND core.leads.company_lead_id IS DISTINCT FROM m.company_lead_id")
    linked = int(wh.scalar("SELECT count(*) FROM _contact_company"))
    wh.execute("DROP TABLE _contact_company")
    return linked
