"""What a column's values say it holds: the evidence the column mapping weighs beside headers.

Headers say too little ('Name', 'Feld 7') or something else than the values ('PLZ' over
'44894 Bochum'); values rarely lie about their shape. `profile_column` measures, over a
sample of one column, the share of values of each kind; the mapping uses the shares to
choose between readings of a header and to map columns no header rule knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from enrichment.text import is_placeholder

KINDS = ("email", "website", "homepage", "postcode", "postcode_city", "phone", "dialable",
         "street_full", "address", "organisation", "person_name", "words", "title", "place",
         "salutation")
_LABEL = re.compile(r"^(Tel|Telefon|Phone|Fax|Mobil|E-?Mail|Mail|Web|Internet|URL)\.?:\s*",
                    re.IGNORECASE)
"""A label scrapers leave in a value ('Tel: 044 863 22 11'); the value is judged without it."""
_SALUTATION = re.compile(r"^(Herr|Herrn|Frau|Hr\.?|Fr\.?|Mr\.?|Mrs\.?|Ms\.?|Divers|Familie|"
                         r"[MWD])$", re.IGNORECASE)
_HOMEPAGE = re.compile(r"^(https?://)?(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}/?"
                       r"([^/\s]{0,40}/?)?$", re.IGNORECASE)
"""A company's home page: a domain with at most one short path part, not an article link."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_WEBSITE = re.compile(r"^(https?://|www\.)\S+$|^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(/\S*)?$",
                      re.IGNORECASE)
_DOCUMENT = re.compile(r"\.(png|jpe?g|gif|svg|webp|pdf|docx?|xlsx?|csv|zip|txt)(\?\S*)?$",
                       re.IGNORECASE)
"""A file or a link to a document: not a company's website."""
_POSTCODE = re.compile(r"^(?:[A-Z]{1,2}[- ])?\d{4,5}$")
_POSTCODE_CITY = re.compile(r"^(?:[A-Z]{1,2}[- ])?\d{4,5}\s+\D{2,}$")
_PHONE = re.compile(r"^\+?[\d\s()/.\-]{6,}$")
_DIALABLE = re.compile(r"^(\+|00|0)[1-9][\d\s()/.\-]{5,}$")
_DATE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
"""A phone number as dialled (with its 0 or country code): not an id or an amount."""
_ADDRESS = re.compile(r"\S[\s,]+(?:[A-Z]{1,2}[- ])?\d{4,5}\s+[^\d,\n]{2,}(,\s*[^\d,\n]+)?$")
_PLACE = re.compile(r"^[^\d\[\]{}@/\\]*[^\W\d_]{2}[^\d\[\]{}@/\\]*$")
"""A place name: letters, no digits ('Halle (Saale)', not 'POINT (13.3 52.5)')."""
"""'Rudower Straße 7, 12439 Berlin', 'Rathausgasse 29\n5001 Aarau': street, postcode, city."""
_TITLE = re.compile(r"^(Dr|Prof|Dipl|Mag|Ing|PD|Priv|MBA|B\.? ?A|M\.? ?A|B\.? ?Sc|M\.? ?Sc|LL)\b",
                    re.IGNORECASE)
_STREET_FULL = re.compile(
    r"^(?=.*(?:str\.|straße|strasse|weg|platz|allee|gasse|ring|damm|ufer|chaussee|markt|"
    r"hof|berg|steig|pfad|zeile|promenade|graben|kai|feld|tor|park|garten|höhe|stieg|anger|"
    r"bogen|wall|insel|brücke|kamp|koppel|twiete|road|street|lane|avenue|^am |^an |^auf |"
    r"^im |^in |^zum |^zur |^unter |^alt-|^hinter |^vor |^über ))"
    r"\D{3,}\s\d{1,4}\s?[a-zA-Z]?(\s?[-/]\s?\d+\s?[a-zA-Z]?)?$", re.IGNORECASE)
"""A street with its house number: a street word ('…straße', '…weg', 'Am …') and 1–4 digits."""
_PERSON_TOKEN = re.compile(r"^[A-ZÄÖÜ][a-zäöüßéèáàíóúç]+(?:-[A-ZÄÖÜ][a-zäöüßéèáàíóúç]+)?$")
_PARTICLES = frozenset({"von", "van", "de", "der", "zu", "vom", "und"})
_DEGREE = re.compile(r"^(MBA|LL\.?M|PhD|BSc|MSc|BA|MA|MdB|MdL)$")
_MAX_CHARS = 300
"""Longer values are judged by their start: no lead field is longer, and patterns stay fast."""
_WORDS = re.compile(r"[\wäöüß.]+", re.IGNORECASE)
_LETTERS = re.compile(r"[^\W\d_]{2}")


