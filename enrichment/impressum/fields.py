"""Field parsers over short label-scoped texts: persons, phones, register, court, VAT, address.

Pure functions; each returns canonical values or nothing (no exceptions for bad input).
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from stdnum.ch import uid as ch_uid
from stdnum.eu import vat as eu_vat

from enrichment.company import parse_register
from enrichment.impressum.config import impressum_config

# ---------------------------------------------------------------------------------- persons
TITLES = re.compile(
    r"\b(?:Prof\.|Professor(?:in)?|Dr\.(?:\s?-?(?:Ing|rer\.\s?nat|rer\.\s?pol|med|dent|vet|jur|phil|oec|pol|h\.\s?c)\.)*"
    r"|Dipl\.-?\s?[\wäöü]+\.?(?:\s?\(FH\))?|Mag\.(?:\s?\(FH\))?(?:\s?rer\.\s?soc\.\s?oec\.)?"
    r"|MBA|M\.\s?A\.|B\.\s?A\.|M\.\s?Sc\.|B\.\s?Sc\.|LL\.\s?M\.|Ing\.|DI|h\.\s?c\.|Dr\.-Ing\."
    r"|Herrn?|Frau|Mr\.?|Mrs\.?|Ms\.?|RA|StB|WP)(?=\s|$|,)",
)
_PARTICLES = frozenset({"von", "van", "de", "der", "zu", "vom", "zum", "di", "da", "du", "le",
                        "la", "ten", "ter", "dos", "del", "y", "af", "bin", "al"})
_NAME_TOKEN = re.compile(r"^[A-ZÄÖÜÉÈÁÀÂÇŠŽČÓØÅ][A-Za-zÄÖÜäöüßéèáàâíóúçñšžčćøåë'’\-]*"
                         r"[a-zäöüßéèáíóúçñšžčćøåë]$"
                         r"|^[A-ZÄÖÜ]\.$")
_ARTICLE = re.compile(r"^(?:die|der|den|dem|the|our|unsere[nm]?|seine[nm]?|ihre[nm]?)\s+", re.I)
_SPLIT_PERSONS = re.compile(r"\s*(?:[,;|/•·\n]|(?<=[a-zäöüß]{2})\.\s+|\s+und\s+|\s+and\s+"
                            r"|\s+&\s+|\s+sowie\s+|\s+u\.\s+)\s*")
_LEGAL_REF = re.compile(
    r"(?:(?:gem\.|gemäß|nach|laut|lt\.|i\.\s?S\.\s?d\.?|iSd\.?|im Sinne (?:des|von)|according to"
    r"|pursuant to|acc\. to|under)\s*)?(?:§|Sect\.|Section|Art\.)+\s*\d+\s*\w?\s*"
    r"(?:\(\d+\)|Abs\.\s*\d+)?"
    r"(?:\s*(?:S\.|Satz)\s*\d+)?\s*(?:des\s+)?(?:MStV|RStV|TMG|DDG|ECG|MedienG|Mediengesetz|"
    r"Medienstaatsvertrag|Rundfunkstaatsvertrag|German\s+\w+\s+\w+)?\)?",
    re.I,
)


@lru_cache(maxsize=1)
def _not_name_words() -> frozenset[str]:
    return frozenset(w.lower() for w in impressum_config().not_name_words)


def clean_person(part: str) -> str | None:
    """A person's name without titles and salutations, or None if `part` is not a name."""
    part = re.sub(r"\([^)]*\)|\([^)]*$|^[^(]*\)", " ", part)
    part = TITLES.sub(" ", part)
    part = _ARTICLE.sub("", part.strip(" .:-–\t"))
    part = re.sub(r"\s+", " ", TITLES.sub(" ", part)).strip(" .:-–,")
    tokens = part.split()
    if not 2 <= len(tokens) <= 4 or any(ch.isdigit() for ch in part) or "@" in part:
        return None
    if tokens[0].lower() in _PARTICLES or tokens[-1].lower() in _PARTICLES:
        return None
    stop = _not_name_words()
    for tok in tokens:
        if tok.lower() in _PARTICLES:
            continue
        if not _NAME_TOKEN.match(tok) or tok.lower() in stop:
            return None
    return part


def parse_persons(text: str, form_words: frozenset[str] = frozenset()) -> list[str]:
    """Names in a label's value: `Max Muster, Erika Beispiel und Hans Test` → three names.
    Text up to a colon that follows a legal reference (`nach § 18 Abs. 2 MStV:`) is dropped."""
    text = _LEGAL_REF.sub(" ", text)
    if ":" in text[:80]:
        text = text.split(":")[-1] if text.count(":") == 1 else text[text.index(":") + 1:]
    text = TITLES.sub(" ", text)
    names: list[str] = []
    for part in _SPLIT_PERSONS.split(text):
        if any(w in form_words for w in part.split()):
            continue
        name = clean_person(part)
        if name and name.lower() not in (n.lower() for n in names):
            names.append(name)
    return names


