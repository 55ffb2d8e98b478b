"""The eligibility rule engine: may we contact this lead on each channel, and why.

A pure function of a `Case` (lead facts, evidence events, optional campaign, as-of date,
threshold overrides) implementing eligibility-rules.md sections 3 and 4: per channel the global
rules G1 → G2 (G2a) → G3 → G4 → G5, then the channel rules with the consent checks
C6 → C2 → C3 → C4 → C5 → channel confirmation → C7. The first rule that decides ends the
evaluation. Events dated after `as_of` are not considered. Interpretations of open points
are listed in docs/compliance.md.
"""

from __future__ import annotations

import calendar
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from compliance.case import CATEGORY_A, CATEGORY_B, CATEGORY_C, CHANNELS, Case, Event
from compliance.rulebook import LEGAL_BASIS
from compliance.thresholds import Thresholds, apply_parameters

ALLOWED, BLOCKED, REVIEW = "allowed", "blocked", "review"
PHONE_VERIFYING_METHODS = ("sms_code_verified", "recorded_call", "signed_form")
_RULE_FILES = (Path(__file__), Path(__file__).with_name("rulebook.py"))


@dataclass(frozen=True)
class ChannelDecision:
    decision: str
    reason: str
    rule: str
    legal_basis: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"decision": self.decision, "reason": self.reason, "rule": self.rule,
                "legal_basis": self.legal_basis}


@dataclass(frozen=True)
class CaseDecision:
    id: str | None
    as_of: date
    channels: Mapping[str, ChannelDecision]
    rules_version: str

    def to_dict(self) -> dict[str, Any]:
        """The output contract of case-format.md."""
        return {"id": self.id,
                "channels": {ch: self.channels[ch].to_dict() for ch in CHANNELS},
                "rules_version": self.rules_version}


def _blocked(reason: str, rule: str) -> ChannelDecision:
    return ChannelDecision(BLOCKED, reason, rule, None)


def _allowed(reason: str, rule: str, basis: str) -> ChannelDecision:
    return ChannelDecision(ALLOWED, reason, rule, LEGAL_BASIS[basis])


def _review(reason: str, rule: str, basis: str | None = None) -> ChannelDecision:
    return ChannelDecision(REVIEW, reason, rule, LEGAL_BASIS[basis] if basis else None)


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later, or the last day of a shorter month."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def more_than_months(start: date, months: int, as_of: date) -> bool:
    """True when more than `months` calendar months lie between `start` and `as_of`."""
    return as_of > add_months(start, months)


@lru_cache(maxsize=1)
def _rules_source() -> bytes:
    return b"".join(path.read_bytes() for path in _RULE_FILES)


@lru_cache(maxsize=64)
def _version(thresholds_json: str) -> str:
    digest = hashlib.sha256(_rules_source())
    digest.update(thresholds_json.encode("utf-8"))
    return digest.hexdigest()[:16]


def rules_version(thresholds: Thresholds) -> str:
    """sha256 over the rule modules' source and the effective thresholds (16 hex digits)."""
    return _version(json.dumps(thresholds.model_dump(), sort_keys=True))