@dataclass(frozen=True)
class ColumnProfile:
    """Shares of the non-empty sample values of one column that look like each kind."""

    filled: int
    shares: dict[str, float]
    distinct: float = 1.0
    """Distinct values / filled values: a name column varies, a category does not."""

    def share(self, kind: str) -> float:
        return self.shares.get(kind, 0.0)


def _fold(word: str) -> str:
    return word.casefold().rstrip(".").replace(".", "")


def organisation_matcher(words: Iterable[str]) -> OrganisationWords:
    """Build the test for organisation names from the configured words."""
    return OrganisationWords(frozenset(_fold(w) for w in words))


@dataclass(frozen=True)
class OrganisationWords:
    """A value names an organisation when a word of it is, or ends in, one of `words`.

    'Grundschule am Park', 'Müller GmbH', 'Kolleg Berlin' and 'Rudolf Galvanik-Hartchrom'
    are organisations; 'Erika Mustermann' is not.
    """

    words: frozenset[str]

    def __call__(self, value: str) -> bool:
        for raw in _WORDS.findall(value.replace("-", " ")):
            word = _fold(raw)
            if word in self.words:
                return True
            if len(word) > 5 and any(word.endswith(w) for w in self.words if len(w) >= 4):
                return True
        return False


def looks_like_person(value: str) -> bool:
    """Two to four capitalised words; academic titles, degrees and name particles aside:
    'Dr. med. Erika Muster', 'Daniela Abele M. A.', 'Jens von Bülow'."""
    tokens = value.replace(",", " ").split()
    if any(ch.isdigit() for ch in value):
        return False  # '2. Polizeirevier Neumünster'
    names = [t for t in tokens if t.casefold() not in _PARTICLES and "." not in t
             and not _DEGREE.match(t)]
    return 2 <= len(names) <= 4 and all(_PERSON_TOKEN.match(t) for t in names)


def looks_like_value(cell: str) -> bool:
    """A header cell that is a value: an e-mail, a web address, a postcode, a phone number,
    a street with its number. Headers are words; a first row of such cells is data."""
    text = cell.strip()[:_MAX_CHARS]
    return bool(_EMAIL.match(text) or (_WEBSITE.match(text) and "." in text and " " not in text
                                       and not text.isalpha())
                or _POSTCODE.match(text) or _POSTCODE_CITY.match(text)
                or (_DIALABLE.match(text) and not _DATE.match(text)) or _STREET_FULL.match(text))


def profile_column(values: Sequence[str], is_organisation: OrganisationWords) -> ColumnProfile:
    """Measure the kinds of a column's non-empty values (a sample of the first rows)."""
    filled = [_LABEL.sub("", v.strip()[:_MAX_CHARS]) for v in values
              if v and v.strip() and not is_placeholder(v.strip())]
    if not filled:
        return ColumnProfile(0, {})
    counts = dict.fromkeys(KINDS, 0)
    for value in filled:
        counts["email"] += bool(_EMAIL.match(value.split(",")[0].split(";")[0].strip()))
        counts["salutation"] += bool(_SALUTATION.match(value))
        counts["homepage"] += bool(_HOMEPAGE.match(value)) and not _DOCUMENT.search(value)
        counts["website"] += (bool(_WEBSITE.match(value)) and "@" not in value
                              and not _DOCUMENT.search(value))
        counts["place"] += bool(_PLACE.match(value))
        counts["postcode"] += bool(_POSTCODE.match(value))
        counts["postcode_city"] += bool(_POSTCODE_CITY.match(value))
        date = bool(_DATE.match(value))
        counts["phone"] += (bool(_PHONE.match(value)) and not date
                            and sum(c.isdigit() for c in value) >= 6)
        counts["dialable"] += bool(_DIALABLE.match(value)) and not date
        counts["address"] += bool(_ADDRESS.search(value))
        counts["title"] += bool(_TITLE.match(value))
        counts["street_full"] += bool(_STREET_FULL.match(value))
        link = "@" in value or "://" in value or value.startswith("www.")
        organisation = not link and is_organisation(value)
        counts["organisation"] += organisation
        counts["person_name"] += not organisation and looks_like_person(value)
        counts["words"] += bool(_LETTERS.search(value))
    return ColumnProfile(len(filled), {k: n / len(filled) for k, n in counts.items()},
                         len(set(filled)) / len(filled))
