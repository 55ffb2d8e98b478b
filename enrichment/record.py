"""One canonical lead record in, every enriched field with its provenance out.

`enrich_record` is pure: the same record, configuration and DNS answers give the same
result, and a bad value becomes a status and a reason, never an exception. Each enriched
field remembers the raw field it came from, the method that derived it (`email_validator`,
`phonenumbers`, `stdnum`, `tldextract`, `dns`, `rules`), where the raw value came from
(`vendor_list`, `web_form`, `impressum_crawl`, ...) and when. `enrich_many` spreads large
batches over both cores in chunks; DNS is resolved once per unique domain in the parent so
worker processes never open sockets.
"""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any, NamedTuple

from enrichment.address import enrich_address
from enrichment.audience import AudienceSignals, decide_audience
from enrichment.company import domains_agree, enrich_company, size_class, wz_section
from enrichment.config import audience_config, company_config, enrichment_version
from enrichment.dns import DomainChecker, DomainLookup, PrecheckedDomains
from enrichment.domains import registrable_domain
from enrichment.email import enrich_email
from enrichment.person import enrich_person
from enrichment.phone import enrich_phone
from enrichment.text import fold

Record = Mapping[str, str | None]


class EnrichedField(NamedTuple):
    """One enriched value and how it was derived."""

    value: Any
    method: str
    source_field: str


@dataclass(slots=True)
class EnrichedRecord:
    """The enriched fields of one record, each with provenance, and the reasons per area."""

    record_id: str
    source_kind: str
    origin: str
    enriched_at: datetime
    config_version: str
    fields: dict[str, tuple[Any, str, str]] = field(default_factory=dict)
    """name -> (value, method, source field): plain tuples so batches pickle cheaply."""
    reasons: dict[str, list[str]] = field(default_factory=dict)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Plain tuples and dicts pickle in C; the default slots protocol costs as much as the
        # enrichment itself when results travel back from worker processes.
        return (EnrichedRecord, (self.record_id, self.source_kind, self.origin,
                                 self.enriched_at, self.config_version, self.fields,
                                 self.reasons))

    def set(self, name: str, value: Any, method: str, source_field: str) -> None:
        self.fields[name] = (value, method, source_field)

    def field(self, name: str) -> EnrichedField | None:
        found = self.fields.get(name)
        return None if found is None else EnrichedField(*found)

    def value(self, name: str) -> Any:
        found = self.fields.get(name)
        return None if found is None else found[0]

    def to_row(self) -> dict[str, Any]:
        """One flat row (column -> scalar) for the enriched table; reasons as JSON text."""
        row: dict[str, Any] = {
            "record_id": self.record_id, "source_kind": self.source_kind,
            "origin": self.origin, "enriched_at": self.enriched_at,
            "config_version": self.config_version,
        }
        for name in ROW_FIELDS:
            found = self.fields.get(name)
            row[name] = None if found is None else found[0]
        row["reasons"] = json.dumps(self.reasons, ensure_ascii=False, sort_keys=True)
        return row

    def provenance(self) -> list[dict[str, Any]]:
        """One entry per enriched field that has a value: what, from where, how, when."""
        return [
            {"record_id": self.record_id, "field": name, "value": value,
             "source_record_id": self.record_id, "source_field": source_field,
             "method": method, "origin": self.origin, "at": self.enriched_at}
            for name, (value, method, source_field) in self.fields.items() if value is not None
        ]


ROW_FIELDS: tuple[str, ...] = (
    "email_normalized", "email_status", "email_kind", "email_domain", "email_registrable_domain",
    "phone_original", "phone_e164", "phone_valid", "phone_type", "phone_region",
    "phone_extension", "mobile_original", "mobile_e164", "mobile_valid", "mobile_type",
    "fax_e164",
    "company_name", "legal_form", "legal_entity", "company_match_name", "register_court",
    "register_number", "vat_id", "website_domain", "email_website_agree", "wz_code",
    "wz_section", "size_class",
    "salutation", "title", "first_name", "last_name", "role", "seniority", "decision_maker",
    "street", "house_number", "match_street", "postcode", "city", "country", "po_box",
    "audience", "sole_trader", "email_channel_kind", "phone_channel_kind", "postal_kind",
)
"""The columns of `to_row()` after the five identity columns: a stable table layout."""

_REGISTER_HINT = re.compile(r"\b(?:HR[AB]|VR|GnR|PR|PartR)\b")


def _as_text(record: Record) -> dict[str, str | None]:
    """Values as strings (a careless reader may hand over numbers); None stays None."""
    return {k: v if v is None or isinstance(v, str) else str(v) for k, v in record.items()}


def _get(record: Record, name: str) -> str | None:
    value = record.get(name)
    return value if value is None or isinstance(value, str) else str(value)