class _Facts:
    """The case's events (up to as_of, in order) and the lead-level facts derived from them."""

    def __init__(self, case: Case, thresholds: Thresholds) -> None:
        self.case = case
        self.lead = case.lead
        self.t = thresholds
        self.as_of = case.as_of
        self.events = sorted((e for e in case.evidence if e.at <= case.as_of),
                             key=lambda e: e.key)

    def of(self, *kinds: str, events: list[Event] | None = None) -> list[Event]:
        return [e for e in (self.events if events is None else events) if e.kind in kinds]

    @cached_property
    def erased(self) -> bool:
        return any(e.kind == "erasure_request" or (e.kind == "suppression_list_match"
                                                   and e.get("origin") == "erasure")
                   for e in self.events)

    @cached_property
    def latest_objection(self) -> Event | None:
        """Art. 21 objections, objection suppression hits, and "no advertising" wishes that
        are not scoped to consent channels (a withdrawal naming all channels or post; U9)."""
        found = [e for e in self.events
                 if e.kind == "objection_art21"
                 or (e.kind == "suppression_list_match" and e.get("origin") != "erasure")
                 or (e.kind == "consent_withdrawn" and e.names("post"))]
        return found[-1] if found else None

    @cached_property
    def art14_overdue(self) -> bool:
        if self.lead.source not in ("purchased_list", "crawled"):
            return False
        adverts = self.of("advertising_sent")
        if self.of("art14_notice_sent") or any(e.get("included_art14_info") is True
                                               for e in adverts):
            return False
        if adverts:
            return True
        acquired = self.lead.acquired_at or next(
            (e.at for e in self.of("list_acquired")), None)
        if acquired is None:
            return True
        return more_than_months(acquired, self.t.art14_deadline_months, self.as_of)

    @cached_property
    def business_capacity(self) -> bool:
        """A3(b): the person contacted us as a business, or a business relationship exists."""
        return (self.lead.source == "existing_customer" or bool(self.of("inquiry_received"))
                or any(e.get("category") in CATEGORY_A
                       for e in self.of("presumed_consent_reason")))

    def consumer(self, channel: str) -> bool:
        """A1–A4: consumer rules for b2c and unknown leads, and for a sole trader's channel
        unless it is a business contact point or business capacity is shown (U8)."""
        lead = self.lead
        if lead.audience != "b2b":
            return True
        if self.business_capacity:
            return False
        if not lead.sole_trader:
            # A2: a company's people are addressed in its business sphere.
            return False
        business_point = {
            "email": lead.email_kind in ("business_personal", "business_role",
                                         "freemail_business"),
            "phone": lead.phone_kind == "business_line",
            "sms": lead.phone_kind == "business_line",
            "post": lead.postal_kind == "business", "fax": False}[channel]
        return not business_point

    def has_contact(self, channel: str) -> bool:
        lead = self.lead
        return {"email": lead.has_email, "phone": lead.has_phone, "sms": lead.has_phone,
                "post": lead.has_postal_address, "fax": lead.has_fax}[channel]


def _latest_consent(events: list[Event], channel: str) -> Event | None:
    found = [e for e in events if e.kind == "consent_given" and e.names(channel)]
    return found[-1] if found else None


def _withdrawals(events: list[Event], channel: str, after: Event | None = None) -> list[Event]:
    return [e for e in events if e.kind == "consent_withdrawn" and e.names(channel)
            and (after is None or e.key > after.key)]


def _preticked(events: list[Event], channel: str, consent: Event) -> bool:
    """C3 (U10): a pre-ticked box, also when a later DOI event that does not itself say the box
    was unticked merely confirms an earlier pre-ticked consent (no withdrawal in between)."""
    if consent.get("pre_ticked") is not None:
        return consent.get("pre_ticked") is True
    for earlier in reversed([e for e in events if e.key < consent.key and e.names(channel)]):
        if earlier.kind == "consent_withdrawn":
            return False
        if earlier.kind == "consent_given" and earlier.get("pre_ticked") is True:
            return True
    return False


def _valid(events: list[Event], consent: Event, channel: str) -> bool:
    """Valid in the sense of section 2: not withdrawn, provable, active, specific."""
    return (not _withdrawals(events, channel, consent)
            and consent.get("evidence_complete") is True
            and not _preticked(events, channel, consent)
            and consent.get("names_controller") is True)


Confirmation = Callable[[Event], ChannelDecision | None]


