"""From what the warehouse knows about a lead to an eligibility case (section 10 vocabulary).

Pure: the warehouse hands over the lead's enriched records (with their source and list
metadata), its ledger events and Robinson checks; this module decides which facts the rules
see. The interpretations are cautious and documented in docs/compliance.md:

- **source**: `existing_customer` when a CRM or ERP customer export holds the lead (the
  customer relationship decides e-mail under §7(3) UWG, post despite Robinson lists, B2B
  calls), else `web_form` when the person contacted us through a form (Art. 13 applied at
  collection), else `crawled` when we found them on a website, else `purchased_list`.
- **purchase** events: one per purchase of the lead's customers (`core.customer_purchases`),
  with the §7(3) facts of its collection; the campaign they are compared with is not known
  to the nightly decide, so e-mail to a customer waits for an export that names one.
- an **ongoing business relationship** (`presumed_consent_reason`, category A, phone) at
  each purchase, and at the last import of an export that listed a customer whose newest
  version the CRM labels a customer: a B2B call to a customer is allowed while the last of
  them is fresh (P6), reviewed after.
- **acquired_at**: the earliest acquisition of the records of that source (the purchase date
  of the list, the crawl date, or the submission date).
- **provenance_documented**: true only when every list the lead came from documents it.
- **audience**: `b2b` when any record shows a business (legal form, register, business
  domain, Impressum), `b2c` when records show only a private person, else `unknown` (which the
  rules treat as a consumer).
- a hard bounce removes the e-mail address (`has_email` false) without being an event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from compliance.case import EVENT_ATTRIBUTES
from enrichment.audience import BUSINESS_ENTITIES

SOURCE_KIND = {"web_form": "web_form", "crawl": "crawled", "purchased_list": "purchased_list",
               "customer": "existing_customer"}
SOURCE_PRIORITY = ("existing_customer", "web_form", "crawled", "purchased_list")
USABLE_EMAIL = ("valid", "unknown")
RECORD_FIELDS = frozenset({
    "source_kind", "audience", "legal_entity", "sole_trader", "email_normalized",
    "email_status", "email_channel_kind", "phone_valid", "mobile_valid", "phone_channel_kind",
    "street", "postcode", "city", "postal_kind", "fax_e164",
    "batch_id", "vendor", "acquired_on", "provenance_documented", "submitted_at",
    "ingested_at", "customer_listed_at"})
"""The fields of a lead's records `build_case` reads (enriched values, origin, customer
listing): the decide stage reads these columns only, and a test fails when the code reads
one not named here."""


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _iso(value: Any) -> str:
    day = _day(value)
    if day is None:
        raise ValueError("an evidence event without a date")
    return day.isoformat()


def _first(records: Sequence[Mapping[str, Any]], field: str) -> Any:
    return next((r[field] for r in records if r.get(field) is not None), None)


def _source(records: Sequence[Mapping[str, Any]]) -> str:
    kinds = {SOURCE_KIND[r["source_kind"]] for r in records}
    return next(s for s in SOURCE_PRIORITY if s in kinds)


def _acquired(records: Sequence[Mapping[str, Any]], source: str) -> date | None:
    days = [_day(r.get("acquired_on") or r.get("submitted_at") or r.get("ingested_at"))
            for r in records if SOURCE_KIND[r["source_kind"]] == source]
    known = [d for d in days if d is not None]
    return min(known) if known else None


def _audience(records: Sequence[Mapping[str, Any]]) -> str:
    seen = {r.get("audience") for r in records}
    if "b2b" in seen:
        return "b2b"
    return "b2c" if "b2c" in seen else "unknown"


def _sole_trader(records: Sequence[Mapping[str, Any]]) -> bool:
    """A sole trader when a member says so and no member knows the lead to be an entity (a
    GmbH's list row beats a crawled page that only saw a person's name in the company)."""
    if any(r.get("legal_entity") in BUSINESS_ENTITIES for r in records):
        return False
    return any(bool(r.get("sole_trader")) for r in records)


def _bounced(events: Iterable[Mapping[str, Any]]) -> bool:
    return any(e["kind"] == "email_bounced" for e in events)


def lead_facts(records: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]],
               art13_notice_mentions_advertising: bool | None = None) -> dict[str, Any]:
    """The `lead` object of a case, from the lead's enriched records (best record first)."""
    source = _source(records)
    with_email = [r for r in records if r.get("email_normalized")
                  and r.get("email_status") in USABLE_EMAIL]
    with_phone = [r for r in records if r.get("phone_valid") or r.get("mobile_valid")]
    with_address = [r for r in records if r.get("street") and r.get("postcode")
                    and r.get("city")]
    purchased = [r for r in records if r["source_kind"] == "purchased_list"]
    facts: dict[str, Any] = {
        "source": source,
        "audience": _audience(records),
        "sole_trader": _sole_trader(records),
        "has_email": bool(with_email) and not _bounced(events),
        "email_kind": _first(with_email, "email_channel_kind"),
        "has_phone": bool(with_phone),
        "phone_kind": _first(with_phone, "phone_channel_kind"),
        "has_postal_address": bool(with_address),
        "postal_kind": _first(with_address, "postal_kind"),
        "has_fax": any(r.get("fax_e164") for r in records),
        "acquired_at": _acquired(records, source),
    }
    if purchased:
        facts["provenance_documented"] = all(bool(r.get("provenance_documented"))
                                             for r in purchased)
    if art13_notice_mentions_advertising is not None:
        facts["art13_notice_mentions_advertising"] = art13_notice_mentions_advertising
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in facts.items()
            if v is not None}


