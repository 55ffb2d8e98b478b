"""schema.org Organization / LocalBusiness data from JSON-LD and microdata, flattened to the
fields the extractor fills gaps with (and checks its company name against)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_ORG_HINTS = ("Organization", "Organisation", "Business", "Corporation", "Store", "Company",
              "Restaurant", "Office", "Agency", "Service", "Shop", "Practice", "Clinic",
              "NGO", "Association", "School", "College", "University", "Dentist", "Physician",
              "Hotel", "Attorney", "Notary", "Accounting", "Contractor", "Electrician", "Plumber")


def _types(node: dict[str, Any]) -> list[str]:
    value = node.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return [str(v).rsplit("/", 1)[-1] for v in values]


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        if any(any(h in t for h in _ORG_HINTS) for t in _types(node)):
            yield node
        for key in ("@graph", "publisher", "provider", "organization", "mainEntity", "author"):
            if key in node and key != "@type":
                yield from _walk(node[key])


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@id")
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _texts(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [t for t in (_text(v) for v in values) if t]


def organisations(jsonld: list[Any], microdata: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flat dicts: name, legal_name, phones, fax, emails, street, postcode, city, country, vat."""
    out = []
    for node in [*_walk(jsonld), *_walk(microdata)]:
        address = node.get("address")
        if isinstance(address, list):
            address = address[0] if address else None
        addr = address if isinstance(address, dict) else {}
        out.append({
            "name": _text(node.get("name")),
            "legal_name": _text(node.get("legalName")),
            "phones": _texts(node.get("telephone")),
            "fax": _text(node.get("faxNumber")),
            "emails": [e.removeprefix("mailto:") for e in _texts(node.get("email"))],
            "street": _text(addr.get("streetAddress")),
            "postcode": _text(addr.get("postalCode")),
            "city": _text(addr.get("addressLocality")),
            "country": _text(addr.get("addressCountry")),
            "vat": _text(node.get("vatID")),
        })
    return out
