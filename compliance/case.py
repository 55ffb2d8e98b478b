"""The input of the eligibility engine: one lead's facts, its evidence events, an optional
campaign, the as-of date and threshold overrides (section 10 of eligibility-rules.md).

Pure: `case_from_dict` builds a `Case` from plain data (parsed JSON, or dicts the warehouse
assembles from stored facts and ledger events) and validates every field. Errors name the case
and the field; unknown fields are ignored and reported as warnings.

Required: `as_of`, `lead`, `lead.source`; per event `at` and `kind`; `channels` for
`consent_given` and `robinson_list_check` (a consent or list check that names no channel says
nothing). Everything else is optional with a cautious default, documented in
docs/compliance.md (e.g. a missing `has_email` means no address, a missing `evidence_complete`
means the evidence is not complete).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from foundation.vocabulary import (
    AUDIENCES,
    CHANNELS,
    EMAIL_KINDS,
    LEAD_SOURCES,
    PHONE_KINDS,
    POSTAL_KINDS,
)

METHODS = ("double_opt_in", "checkbox_single_opt_in", "sms_code_verified", "recorded_call",
           "signed_form", "vendor_supplied")
ORIGINS = ("objection", "erasure")
CATEGORY_A = ("inbound_inquiry", "existing_business_relationship")
CATEGORY_B = ("trade_fair_conversation", "newsletter_subscriber", "prior_project_contact",
              "referral")
CATEGORY_C = ("industry_match_only", "directory_listing", "purchased_list_only",
              "website_listing")

# Per kind: attribute name -> type ("bool", "date", "str" or a tuple of allowed values).
EVENT_ATTRIBUTES: dict[str, dict[str, Any]] = {
    "consent_given": {"method": METHODS, "confirmed_at": "date", "pre_ticked": "bool",
                      "names_controller": "bool", "evidence_complete": "bool",
                      "phone_verified": "bool"},
    "consent_withdrawn": {"via": "str"},
    "objection_art21": {},
    "erasure_request": {},
    "suppression_list_match": {"origin": ORIGINS},
    "robinson_list_check": {"list": "str", "hit": "bool", "entry_date": "date"},
    "art14_notice_sent": {},
    "list_acquired": {"vendor": "str", "provenance_documented": "bool"},
    "purchase": {"email_collected_in_sale": "bool", "objection_notice_at_collection": "bool",
                 "product_category": "str"},
    "account_registered": {"paid_tier_offered": "bool"},
    "advertising_sent": {"included_objection_notice": "bool", "included_art14_info": "bool"},
    "presumed_consent_reason": {"category": CATEGORY_A + CATEGORY_B + CATEGORY_C},
    "inquiry_received": {},
}
CHANNELS_REQUIRED = ("consent_given", "robinson_list_check")
"""Kinds whose `channels` must be given; for the others a missing list means every channel
(objections, erasure, withdrawals: the cautious reading) or, for `advertising_sent`, none
in particular (it then still counts for Art. 14, but keeps no consent alive)."""

LEAD_FIELDS: dict[str, Any] = {
    "audience": AUDIENCES, "sole_trader": "bool",
    "has_email": "bool", "email_kind": EMAIL_KINDS,
    "has_phone": "bool", "phone_kind": PHONE_KINDS,
    "has_postal_address": "bool", "postal_kind": POSTAL_KINDS,
    "has_fax": "bool", "source": LEAD_SOURCES, "acquired_at": "date",
    "provenance_documented": "bool", "art13_notice_mentions_advertising": "bool",
}
CAMPAIGN_FIELDS: dict[str, Any] = {
    "product_category": "str", "similar_to_purchased": "bool",
    "message_includes_objection_notice": "bool",
}


class CaseError(ValueError):
    """A case cannot be decided: the message names the case and the field."""


@dataclass(frozen=True)
class Lead:
    source: str
    audience: str = "unknown"
    sole_trader: bool = False
    has_email: bool = False
    email_kind: str | None = None
    has_phone: bool = False
    phone_kind: str | None = None
    has_postal_address: bool = False
    postal_kind: str | None = None
    has_fax: bool = False
    acquired_at: date | None = None
    provenance_documented: bool | None = None
    art13_notice_mentions_advertising: bool | None = None


@dataclass(frozen=True)
class Campaign:
    product_category: str | None = None
    similar_to_purchased: bool | None = None
    message_includes_objection_notice: bool | None = None


@dataclass(frozen=True)
class Event:
    """One evidence event; `seq` is its position in the case, which orders same-day events."""

    at: date
    kind: str
    channels: frozenset[str]
    seq: int = 0
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        value = self.attrs.get(name)
        return default if value is None else value

    def names(self, channel: str) -> bool:
        return channel in self.channels or "all" in self.channels

    @property
    def key(self) -> tuple[date, int]:
        return (self.at, self.seq)


@dataclass(frozen=True)
class Case:
    as_of: date
    lead: Lead
    evidence: tuple[Event, ...] = ()
    campaign: Campaign | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None


@dataclass
class ParsedCases:
    cases: list[Case]
    warnings: list[str]
    is_list: bool


def parse_date(value: Any) -> date:
    """An ISO date, or an ISO timestamp reduced to its date; ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError
    try:
        return date.fromisoformat(value)
    except ValueError:
        return datetime.fromisoformat(value).date()