def _consent_checks(facts: _Facts, events: list[Event], channel: str, consent: Event,
                    confirm: Confirmation) -> ChannelDecision | None:
    """C6 → C2 → C3 → C4 → C5 → channel confirmation → C7; None when the consent holds."""
    if _withdrawals(events, channel, consent):
        return _blocked("consent_withdrawn", "C6")
    if consent.get("evidence_complete") is not True:
        return _blocked("consent_unproven", "C2")
    if _preticked(events, channel, consent):
        return _blocked("consent_invalid_preticked", "C3")
    if consent.get("names_controller") is not True:
        return _blocked("consent_not_specific", "C4")
    if consent.get("method") == "vendor_supplied":
        return _review("third_party_consent_review", "C5", "third_party_consent")
    confirmation = confirm(consent)
    if confirmation is not None:
        return confirmation
    confirmed = consent.get("confirmed_at")
    last_use = [e.at for e in events if e.kind == "advertising_sent" and e.names(channel)
                and e.key > consent.key]
    start = max([consent.at, *last_use,
                 *([confirmed] if confirmed and confirmed <= facts.as_of else [])])
    if more_than_months(start, facts.t.consent_dormancy_blocked_months, facts.as_of):
        return _blocked("consent_expired", "C7")
    if more_than_months(start, facts.t.consent_dormancy_review_months, facts.as_of):
        return _review("consent_stale_review", "C7")
    return None


def _other_consents(events: list[Event], channel: str) -> list[Event]:
    return [e for e in events if e.kind == "consent_given" and not e.names(channel)]


def _robinson(facts: _Facts, events: list[Event], channel: str) -> ChannelDecision | None:
    """G5: current hits on lists covering a consumer-audience channel of a prospect."""
    if facts.lead.source == "existing_customer" or not facts.consumer(channel):
        return None
    latest_per_list: dict[str | None, Event] = {}
    for check in facts.of("robinson_list_check"):
        if check.names(channel):
            latest_per_list[check.get("list")] = check
    hits = [c for c in latest_per_list.values() if c.get("hit", True) is not False]
    if not hits:
        return None
    consent = _latest_consent(events, channel)
    if consent is None or _withdrawals(events, channel, consent):
        return _blocked("robinson_list_hit", "G5")
    for hit in hits:
        entry = hit.get("entry_date")
        if entry is None or entry >= consent.at:
            return _review("robinson_conflicts_with_consent", "G5")
    return None


def _existing_customer_email(facts: _Facts, events: list[Event]) -> ChannelDecision | None:
    """E6, §7(3) UWG: conditions in the order 1, 3, 4, 2, then the recency of the purchase."""
    purchases = facts.of("purchase", events=events)
    objected = bool(_withdrawals(events, "email"))
    if not purchases:
        accounts = facts.of("account_registered", events=events)
        if not accounts:
            return None
        if not any(a.get("paid_tier_offered") is True for a in accounts):
            return _blocked("uwg7_3_no_sale", "E6")
        if objected:
            return _blocked("uwg7_3_objected", "E6")
        return _review("uwg7_3_freemium_review", "E6", "freemium")
    collecting = [p for p in purchases if p.get("email_collected_in_sale") is True]
    if not collecting:
        return _blocked("uwg7_3_no_sale", "E6")
    if objected:
        return _blocked("uwg7_3_objected", "E6")
    campaign = facts.case.campaign
    mail_without_notice = any(
        e.kind == "advertising_sent" and e.names("email")
        and e.get("included_objection_notice") is False and e.key > collecting[0].key
        for e in events)
    if (not any(p.get("objection_notice_at_collection") is True for p in collecting)
            or campaign is None or campaign.message_includes_objection_notice is not True
            or mail_without_notice):
        return _blocked("uwg7_3_no_notice", "E6")
    similar = campaign.similar_to_purchased
    if similar is None:
        categories = {p.get("product_category") for p in collecting} - {None}
        similar = campaign.product_category is not None and campaign.product_category in categories
    if not similar:
        return _blocked("uwg7_3_not_similar", "E6")
    last = purchases[-1].at
    if more_than_months(last, facts.t.existing_customer_blocked_months, facts.as_of):
        return _blocked("uwg7_3_customer_expired", "E6")
    if more_than_months(last, facts.t.existing_customer_review_months, facts.as_of):
        return _review("uwg7_3_customer_stale_review", "E6")
    return _allowed("uwg7_3_existing_customer", "E6", "existing_customer")


