"""What the warehouse knows of leads as customers of the company (`core.lead_customers`).

Readers after the match stage (exports that leave out or pick customers, outcome imports,
the forecast) ask here instead of joining the customer staging tables themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from warehouse.db import Warehouse
from warehouse.decisions import wanted_leads


@dataclass(frozen=True)
class LeadCustomer:
    """A lead that a CRM or ERP customer export knows (one row of `core.lead_customers`)."""

    lead_id: str
    customer_keys: tuple[str, ...]
    """crm:entity:id of each customer record in the lead; stable across monthly exports."""
    crm: str
    is_customer: bool
    """A purchase is known, or the CRM's lifecycle stage or label says customer."""
    last_purchase_on: date | None
    product_categories: tuple[str, ...]
    last_import_at: datetime | None
    in_latest_export: bool
    """False: the customer left the newest export of its CRM (kept, with its purchases)."""


def lead_customers(wh: Warehouse, lead_ids: Sequence[str] | None = None,
                   ) -> dict[str, LeadCustomer]:
    """lead id → what the CRM knows of it, for `lead_ids` (default: every such lead)."""
    scope = ""
    if lead_ids is not None:
        scope = f" WHERE lead_id IN (SELECT lead_id FROM {wanted_leads(wh, lead_ids)})"
    rows = wh.fetchall(
        "SELECT lead_id, customer_keys, crm, is_customer, last_purchase_on, "
        f"product_categories, last_import_at, in_latest_export FROM core.lead_customers{scope}")
    return {r[0]: LeadCustomer(r[0], tuple(r[1]), r[2], bool(r[3]), r[4], tuple(r[5]), r[6],
                               bool(r[7])) for r in rows}