def enrich_record(
    record: Record,
    *,
    record_id: str,
    source_kind: str,
    method_hint: str | None = None,
    dns: DomainLookup | None = None,
    now: datetime | None = None,
) -> EnrichedRecord:
    """Enrich one canonical lead record (field names of ingest/fields.py)."""
    record = _as_text(record)
    origins = audience_config().value.origins
    origin = method_hint or origins.get(source_kind, source_kind)
    out = EnrichedRecord(record_id=record_id, source_kind=source_kind, origin=origin,
                         enriched_at=now or datetime.now(UTC),
                         config_version=enrichment_version())

    # Address first: its country is the default region for phone numbers.
    addr = enrich_address(
        record.get("street_full"), street=record.get("street"),
        house_number=record.get("house_number"), postcode=record.get("postcode"),
        city=record.get("city"), country=record.get("country"), default_country="DE")
    street_src = "street_full" if record.get("street_full") else "street"
    for name, value in (("street", addr.street), ("house_number", addr.house_number),
                        ("match_street", addr.match_street), ("postcode", addr.postcode),
                        ("city", addr.city), ("country", addr.country)):
        out.set(name, value, "rules", street_src if name in ("street", "house_number",
                                                             "match_street") else name)
    out.set("po_box", addr.po_box if addr.street else None, "rules", street_src)
    out.reasons["address"] = addr.reasons
    region = addr.country or "DE"

    # E-mail.
    raw_email = record.get("email")
    mail = enrich_email(raw_email, dns=dns)
    out.set("email_normalized", mail.normalized, "email_validator", "email")
    out.set("email_status", mail.status, "dns" if dns is not None and mail.normalized
            else "email_validator", "email")
    out.set("email_domain", mail.domain, "email_validator", "email")
    out.set("email_registrable_domain", mail.registrable_domain, "tldextract", "email")
    out.reasons["email"] = mail.reasons

    # Phones.
    for source in ("phone", "mobile", "fax"):
        raw = record.get(source)
        if raw is None:
            continue
        result = enrich_phone(raw, region)
        out.set(f"{source}_e164", result.e164, "phonenumbers", source)
        if source != "fax":
            out.set(f"{source}_original", raw, origin, source)
            out.set(f"{source}_valid", result.valid if result.status else None, "phonenumbers",
                    source)
            out.set(f"{source}_type", result.type, "phonenumbers", source)
        if source == "phone":
            out.set("phone_region", result.region, "phonenumbers", source)
            out.set("phone_extension", result.extension, "phonenumbers", source)
        out.reasons[source] = result.reasons

    # Company: the company field may carry register and VAT text; separate fields win.
    company_text = record.get("company")
    comp = enrich_company(company_text)
    reg = enrich_company(record.get("register")) if record.get("register") else None
    vat = enrich_company(f"USt-IdNr. {record.get('vat_id')}") if record.get("vat_id") \
        else None
    out.set("company_name", comp.name, "rules", "company")
    out.set("legal_form", comp.legal_form, "rules", "company")
    out.set("legal_entity", comp.legal_entity, "rules", "company")
    out.set("company_match_name", comp.match_name, "rules", "company")
    court = (reg.register_court if reg else None) or comp.register_court
    number = (reg.register_number if reg else None) or comp.register_number
    out.set("register_court", court, "rules", "register" if reg else "company")
    out.set("register_number", number, "rules", "register" if reg else "company")
    vat_id = (vat.vat_id if vat else None) or comp.vat_id
    out.set("vat_id", vat_id, "stdnum", "vat_id" if vat else "company")
    company_reasons = list(comp.reasons) + (reg.reasons if reg else []) + \
        (vat.reasons if vat else [])
    website = record.get("website")
    website_domain = registrable_domain(website)
    out.set("website_domain", website_domain, "tldextract", "website")
    if website and website_domain is None:
        company_reasons.append("website_without_domain")
    agree = domains_agree(website_domain, mail.registrable_domain) \
        if mail.kind in ("role", "personal_business") else None
    out.set("email_website_agree", agree, "tldextract", "email")
    wz, section, wz_reasons = wz_section(record.get("wz_code"))
    out.set("wz_code", wz, "rules", "wz_code")
    out.set("wz_section", section, "rules", "wz_code")
    size, size_reasons = size_class(record.get("employees"), record.get("revenue"))
    out.set("size_class", size, "rules",
            "employees" if size_reasons and size_reasons[0].startswith("size_from_emp")
            else "revenue")
    out.reasons["company"] = company_reasons + wz_reasons + size_reasons

    # Person.
    pers = enrich_person(
        record.get("full_name"), first_name=record.get("first_name"),
        last_name=record.get("last_name"), salutation=record.get("salutation"),
        title=record.get("title"), position=record.get("position"))
    name_src = "full_name" if record.get("full_name") else "last_name"
    out.set("salutation", pers.salutation, "rules", "salutation" if record.get("salutation")
            else "position" if pers.salutation else name_src)
    out.set("title", pers.title, "rules", "title" if record.get("title") else name_src)
    out.set("first_name", pers.first_name, "rules",
            "first_name" if record.get("first_name") else name_src)
    out.set("last_name", pers.last_name, "rules", name_src)
    out.set("role", pers.role, "rules", "position")
    out.set("seniority", pers.seniority, "rules", "position")
    out.set("decision_maker", pers.decision_maker if pers.seniority else None, "rules",
            "position")
    out.reasons["person"] = pers.reasons

    # Audience and channel facts.
    email_kind = mail.kind
    last = fold(pers.last_name) if pers.last_name else ""
    domain_label = fold((mail.registrable_domain or "").split(".", 1)[0]).replace(" ", "")
    if email_kind == "personal_business" and not comp.name and last and \
            last.replace(" ", "") in domain_label:
        email_kind = "private"
        out.reasons["email"] = [*mail.reasons, "personal_domain_named_after_person"]
    out.set("email_kind", email_kind, "email_validator" if email_kind == mail.kind else "rules",
            "email")
    company_folded = fold(comp.name) if comp.name else ""
    words = set(company_folded.split())
    name_compact = (comp.match_name or "").replace(" ", "")
    request = fold(record.get("request_type") or "")
    aud_cfg = audience_config().value
    signals = AudienceSignals(
        has_company=bool(comp.name),
        legal_entity=comp.legal_entity,
        has_register_entry=bool(number) or bool(_REGISTER_HINT.search(company_text or "")),
        has_vat_id=bool(vat_id),
        email_kind=email_kind,
        email_domain_matches_website=agree,
        email_domain_matches_name=bool(domain_label) and len(domain_label) >= 4 and bool(
            name_compact) and (domain_label in name_compact or name_compact in domain_label),
        has_website=website_domain is not None,
        phone_type=_phone_type(out),
        has_phone=out.value("phone_e164") is not None or out.value("mobile_e164") is not None,
        has_postal_address=bool(addr.street or addr.postcode),
        sole_trader_words=bool(words & _sole_trader_words()),
        name_in_company=bool(last) and last in company_folded,
        origin=origin,
        business_inquiry=request in aud_cfg.business_request_types,
        private_request=request in aud_cfg.private_request_types,
    )
    aud = decide_audience(signals)
    out.set("audience", aud.audience, "rules", "record")
    out.set("sole_trader", aud.sole_trader, "rules", "record")
    out.set("email_channel_kind", aud.email_kind, "rules", "email")
    out.set("phone_channel_kind", aud.phone_kind, "rules",
            "phone" if out.value("phone_e164") else "mobile")
    out.set("postal_kind", aud.postal_kind, "rules", street_src)
    out.reasons["audience"] = aud.reasons
    return out


