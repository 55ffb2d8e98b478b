"""One canonical lead record in, every enriched field with its provenance out.

`enrich_record` is pure: the same record, configuration and DNS answers give the same
result, and a bad value becomes a status and a reason, never an exception. Each enriched
field remembers the raw field it came from, the method that derived it (`email_validator`,
`phonenumbers`, `stdnum`, `tldextract`, `dns`, `rules`), where the raw value came from
(`vendor_list`, `web_form`, `impressum_crawl`, ...) and when. `enrich_many` spreads large
batches over both cores in chunks, each company's records to the same worker; DNS is resolved
once per unique domain in the parent so worker processes never open sockets.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import re
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache, partial
from itertools import islice
from multiprocessing.pool import AsyncResult, Pool
from operator import itemgetter
from typing import Any, NamedTuple, Protocol, TypeVar, runtime_checkable

import numpy as np

from enrichment.address import AddressResult, address_key, enrich_address
from enrichment.audience import AudienceSignals, decide_audience
from enrichment.company import (
    CompanyResult,
    LegalFormChoice,
    choose_legal_form,
    domains_agree,
    enrich_company,
    size_class,
    split_legal_form,
    wz_section,
)
from enrichment.config import audience_config, company_config, enrichment_version
from enrichment.country import CountryGuess, infer_countries, infer_country
from enrichment.dns import DomainChecker, DomainLookup, PrecheckedDomains
from enrichment.domains import registrable_domain
from enrichment.email import EmailResult, email_key, enrich_email
from enrichment.person import PersonResult, enrich_person
from enrichment.phone import PhoneResult, e164_column, enrich_phone
from enrichment.text import EMPTY_SPELLINGS, fold, is_placeholder
from foundation.parallel import quiet_exit, relaxed_gc
from foundation.spreadsheet import without_text_marker

Record = Mapping[str, str | None]


class EnrichedField(NamedTuple):
    """One enriched value and how it was derived."""

    value: Any
    method: str
    source_field: str


FIELDS: tuple[str, ...] = (
    "street", "house_number", "match_street", "postcode", "city", "country", "po_box",
    "email_normalized", "email_status", "email_domain", "email_registrable_domain",
    "phone_e164", "phone_original", "phone_valid", "phone_type", "phone_region",
    "phone_extension", "mobile_e164", "mobile_original", "mobile_valid", "mobile_type",
    "fax_e164",
    "company_name", "legal_form", "legal_entity", "company_match_name", "register_court",
    "register_number", "vat_id", "website_domain", "email_website_agree", "wz_code",
    "wz_section", "size_class",
    "salutation", "title", "first_name", "last_name", "role", "seniority", "decision_maker",
    "email_kind",
    "audience", "sole_trader", "email_channel_kind", "phone_channel_kind", "postal_kind",
    "position",
)
"""Every enriched field, in the order `enrich_record` derives them (and `provenance()` lists
them)."""

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
    "position",
)
"""The columns of `to_row()` after the five identity columns: a stable table layout."""

_INDEX = {name: i for i, name in enumerate(FIELDS)}
_ROW_VALUES = itemgetter(*(_INDEX[name] for name in ROW_FIELDS))
_REASONS_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode

Source = tuple[str, str]
"""(method, source field) of one enriched value."""


@dataclass(slots=True)
class EnrichedRecord:
    """The enriched fields of one record, each with provenance, and the reasons per area.

    Values and their sources are flat tuples in `FIELDS` order, and the sources tuple is shared
    by all records derived the same way: a batch travels back from the worker processes as
    little more than its values, and `to_row` only picks them.
    """

    record_id: str
    source_kind: str
    origin: str
    enriched_at: datetime
    config_version: str
    values: tuple[Any, ...]
    sources: tuple[Source | None, ...]
    """Per field: (method, source field), or None when the record had nothing to derive it from
    (no fax number given)."""
    reasons_json: str
    """Reasons by area as JSON text, the form the enriched table stores."""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Plain tuples pickle in C; the default slots protocol costs as much as the enrichment
        # itself when results travel back from worker processes.
        return (EnrichedRecord, (self.record_id, self.source_kind, self.origin,
                                 self.enriched_at, self.config_version, self.values,
                                 self.sources, self.reasons_json))

    @property
    def reasons(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = json.loads(self.reasons_json)
        return result

    def field(self, name: str) -> EnrichedField | None:
        i = _INDEX.get(name)
        source = None if i is None else self.sources[i]
        return None if i is None or source is None else EnrichedField(self.values[i], *source)

    def value(self, name: str) -> Any:
        i = _INDEX.get(name)
        return None if i is None else self.values[i]

    def to_row(self) -> dict[str, Any]:
        """One flat row (column -> scalar) for the enriched table; reasons as JSON text."""
        row: dict[str, Any] = {
            "record_id": self.record_id, "source_kind": self.source_kind,
            "origin": self.origin, "enriched_at": self.enriched_at,
            "config_version": self.config_version,
        }
        row.update(zip(ROW_FIELDS, _ROW_VALUES(self.values), strict=True))
        row["reasons"] = self.reasons_json
        return row

    def provenance(self) -> list[tuple[Any, ...]]:
        """One row of `PROVENANCE_COLUMNS` per enriched field that has a value: what, from
        where, how, when. Tuples, not dicts: a million records give 30 million of them."""
        rid, origin, at = self.record_id, self.origin, self.enriched_at
        return [(rid, name, str(value), rid, source[1], source[0], origin, at)
                for name, value, source in zip(FIELDS, self.values, self.sources, strict=True)
                if value is not None and source is not None]


PROVENANCE_COLUMNS = ("record_id", "field", "value", "source_record_id", "source_field",
                      "method", "origin", "derived_at")
"""The columns of `EnrichedRecord.provenance()` rows (those of `core.field_provenance`)."""


_REGISTER_HINT = re.compile(r"\b(?:HR[AB]|VR|GnR|PR|PartR)\b")


_TEXT = frozenset({str, type(None)})


def _as_text(record: Record) -> Record:
    """Values as strings (a careless reader may hand over numbers); None stays None."""
    if _TEXT.issuperset(map(type, record.values())):
        return record  # the usual case, checked without a Python-level loop
    return {k: v if v is None or isinstance(v, str) else str(v) for k, v in record.items()}


_NOT_TEXT = frozenset({"employees", "revenue", "wz_code", "record_id"})
"""Fields where `0` is a value, not an empty cell written as 0."""


def _without_placeholders(record: Record) -> Record:
    """Spreadsheet errors (`#WERT!`, `#N/A`) and placeholders (`null`, `n/a`, `-`; `0` in a
    text column) as None, so no field is derived from them (`enrichment.text.is_placeholder`).
    """
    if EMPTY_SPELLINGS.isdisjoint(record.values()):
        return record  # the usual case; address and person fields check odd spellings again
    blank = [k for k, v in record.items()
             if v is not None and is_placeholder(v, text_column=k not in _NOT_TEXT)]
    if not blank:
        return record
    return {k: None if k in blank else v for k, v in record.items()}


_Evidence = tuple[str | None, tuple[str, ...], tuple[str, ...], str | None]


def _given_country(record: Record) -> str | None:
    raw = record.get("country")
    return raw if raw is not None and raw.strip() else None


def _evidence(record: Record) -> _Evidence:
    """What the country is inferred from: postcode, phone numbers, e-mail and website, city."""
    get = record.get
    return (get("postcode"), tuple(filter(None, (get("phone"), get("mobile"), get("fax")))),
            tuple(filter(None, (get("email"), get("website")))), get("city"))


def _inferred(guess: CountryGuess) -> tuple[str | None, Source]:
    if guess.source == "default":
        return guess.country, ("default", "country")
    return guess.country, ("inferred", guess.source.removeprefix("inferred: "))


def _country(record: Record) -> tuple[str | None, Source]:
    """The country from the record's column, else inferred from the other fields."""
    given = _given_country(record)
    return (given, ("rules", "country")) if given else \
        _inferred(infer_country(*_evidence(record)))


