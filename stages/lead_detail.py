"""The lead page: one lead with where each value came from and why we may (not) contact it.

Read per request (`open_warehouse(write=False)`, the snapshot while a run writes): the golden
record with the source of every field (file and row, form submission, crawled page), the
member records, each channel's current decision as a German sentence, the score and its
reasons in German, the consent evidence of the ledger, the company and its contacts, and
the recorded outcomes. The workspace renders these dataclasses as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from compliance.texts import (
    TextsDe,
    decision_facts,
    describe_decision,
    describe_legal_basis,
    german_date,
    load_texts,
    render_fragments,
)
from foundation.settings import Settings
from foundation.vocabulary import CHANNELS
from matching.texts import GoldenTexts, load_golden_texts
from scoring.texts import ScoreTexts, describe_factor, load_score_texts, top_reasons_de
from warehouse.db import open_warehouse
from warehouse.lead_detail import (
    company_contacts,
    company_name,
    current_decisions,
    current_score,
    golden_values,
    lead_outcomes,
    lead_row,
    ledger_rows,
    member_records,
)

SOURCE_KIND = {"purchased_list": "list", "web_form": "form", "crawl": "crawl",
               "customer": "customer"}
"""A record's source kind as the lead page names it."""
FIELD_ORDER = ("company_name", "legal_form", "salutation", "title", "first_name", "last_name",
               "position", "email_normalized", "phone_e164", "mobile_e164", "street",
               "house_number", "postcode", "city", "website_domain", "register_number",
               "vat_id")
CHANNEL_FIELDS: dict[str, tuple[str, ...]] = {
    "email": ("email_normalized",), "phone": ("phone_e164", "mobile_e164"),
    "sms": ("phone_e164", "mobile_e164"),
    "post": ("street", "house_number", "postcode", "city"), "fax": ()}
"""The contact data each channel uses; a value is shown to sales while one of them may be
used (issue #17: a blocked lead's contact data is not shown for that channel)."""
SUMMARY_KEYS = ("form_id", "page_url", "request_type", "category", "method", "confirmed_at",
                "consent_text_version", "ip", "via", "import_file", "received_via", "vendor")
"""Evidence shown in an event's one-line summary; the rest (consent text, browser) is in
`ConsentEvidence.evidence`."""


READ_WAIT_S = 1.0
"""How long a lead page waits for a running writer before it reads the published snapshot."""


@dataclass(frozen=True)
class FieldSource:
    """One record a value came from, and where that record came from."""

    record_id: str
    kind: str
    """list, form or crawl."""
    kind_label: str
    file: str | None
    row: int | None
    vendor: str | None
    acquired_on: date | None
    submission_id: str | None
    form: str | None
    received_at: datetime | None
    page_url: str | None
    fetched_at: datetime | None
    label: str
    """"Liste adressverlag_nord.csv, Zeile 12, von Adressverlag Nord, gekauft am 26.11.2026"."""


@dataclass(frozen=True)
class GoldenField:
    field: str
    label: str
    value: str | None
    rule: str
    """Why this value won (matching's survivorship rule)."""
    rule_label: str
    sources: tuple[FieldSource, ...]
    """The record the value was taken from first, then the others that state it too."""
    hidden: bool = False
    """Contact data of channels that may not be used, withheld (`LeadDetail.for_sales`)."""


@dataclass(frozen=True)
class MemberRecord:
    source: FieldSource
    company_name: str | None
    person_name: str | None
    position: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class ChannelDecisionView:
    channel: str
    channel_label: str
    decision: str
    decision_label: str
    reason_code: str
    rule: str
    rule_label: str
    legal_basis: str | None
    """As the rules recorded it (English, with its sources)."""
    legal_basis_de: str | None
    decided_at: datetime
    as_of: date
    rules_version: str
    text: str
    """"Anruf erlaubt: mutmaßliche Einwilligung (§ 7 Abs. 2 Nr. 1 UWG), Anfrage vom …"."""


@dataclass(frozen=True)
class ScoreReason:
    part: str
    part_label: str
    factor: str
    text: str
    points: float


