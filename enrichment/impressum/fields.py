"""Field parsers over short label-scoped texts: persons, phones, addresses (register entries
and VAT IDs are read by `enrichment.register`, shared with list values).

Pure functions; each returns canonical values or nothing (no exceptions for bad input).
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from enrichment.impressum.config import impressum_config
from enrichment.person import profession_words

# ---------------------------------------------------------------------------------- persons
TITLES = re.compile(
    r"\b(?:Prof\.|Professor(?:in)?|Dr\.(?:\s?-?(?:Ing|rer\.\s?nat|rer\.\s?pol|med|dent|vet|jur|phil|oec|pol|h\.\s?c)\.)*"
    r"|Dipl\.-?\s?[\wäöü]+(?:-[\wäöü]+)*\.?(?:\s?\(FH\))?|Mag\.(?:\s?\(FH\))?(?:\s?rer\.\s?soc\.\s?oec\.)?"
    r"|MBA|M\.\s?A\.|B\.\s?A\.|M\.\s?Sc\.|B\.\s?Sc\.|LL\.\s?M\.|Ing\.|DI|h\.\s?c\.|Dr\.-Ing\."
    r"|mult\.|Priv\.-?\s?Doz\.|PD|Doz\.|Univ\.-?\s?Prof\."
    r"|Herrn?|Frau|Mr\.?|Mrs\.?|Ms\.?|RA|StB|WP)(?=\s|$|,)",
)
_PARTICLES = frozenset({"von", "van", "de", "der", "zu", "vom", "zum", "di", "da", "du", "le",
                        "la", "ten", "ter", "dos", "del", "y", "af", "bin", "al"})
_NAME_TOKEN = re.compile(r"^[A-ZÄÖÜÉÈÁÀÂÇŠŽČÓØÅ][A-Za-zÄÖÜäöüßéèáàâíóúçñšžčćøåë'’\-]*"
                         r"[a-zäöüßéèáíóúçñšžčćøåë]$"
                         r"|^[A-ZÄÖÜ]\.$"
                         r"|^[A-ZÄÖÜ]{2,}(?:-[A-ZÄÖÜ]{2,})?$")
"""A capitalised name word, an initial, or a surname in capitals (`Savas GUVEN`)."""
_ARTICLE = re.compile(r"^(?:(?:ist|sind|is|are)\s+)?(?:die|der|den|dem|the|our|unsere[nm]?|"
                      r"seine[nm]?|ihre[nm]?)?\s*", re.I)
_SPLIT_PERSONS = re.compile(r"\s*(?:[,;|/•·\n]|(?<=[a-zäöüß]{2})\.\s+|\s+und\s+|\s+and\s+"
                            r"|\s+&\s+|\s+sowie\s+|\s+u\.\s+)\s*")
_ROLE_AFTER = re.compile(r"\s+[–—-]\s+")
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


@lru_cache(maxsize=1)
def _profession() -> re.Pattern[str]:
    return re.compile(rf"^\s*(?:{profession_words()})\s+")


@lru_cache(maxsize=1)
def _profession_after() -> re.Pattern[str]:
    return re.compile(rf"\s+(?:{profession_words()})\s*$")


def clean_person(part: str) -> str | None:
    """A person's name without titles, salutations and a profession before it (`Notar Dr.
    Heinrich Albrecht` → `Heinrich Albrecht`), or None if `part` is not a name."""
    if ")" in part and "(" not in part and part.rstrip().endswith(")"):
        part = part.rstrip().rstrip(")")  # "… Inh. Jeong-Hwan Lee)": the bracket closes after
    part = re.sub(r"\([^)]*\)|\([^)]*$|^[^(]*\)", " ", part)
    part = _profession().sub(" ", TITLES.sub(" ", part))
    part = _ARTICLE.sub("", part.strip(" .:-–\t"))
    part = _profession().sub(" ", part)  # "die Oberbürgermeisterin Beate Kimmel"
    part = _profession_after().sub("", part)  # "Evelyn Krämer Steuerberaterin"
    part = re.sub(r"\s+", " ", TITLES.sub(" ", part)).strip(" .:-–,")
    tokens = part.split()
    named = [t for t in tokens if t.lower() not in _PARTICLES]
    if not 2 <= len(named) <= 4 or len(tokens) > 6 or any(ch.isdigit() for ch in part) \
            or "@" in part:
        return None
    if tokens[0].lower() in _PARTICLES or tokens[-1].lower() in _PARTICLES:
        return None
    stop = _not_name_words()
    if all(t.isupper() for t in named):
        return None  # "IT GMBH": capitals only are no name
    for tok in tokens:
        if tok.lower() in _PARTICLES:
            continue
        if not _NAME_TOKEN.match(tok) or any(part in stop for part in tok.lower().split("-")):
            return None  # "Herz-Lungen-Praxis": a compound of a word that names no one
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
        part = _ROLE_AFTER.split(part, maxsplit=1)[0]  # "Michael Beutner – Technology"
        if any(w in form_words for w in part.split()):
            continue
        for name in _names_in(part):
            if name.lower() not in (n.lower() for n in names):
                names.append(name)
    return names


def _names_in(part: str) -> list[str]:
    """The name in one list part; a part that is no name as a whole may still hold one:
    `Friedhelm Brügge Finanzamt Steinfurt 327/…` (the name before a word that names no one),
    `Anna Seidel Bettina Weber Carl Frenkel` (names run together, each starting with a known
    first name)."""
    name = clean_person(part)
    if name:
        return [name]
    tokens = TITLES.sub(" ", part).split()
    stop = _not_name_words()
    end = next((k for k, t in enumerate(tokens) if t.lower().strip(".,") in stop),
               len(tokens))
    if 2 <= end < len(tokens):
        head = clean_person(" ".join(tokens[:end]))
        return [head] if head else []
    firsts = first_names()
    starts = [k for k, t in enumerate(tokens) if t in firsts]
    if len(starts) >= 2 and starts[0] == 0:
        runs = [" ".join(tokens[a:b]) for a, b in zip(starts, [*starts[1:], len(tokens)],
                                                      strict=True)]
        found = [clean_person(r) for r in runs]
        if all(found):
            return [n for n in found if n]
    return []


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """First names from faker's German and English lists and the configured extras: evidence
    that a line names a person."""
    from faker.providers.person.de_DE import Provider as De
    from faker.providers.person.en_US import Provider as En

    names = [*De.first_names_male, *De.first_names_female, *En.first_names_male,
             *En.first_names_female, *impressum_config().extra_first_names]
    return frozenset(str(n) for n in names)


# ----------------------------------------------------------------------------------- phones
_DATE = re.compile(r"^\(?\d{1,2}\.\s?\d{1,2}\.\s?(?:19|20)?\d{2}\b|\d{1,2}:\d{2}")
PHONE_CANDIDATE = re.compile(
    r"(?<![\w/.])(?:\+|00|\(0|0)[\d\s()/.\-–]{5,40}\d(?![\d])"
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
        if text[m.end():].lstrip(" ")[:1] == "+":
            continue  # "3319 2462 (0) 94+": digits reversed by CSS, no number as it reads
        for raw in _numbers_in(m.group(0)):
            e164 = parse_phone(raw, region, strict)
            if e164 and e164 not in out:
                out.append(e164)
    return out

_OR_NUMBER = re.compile(r"\s/\s(?=\+|0)")


def _numbers_in(candidate: str) -> list[str]:
    """`01577 5898199 / 0176 72830885`: two numbers joined by a slash, each long enough to be
    one; `030 / 123456` stays one (the area code). `0180 600 58 50 (20`: an opened bracket
    that never closes is the price note after the number."""
    if candidate.count("(") > candidate.count(")"):
        candidate = candidate[:candidate.rindex("(")].rstrip()
    parts = _OR_NUMBER.split(candidate)
    if len(parts) > 1 and all(sum(ch.isdigit() for ch in p) >= 7 for p in parts):
        return parts
    return [candidate]


# ------------------------------------------------------------------------------- addresses
POSTCODE_CITY = re.compile(
    r"(?<![\w©/.\-])(?:(D|DE|A|AT|CH|FL|L)\s?[-–]\s?)?(\d{5}|\d{4})(?:\s+|\s[-–]\s)"
    r"([A-ZÄÖÜ][\wäöüß.'\-]*(?:\s(?:am|an der|im|in der|in|ob der|bei|a\.\s?d\.|i\.|/)?"
    r"\s?[A-ZÄÖÜ(][\wäöüß.'\-)]*)*)"
)
STREET = re.compile(
    r"^(?:[A-ZÄÖÜ0-9][\wäöüßé.'\-]*\s?)+?(?:\s?[a-zäöüß.\-]+\s[A-ZÄÖÜ][\wäöüß.\-]*)*"
    r"(?:\s[A-ZÄÖÜ][\wäöüß.\-]*)*\s?\d{1,4}\s?[a-zA-Z]?"
    r"(?:\s?[-–/]\s?\d{1,4}\s?[a-zA-Z]?)*$"
    r"|^(?:Postfach|Postbox|P\.O\. Box|PO Box)\s?\d[\d\s]*$"
    r"|^\d{1,4}\s?[a-zA-Z]?,?\s[A-ZÄÖÜ][\w\s.\-]+$"
)

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
