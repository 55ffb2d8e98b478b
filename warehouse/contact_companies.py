"""Which company lead each contact lead belongs to (`core.leads.company_lead_id`)."""

from __future__ import annotations

from warehouse.db import Warehouse


def link_contacts_to_companies(wh: Warehouse) -> int:
    """Each contact belongs to the company lead of its records (the most common one; of
    equally common ones the first by lead id); return how many contacts were linked. The
    links stay in the warehouse, computed once into a temp table, however many contacts
    there are.

    Not `mode()`: its choice between equally common companies changed from one run to the
    next on the same rows (DuckDB's hash table), and a contact moved between companies.
    """
    wh.execute(
        "CREATE OR REPLACE TEMP TABLE _contact_company AS "
        "SELECT lead_id, arg_min(company_lead_id, (-records, company_lead_id)) "
        "AS company_lead_id FROM ("
        "SELECT c.lead_id, k.lead_id AS company_lead_id, count(*) AS records "
        "FROM core.lead_members c "
        "JOIN core.lead_members k ON k.record_id = c.record_id AND k.entity_type = 'company' "
        "WHERE c.entity_type = 'contact' GROUP BY c.lead_id, k.lead_id) GROUP BY lead_id")
    wh.execute(
        "UPDATE core.leads SET company_lead_id = m.company_lead_id FROM _contact_company m "
        "WHERE core.leads.lead_id = m.lead_id "
        "AND core.leads.company_lead_id IS DISTINCT FROM m.company_lead_id")
    linked = int(wh.scalar("SELECT count(*) FROM _contact_company"))
    wh.execute("DROP TABLE _contact_company")
    return linked