def _email(facts: _Facts, events: list[Event]) -> ChannelDecision:
    def confirm(consent: Event) -> ChannelDecision | None:
        confirmed = consent.get("confirmed_at")
        if (consent.get("method") != "double_opt_in" or confirmed is None
                or confirmed > facts.as_of):
            return _blocked("consent_unconfirmed_single_opt_in", "E2")
        return None

    consent = _latest_consent(events, "email")
    if consent is not None:
        return (_consent_checks(facts, events, "email", consent, confirm)
                or _allowed("consent_valid_doi", "E3", "email_consent"))
    decided = _existing_customer_email(facts, events)
    if decided is not None:
        return decided
    if _withdrawals(events, "email"):
        return _blocked("consent_withdrawn", "C6")
    if _other_consents(events, "email"):
        return _blocked("consent_channel_mismatch", "C1")
    return _blocked("uwg7_2_2_no_consent", "E1")


def _presumed_consent(facts: _Facts, events: list[Event]) -> ChannelDecision:
    """P6/P7: documented reasons for a B2B call, categories A (allowed), B (review), C."""
    reasons = [(e.get("category"), e.at) for e in facts.of("presumed_consent_reason",
                                                           events=events) if e.names("phone")]
    reasons += [("inbound_inquiry", e.at) for e in facts.of("inquiry_received", events=events)
                if e.names("phone")]
    campaign = facts.case.campaign
    if campaign is not None and campaign.similar_to_purchased is True:
        reasons += [("existing_business_relationship", e.at)
                    for e in facts.of("purchase", events=events)]
    max_age = facts.t.presumed_consent_reason_max_age_months

    def fresh(at: date) -> bool:
        return not more_than_months(at, max_age, facts.as_of)

    if any(cat in CATEGORY_A and fresh(at) for cat, at in reasons):
        return _allowed("uwg7_2_1_presumed_consent_documented", "P6", "phone_presumed")
    if any(cat in CATEGORY_B and fresh(at) for cat, at in reasons):
        return _review("uwg7_2_1_presumed_consent_review", "P6", "phone_presumed_after_review")
    if any(cat in CATEGORY_A + CATEGORY_B for cat, _ in reasons):
        return _review("uwg7_2_1_presumed_consent_review", "P6")
    if any(cat in CATEGORY_C for cat, _ in reasons):
        return _blocked("uwg7_2_1_no_presumed_consent", "P6")
    return _blocked("uwg7_2_1_no_presumed_consent", "P7")


def _phone(facts: _Facts, events: list[Event]) -> ChannelDecision:
    consumer = facts.consumer("phone")

    def confirm(consent: Event) -> ChannelDecision | None:
        verified = (consent.get("phone_verified") is True
                    or consent.get("method") in PHONE_VERIFYING_METHODS)
        if consumer and not verified:
            return _blocked("uwg7a_documentation_incomplete", "P4")
        return None

    consent = _latest_consent(events, "phone")
    if consent is not None:
        decided = _consent_checks(facts, events, "phone", consent, confirm)
        if decided is not None:
            return decided
        if consumer:
            return _allowed("consent_phone_documented", "P2", "phone_consent_consumer")
        return _allowed("consent_express_b2b", "P5", "phone_consent_b2b")
    if _withdrawals(events, "phone"):
        return _blocked("consent_withdrawn", "C6")
    if not consumer:
        return _presumed_consent(facts, events)
    if _other_consents(events, "phone"):
        return _blocked("consent_channel_mismatch", "C1")
    return _blocked("uwg7_2_1_no_consent_consumer", "P1")


def _sms(facts: _Facts, events: list[Event]) -> ChannelDecision:
    def confirm(consent: Event) -> ChannelDecision | None:
        if (consent.get("phone_verified") is True
                or consent.get("method") == "sms_code_verified"):
            return None
        return _blocked("consent_number_unverified", "S4")

    consent = _latest_consent(events, "sms")
    if consent is not None:
        return (_consent_checks(facts, events, "sms", consent, confirm)
                or _allowed("consent_valid_sms_verified", "S2", "sms_consent"))
    if _withdrawals(events, "sms"):
        return _blocked("consent_withdrawn", "C6")
    if facts.of("purchase", events=events):
        return _review("sms_7_3_review", "S3", "sms_existing_customer")
    others = _other_consents(events, "sms")
    same_number = any(e.names("phone") for e in others)
    if same_number or (others and facts.lead.phone_kind != "private_landline"):
        return _blocked("consent_channel_mismatch", "C1")
    return _blocked("uwg7_2_2_no_consent", "S1")