class _Reader:
    """Validates one case, collecting warnings; raises CaseError at the first bad field."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.warnings: list[str] = []

    def fail(self, path: str, message: str) -> CaseError:
        return CaseError(f"case {self.label}: {path}: {message}")

    def mapping(self, value: Any, path: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(path, f"must be an object, got {type(value).__name__}")
        return value

    def value(self, raw: Any, kind: Any, path: str) -> Any:
        if raw is None or (raw == "" and kind != "str"):
            return None
        if kind == "bool":
            if not isinstance(raw, bool):
                raise self.fail(path, f"{raw!r} is not true or false")
            return raw
        if kind == "date":
            try:
                return parse_date(raw)
            except (ValueError, TypeError):
                raise self.fail(path, f"{raw!r} is not an ISO date") from None
        if kind == "str":
            if not isinstance(raw, str | int | float) or isinstance(raw, bool):
                raise self.fail(path, f"{raw!r} is not text")
            return str(raw)
        if raw not in kind:
            raise self.fail(path, f"unknown value {raw!r} (expected one of {', '.join(kind)})")
        return raw

    def fields(self, data: Mapping[str, Any], spec: Mapping[str, Any], path: str,
               known_extra: Sequence[str] = ()) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, raw in data.items():
            if key in spec:
                out[key] = self.value(raw, spec[key], f"{path}.{key}")
            elif key not in known_extra:
                self.warnings.append(f"case {self.label}: {path}.{key}: unknown field, ignored")
        return out

    def channels(self, raw: Any, path: str) -> frozenset[str]:
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            raise self.fail(path, 'must be a non-empty list of channels or ["all"]')
        for i, channel in enumerate(raw):
            if channel not in (*CHANNELS, "all"):
                raise self.fail(f"{path}[{i}]", f"unknown channel {channel!r} "
                                f"(expected one of {', '.join(CHANNELS)}, all)")
        return frozenset(raw)

    def event(self, raw: Any, index: int) -> Event:
        path = f"evidence[{index}]"
        data = self.mapping(raw, path)
        kind = data.get("kind")
        if kind is None:
            raise self.fail(f"{path}.kind", "missing required field")
        if kind not in EVENT_ATTRIBUTES:
            raise self.fail(f"{path}.kind", f"unknown kind {kind!r} "
                            f"(expected one of {', '.join(EVENT_ATTRIBUTES)})")
        at = self.value(data.get("at"), "date", f"{path}.at")
        if at is None:
            raise self.fail(f"{path}.at", "missing required field")
        if data.get("channels") in (None, []):
            if kind in CHANNELS_REQUIRED:
                raise self.fail(f"{path}.channels", "missing required field")
            channels = frozenset() if kind == "advertising_sent" else frozenset({"all"})
        else:
            channels = self.channels(data["channels"], f"{path}.channels")
        attrs = self.fields(data, EVENT_ATTRIBUTES[kind], path, ("at", "kind", "channels"))
        return Event(at=at, kind=kind, channels=channels, seq=index, attrs=attrs)


def case_from_dict(data: Any, position: int = 0) -> tuple[Case, list[str]]:
    """Validate one case (plain data) and return it with its warnings; CaseError if invalid."""
    label = f"#{position + 1}"
    if isinstance(data, Mapping) and data.get("id") is not None:
        label = repr(str(data["id"]))
    reader = _Reader(label)
    top = reader.mapping(data, "(case)")
    case_id = None if top.get("id") is None else str(top["id"])
    as_of = reader.value(top.get("as_of"), "date", "as_of")
    if as_of is None:
        raise reader.fail("as_of", "missing required field")
    if top.get("lead") is None:
        raise reader.fail("lead", "missing required field")
    lead_data = reader.mapping(top["lead"], "lead")
    lead_values = {k: v for k, v in reader.fields(lead_data, LEAD_FIELDS, "lead").items()
                   if v is not None}
    if "source" not in lead_values:
        raise reader.fail("lead.source", "missing required field")
    lead = Lead(**lead_values)
    campaign = None
    if top.get("campaign") is not None:
        campaign_data = reader.mapping(top["campaign"], "campaign")
        campaign = Campaign(**reader.fields(campaign_data, CAMPAIGN_FIELDS, "campaign"))
    raw_events = top.get("evidence") or []
    if not isinstance(raw_events, list):
        raise reader.fail("evidence", "must be a list of events")
    events = tuple(reader.event(raw, i) for i, raw in enumerate(raw_events))
    parameters = top.get("parameters") or {}
    parameters = dict(reader.mapping(parameters, "parameters"))
    for key in top:
        if key not in ("id", "as_of", "lead", "campaign", "evidence", "parameters"):
            reader.warnings.append(f"case {label}: {key}: unknown field, ignored")
    case = Case(as_of=as_of, lead=lead, evidence=events, campaign=campaign,
                parameters=parameters, id=case_id)
    return case, reader.warnings


def cases_from_json(data: Any) -> ParsedCases:
    """One case object or a list of them; the first invalid case raises CaseError."""
    is_list = isinstance(data, list)
    items = data if is_list else [data]
    cases: list[Case] = []
    warnings: list[str] = []
    for position, item in enumerate(items):
        case, case_warnings = case_from_dict(item, position)
        cases.append(case)
        warnings.extend(case_warnings)
    return ParsedCases(cases=cases, warnings=warnings, is_list=is_list)
