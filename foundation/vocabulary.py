"""The words every package shares: channels, grades, source kinds, audiences, the kinds of
contact point, entity levels.

Each is a `Literal` type for signatures (typer and Prefect turn it into a choice) and a tuple
in the one order leadpipe lists them in; packages import both from here instead of spelling
them out again. Channels are in the order of the eligibility output (case-format.md).
"""

from __future__ import annotations

from typing import Literal, get_args

Channel = Literal["email", "phone", "post", "sms", "fax"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
"""Contact channels (section 2 of the eligibility rules)."""

Grade = Literal["A", "B", "C", "D"]
GRADES: tuple[Grade, ...] = get_args(Grade)
"""Lead grades, best first: a minimum grade takes the grades up to it."""

SourceKind = Literal["web_form", "purchased_list", "crawl", "customer"]
SOURCE_KINDS: tuple[SourceKind, ...] = get_args(SourceKind)
"""Where a record came from (`source_kind` in the warehouse); `customer` is a record of a
CRM or ERP customer export (`leadpipe ingest customers`)."""

Crm = Literal["hubspot", "pipedrive", "centralstation", "generic"]
CRMS: tuple[Crm, ...] = get_args(Crm)
"""The CRMs whose exports leadpipe reads by their own column names; `generic` is any other
customer file, mapped like a purchased list."""

LeadSource = Literal["purchased_list", "web_form", "crawled", "existing_customer"]
LEAD_SOURCES: tuple[LeadSource, ...] = get_args(LeadSource)
"""A lead's `source` in the eligibility rules (section 10), which names crawled records
`crawled` and the records of a customer export `existing_customer`."""

Audience = Literal["b2b", "b2c", "unknown"]
AUDIENCES: tuple[Audience, ...] = get_args(Audience)
"""Business, consumer, or not known (rules A1-A3)."""

EmailKind = Literal["private", "business_personal", "business_role", "freemail_business"]
EMAIL_KINDS: tuple[EmailKind, ...] = get_args(EmailKind)
PhoneKind = Literal["private_landline", "private_mobile", "business_line", "mobile_unknown_use"]
PHONE_KINDS: tuple[PhoneKind, ...] = get_args(PhoneKind)
PostalKind = Literal["private", "business"]
POSTAL_KINDS: tuple[PostalKind, ...] = get_args(PostalKind)
"""What a lead's e-mail address, phone number and postal address are (rule A3): enrichment
decides them, the eligibility rules read them (section 10)."""

EntityLevel = Literal["company", "contact", "consumer"]
ENTITY_LEVELS: tuple[EntityLevel, ...] = get_args(EntityLevel)
"""What matching merges: companies, their contact persons, and private persons."""

Outcome = Literal["contacted", "reached", "not_interested", "appointment", "won", "lost"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
"""What sales reports back about a lead, in the order a sale goes; the latest one counts."""

OUTCOME_LEVELS: dict[Outcome, int] = {
    "contacted": 1, "reached": 2, "not_interested": 2, "lost": 2, "appointment": 3, "won": 4,
}
"""How far a sale got (funnel: contacted 1, reached 2, appointment 3, won 4): not interested
and lost mean the person was reached; a win counts as having had its appointment."""