def _fax(facts: _Facts, events: list[Event]) -> ChannelDecision:
    consent = _latest_consent(events, "fax")
    if consent is None:
        return _blocked("uwg7_2_2_fax_no_consent", "F1")
    return (_consent_checks(facts, events, "fax", consent, lambda _c: None)
            or _allowed("consent_fax_express", "F2", "fax_consent"))


def _post(facts: _Facts, events: list[Event]) -> ChannelDecision:
    """PO1–PO6: addressed letters rest on Art. 6(1)(f); the source decides for consumers."""
    lead = facts.lead
    if not facts.consumer("post"):
        if lead.source in ("purchased_list", "crawled"):
            return _allowed("gdpr6_1_f_post_first_mailing_with_art14", "PO1",
                            "post_first_mailing")
        return _allowed("gdpr6_1_f_post_allowed", "PO1", "post")
    if lead.source == "existing_customer" or facts.of("purchase", events=events):
        return _allowed("gdpr6_1_f_post_allowed", "PO2", "post")
    if lead.source == "web_form":
        if lead.art13_notice_mentions_advertising is True:
            return _allowed("gdpr6_1_f_post_allowed", "PO2", "post")
        return _review("art13_no_advertising_notice_review", "PO6", "post_after_review")
    if lead.source == "crawled":
        return _review("crawled_b2c_review", "PO5", "post_after_review")
    provenance = lead.provenance_documented
    if provenance is None:
        provenance = any(e.get("provenance_documented") is True
                         for e in facts.of("list_acquired"))
    if provenance is not True:
        return _review("purchased_list_provenance_unknown", "PO4", "post_after_review")
    if not any(e.names("post") for e in facts.of("robinson_list_check")):
        return _review("robinson_check_missing", "PO3", "post_after_robinson_check")
    return _allowed("gdpr6_1_f_post_first_mailing_with_art14", "PO3", "post_first_mailing")


_CHANNEL_RULES: dict[str, Callable[[_Facts, list[Event]], ChannelDecision]] = {
    "email": _email, "phone": _phone, "post": _post, "sms": _sms, "fax": _fax}


def _decide(facts: _Facts, channel: str) -> ChannelDecision:
    if facts.erased:
        return _blocked("gdpr17_erased_suppressed", "G1")
    events = facts.events
    objection = facts.latest_objection
    if objection is not None:
        # G2a: only events after the objection count, and only a new valid consent naming
        # this channel reopens it.
        events = [e for e in facts.events if e.key > objection.key]
        consent = _latest_consent(events, channel)
        if consent is None or not _valid(events, consent, channel):
            return _blocked("gdpr21_objection", "G2")
    if not facts.has_contact(channel):
        return _blocked("no_contact_data", "G3")
    if facts.art14_overdue:
        return _blocked("gdpr14_notice_overdue", "G4")
    decided = _robinson(facts, events, channel) or _CHANNEL_RULES[channel](facts, events)
    if objection is not None and decided.decision == ALLOWED:
        return ChannelDecision(ALLOWED, decided.reason, "G2a", decided.legal_basis)
    return decided


def evaluate(case: Case, thresholds: Thresholds,
             aliases: Mapping[str, str] | None = None) -> CaseDecision:
    """Decide every channel of one case; the case's `parameters` override `thresholds`."""
    effective, _warnings = apply_parameters(thresholds, case.parameters, aliases or {},
                                            repr(case.id) if case.id else "")
    facts = _Facts(case, effective)
    return CaseDecision(id=case.id, as_of=case.as_of,
                        channels={ch: _decide(facts, ch) for ch in CHANNELS},
                        rules_version=rules_version(effective))