@dataclass(frozen=True)
class ScoreView:
    total: float
    grade: str
    grade_label: str
    fit: float
    engagement: float
    quality: float
    reasons: tuple[str, ...]
    """The card's top reasons in German, "Branche WZ 62.01 passt zu 62 (+14)"."""
    explanation: tuple[ScoreReason, ...]
    config_version: str
    model_id: str | None
    """The learned model blended in or used instead; None: the rule score alone."""
    scored_at: datetime


@dataclass(frozen=True)
class ConsentEvidence:
    seq: int
    kind: str
    kind_label: str
    channels: tuple[str, ...]
    channel_labels: tuple[str, ...]
    occurred_at: datetime
    record_id: str | None
    source: FieldSource | None
    """The record the event belongs to (e.g. the form submission), when it is the lead's."""
    summary: str
    evidence: tuple[tuple[str, str], ...]
    """(German label, value) of everything the event proves it with, consent text included."""
    redacted: bool


@dataclass(frozen=True)
class ContactSummary:
    lead_id: str
    name: str
    position: str | None


@dataclass(frozen=True)
class CompanySummary:
    lead_id: str
    name: str | None


@dataclass(frozen=True)
class OutcomeView:
    outcome: str
    label: str
    recorded_at: datetime
    source: str | None
    """'workspace' (the web page, `leads outcome`) or the outcome file's name."""
    recorded_by: str | None = None
    note: str | None = None
    value_eur: Decimal | None = None
    outcome_id: str | None = None


@dataclass(frozen=True)
class LeadDetail:
    lead_id: str
    entity_type: str
    entity_label: str
    name: str
    created_at: datetime
    updated_at: datetime
    fields: tuple[GoldenField, ...]
    records: tuple[MemberRecord, ...]
    decisions: tuple[ChannelDecisionView, ...]
    """In channel order (E-Mail, Telefon, Post, SMS, Fax)."""
    score: ScoreView | None
    consent: tuple[ConsentEvidence, ...]
    company: CompanySummary | None
    """For a contact: the company it belongs to."""
    contacts: tuple[ContactSummary, ...]
    """The company's contacts: for a contact the others, for a company all of them."""
    outcomes: tuple[OutcomeView, ...]
    """Latest first; the first counts."""

    def for_sales(self, include_review: bool = False) -> LeadDetail:
        """The lead as a sales rep may see it: contact data no usable channel needs is
        withheld (value None, `hidden`), in the golden fields and the member records alike.
        Usable means allowed, or also `review` when asked; an undecided lead shows none."""
        usable = {"allowed", "review"} if include_review else {"allowed"}
        open_channels = {d.channel for d in self.decisions if d.decision in usable}
        guarded = {f for fields in CHANNEL_FIELDS.values() for f in fields}
        shown = {f for ch in open_channels for f in CHANNEL_FIELDS.get(ch, ())}
        withheld = guarded - shown
        fields = tuple(replace(f, value=None, hidden=True) if f.field in withheld else f
                       for f in self.fields)
        phones_hidden = {"phone_e164", "mobile_e164"} <= withheld
        records = tuple(replace(
            r, email=None if "email_normalized" in withheld else r.email,
            phone=None if phones_hidden else r.phone) for r in self.records)
        return replace(self, fields=fields, records=records)


def _str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _source(row: Mapping[str, Any], texts: TextsDe) -> FieldSource:
    kind = str(row["source_kind"])
    received = row.get("submitted_at")
    values = {"file": row.get("file_name"), "row": row.get("row_number"),
              "vendor": row.get("vendor"), "acquired_on": german_date(row.get("acquired_on")),
              "form": row.get("form_id") or row.get("form_source"),
              "submission": row.get("submission_id"), "received_on": german_date(received),
              "url": row.get("url"), "fetched_on": german_date(row.get("fetched_at"))}
    return FieldSource(
        record_id=str(row["record_id"]), kind=SOURCE_KIND.get(kind, kind),
        kind_label=texts.source_kinds.get(kind, kind), file=_str(row.get("file_name")),
        row=row.get("row_number"), vendor=_str(row.get("vendor")),
        acquired_on=row.get("acquired_on"), submission_id=_str(row.get("submission_id")),
        form=_str(values["form"]), received_at=received, page_url=_str(row.get("url")),
        fetched_at=row.get("fetched_at"),
        label=render_fragments(texts.source_templates.get(kind, ()), values)
        or texts.source_kinds.get(kind, kind))