def _countries(records: Sequence[Record]) -> list[tuple[str | None, Source]]:
    """`_country` of every record, the inference for all at once (`infer_countries`)."""
    given = [_given_country(r) for r in records]
    asked = [_evidence(r) for r, country in zip(records, given, strict=True) if not country]
    guesses = iter(infer_countries([e[0] for e in asked], [e[1] for e in asked],
                                   [e[2] for e in asked], [e[3] for e in asked]))
    return [(country, ("rules", "country")) if country else _inferred(next(guesses))
            for country in given]


def _get(record: Record, name: str) -> str | None:
    value = record.get(name)
    return value if value is None or isinstance(value, str) else str(value)


class _Derivation(NamedTuple):
    """What decides the method and source field of each enriched value of one record."""

    origin: str
    street: str
    email_status: str
    phone: bool
    mobile: bool
    fax: bool
    register: str
    legal_form: str
    vat_id: str
    size_class: str
    salutation: str
    title: str
    first_name: str
    last_name: str
    email_kind: str
    phone_channel: str
    country: Source


@lru_cache(maxsize=4096)
def _sources(d: _Derivation) -> tuple[Source | None, ...]:
    """The sources tuple for one way of deriving a record; few records differ, so it is shared."""
    rules_street = ("rules", d.street)
    phone, mobile = ("phonenumbers", "phone"), ("phonenumbers", "mobile")
    phones = (phone, (d.origin, "phone"), phone, phone, phone, phone) if d.phone else (None,) * 6
    mobiles = (mobile, (d.origin, "mobile"), mobile, mobile) if d.mobile else (None,) * 4
    return (
        rules_street, rules_street, rules_street, ("rules", "postcode"), ("rules", "city"),
        d.country, rules_street,
        ("email_validator", "email"), (d.email_status, "email"), ("email_validator", "email"),
        ("tldextract", "email"),
        *phones, *mobiles, (("phonenumbers", "fax") if d.fax else None),
        ("rules", "company"), ("rules", d.legal_form), ("rules", d.legal_form),
        ("rules", "company"), ("rules", d.register), ("rules", d.register), ("stdnum", d.vat_id),
        ("tldextract", "website"), ("tldextract", "email"), ("rules", "wz_code"),
        ("rules", "wz_code"), ("rules", d.size_class),
        ("rules", d.salutation), ("rules", d.title), ("rules", d.first_name),
        ("rules", d.last_name), ("rules", "position"), ("rules", "position"),
        ("rules", "position"),
        (d.email_kind, "email"),
        ("rules", "record"), ("rules", "record"), ("rules", "email"), ("rules", d.phone_channel),
        rules_street, ("rules", "position"),
    )