def evidence(
    records: Sequence[Mapping[str, Any]],
    ledger: Iterable[Mapping[str, Any]],
    robinson_checks: Iterable[Mapping[str, Any]],
    purchases: Iterable[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """The case's `evidence` list: ledger events, Robinson checks, list acquisitions,
    customers' purchases."""
    events: list[dict[str, Any]] = []
    for e in ledger:
        allowed = EVENT_ATTRIBUTES.get(e["kind"])
        if allowed is None:  # e.g. email_bounced: a fact about the address, not an event
            continue
        attributes = e.get("attributes") or {}
        events.append({"at": _iso(e["occurred_at"]), "kind": e["kind"],
                       "channels": list(e["channels"]),
                       **{k: v for k, v in attributes.items() if k in allowed}})
    for check in robinson_checks:
        events.append({"at": _iso(check["checked_at"]), "kind": "robinson_list_check",
                       "channels": [check["channel"]], "list": check["list"],
                       "hit": bool(check["hit"]),
                       **({"entry_date": _iso(check["entry_date"])}
                          if check.get("entry_date") else {})})
    seen_lists = set()
    for r in records:
        if r["source_kind"] != "purchased_list" or r.get("batch_id") in seen_lists:
            continue
        seen_lists.add(r.get("batch_id"))
        events.append({"at": _iso(r["acquired_on"]), "kind": "list_acquired",
                       "channels": ["all"], "vendor": r.get("vendor"),
                       "provenance_documented": bool(r.get("provenance_documented"))})
    purchases = list(purchases)
    events.extend(purchase_event(p) for p in purchases)
    relationship = {_iso(p["purchased_on"]) for p in purchases}
    relationship |= {_iso(r["customer_listed_at"]) for r in records
                     if r.get("customer_listed_at") is not None}
    events.extend({"at": at, "kind": "presumed_consent_reason", "channels": ["phone"],
                   "category": "existing_business_relationship"} for at in sorted(relationship))
    return sorted(events, key=lambda e: e["at"])


def purchase_event(purchase: Mapping[str, Any]) -> dict[str, Any]:
    """A customer's purchase as `purchase` evidence; a §7(3) fact nobody stated is left out
    (the rules then treat it as not shown)."""
    event: dict[str, Any] = {"at": _iso(purchase["purchased_on"]), "kind": "purchase",
                             "channels": ["all"]}
    for name, attribute in (("collected_in_sale", "email_collected_in_sale"),
                            ("notice_at_collection", "objection_notice_at_collection")):
        if purchase.get(name) is not None:
            event[attribute] = bool(purchase[name])
    if purchase.get("product_category"):
        event["product_category"] = purchase["product_category"]
    return event


def build_case(
    lead_id: str,
    records: Sequence[Mapping[str, Any]],
    ledger: Sequence[Mapping[str, Any]],
    robinson_checks: Sequence[Mapping[str, Any]],
    as_of: date,
    art13_notice_mentions_advertising: bool | None = None,
    purchases: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """A complete case for `compliance.case.case_from_dict`."""
    return {
        "id": lead_id,
        "as_of": as_of.isoformat(),
        "lead": lead_facts(records, ledger, art13_notice_mentions_advertising),
        "evidence": evidence(records, ledger, robinson_checks, purchases),
    }
