"""A small warehouse of leads for the score, export and funnel tests, built with SQL inserts.

Three leads: the company Alpha (purchased from vendor acme, confirmed by a crawled
Impressum), Dana Demo, a contact at Alpha who asked for a demo on a web form, and a consumer
whose purchased record carries a formula in its first-name field.
"""

from __future__ import annotations

from typing import Any

from foundation.settings import Settings
from warehouse.db import Warehouse, open_warehouse

NOW = "2026-11-20 10:00:00+00"

BATCHES = [("b-list", "purchased_list", "acme"), ("b-crawl", "crawl", None),
           ("b-form", "web_form", None)]
RECORDS = [  # record_id, batch, source_kind, lead_id, entity_type
    ("r1", "b-list", "purchased_list", "L1", "company"),
    ("r2", "b-crawl", "crawl", "L1", "company"),
    ("r3", "b-form", "web_form", "L2", "contact"),
    ("r4", "b-list", "purchased_list", "L3", "consumer"),
    ("r5", "b-list", "purchased_list", None, None),   # ingested, not matched into a lead
]
ENRICHED: dict[str, dict[str, Any]] = {
    "r1": {"company_name": "Alpha GmbH", "legal_form": "GmbH", "wz_code": "62.01",
           "wz_section": "J", "size_class": "small", "audience": "b2b", "email_status": "valid",
           "phone_e164": "+498912345", "phone_valid": True, "street": "Hauptstr.",
           "postcode": "80331", "city": "München", "fax_e164": "+498912399"},
    "r2": {"company_name": "Alpha GmbH", "legal_form": "GmbH", "postcode": "80331"},
    "r3": {"first_name": "Dana", "last_name": "Demo", "email_status": "valid",
           "decision_maker": True, "audience": "b2b"},
    "r4": {"first_name": "=HYPERLINK(1)", "last_name": "Muster",
           "audience": "b2c", "street": "Ring", "postcode": "10115", "city": "Berlin"},
}
GOLDEN = {
    "L1": {"company_name": "Alpha GmbH", "legal_form": "GmbH", "street": "Hauptstr.",
           "house_number": "1", "postcode": "80331", "city": "München",
           "phone_e164": "+498912345"},
    "L2": {"first_name": "Dana", "last_name": "Demo", "email_normalized": "dana@alpha.de",
           "phone_e164": "+498912346"},
    "L3": {"first_name": "=HYPERLINK(1)", "last_name": "Muster", "street": "Ring",
           "house_number": "2", "postcode": "10115", "city": "Berlin",
           "phone_e164": "+493012345"},
}
DECISIONS = [  # lead, channel, decision, reason, legal basis
    ("L1", "phone", "allowed", "b2b_presumed_consent", "UWG §7(2) Nr. 1 Alt. 2"),
    ("L1", "email", "blocked", "no_consent", None),
    ("L1", "fax", "allowed", "b2b_fax_consent", "UWG §7(2) Nr. 2"),
    ("L2", "email", "allowed", "double_opt_in", "UWG §7(2) Nr. 2; Art. 6(1)(a)"),
    ("L2", "phone", "review", "consent_unclear", None),
    ("L3", "post", "allowed", "postal_legitimate_interest", "Art. 6(1)(f)"),
    ("L3", "phone", "allowed", "consent_phone", "UWG §7(2) Nr. 1"),
]


def build(settings: Settings, *, submitted: str = "2026-11-18 09:00:00+00") -> None:
    """Create the warehouse with the three leads, their records and decisions."""
    with open_warehouse(settings, write=True, create=True) as wh:
        for batch, kind, vendor in BATCHES:
            wh.execute("INSERT INTO raw.batches (batch_id, run_id, source_kind, file_name, "
                       "file_sha256, vendor, rows_in, rows_loaded, rows_quarantined, "
                       "rows_skipped, ingested_at) VALUES (?, 'run', ?, ?, 'x', ?, 1, 1, 0, 0, "
                       "?)", [batch, kind, f"{batch}.csv", vendor, NOW])
        for record, batch, kind, lead, entity in RECORDS:
            wh.execute("INSERT INTO raw.records (record_id, batch_id, source_kind, payload, "
                       "ingested_at) VALUES (?, ?, ?, '{}', ?)", [record, batch, kind, NOW])
            if record in ENRICHED:
                fields = {"record_id": record, "source_kind": kind, **ENRICHED[record]}
                names = ", ".join(fields)
                wh.execute(f"INSERT INTO core.enriched_records ({names}, origin, enriched_at, "
                           f"config_version, reasons) VALUES ({', '.join('?' * len(fields))}, "
                           "'test', ?, 'v', '[]')", [*fields.values(), NOW])
            if lead:
                wh.execute("INSERT INTO core.lead_members VALUES (?, ?, ?, ?)",
                           [lead, entity, record, NOW])
        wh.execute("INSERT INTO staging.stg_web_form__submissions (record_id, batch_id, "
                   "submission_id, request_type, submitted_at, email) VALUES ('r3', 'b-form', "
                   "'s1', 'demo', ?, 'dana@alpha.de')", [submitted])
        for lead, entity, company in (("L1", "company", None), ("L2", "contact", "L1"),
                                      ("L3", "consumer", None)):
            wh.execute("INSERT INTO core.leads VALUES (?, ?, ?, ?, ?)",
                       [lead, entity, company, NOW, NOW])
            for field, value in GOLDEN[lead].items():
                wh.execute("INSERT INTO core.golden_records VALUES (?, ?, ?, 'r', 'trust', ?)",
                           [lead, field, value, NOW])
        for lead, channel, decision, reason, basis in DECISIONS:
            set_decision(wh, lead, channel, decision, reason, basis)


def set_decision(wh: Warehouse, lead: str, channel: str, decision: str, reason: str,
                 basis: str | None) -> None:
    wh.execute("UPDATE core.eligibility_decisions SET is_current = false "
               "WHERE lead_id = ? AND channel = ?", [lead, channel])
    wh.execute("INSERT INTO core.eligibility_decisions VALUES (?, ?, ?, ?, 'R1', ?, 'rules-1', "
               "'2026-11-20', 'h', '{}', ?, true)", [lead, channel, decision, reason, basis, NOW])


def test_profile_view_combines_golden_members_and_company(settings: Settings) -> None:
    build(settings)
    with open_warehouse(settings, write=False) as wh:
        rows = {r["lead_id"]: r for r in wh.dicts("SELECT * FROM marts.lead_profile")}
    assert rows["L2"]["company_name"] == "Alpha GmbH"        # inherited from the company lead
    assert rows["L2"]["person_name"] == "Dana Demo"
    assert rows["L1"]["sources"] == ["crawl", "purchased_list"]
    assert rows["L1"]["vendors"] == ["acme"]
    assert rows["L1"]["fax_e164"] == "+498912399"
    assert rows["L2"]["postcode"] == "80331"


def test_qualified_view_has_allowed_and_review_rows_only(settings: Settings) -> None:
    build(settings)
    with open_warehouse(settings, write=False) as wh:
        rows = wh.fetchall("SELECT lead_id, channel, decision, contact FROM "
                           "marts.qualified_leads ORDER BY 1, 2")
    assert rows == [("L1", "fax", "allowed", "+498912399"),
                    ("L1", "phone", "allowed", "+498912345"),
                    ("L2", "email", "allowed", "dana@alpha.de"),
                    ("L2", "phone", "review", "+498912346"),
                    ("L3", "phone", "allowed", "+493012345"),
                    ("L3", "post", "allowed", "Ring 2, 10115 Berlin")]