_NO_PHONE = PhoneResult(input=None)


@lru_cache(maxsize=65536)
def _reasons_json(areas: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """Reasons by area as JSON text. Few combinations recur across a batch, and encoding one
    took as long as the whole provenance of a record."""
    return _REASONS_JSON(dict(areas))


class _CompanyArea(NamedTuple):
    """The company fields of a record (`_company_area`)."""

    comp: CompanyResult
    reg: CompanyResult | None
    vat: CompanyResult | None
    court: str | None
    number: str | None
    vat_id: str | None
    legal: LegalFormChoice


class _Areas(NamedTuple):
    """One record's results per area (address, e-mail, phones, company, person): everything
    matching compares, before the audience decision that only the full enrichment makes."""

    record: Record
    country_source: Source
    addr: AddressResult
    region: str
    """Where a number without +CC is dialled: the address's country, else DE."""
    mail: EmailResult
    phone: PhoneResult
    mobile: PhoneResult
    fax: PhoneResult
    company: _CompanyArea
    website_domain: str | None
    pers: PersonResult
    email_kind: str | None
    """The address's kind, `private` where a personal business address is on a domain named
    after the person and no company is given."""
    last_folded: str
    domain_label: str
    """The registrable e-mail domain's first label, folded, without spaces."""


@lru_cache(maxsize=262144)
def _company_area(company: str | None, register: str | None, vat_id: str | None,
                  legal_form: str | None, crawled: bool) -> _CompanyArea:
    """The company fields of a record: once per company, however many contacts it has."""
    # The company field may carry register and VAT text; separate fields win.
    comp = enrich_company(company)
    reg = enrich_company(register) if register else None
    vat = enrich_company(f"USt-IdNr. {vat_id}") if vat_id else None
    number = (reg.register_number if reg else None) or comp.register_number
    # Legal form: the record's own field (a list's `Rechtsform`, a form's field) first, then
    # the name's suffix, the register type, and last the Impressum extraction (a crawled
    # record's field).
    name_form = split_legal_form(comp.name)[1] if comp.name and comp.legal_form else None
    return _CompanyArea(
        comp, reg, vat, (reg.register_court if reg else None) or comp.register_court, number,
        (vat.vat_id if vat else None) or comp.vat_id,
        choose_legal_form(None if crawled else legal_form, name_form, number,
                          legal_form if crawled else None))


def _person(record: Record) -> PersonResult:
    get = record.get
    return enrich_person(get("full_name"), first_name=get("first_name"),
                         last_name=get("last_name"), salutation=get("salutation"),
                         title=get("title"), position=get("position"))


def _areas(record: Record, source_kind: str, dns: DomainLookup | None) -> _Areas:
    """The areas of one record, placeholders already blanked (`_clean`)."""
    get = record.get
    # Address first: its country is the default region for phone numbers. Without a country
    # column it is inferred (postcode shape, phone prefix, TLD), and it decides whether a
    # 4-digit postcode lost its leading zero.
    raw_country, country_source = _country(record)
    addr = enrich_address(
        get("street_full"), street=get("street"), house_number=get("house_number"),
        postcode=get("postcode"), city=get("city"), country=raw_country,
        default_country="DE")
    region = addr.country or "DE"
    raw_phone, raw_mobile, raw_fax = get("phone"), get("mobile"), get("fax")
    company = _company_area(get("company"), get("register"), get("vat_id"), get("legal_form"),
                            source_kind == "crawl")
    comp = company.comp
    mail = enrich_email(get("email"), dns=dns)
    pers = _person(record)
    last = fold(pers.last_name) if pers.last_name else ""
    domain_label = _domain_label(mail.registrable_domain)
    email_kind = _email_kind(mail.kind, comp.name, last, mail.registrable_domain)
    return _Areas(
        record, country_source, addr, region, mail,
        _NO_PHONE if raw_phone is None else enrich_phone(raw_phone, region),
        _NO_PHONE if raw_mobile is None else enrich_phone(raw_mobile, region),
        _NO_PHONE if raw_fax is None else enrich_phone(raw_fax, region),
        company, registrable_domain(get("website")), pers, email_kind, last, domain_label)


def _domain_label(registrable: str | None) -> str:
    """The registrable e-mail domain's first label, folded, without spaces."""
    return fold((registrable or "").split(".", 1)[0]).replace(" ", "")


def _email_kind(kind: str | None, company_name: str | None, last_folded: str,
                registrable: str | None) -> str | None:
    """The address's kind; `private` where a personal business address is on a domain named
    after the person and no company is given."""
    if kind == "personal_business" and not company_name and last_folded and \
            last_folded.replace(" ", "") in _domain_label(registrable):
        return "private"
    return kind


def _names(records: Sequence[Record]) -> list[tuple[str | None, str | None]]:
    """Each record's first and last name, nothing else of the person (`CHUNK_FIELDS`).

    Without a whole-name field, `enrich_person` derives the first name from the first-name
    field alone and the last name from the last-name field alone, so each distinct spelling
    is enriched once (a list of a million people has some thousands of first names) instead
    of each combination of name, salutation, title and position."""
    out = []
    for record in records:
        get = record.get
        if get("full_name") is not None:
            person = _person(record)
            out.append((person.first_name, person.last_name))
        else:
            out.append((_first_name(get("first_name")), _last_name(get("last_name"))))
    return out


@lru_cache(maxsize=65536)
def _first_name(value: str | None) -> str | None:
    return enrich_person(first_name=value).first_name


@lru_cache(maxsize=65536)
def _last_name(value: str | None) -> str | None:
    return enrich_person(last_name=value).last_name


AREA_FIELDS: tuple[str, ...] = (
    "street", "house_number", "match_street", "postcode", "city", "country", "po_box",
    "email_normalized", "email_status", "email_domain", "email_registrable_domain",
    "phone_e164", "phone_original", "phone_valid", "phone_type", "phone_region",
    "phone_extension", "mobile_e164", "mobile_original", "mobile_valid", "mobile_type",
    "fax_e164",
    "company_name", "legal_form", "legal_entity", "company_match_name", "register_court",
    "register_number", "vat_id", "website_domain",
    "salutation", "title", "first_name", "last_name", "role", "seniority", "decision_maker",
    "email_kind", "position",
)
"""The enriched fields `match_columns` derives: all but the audience decision and the
company facts matching never compares (`_OTHER_FIELDS`)."""

_OTHER_FIELDS = tuple(name for name in FIELDS if name not in AREA_FIELDS)
_IN_FIELDS_ORDER = itemgetter(*((AREA_FIELDS + _OTHER_FIELDS).index(name) for name in FIELDS))


def _area_values(a: _Areas) -> tuple[Any, ...]:
    """The `AREA_FIELDS` values of one record: the one place they are picked, for the full
    enrichment and the matching-only one alike."""
    addr, mail, phone, mobile, company, pers = a.addr, a.mail, a.phone, a.mobile, a.company, \
        a.pers
    comp, legal = company.comp, company.legal
    get = a.record.get
    return (
        addr.street, addr.house_number, addr.match_street, addr.postcode, addr.city,
        addr.country, addr.po_box if addr.street else None,
        mail.normalized, mail.status, mail.domain, mail.registrable_domain,
        phone.e164, get("phone"), phone.valid if phone.status else None, phone.type,
        phone.region, phone.extension,
        mobile.e164, get("mobile"), mobile.valid if mobile.status else None, mobile.type,
        a.fax.e164,
        comp.name, legal.legal_form, legal.legal_class, comp.match_name, company.court,
        company.number, company.vat_id, a.website_domain,
        pers.salutation, pers.title, pers.first_name, pers.last_name, pers.role,
        pers.seniority, pers.decision_maker if pers.seniority else None,
        a.email_kind, pers.position,
    )


def _clean(record: Record) -> Record:
    return _without_placeholders(_without_text_markers(_as_text(record)))


def _without_text_markers(record: Record) -> Record:
    """Values an export neutralised against formulas back as they were (`'+49 30 …`: a list
    that went through leadpipe's or a CRM's export would otherwise lose its phone numbers)."""
    if "'" not in "".join(filter(None, record.values())):
        return record  # the usual case, checked in C
    return {k: v if v is None else without_text_marker(v) for k, v in record.items()}


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
    record = _clean(record)
    get = record.get
    origins = audience_config().value.origins
    origin = method_hint or origins.get(source_kind, source_kind)
    a = _areas(record, source_kind, dns)
    addr, mail, phone, mobile, fax, comp, reg, vat, legal, pers = (
        a.addr, a.mail, a.phone, a.mobile, a.fax, a.company.comp, a.company.reg, a.company.vat,
        a.company.legal, a.pers)
    country_source = a.country_source
    reasons: dict[str, list[str]] = {}
    street_src = "street_full" if get("street_full") else "street"
    reasons["address"] = addr.reasons if country_source[0] != "inferred" else \
        [*addr.reasons, f"country_inferred: {country_source[1]}"]
    reasons["email"] = mail.reasons
    raw_phone, raw_mobile, raw_fax = get("phone"), get("mobile"), get("fax")
    if raw_phone is not None:
        reasons["phone"] = phone.reasons
    if raw_mobile is not None:
        reasons["mobile"] = mobile.reasons
    if raw_fax is not None:
        reasons["fax"] = fax.reasons

    company_text = get("company")
    company_reasons = list(comp.reasons) + (reg.reasons if reg else []) + \
        (vat.reasons if vat else [])
    website = get("website")
    website_domain = a.website_domain
    if website and website_domain is None:
        company_reasons.append("website_without_domain")
    agree = domains_agree(website_domain, mail.registrable_domain) \
        if mail.kind in ("role", "personal_business") else None
    wz, section, wz_reasons = wz_section(get("wz_code"))
    size, size_reasons = size_class(get("employees"), get("revenue"))
    if legal.reasons:
        company_reasons += legal.reasons
    if comp.legal_form is None and legal.legal_form is not None and \
            "legal_form_not_found" in company_reasons:
        company_reasons.remove("legal_form_not_found")
    reasons["company"] = company_reasons + wz_reasons + size_reasons

    name_src = "full_name" if get("full_name") else "last_name"
    reasons["person"] = pers.reasons

    # Audience and channel facts.
    email_kind, last, domain_label = a.email_kind, a.last_folded, a.domain_label
    if email_kind != mail.kind:
        reasons["email"] = [*mail.reasons, "personal_domain_named_after_person"]
    company_folded = fold(comp.name) if comp.name else ""
    words = set(company_folded.split())
    name_compact = (comp.match_name or "").replace(" ", "")
    request = fold(get("request_type") or "")
    aud_cfg = audience_config().value
    signals = AudienceSignals(
        has_company=bool(comp.name),
        legal_entity=legal.legal_class,
        has_register_entry=bool(a.company.number) or
        bool(_REGISTER_HINT.search(company_text or "")),
        has_vat_id=bool(a.company.vat_id),
        email_kind=email_kind,
        email_domain_matches_website=agree,
        email_domain_matches_name=bool(domain_label) and len(domain_label) >= 4 and bool(
            name_compact) and (domain_label in name_compact or name_compact in domain_label),
        has_website=website_domain is not None,
        # The phone the rules care about: the main line if it parsed, else the mobile.
        phone_type=phone.type if phone.e164 is not None else mobile.type,
        has_phone=phone.e164 is not None or mobile.e164 is not None,
        has_postal_address=bool(addr.street or addr.postcode),
        sole_trader_words=bool(words & _sole_trader_words()),
        name_in_company=bool(last) and last in company_folded,
        origin=origin,
        business_inquiry=request in aud_cfg.business_request_types,
        private_request=request in aud_cfg.private_request_types,
    )
    aud = decide_audience(signals)
    reasons["audience"] = aud.reasons

    d_register = "register" if reg else "company"
    derivation = _Derivation(
        origin=origin,
        street=street_src,
        email_status="dns" if dns is not None and mail.normalized else "email_validator",
        phone=raw_phone is not None,
        mobile=raw_mobile is not None,
        fax=raw_fax is not None,
        register="register" if reg else "company",
        legal_form="company" if legal.source in (None, "company") else
        d_register if legal.source == "register" else "legal_form",
        vat_id="vat_id" if vat else "company",
        size_class="employees" if size_reasons and size_reasons[0].startswith("size_from_emp")
        else "revenue",
        salutation="salutation" if get("salutation") else "position" if pers.salutation
        else name_src,
        title="title" if get("title") else name_src,
        first_name="first_name" if get("first_name") else name_src,
        last_name=name_src,
        email_kind="email_validator" if email_kind == mail.kind else "rules",
        phone_channel="phone" if phone.e164 else "mobile",
        country=country_source,
    )
    other = (agree, wz, section, size, aud.audience, aud.sole_trader,
             aud.email_kind, aud.phone_kind, aud.postal_kind)
    return EnrichedRecord(record_id, source_kind, origin, now or datetime.now(UTC),
                          enrichment_version(), _IN_FIELDS_ORDER(_area_values(a) + other),
                          _sources(derivation),
                          _reasons_json(tuple(zip(reasons, map(tuple, reasons.values()),
                                                  strict=True))))


@lru_cache(maxsize=1)
def _sole_trader_words() -> frozenset[str]:
    return frozenset(company_config().value.sole_trader_words)


# ---------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------
def _enrich_chunk(records: list[Record], source_kind: str, method_hint: str | None,
                  dns: PrecheckedDomains | None, now: datetime) -> list[EnrichedRecord]:
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

    Each chunk is split by company, so a worker parses a company (name, register, e-mail
    domain) once however many contacts it has; results come back in input order. With DNS
    on, all unique e-mail domains are checked first (concurrently, cached), then the answers
    travel to the workers with the records. Results stream back chunk by chunk, so memory
    stays flat however large the batch is.
    """
    now = now or datetime.now(UTC)
    prechecked: PrecheckedDomains | None = None
    if dns is not None:
        records = list(records)
        domains = {m.ascii_domain or m.domain for m in
                   (enrich_email(_get(r, "email")) for r in records) if m.domain}
        prechecked = PrecheckedDomains(dns.check_many(sorted(domains)))
    for order, parts in _sharded(records, partial(
            _enrich_chunk, source_kind=source_kind, method_hint=method_hint, dns=prechecked,
            now=now), workers, chunk_size):
        shards = [iter(part) for part in parts]
        yield from (next(shards[shard]) for shard in order)


PHONE_COLUMNS = {"phone_e164": "phone", "mobile_e164": "mobile", "fax_e164": "fax"}
"""The numbers `match_columns` reads a whole column at once (`enrichment.phone.e164_column`)."""
CHUNK_FIELDS: tuple[str, ...] = (
    "street", "house_number", "match_street", "postcode", "city", "country", "po_box",
    "email_normalized", "email_registrable_domain", "email_kind",
    "company_name", "legal_form", "legal_entity", "company_match_name", "register_court",
    "register_number", "vat_id", "website_domain", "first_name", "last_name",
)
"""What `match_columns` derives a chunk at a time (`_chunk_columns`), besides the numbers
(`PHONE_COLUMNS`): what matching compares. Asked for any other field (a number's type, a
person's salutation or role, which only a record enriched on its own gives), it enriches
record by record (`_areas`)."""


def _match_chunk(records: list[Record], fields: tuple[str, ...],
                 source_kind: str) -> list[list[Any]]:
    """The `fields` of the records, a list per field."""
    cleaned = [_clean(r) for r in records]
    if set(fields) <= {*CHUNK_FIELDS, *PHONE_COLUMNS}:
        return _chunk_columns(cleaned, fields, source_kind)
    values = [_area_values(_areas(r, source_kind, None)) for r in cleaned]
    return [[v[index] for v in values] for index in map(AREA_FIELDS.index, fields)]


def _chunk_columns(records: Sequence[Record], fields: tuple[str, ...],
                   source_kind: str) -> list[list[Any]]:
    """The `fields` (`CHUNK_FIELDS`, `PHONE_COLUMNS`) of a chunk of records, a list per field:
    `_areas`' values, each part read the cheaper way its values allow — the country inferred
    for the whole chunk (`_countries`), names per distinct spelling (`_names`), an address
    per street, postcode and city (`address_key`), an e-mail without its result object
    (`email_key`), phone numbers a column at a time (`e164_column`)."""
    crawled = source_kind == "crawl"
    rows = []
    for record, (country, _), (first, last_name) in zip(records, _countries(records),
                                                        _names(records), strict=True):
        get = record.get
        addr = address_key(get("street_full"), get("street"), get("house_number"),
                           get("postcode"), get("city"), country)
        mail = email_key(get("email"))
        company = _company_area(get("company"), get("register"), get("vat_id"),
                                get("legal_form"), crawled)
        comp, legal = company.comp, company.legal
        last = fold(last_name) if last_name else ""
        rows.append((
            addr.street, addr.house_number, addr.match_street, addr.postcode, addr.city,
            addr.country, addr.po_box if addr.street else None,
            mail.normalized, mail.registrable_domain,
            _email_kind(mail.kind, comp.name, last, mail.registrable_domain),
            comp.name, legal.legal_form, legal.legal_class, comp.match_name, company.court,
            company.number, company.vat_id, registrable_domain(get("website")),
            first, last_name,
        ))
    by_field = list(zip(*rows, strict=True)) if rows else [()] * len(CHUNK_FIELDS)
    regions = [country or "DE" for country in by_field[CHUNK_FIELDS.index("country")]]
    return [e164_column([r.get(PHONE_COLUMNS[name]) for r in records], regions)
            if name in PHONE_COLUMNS else list(by_field[CHUNK_FIELDS.index(name)])
            for name in fields]


@runtime_checkable
class RecordTable(Protocol):
    """Records held whole in memory a forked worker shares (`ingest.prepared_table`), read
    by row number: a worker then reads its rows itself instead of receiving them."""

    def __len__(self) -> int: ...

    def codes(self, fields: Sequence[str]) -> np.ndarray:
        """Per record a number for its first non-empty value among `fields`: the same for
        the same value."""
        ...

    def records(self, rows: Sequence[int]) -> Sequence[Record]:
        """The records at these row positions, in that order."""
        ...


def match_columns(
    records: Iterable[Record] | RecordTable, fields: Sequence[str], *, source_kind: str,
    workers: int = 2, chunk_size: int = 5000,
) -> dict[str, np.ndarray]:
    """Only the enriched `fields` matching compares, as columns (object arrays) in input
    order.

    The values are those of `enrich_record(...).to_row()` (the same area functions compute
    them, without DNS), at a fraction of the cost: no audience decision, provenance or
    reasons, a chunk of records at a time (`_chunk_columns`), and a worker sends back a list
    per field instead of an `EnrichedRecord` per record. Given a `RecordTable`, each worker
    reads its records from it.
    """
    unknown = [f for f in fields if f not in AREA_FIELDS]
    if unknown:
        raise ValueError(f"matching-only enrichment does not derive {unknown}; "
                         f"it derives {list(AREA_FIELDS)}")
    work = partial(_match_chunk, fields=tuple(fields), source_kind=source_kind)
    chunks: list[list[np.ndarray]] = []
    for order, parts in (_sharded_table(records, work, workers, chunk_size)
                         if isinstance(records, RecordTable) else
                         _sharded(records, work, workers, chunk_size)):
        shard = np.asarray(order)
        merged = [np.empty(len(order), dtype=object) for _ in fields]
        for k, part in enumerate(parts):
            at = shard == k
            for column, values in zip(merged, part, strict=True):
                column[at] = values
        chunks.append(merged)
    return {name: np.concatenate([c[k] for c in chunks]) if chunks else
            np.empty(0, dtype=object) for k, name in enumerate(fields)}


_T = TypeVar("_T")


def _sharded(records: Iterable[Record], work: Callable[[list[Record]], _T],
             workers: int, chunk_size: int) -> Iterator[tuple[list[int], list[_T]]]:
    """`work` over the records chunk by chunk, in order; over `workers` processes, each
    chunk split by company (`_by_company`). Per chunk: each record's shard, and each
    shard's result."""
    with relaxed_gc():
        if workers <= 1:
            for chunk in _chunks(records, chunk_size):
                yield [0] * len(chunk), [work(chunk)]
            return
        def tasks() -> Iterator[tuple[list[int], list[tuple[Any, ...]]]]:
            for chunk in _chunks(records, chunk_size):
                shards, parts = _by_company(_company_keys(chunk), workers)
                yield shards, [([chunk[k] for k in part],) for part in parts]

        with _pools(workers) as pools:
            yield from _in_flight(pools, work, tasks())


def _sharded_table(table: RecordTable, work: Callable[[list[Record]], _T], workers: int,
                   chunk_size: int) -> Iterator[tuple[list[int], list[_T]]]:
    """`_sharded` over a table the workers share: a task names its rows, and the worker
    reads them itself (`_work_on_rows`)."""
    with relaxed_gc():
        if workers <= 1:
            for start in range(0, len(table), chunk_size):
                rows = range(start, min(start + chunk_size, len(table)))
                yield [0] * len(rows), [work(list(table.records(rows)))]
            return
        keys = table.codes(["company", "email"])  # as `_company_keys`

        def tasks() -> Iterator[tuple[list[int], list[tuple[Any, ...]]]]:
            for start in range(0, len(table), chunk_size):
                shards, parts = _by_company(keys[start:start + chunk_size].tolist(), workers)
                yield shards, [([start + k for k in part],) for part in parts]

        with _shared(table, work), _pools(workers) as pools:
            yield from _in_flight(pools, _work_on_rows, tasks())


def _in_flight(pools: list[Pool], work: Callable[..., _T],
               tasks: Iterator[tuple[list[int], list[tuple[Any, ...]]]]
               ) -> Iterator[tuple[list[int], list[_T]]]:
    """Each chunk's shards handed to their pools (the arguments of `work` per shard), up to
    `CHUNKS_IN_FLIGHT` chunks ahead; per chunk, each record's shard and each shard's result,
    in order."""
    pending: deque[tuple[list[int], list[AsyncResult[_T]]]] = deque()
    for shards, arguments in tasks:
        pending.append((shards, [pool.apply_async(work, args)
                                 for pool, args in zip(pools, arguments, strict=True)]))
        if len(pending) > CHUNKS_IN_FLIGHT:
            yield _collected(*pending.popleft())
    while pending:
        yield _collected(*pending.popleft())


@contextlib.contextmanager
def _pools(workers: int) -> Iterator[list[Pool]]:
    """One single-process pool per worker, so a company's records always reach the same
    process and its caches."""
    ctx = multiprocessing.get_context("fork")
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(ctx.Pool(1, initializer=quiet_exit)) for _ in range(workers)]


_SHARED: tuple[RecordTable, Callable[[list[Record]], Any]] | None = None
"""The table and the work of `_sharded_table`, set while its workers are forked: they find
them here, shared, not pickled."""


@contextlib.contextmanager
def _shared(table: RecordTable, work: Callable[[list[Record]], Any]) -> Iterator[None]:
    global _SHARED
    _SHARED = (table, work)
    try:
        yield
    finally:
        _SHARED = None


def _work_on_rows(rows: list[int]) -> Any:
    assert _SHARED is not None, "_work_on_rows runs in a worker of _sharded_table"
    table, work = _SHARED
    return work(list(table.records(rows)))


CHUNKS_IN_FLIGHT = 2
"""Chunks handed to the workers ahead of the one being read back: enough to keep both busy
while the caller consumes results, few enough to keep memory flat."""


def _company_keys(chunk: Sequence[Record]) -> list[str]:
    """What `_by_company` splits by: the company, else the e-mail address."""
    return [str(record.get("company") or record.get("email")) for record in chunk]


def _by_company(keys: Sequence[Hashable], shards: int) -> tuple[list[int], list[list[int]]]:
    """Each record's shard, and the positions of the records per shard, keyed by company
    (`_company_keys`, or numbers naming them).

    A company's name, register and e-mail domain are then parsed in one worker only. A
    company with more records than its share of the chunk spills over to the emptiest
    shard, so no worker idles while another works through one large customer.
    """
    cap = len(keys) // shards + len(keys) // (10 * shards) + 1
    parts: list[list[int]] = [[] for _ in range(shards)]
    order = []
    for position, key in enumerate(keys):
        shard = hash(key) % shards
        if len(parts[shard]) >= cap:
            shard = min(range(shards), key=lambda i: len(parts[i]))
        parts[shard].append(position)
        order.append(shard)
    return order, parts


def _collected(order: list[int], results: list[AsyncResult[_T]]) -> tuple[list[int], list[_T]]:
    """A chunk's shard of each record, and each shard's result once its worker is done."""
    return order, [result.get() for result in results]