def _phone_type(out: EnrichedRecord) -> str | None:
    """The phone the rules care about: the main line if valid, else the mobile."""
    if out.value("phone_e164") is not None:
        return out.value("phone_type")
    return out.value("mobile_type")


_SOLE_TRADER_WORDS: frozenset[str] | None = None


def _sole_trader_words() -> frozenset[str]:
    global _SOLE_TRADER_WORDS
    if _SOLE_TRADER_WORDS is None:
        _SOLE_TRADER_WORDS = frozenset(company_config().value.sole_trader_words)
    return _SOLE_TRADER_WORDS


# ---------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------
_Job = tuple[list[Record], str, str | None, PrecheckedDomains | None, datetime]


def _enrich_chunk(job: _Job) -> list[EnrichedRecord]:
    records, source_kind, method_hint, dns, now = job
    return [enrich_record(r, record_id=str(r.get("record_id")), source_kind=source_kind,
                          method_hint=method_hint, dns=dns, now=now) for r in records]


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    it = iter(records)
    while chunk := list(islice(it, size)):
        yield chunk


def enrich_many(
    records: Iterable[Record],
    *,
    source_kind: str,
    method_hint: str | None = None,
    workers: int = 2,
    chunk_size: int = 2000,
    dns: DomainChecker | None = None,
    now: datetime | None = None,
) -> Iterator[EnrichedRecord]:
    """Enrich records (each with a `record_id` key) in order, over `workers` processes.

    With DNS on, all unique e-mail domains are checked first (concurrently, cached), then the
    answers travel to the workers with the records. Results stream back chunk by chunk, so
    memory stays flat however large the batch is.
    """
    now = now or datetime.now(UTC)
    prechecked: PrecheckedDomains | None = None
    if dns is not None:
        records = list(records)
        domains = {m.ascii_domain or m.domain for m in
                   (enrich_email(_get(r, "email")) for r in records) if m.domain}
        prechecked = PrecheckedDomains(dns.check_many(sorted(domains)))
    jobs = ((chunk, source_kind, method_hint, prechecked, now)
            for chunk in _chunks(records, chunk_size))
    with _relaxed_gc():
        if workers <= 1:
            for job in jobs:
                yield from _enrich_chunk(job)
            return
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers, initializer=_worker_init) as pool:
            for result in pool.imap(_enrich_chunk, jobs):
                yield from result


GC_THRESHOLD = (100_000, 50, 100)
"""Enrichment allocates millions of small acyclic objects; at the default threshold (700) the
cyclic collector ran every few records and took half the time of a batch."""


@contextlib.contextmanager
def _relaxed_gc() -> Iterator[None]:
    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def _worker_init() -> None:
    gc.freeze()  # modules and configuration: never garbage, never scan them again
    gc.set_threshold(*GC_THRESHOLD)