# ----------------------------------------------------------------------------------- phones
_DATE = re.compile(r"^\(?\d{1,2}\.\s?\d{1,2}\.\s?(?:19|20)?\d{2}\b|\d{1,2}:\d{2}")
PHONE_CANDIDATE = re.compile(
    r"(?<![\w/.])(?:\+|00|\(0|0)[\d\s()/.\-–]{5,24}\d(?![\d])"
)


def parse_phone(raw: str, region: str, strict: bool = False) -> str | None:
    """E.164 for a phone-like string, or None. `strict` (for numbers without a phone label)
    asks phonenumbers for a valid number, not only a possible one, and rejects dates."""
    if strict and _DATE.search(raw):
        return None
    raw = raw.replace("–", "-").strip()
    raw = re.sub(r"\(0\)", "", raw) if raw.startswith(("+", "00")) else raw
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    if strict and not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_phones(text: str, region: str, strict: bool = False) -> list[str]:
    out = []
    for m in PHONE_CANDIDATE.finditer(text):
        e164 = parse_phone(m.group(0), region, strict)
        if e164 and e164 not in out:
            out.append(e164)
    return out


# ------------------------------------------------------------------------- register numbers
@lru_cache(maxsize=1)
def _register_re() -> re.Pattern[str]:
    suffixes = "|".join(re.escape(s) for s in impressum_config().register_suffixes)
    return re.compile(
        r"\b(HRB|HRA|VR|GnR|GenR|PR|PartR)\s*[.:\-]?\s*(?:Nr\.?\s*)?(\d{1,6}(?: \d{3})?)"
        rf"(?:\s?(?:({suffixes})\b))?(?!\d)"
    )


_FN = re.compile(r"\bFN\s*[.:]?\s*(\d{1,6})\s?([a-z])\b")
_FN_BARE = re.compile(r"(?<![\w-])(\d{4,6})\s?([a-z])\b")
_CHE = re.compile(r"\bCHE[-\s.]?(\d{3})[.\s]?(\d{3})[.\s]?(\d{3})\b")


def find_register(text: str, labelled: bool) -> tuple[str, str] | None:
    """(register number, country hint) in `text`; bare Austrian numbers only when labelled."""
    m = _register_re().search(text)
    if m:
        kind = "GnR" if m.group(1) == "GenR" else m.group(1)
        number = m.group(2).replace(" ", "")
        suffix = f" {m.group(3)}" if m.group(3) else ""
        return f"{kind} {number}{suffix}", "DE"
    m = _FN.search(text) or (_FN_BARE.search(text) if labelled else None)
    if m:
        return f"FN {m.group(1)}{m.group(2)}", "AT"
    m = _CHE.search(text)
    if m and ch_uid.is_valid("CHE" + "".join(m.groups())):
        return f"CHE-{m.group(1)}.{m.group(2)}.{m.group(3)}", "CH"
    return None


# ---------------------------------------------------------------------------- register court
_CITY = (r"([A-ZÄÖÜ][\wäöüß\-]+(?:\s(?:am|an der|im|in der|ob der|a\.\s?d\.|a\.)"
         r"\s?[A-ZÄÖÜ][\wäöüß.\-]+"
         r"|\s?\([A-ZÄÖÜ][\wäöüß\-]+\)|\s?a\.\s?M\.|/Main)?)")
_COURTS = [
    (re.compile(r"\b(?:Amtsgerichts?|Amtsgerichtes)\s+(?:in\s+|zu\s+|von\s+)?"
                + _CITY), "DE"),
    (re.compile(r"\b(?:Local|District|Registry)\s+Court\s*(?:\(Amtsgericht\))?\s*"
                r"(?:of|in|at)?\s*" + _CITY), "DE"),
    (re.compile(r"\b(?:Registergericht|Register court|Registration court|Court of registration)"
                r"\s*[:|]?\s*(?:ist\s+)?(?:das\s+)?(?:AG\s+)?" + _CITY), "DE"),
    (re.compile(r"\bAG\s+" + _CITY + r"(?=[\s,]+(?:HR[AB]|VR|GnR|PR)\b)"), "DE"),
    (re.compile(r"\b((?:Handels|Landes|Bezirks)gericht(?:\s+für\s+ZRS)?"
                r"\s+[A-ZÄÖÜ][\wäöüß\-]+)"), "AT"),
    (re.compile(r"\b(Handelsregister(?:amt)?\s+(?:des\s+)?Kantons?\s+[A-ZÄÖÜ][\wäöüß\-]+)"), "CH"),
]


def canonical_court_city(city: str) -> str:
    aliases = impressum_config().court_city_aliases
    city = city.strip(" .,;")
    city = re.sub(r"^Berlin\s*\(?(Charlottenburg)\)?$|^(Charlottenburg)\s*\(Berlin\)$",
                  "Charlottenburg", city)
    return aliases.get(city, city)


