"""Companies: legal form, a name for matching, register court and number, VAT ID, domains,
industry and size class.

A company string from a list often carries more than the name ("Müller GmbH, AG München
HRB 12345, USt-IdNr. DE..."), so the name is cut at the first register or VAT marker and each
part is parsed on its own. Legal-form patterns, court aliases and thresholds are data
(defaults/company.yaml).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from enrichment.config import CompanyConfig, company_config
from enrichment.domains import registrable_domain
from enrichment.register import VAT_MARKER, parse_register, parse_vat
from enrichment.text import clean, fold, strip_emoji


@dataclass(frozen=True)
class LegalFormMatch:
    canonical: str
    entity: str


@dataclass(frozen=True)
class CompanyResult:
    input: str | None
    name: str | None = None
    legal_form: str | None = None
    legal_entity: str | None = None
    match_name: str | None = None
    register_court: str | None = None
    register_number: str | None = None
    vat_id: str | None = None
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"input": self.input, "name": self.name, "legal_form": self.legal_form,
                "match_name": self.match_name, "register_court": self.register_court,
                "register_number": self.register_number, "vat_id": self.vat_id,
                "reasons": list(self.reasons)}


@dataclass(frozen=True)
class _FormPatterns:
    at_end: re.Pattern[str]
    anywhere: re.Pattern[str]
    form: LegalFormMatch


@dataclass(frozen=True)
class _Compiled:
    forms: tuple[_FormPatterns, ...]
    caseless: tuple[_FormPatterns, ...]
    whole: tuple[tuple[re.Pattern[str], LegalFormMatch], ...]
    endings: tuple[tuple[re.Pattern[str], LegalFormMatch], ...]
    noise: frozenset[str]
    config: CompanyConfig


_CUT = re.compile(
    r"(?:^|,|;|\||\s)\s*(?:(?i:Sitz|Registergericht|Amtsgericht|Handelsregister|Registernummer|"
    r"Register-?Nr|Vereinsregister|Genossenschaftsregister|Partnerschaftsregister|USt\w*|"
    r"Umsatzsteuer|VAT|UID|MWST|Steuer|Registration court|Register court|Registry court|"
    r"District court|Local court|Registered at|Register number|Commercial register|"
    r"Trade register|Firmenbuch\w*|ZVR)\b|FN\s*\d"
    r"|(?:HR[ ]?[AB]|VR|GnR|GenR|PR|PartR)[ ]*-?[ ]*(?:Nr\.?)?[ ]*:?[ ]*\d|"
    r"AG\s+[A-ZÄÖÜ][a-zäöüß]+\s*,?\s*HR[AB])",
)
"""Where the name ends in a string that also carries register or VAT facts."""
_VAT_TOKEN = re.compile(
    r"\b(?:CHE[\s\-.]?\d{3}[.\s]?\d{3}[.\s]?\d{3}(?:\s*(?:MWST|TVA|IVA))?|"
    r"(?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|GR|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|"
    r"XI)\s?U?\d[\d\s.]{6,14}[\dA-Z](?:B\d\d)?)\b"
)
_NOT_IN_NAME = re.compile(r"[\"'“”„»«()\[\]]")


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    cfg = company_config().value
    forms: list[_FormPatterns] = []
    caseless: list[_FormPatterns] = []
    whole = []
    endings = []
    for form in cfg.legal_forms:
        body = "|".join(f"(?:{p})" for p in form.patterns)
        found = LegalFormMatch(form.canonical, form.entity)
        for flags, into in ((0, forms), (re.IGNORECASE, caseless)):
            into.append(_FormPatterns(
                re.compile(rf"(?:^|(?<=[\s,\-/(]))(?:{body})\s*[.,;)]?\s*$", flags),
                re.compile(rf"(?:^|(?<=[\s,\-/(]))(?:{body})(?=[\s,;)]|$)", flags), found))
        whole.append((re.compile(rf"(?:{body})", re.IGNORECASE), found))
        if form.word_endings:
            ending = "|".join(re.escape(e) for e in form.word_endings)
            endings.append((re.compile(rf"\w(?:{ending})\b", re.IGNORECASE), found))
    return _Compiled(tuple(forms), tuple(caseless), tuple(whole), tuple(endings),
                     frozenset(cfg.noise_words), cfg)


@lru_cache(maxsize=262144)
def split_legal_form(name: str) -> tuple[str, LegalFormMatch | None]:
    """('Müller Maschinenbau', GmbH & Co. KG) from 'Müller Maschinenbau GmbH & Co. KG'.

    Forms are matched in their own case first (`AG`, not the word `ag`); a name in capitals, or
    a form of three or more letters, is read again ignoring case (`GMBH & CO KG`, `Gbr`). A
    compound ending (`Bürgerstiftung`) carries its form but stays part of the name."""
    comp = _compiled()
    if name.isupper() or name.islower():  # one case throughout says nothing about a form's
        base, form = _split(name, comp.caseless, lambda _m: True)
    else:
        base, form = _split(name, comp.forms, lambda _m: True)
        if form is None:
            base, form = _split(name, comp.caseless,
                                lambda m: sum(ch.isalpha() for ch in m.group(0)) >= 3)
    if form is None:
        form = next((f for pattern, f in comp.endings if pattern.search(name)), None)
    return base, form


def _split(name: str, forms: tuple[_FormPatterns, ...],
           accept: Callable[[re.Match[str]], bool]) -> tuple[str, LegalFormMatch | None]:
    for patterns in forms:
        m = patterns.at_end.search(name)
        if m and m.start() > 0 and accept(m):
            return _tidy(name[: m.start()]), patterns.form
    for patterns in forms:
        m = patterns.anywhere.search(name)
        if m and accept(m):
            rest = name if m.start() == 0 else _tidy(name[: m.start()] + " " + name[m.end():])
            return _tidy(rest), patterns.form
    return _tidy(name), None


_FORM_NOISE = re.compile(r"^(?:Rechtsform|Gesellschaftsform|Unternehmensform)\s*:\s*", re.I)
_CO_PREFIX = re.compile(r"^(?:&|\+|und|u\.)\s*(?i:co)\.?\s*", re.I)


@lru_cache(maxsize=4096)
def normalize_legal_form(value: str | None) -> LegalFormMatch | None:
    """The canonical legal form of a value that is one (a list's `Rechtsform` column).

    Any case, dotted or written out: `mbH`, `m.b.H.`, `GMBH & CO KG`, `Gesellschaft mit
    beschränkter Haftung`, `& Co Kommanditgesellschaft`, `Gbr`, `e.G.`, `eingetragener
    Verein`. A value that is not a legal form (a numeric code, `öffentlich-rechtlich`, free
    text) gives None; the caller keeps it in raw.
    """
    if value is None:
        return None
    text = " ".join(strip_emoji(value).split()).strip(" ,;:-/")
    text = _CO_PREFIX.sub("", _FORM_NOISE.sub("", text))
    if not text or not any(ch.isalpha() for ch in text):
        return None
    for pattern, form in _compiled().whole:
        if pattern.fullmatch(text) or pattern.fullmatch(text.rstrip(".")):
            return form
    return None


REGISTER_FORMS: dict[str, tuple[str | None, str | None]] = {
    "HRB": (None, "corporation"),
    "HRA": (None, None),            # a partnership or an e.K.: the class stays open
    "VR": ("e.V.", "association"),
    "GnR": ("eG", "association"),
    "PR": ("PartG", "partnership"),
    "PartR": ("PartG", "partnership"),
    "GsR": ("GbR", "partnership"),
}
"""What a register type says: (legal form, class). HRB holds only corporations (GmbH, AG,
UG, SE, KGaA); HRA holds partnerships and registered merchants alike."""


def legal_form_from_register(number: str | None) -> tuple[str | None, str | None]:
    """(legal form, class) from a register number such as `HRB 1234` or `VR 99`."""
    if not number:
        return None, None
    kind = number.split(" ", 1)[0]
    return REGISTER_FORMS.get("GnR" if kind == "GenR" else kind, (None, None))


@dataclass(frozen=True)
class LegalFormChoice:
    legal_form: str | None
    legal_class: str | None
    source: str | None
    """Which input decided: `legal_form` (the field), `company` (the name's suffix),
    `register` (the register type) or `impressum` (the crawled page's extraction)."""
    reasons: tuple[str, ...] = ()


@lru_cache(maxsize=65536)
def choose_legal_form(
    field_value: str | None, name_form: LegalFormMatch | None, register_number: str | None,
    impressum_value: str | None = None,
) -> LegalFormChoice:
    """The legal form by precedence: the list or form field, the company name's suffix, the
    register type, the Impressum extraction. A field value that is no legal form gives a
    reason and falls through to the next source."""
    reasons: list[str] = []  # cached: a batch holds few combinations
    field_form = normalize_legal_form(field_value)
    if field_value and field_value.strip() and field_form is None:
        reasons.append(f"legal_form_unreadable: {field_value.strip()}")
    if field_form is not None:
        if name_form is not None and name_form.canonical != field_form.canonical:
            reasons.append(f"legal_form_conflict: {field_form.canonical} (field) vs "
                           f"{name_form.canonical} (name)")
        return LegalFormChoice(field_form.canonical, field_form.entity, "legal_form",
                               tuple(reasons))
    if name_form is not None:
        return LegalFormChoice(name_form.canonical, name_form.entity, "company", tuple(reasons))
    form, cls = legal_form_from_register(register_number)
    if cls is not None:
        return LegalFormChoice(form, cls, "register", tuple(reasons))
    page_form = normalize_legal_form(impressum_value)
    if page_form is not None:
        return LegalFormChoice(page_form.canonical, page_form.entity, "impressum",
                               tuple(reasons))
    return LegalFormChoice(None, None, None, tuple(reasons))


def _tidy(text: str) -> str:
    return " ".join(text.split()).strip(" ,;-/&|")


@lru_cache(maxsize=65536)
def match_name(name: str) -> str:
    """Case, umlauts, ß, punctuation, legal form and noise words removed: a key for matching."""
    base, _ = split_legal_form(name)
    noise = _compiled().noise
    words = [w for w in fold(base).split() if w not in noise]
    return " ".join(words)


def enrich_company(value: str | None) -> CompanyResult:
    """Everything a company string contains: name, form, register, VAT."""
    if value is None:
        return CompanyResult(input=None, reasons=["missing"])
    return _enrich_company(value)


@lru_cache(maxsize=262144)
def _enrich_company(value: str) -> CompanyResult:
    """Cached: a batch holds several contacts per company, each with the same company text."""
    text = clean(value)
    if text is None:
        return CompanyResult(input=value, reasons=["empty"])
    reasons: list[str] = []
    if strip_emoji(text) != text:
        text = strip_emoji(text)
        reasons.append("emoji_removed")
    cut = _CUT.search(text) or _VAT_TOKEN.match(text.upper())
    name_part = text[: cut.start()] if cut else text
    rest = text[cut.start():] if cut else ""
    name = legal_form = entity = match = None
    name_part = _NOT_IN_NAME.sub(" ", name_part) if name_part.count('"') else name_part
    if name_part.strip(" ,;"):
        name = _tidy(name_part)
        base, form = split_legal_form(name)
        if form is not None:
            legal_form, entity = form.canonical, form.entity
        else:
            reasons.append("legal_form_not_found")
        match = match_name(name) or None
        if base == "":
            reasons.append("name_is_only_a_legal_form")
    court = number = vat = None
    if rest:
        court, number, register_reasons = parse_register(rest)
        reasons += register_reasons
        if VAT_MARKER.search(rest) or _VAT_TOKEN.search(rest.upper()):
            vat, vat_reasons = parse_vat(rest)
            reasons += vat_reasons
    return CompanyResult(input=value, name=name, legal_form=legal_form, legal_entity=entity,
                         match_name=match, register_court=court, register_number=number,
                         vat_id=vat, reasons=reasons)


def domains_agree(website: str | None, email_domain: str | None) -> bool | None:
    """Whether the website and the e-mail share a registrable domain; None if either is absent."""
    a, b = registrable_domain(website), registrable_domain(email_domain)
    if a is None or b is None:
        return None
    return a == b


_WZ = re.compile(r"(?:^|[^\d])(\d{2})(?:[.\s]?(\d{1,3}))?(?:[.\s]?(\d{1,2}))?")


@lru_cache(maxsize=65536)
def wz_section(code: str | None) -> tuple[str | None, str | None, list[str]]:
    """(`62.01`, `J`, reasons) from a WZ 2008 code like `62.01`, `6201`, `J 62.01.0`."""
    if not code or not code.strip():
        return None, None, []
    m = _WZ.search(code)
    if not m:
        return None, None, [f"wz_code_unreadable: {code}"]
    division = int(m.group(1))
    for section in _compiled().config.wz_sections:
        if section.first_division <= division <= section.last_division:
            rest = m.group(2) or ""
            canonical = m.group(1) + (f".{rest[:2]}" if rest else "")
            return canonical, section.section, []
    return None, None, [f"wz_division_unknown: {m.group(1)}"]


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SCALE = ((re.compile(r"mrd|milliarde|bn|billion", re.I), 1e9),
          (re.compile(r"mio|million|mill\.|\bm\b", re.I), 1e6),
          (re.compile(r"tsd|tausend|\bk\b", re.I), 1e3))


def _number(text: str) -> float | None:
    """German or English number: '1.200' -> 1200, '2,5' -> 2.5; the last in a range '10-49'."""
    found = _NUMBER.findall(text)
    if not found:
        return None
    raw = found[-1]
    if "," in raw and "." in raw:
        raw = raw.replace(".", "").replace(",", ".") if raw.rfind(",") > raw.rfind(".") \
            else raw.replace(",", "")
    elif "," in raw:
        head, _, tail = raw.rpartition(",")
        raw = raw.replace(",", "") if len(tail) == 3 else head.replace(",", "") + "." + tail
    elif raw.count(".") >= 1 and all(len(p) == 3 for p in raw.split(".")[1:]):
        raw = raw.replace(".", "")
    try:
        return float(raw)
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def size_class(employees: str | None, revenue: str | None) -> tuple[str | None, list[str]]:
    """EU size class from employees (preferred; ranges count by their upper end) or revenue."""
    classes = _compiled().config.size_classes
    if employees and employees.strip():
        count = _number(employees)
        if count is not None:
            for c in classes:
                if c.max_employees is None or count <= c.max_employees:
                    return c.name, [f"size_from_employees: {count:g}"]
        return None, [f"employees_unreadable: {employees}"]
    if revenue and revenue.strip():
        amount = _number(revenue)
        if amount is not None:
            for pattern, factor in _SCALE:
                if pattern.search(revenue):
                    amount *= factor
                    break
            for c in classes:
                if c.max_revenue_eur is None or amount <= c.max_revenue_eur:
                    return c.name, [f"size_from_revenue: {amount:.0f}"]
        return None, [f"revenue_unreadable: {revenue}"]
    return None, []
