"""Audience (b2b / b2c / unknown) and the per-channel facts the compliance rules need.

Follows section 2 and rule A3 of the eligibility spec: a company or legal entity is `b2b`,
and so are its employees addressed in that capacity; a sole trader is `b2b` with
`sole_trader` set, and each of their channels counts as business only when the contact
point is a business one (published in the Impressum or a register, a business line, a
business address). Where nothing shows business capacity the channel kind is the private
one: the rules treat `unknown` like a consumer, so we never guess towards business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from foundation.vocabulary import Audience, EmailKind, PhoneKind, PostalKind

BUSINESS_ENTITIES = frozenset({"corporation", "partnership", "association", "public"})
"""Legal-form classes of an entity that is not a natural person: never a consumer, never a
sole trader, whatever the name or the contact looks like. `sole_trader` (e.K.,
Einzelunternehmen, e.U.) is b2b but a natural person."""
BUSINESS_PUBLISHED_SOURCES = frozenset({"impressum_crawl", "register"})


class AudienceSignals(NamedTuple):
    """What the other enrichers found, reduced to what the audience decision needs.

    A named tuple rather than a frozen dataclass: built and hashed (for the decision cache)
    once per lead, which the dataclass made several times slower.
    """

    has_company: bool = False
    legal_entity: str | None = None          # corporation | partnership | sole_trader | ...
    has_register_entry: bool = False
    has_vat_id: bool = False
    email_kind: str | None = None            # role | freemail | disposable | personal_business
    email_domain_matches_website: bool | None = None
    email_domain_matches_name: bool = False
    has_website: bool = False
    phone_type: str | None = None            # fixed | mobile | toll_free | ...
    has_phone: bool = False
    has_postal_address: bool = False
    sole_trader_words: bool = False
    name_in_company: bool = False
    origin: str | None = None                # vendor_list | web_form | impressum_crawl
    business_inquiry: bool = False
    private_request: bool = False


@dataclass(frozen=True)
class AudienceResult:
    audience: Audience
    sole_trader: bool
    email_kind: EmailKind | None
    phone_kind: PhoneKind | None
    postal_kind: PostalKind | None
    reasons: list[str] = field(default_factory=list)


@lru_cache(maxsize=65536)
def decide_audience(s: AudienceSignals) -> AudienceResult:
    """The audience, the sole-trader flag and each channel's kind, with the reasons.

    Cached: the signals take few combinations, and a batch decides once per lead.
    """
    reasons: list[str] = []
    # The legal form decides when there is one; words and the person's name in the company
    # name only count for a company without a known legal form.
    sole_trader = s.legal_entity == "sole_trader" or (
        s.legal_entity not in BUSINESS_ENTITIES and s.has_company and s.legal_entity is None
        and (s.sole_trader_words or s.name_in_company))
    if s.legal_entity in BUSINESS_ENTITIES:
        reasons.append(f"legal_form: {s.legal_entity}")
    if s.has_register_entry:
        reasons.append("register_entry")
    if s.has_vat_id:
        reasons.append("vat_id")
    if s.origin == "impressum_crawl":
        reasons.append("crawled_impressum")
    business_domain = s.email_kind in ("role", "personal_business") and (
        s.email_domain_matches_website is True or s.email_domain_matches_name)
    if business_domain:
        reasons.append("business_email_domain")
    if s.business_inquiry:
        reasons.append("business_inquiry")
    if sole_trader:
        reasons.append("sole_trader_signals")

    audience: Audience
    if reasons:
        audience = "b2b"
    elif s.has_company:
        audience = "unknown"
        reasons.append("company_name_without_business_evidence")
    elif s.private_request or (s.email_kind in ("freemail", "private", None)
                               and not s.has_website):
        audience = "b2c" if s.private_request or s.email_kind in ("freemail", "private") \
            else "unknown"
        reasons.append("private_request" if s.private_request else
                       "private_contact_only" if audience == "b2c" else "no_business_signal")
    else:
        audience = "unknown"
        reasons.append("no_business_signal")

    # A business contact point: one the business itself published or registered, or (for an
    # entity, not a sole trader) any contact point of the entity (A2).
    published = s.origin in BUSINESS_PUBLISHED_SOURCES
    entity_b2b = audience == "b2b" and not sole_trader
    capacity_shown = s.business_inquiry
    business_point = entity_b2b or (audience == "b2b" and (published or capacity_shown))

    email_kind: EmailKind | None = None
    if s.email_kind is not None:
        if s.email_kind == "freemail":
            email_kind = "freemail_business" if audience == "b2b" and (published or capacity_shown
                                                                      or entity_b2b) else "private"
        elif s.email_kind == "role" and audience == "b2b":
            email_kind = "business_role"
        elif s.email_kind == "personal_business" and audience == "b2b" and (
                business_point or business_domain):
            email_kind = "business_personal"
        elif s.email_kind == "role" and sole_trader:
            email_kind = "business_role"
        else:
            email_kind = "private"

    phone_kind: PhoneKind | None = None
    if s.has_phone:
        if s.phone_type == "mobile":
            phone_kind = "business_line" if audience == "b2b" and (published or capacity_shown) \
                else "mobile_unknown_use" if audience == "b2b" else "private_mobile"
            if audience == "unknown":
                phone_kind = "mobile_unknown_use"
        elif s.phone_type in ("toll_free", "premium_rate"):
            phone_kind = "business_line"
        else:
            phone_kind = "business_line" if business_point else "private_landline"

    postal_kind: PostalKind | None = None
    if s.has_postal_address:
        postal_kind = "business" if business_point or (sole_trader and s.has_register_entry) \
            else "private"
    return AudienceResult(audience, bool(sole_trader), email_kind, phone_kind, postal_kind,
                          reasons)