def _person(row: Mapping[str, Any]) -> str | None:
    parts = [row.get(k) for k in ("title", "first_name", "last_name")]
    return " ".join(str(p) for p in parts if p) or None


def _golden_fields(golden: Sequence[Mapping[str, Any]], members: Sequence[Mapping[str, Any]],
                   sources: Mapping[str, FieldSource], labels: GoldenTexts
                   ) -> tuple[GoldenField, ...]:
    rank = {name: i for i, name in enumerate(FIELD_ORDER)}
    found = []
    for g in sorted(golden, key=lambda g: (rank.get(g["field"], len(rank)), g["field"])):
        field, value, winner = str(g["field"]), _str(g["value"]), str(g["source_record_id"])
        agreeing = [str(m["record_id"]) for m in members if m["record_id"] != winner
                    and value is not None and _str(m.get(field)) == value]
        found.append(GoldenField(
            field=field, label=labels.fields.get(field, field), value=value,
            rule=str(g["rule"]),
            rule_label=labels.survivorship_rules.get(str(g["rule"]), str(g["rule"])),
            sources=tuple(sources[r] for r in (winner, *agreeing) if r in sources)))
    return tuple(found)


def _decisions(rows: Sequence[Mapping[str, Any]], ledger: Sequence[Mapping[str, Any]],
               texts: TextsDe) -> tuple[ChannelDecisionView, ...]:
    order = {c: i for i, c in enumerate(CHANNELS)}
    views = []
    for d in sorted(rows, key=lambda d: order.get(d["channel"], len(order))):
        channel = str(d["channel"])
        case = d["inputs"] if isinstance(d["inputs"], Mapping) else {}
        facts = decision_facts(channel, case, texts, ledger)
        views.append(ChannelDecisionView(
            channel=channel, channel_label=texts.channels.get(channel, channel),
            decision=str(d["decision"]),
            decision_label=texts.decisions.get(d["decision"], d["decision"]),
            reason_code=str(d["reason"]), rule=str(d["rule"]),
            rule_label=texts.rules.get(d["rule"], d["rule"]),
            legal_basis=d["legal_basis"],
            legal_basis_de=describe_legal_basis(d["legal_basis"], texts),
            decided_at=d["decided_at"], as_of=d["as_of"], rules_version=str(d["rules_version"]),
            text=describe_decision(channel, d["decision"], d["reason"], d["rule"], texts,
                                   facts)))
    return tuple(views)


def _score(row: Mapping[str, Any] | None, texts: ScoreTexts) -> ScoreView | None:
    if row is None:
        return None
    explanation = [e for e in row["explanation"] if isinstance(e, Mapping)]
    version = str(row["config_version"])
    model = version.split("+model:", 1)[1] if "+model:" in version else None
    return ScoreView(
        total=float(row["total"]), grade=str(row["grade"]),
        grade_label=texts.grades.get(row["grade"], row["grade"]), fit=float(row["fit"]),
        engagement=float(row["engagement"]), quality=float(row["quality"]),
        reasons=tuple(top_reasons_de(explanation, texts)),
        explanation=tuple(ScoreReason(
            part=str(e.get("part")), part_label=texts.parts.get(str(e.get("part")), ""),
            factor=str(e.get("factor")),
            text=describe_factor(str(e.get("part")), str(e.get("factor")),
                                 str(e.get("detail")), texts),
            points=float(e.get("points") or 0)) for e in explanation),
        config_version=version, model_id=model, scored_at=row["scored_at"])


def _evidence_value(key: str, value: Any, texts: TextsDe,
                    request_types: Mapping[str, str]) -> str:
    if key == "request_type":
        return request_types.get(str(value), str(value))
    if key == "method":
        return texts.consent_methods.get(str(value), str(value))
    if key == "category":
        return texts.reason_categories.get(str(value), str(value))
    if key.endswith("_at"):
        return german_date(value) or str(value)
    return str(value)