def find_court(text: str) -> str | None:
    """The register court named in `text`: `Amtsgericht <Ort>` for Germany, as written for
    Austrian and Swiss courts."""
    for pattern, country in _COURTS:
        m = pattern.search(text)
        if not m:
            continue
        if country == "DE":
            city = m.group(1)
            if city.lower() in ("amtsgericht", "handelsregister", "hrb", "hra"):
                continue
            canonical = canonical_court_city(city)
            if canonical == city.strip(" .,;"):
                # enrichment.company knows the long forms ("Freiburg i. Br." → "… im Breisgau")
                shared = parse_register("Amtsgericht " + text[m.start(1):])[0]
                if shared:
                    return shared
            return f"Amtsgericht {canonical}"
        value = m.group(1)
        if value.startswith("Handelsregister "):
            value = "Handelsregisteramt " + value[len("Handelsregister "):]
        return value
    return None


# ----------------------------------------------------------------------------------- VAT ids
_VAT = re.compile(
    r"\b(DE|ATU|AT\s?U|CHE|BE|BG|CY|CZ|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI)"
    r"[\s.\-]?((?:[0-9A-Z][\s.\-]?){7,12}[0-9A-Z])(?:\s?(MWST|TVA|IVA|VAT))?\b"
)


def find_vat(text: str) -> str | None:
    """The first valid VAT id in `text` (compact form); Swiss UIDs as `CHE123456789`.
    Digit groups are only cut at their spaces, so an IBAN (`DE89 3704 0044 …`) never yields a
    VAT id by accident."""
    for m in _VAT.finditer(text):
        prefix = m.group(1).replace(" ", "")
        if prefix == "CHE":
            body = re.sub(r"[\s.\-]", "", m.group(2))[:9]
            window = text[max(0, m.start() - 15):m.end() + 8].upper()
            suffix = next((s for s in ("MWST", "TVA", "IVA") if s in window), None)
            if suffix and ch_uid.is_valid("CHE" + body):
                # written as enrichment.company writes it: "CHE-123.456.789 MWST"
                return f"CHE-{body[:3]}.{body[3:6]}.{body[6:]} {suffix}"
            continue
        groups = m.group(2).split()
        for end in range(len(groups), 0, -1):
            candidate = prefix + re.sub(r"[.\-]", "", "".join(groups[:end]))
            if eu_vat.is_valid(candidate):
                return eu_vat.compact(candidate)
    return None


# ------------------------------------------------------------------------------- addresses
POSTCODE_CITY = re.compile(
    r"(?<![\w©/.\-])(?:(D|DE|A|AT|CH|FL|L)\s?-\s?)?(\d{5}|\d{4})\s+"
    r"([A-ZÄÖÜ][\wäöüß.'\-]*(?:\s(?:am|an der|im|in der|in|ob der|bei|a\.\s?d\.|i\.|/)?"
    r"\s?[A-ZÄÖÜ(][\wäöüß.'\-)]*)*)"
)
STREET = re.compile(
    r"^(?:[A-ZÄÖÜ0-9][\wäöüßé.'\-]*\s?)+?(?:\s?[a-zäöüß.\-]+\s[A-ZÄÖÜ][\wäöüß.\-]*)*\s?\d{1,4}\s?[a-zA-Z]?"
    r"(?:\s?[-–/]\s?\d{1,4}\s?[a-zA-Z]?)*$"
    r"|^(?:Postfach|Postbox|P\.O\. Box|PO Box)\s?\d[\d\s]*$"
    r"|^\d{1,4}\s?[a-zA-Z]?,?\s[A-ZÄÖÜ][\w\s.\-]+$"
)
_COPYRIGHT = re.compile(r"©|\(c\)|copyright", re.I)


_STREET_LEAD = frozenset({"am", "an", "auf", "im", "in", "zum", "zur", "unter", "ober", "obere",
                          "oberer", "untere", "unterer", "alte", "alter", "neue", "neuer", "große",
                          "großer", "kleine", "kleiner", "hohe", "hoher", "lange", "langer",
                          "breite", "sankt", "st.", "der", "dem", "den", "des", "von", "bei",
                          "hinter", "vor", "vorm", "auf'm", "upper", "lower", "old", "new"})
_STREET_WORDS = re.compile(r"^(?:straße|strasse|str\.|weg|allee|platz|ring|damm|wall|gasse|ufer|"
                           r"chaussee|markt|steig|pfad|street|road|avenue|lane)$", re.I)


def street_tail(text: str) -> str | None:
    """The street at the end of a run of text with no separators (`… GmbH Gutenbergring 9`)."""
    m = re.search(r"(\d{1,4}\s?[a-zA-Z]?(?:\s?[-–/]\s?\d{1,4}\s?[a-zA-Z]?)*)\s*$", text)
    if not m:
        return None
    words = text[:m.start()].split()
    if not words or not words[-1][:1].isupper():
        return None
    take = 1
    if _STREET_WORDS.match(words[-1]) and len(words) >= 2:
        take = 2
    while take < len(words) and words[-take - 1].lower() in _STREET_LEAD:
        take += 1
    street = " ".join([*words[-take:], m.group(1).strip()])
    return street if looks_like_street(street) else None


def looks_like_street(text: str) -> bool:
    text = text.strip(" ,;.")
    return 3 < len(text) <= 60 and bool(STREET.match(text)) and not re.match(r"^\d+$", text)
