"""The canonical lead record: the field names every reader maps its source onto.

Values stay strings (or None) exactly as read, trimmed at most; parsing and normalisation are
enrichment's job. The names are a contract with the warehouse staging tables, so they only
ever grow.
"""

from __future__ import annotations

from collections.abc import Iterable

LIST_FIELDS: tuple[str, ...] = (
    "company",
    "salutation",
    "title",
    "first_name",
    "last_name",
    "full_name",
    "position",
    "street",
    "house_number",
    "street_full",
    "postcode",
    "city",
    "country",
    "phone",
    "mobile",
    "fax",
    "email",
    "website",
    "industry",
    "wz_code",
    "employees",
    "revenue",
    "register",
    "vat_id",
    "legal_form",
)
"""Contact and company fields shared by purchased lists, web forms and crawled records."""

FORM_FIELDS: tuple[str, ...] = (
    "form_id",
    "page_url",
    "submitted_at",
    "ip",
    "user_agent",
    "request_type",
    "message",
)
"""What a web-form submission adds to the contact fields."""

COMBINED_FIELDS: dict[str, tuple[str, ...]] = {
    "postcode_city": ("postcode", "city"),
    "address": ("street_full", "postcode", "city"),
    "company_continued": ("company",),
    "phone_area_code": ("phone",),
    "fax_area_code": ("fax",),
}
"""Source columns that hold part of a field or two fields at once, and the fields they fill.

`postcode_city` is split ('44894 Bochum' → postcode, city), `address` too ('Turmstr. 7,
10551 Berlin' → street_full, postcode, city); `company_continued` (Name 2,
Schulbezeichnung_2) is appended to the company name; an area-code column is joined in front
of the number it belongs to. They never become staging columns of their own: the warehouse
renders them into the fields they fill (`warehouse.load_lists`).
"""

POSTCODE_CITY_PATTERN = r"^\s*(?:[A-Za-z]{1,2}[- ])?(\d{4,5})\s+(\S.*?)\s*$"
"""A `postcode_city` value: group 1 the postcode ('D-' or 'A-' prefix allowed), group 2 the
city. A value that does not match fills neither field."""

ADDRESS_PATTERN = (r"(?s)^(?:.*[,\n])?\s*([^,\n]*?[^,\n\s])[\s,]+(?:[A-Za-z]{1,2}[- ])?(\d{4,5})"
                   r"\s+([^,\n\d]+?)\s*(?:,\s*[^,\n\d]+)?$")
"""An `address` value, 'Rudower Straße 7, 12439 Berlin', 'Dorfstr. 13 52076 Aachen',
'Postfach 10 18 26\n52018 Aachen', '… 10555 Berlin, Germany': group 1 the street line before
the postcode, 2 the postcode, 3 the city (a country after it is dropped). A value that does
not match is taken whole as `street_full`."""

SPLIT_PATTERNS = {"postcode_city": POSTCODE_CITY_PATTERN, "address": ADDRESS_PATTERN}
"""Combined columns split by a pattern: group n fills the n-th field of COMBINED_FIELDS."""

def fields_filled(targets: Iterable[str]) -> set[str]:
    """The canonical fields columns mapped to `targets` fill, combined columns split."""
    return {f for target in targets for f in COMBINED_FIELDS.get(target, (target,))}


CUSTOMER_FIELDS: tuple[str, ...] = (
    "customer_number",
    "crm_record_id",
    "lifecycle",
    "purchased_on",
    "product_category",
    "purchase_value",
    "deal_status",
    "collected_in_sale",
    "notice_at_collection",
)
"""What a customer export adds (`leadpipe ingest customers`): the customer's number and CRM
record id, the CRM's lifecycle stage or label, a purchase (the date, product category and
value of a won deal or of the last purchase), a deal's status, and the §7(3) UWG facts. A
purchased list that maps them keeps them in its raw rows only."""

MAPPABLE_FIELDS: tuple[str, ...] = (*LIST_FIELDS, *COMBINED_FIELDS)
"""What a list column may be mapped to: a canonical field or a combined column."""

MAPPING_FILE_FIELDS: tuple[str, ...] = (*MAPPABLE_FIELDS, *CUSTOMER_FIELDS)
"""What a mapping file may name: a list's fields, and a customer export's."""

IDENTITY_FIELDS: tuple[str, ...] = ("company", "last_name", "full_name")
"""A purchased list must map at least one of these: a lead is a company or a named person.

Per row, a record with none of them filled is quarantined by the warehouse.
"""

REQUEST_TYPES: tuple[str, ...] = ("demo", "callback", "brochure", "newsletter", "contact", "other")
"""The normalised `request_type` values of a web-form submission."""