def _consent(rows: Sequence[Mapping[str, Any]], sources: Mapping[str, FieldSource],
             texts: TextsDe, request_types: Mapping[str, str]) -> tuple[ConsentEvidence, ...]:
    events = []
    for row in rows:
        proof = {**(row.get("attributes") or {}), **(row.get("evidence") or {})}
        shown = [(k, proof[k]) for k in texts.evidence_keys if proof.get(k) not in (None, "")]
        shown += sorted((k, v) for k, v in proof.items()
                        if k not in texts.evidence_keys and v not in (None, "")
                        and not isinstance(v, bool))
        pairs = tuple((texts.evidence_keys.get(k, k),
                       _evidence_value(k, v, texts, request_types)) for k, v in shown)
        summary = ", ".join(f"{label} {value}" for (label, value), (k, _) in zip(
            pairs, shown, strict=True) if k in SUMMARY_KEYS)
        channels = tuple(str(c) for c in row.get("channels") or ())
        record = _str(row.get("record_id"))
        events.append(ConsentEvidence(
            seq=int(row["seq"]), kind=str(row["kind"]),
            kind_label=texts.event_kinds.get(row["kind"], row["kind"]), channels=channels,
            channel_labels=tuple("alle Kanäle" if c == "all" else texts.channels.get(c, c)
                                 for c in channels),
            occurred_at=row["occurred_at"], record_id=record,
            source=sources.get(record) if record else None, summary=summary, evidence=pairs,
            redacted=row.get("redacted_at") is not None))
    return tuple(events)


def lead_detail(settings: Settings, lead_id: str) -> LeadDetail | None:
    """Everything the lead page shows of one lead; None when there is no such lead."""
    texts = load_texts(settings.config_dir)
    score_texts = load_score_texts(settings.config_dir)
    labels = load_golden_texts(settings.config_dir)
    quick = settings.waiting_at_most(READ_WAIT_S)
    with open_warehouse(quick, write=False, reuse_instance=True) as wh:
        lead = lead_row(wh, lead_id)
        if lead is None:
            return None
        golden = golden_values(wh, lead_id)
        members = member_records(wh, lead_id)
        decisions = current_decisions(wh, lead_id)
        ledger = ledger_rows(wh, str(lead["entity_type"]), members)
        score = current_score(wh, lead_id)
        company_id = lead["company_lead_id"] if lead["entity_type"] == "contact" else (
            lead_id if lead["entity_type"] == "company" else None)
        contacts = company_contacts(wh, company_id) if company_id else []
        company = (CompanySummary(company_id, company_name(wh, company_id))
                   if lead["entity_type"] == "contact" and company_id else None)
        outcomes = lead_outcomes(wh, lead_id)
    sources = {str(m["record_id"]): _source(m, texts) for m in members}
    fields = _golden_fields(golden, members, sources, labels)
    by_field = {f.field: f.value for f in fields}
    name = (by_field.get("company_name") if lead["entity_type"] == "company"
            else _person(by_field)) or lead_id
    return LeadDetail(
        lead_id=lead_id, entity_type=str(lead["entity_type"]),
        entity_label=labels.entity_types.get(lead["entity_type"], lead["entity_type"]),
        name=name, created_at=lead["created_at"], updated_at=lead["updated_at"],
        fields=fields,
        records=tuple(MemberRecord(
            source=sources[str(m["record_id"])], company_name=_str(m.get("company_name")),
            person_name=_person(m), position=_str(m.get("position")),
            email=_str(m.get("email_normalized")),
            phone=_str(m.get("phone_e164") or m.get("mobile_e164"))) for m in members),
        decisions=_decisions(decisions, ledger, texts),
        score=_score(score, score_texts),
        consent=_consent(ledger, sources, texts, score_texts.values.get("request_type", {})),
        company=company,
        contacts=tuple(ContactSummary(str(c["lead_id"]), _person(c) or str(c["lead_id"]),
                                      _str(c.get("position")))
                       for c in contacts if c["lead_id"] != lead_id),
        outcomes=tuple(OutcomeView(str(o["outcome"]),
                                   score_texts.outcomes.get(o["outcome"], o["outcome"]),
                                   o["recorded_at"], _str(o.get("source")),
                                   _str(o.get("recorded_by")), _str(o.get("note")),
                                   o.get("value_eur"), _str(o.get("outcome_id")))
                       for o in outcomes))
