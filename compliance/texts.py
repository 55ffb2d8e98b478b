"""Eligibility decisions in plain German: the sentence sales reads on a lead's page.

The wording lives in `compliance/defaults/texts_de.yaml` (overridable like any configuration),
so that compliance staff can change a sentence without a release and a new rule cannot ship
without its text (tests/compliance/test_texts_de.py walks the engine's reason codes). Pure:
`decision_facts` picks the dates, form and vendor a decision rests on from the case the engine
saw (stored with each decision) and the lead's ledger events; `describe_decision` renders.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from compliance.case import CATEGORY_A, CATEGORY_B, CATEGORY_C
from compliance.rulebook import LEGAL_BASIS
from foundation.config import load_config
from foundation.vocabulary import CHANNELS, SOURCE_KINDS

PLACEHOLDERS = frozenset({
    "consent_on", "confirmed_on", "method", "form", "reason_kind", "reason_on", "withdrawn_on",
    "objection_on", "acquired_on", "vendor", "robinson_list", "robinson_entry_on",
    "purchase_on",
})
"""What a reason's `detail` may name; `decision_facts` fills them."""


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


class ReasonText(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1)
    by_channel: dict[str, str] = Field(default_factory=dict)
    by_rule: dict[str, str] = Field(default_factory=dict)
    detail: tuple[str, ...] = ()
    """Fragments appended after the reason, each only when all its placeholders are known."""

    @field_validator("detail", mode="before")
    @classmethod
    def _as_tuple(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else () if value is None else value

    @field_validator("by_channel")
    @classmethod
    def _known_channels(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(CHANNELS))
        if unknown:
            raise ValueError(f"unknown channel {unknown[0]!r}; known: {', '.join(CHANNELS)}")
        return value

    @field_validator("detail")
    @classmethod
    def _known_placeholders(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for fragment in value:
            try:
                unknown = sorted(_fields(fragment) - PLACEHOLDERS)
            except ValueError as exc:
                raise ValueError(f"{fragment!r} is not a valid template: {exc}") from exc
            if unknown:
                raise ValueError(f"unknown placeholder {{{unknown[0]}}} in {fragment!r}; "
                                 f"known: {', '.join(sorted(PLACEHOLDERS))}")
        return value


class TextsDe(BaseModel):
    """The German wording of decisions and of the words around them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    channels: dict[str, str]
    channel_actions: dict[str, str]
    decisions: dict[str, str]
    source_kinds: dict[str, str]
    lead_sources: dict[str, str]
    consent_methods: dict[str, str]
    reason_categories: dict[str, str]
    event_kinds: dict[str, str]
    evidence_keys: dict[str, str]
    source_templates: dict[str, tuple[str, ...]]
    legal_bases: dict[str, str]
    rules: dict[str, str]
    after_objection: str
    reasons: dict[str, ReasonText]

    @model_validator(mode="after")
    def _complete(self) -> TextsDe:
        for key, wanted in (("channels", CHANNELS), ("channel_actions", CHANNELS),
                            ("decisions", ("allowed", "review", "blocked")),
                            ("legal_bases", tuple(LEGAL_BASIS)),
                            ("source_kinds", SOURCE_KINDS), ("source_templates", SOURCE_KINDS),
                            ("reason_categories", CATEGORY_A + CATEGORY_B + CATEGORY_C)):
            missing = [w for w in wanted if w not in getattr(self, key)]
            if missing:
                raise ValueError(f"{key}.{missing[0]}: missing (every one of "
                                 f"{', '.join(wanted)} needs a German text)")
        return self


@lru_cache(maxsize=8)
def load_texts(config_dir: Path | None = None) -> TextsDe:
    """Cached: the lead page renders per request, the files change with a restart."""
    return load_config("compliance", "texts_de", TextsDe, config_dir).value


def german_date(value: Any) -> str | None:
    """10.11.2026, as a German reader writes a day."""
    day = _day(value)
    return None if day is None else f"{day:%d.%m.%Y}"


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


_BASIS_KEYS = {text: key for key, text in LEGAL_BASIS.items()}


def describe_legal_basis(legal_basis: str | None, texts: TextsDe) -> str | None:
    """The German wording of a recorded legal basis (the rulebook's text, as stored); a basis
    an older rules version recorded and the rulebook no longer has is shown as stored."""
    if legal_basis is None:
        return None
    key = _BASIS_KEYS.get(legal_basis)
    return texts.legal_bases.get(key, legal_basis) if key else legal_basis


def describe_decision(channel: str, decision: str, reason: str, rule: str, texts: TextsDe,
                      facts: Mapping[str, str] | None = None) -> str:
    """"Anruf erlaubt: mutmaßliche Einwilligung (§ 7 Abs. 2 Nr. 1 UWG), Anfrage vom
    07.11.2026": channel, decision, the reason in plain German and each fragment of the
    reason's detail whose placeholders `facts` knows. A reason code without a text
    (a decision of an older rules version) is shown as its code rather than hidden."""
    action = texts.channel_actions.get(channel, channel)
    verdict = texts.decisions.get(decision, decision)
    entry = texts.reasons.get(reason)
    if entry is None:
        return f"{action} {verdict}: {reason} ({rule})"
    sentence = f"{action} {verdict}: " + entry.by_rule.get(
        rule, entry.by_channel.get(channel, entry.text))
    known = {k: v for k, v in (facts or {}).items() if v}
    detail = render_fragments(entry.detail, known)
    if detail:
        sentence += ", " + detail
    if rule == "G2a":
        sentence += f" ({texts.after_objection})"
    return sentence


def render_fragments(fragments: Sequence[str], values: Mapping[str, Any],
                     separator: str = ", ") -> str:
    """The fragments whose placeholders all have a value, filled and joined."""
    known = {k: str(v) for k, v in values.items() if v is not None and v != ""}
    return separator.join(f.format_map(known) for f in fragments if _fields(f) <= set(known))


def _names(event: Mapping[str, Any], channel: str) -> bool:
    channels = event.get("channels") or ["all"]
    return channel in channels or "all" in channels


def _latest(events: Sequence[Mapping[str, Any]], kinds: tuple[str, ...],
            channel: str | None = None) -> Mapping[str, Any] | None:
    found = [e for e in events if e.get("kind") in kinds
             and (channel is None or _names(e, channel))]
    return found[-1] if found else None


def _ledger_match(ledger: Sequence[Mapping[str, Any]], event: Mapping[str, Any],
                  channel: str) -> Mapping[str, Any] | None:
    """The ledger row a case event came from: same kind, same day, naming the channel."""
    for row in reversed(ledger):
        if (row.get("kind") == event.get("kind") and _day(row.get("occurred_at"))
                == _day(event.get("at")) and _names(row, channel)):
            return row
    return None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _call_reason(events: Sequence[Mapping[str, Any]], channel: str) -> tuple[str, Any] | None:
    """The reason a call rests on as P6 weighs them: the latest of category A (an inquiry
    counts as one), else of B, else of C; (category, date)."""
    reasons = [(str(e.get("category")), e.get("at")) for e in events
               if e.get("kind") == "presumed_consent_reason" and _names(e, channel)]
    reasons += [("inbound_inquiry", e.get("at")) for e in events
                if e.get("kind") == "inquiry_received" and _names(e, channel)]
    for category in (CATEGORY_A, CATEGORY_B, CATEGORY_C):
        found = sorted((r for r in reasons if r[0] in category), key=lambda r: str(r[1]))
        if found:
            return found[-1]
    return None


def decision_facts(channel: str, case: Mapping[str, Any], texts: TextsDe,
                   ledger: Sequence[Mapping[str, Any]] = ()) -> dict[str, str]:
    """The placeholders of a decision's sentence, from the case the engine saw (its `lead`
    and `evidence`) and the lead's ledger rows (for the form a consent came through).

    Picks what the rules look at: the latest consent naming the channel, the latest
    presumed-consent reason or inquiry for a call, the latest withdrawal, objection, purchase,
    Robinson check and list acquisition. Dates are German (07.11.2026)."""
    events = [e for e in case.get("evidence") or [] if isinstance(e, Mapping)]
    lead = _mapping(case.get("lead"))
    facts: dict[str, str | None] = {"acquired_on": german_date(lead.get("acquired_at"))}
    consent = _latest(events, ("consent_given",), channel)
    if consent is not None:
        facts["consent_on"] = german_date(consent.get("at"))
        facts["confirmed_on"] = german_date(consent.get("confirmed_at"))
        method = consent.get("method")
        facts["method"] = texts.consent_methods.get(str(method)) if method else None
        row = _ledger_match(ledger, consent, channel)
        if row is not None:
            facts["form"] = _mapping(row.get("evidence")).get("form_id")
    reason = _call_reason(events, channel)
    if reason is not None:
        facts["reason_kind"] = texts.reason_categories.get(reason[0])
        facts["reason_on"] = german_date(reason[1])
    withdrawal = _latest(events, ("consent_withdrawn",), channel)
    if withdrawal is not None:
        facts["withdrawn_on"] = german_date(withdrawal.get("at"))
    objection = _latest(events, ("objection_art21", "suppression_list_match"))
    if objection is not None:
        facts["objection_on"] = german_date(objection.get("at"))
    purchase = _latest(events, ("purchase",))
    if purchase is not None:
        facts["purchase_on"] = german_date(purchase.get("at"))
    check = _latest([e for e in events if e.get("hit") is not False],
                    ("robinson_list_check",), channel)
    if check is not None:
        facts["robinson_list"] = check.get("list")
        facts["robinson_entry_on"] = german_date(check.get("entry_date"))
    acquired = _latest(events, ("list_acquired",))
    if acquired is not None:
        facts["vendor"] = acquired.get("vendor")
    return {k: str(v) for k, v in facts.items() if v}
