"""Reading compound headers word by word: 'Schulleitung Vorname', 'Telefonvorwahl', 'plz_ort'.

Exports name columns by joining words: with punctuation ('E-Mail Schulleitung'), camelCase
('WohnortLandAbk') or as one German compound ('Hochschulname'), whose last word is its head
and the words before it modify it. A header that no alias names whole is split into words,
each word is looked up among the aliases and the word classes of `columns.yaml`, and the
words together decide the field, or that the column is about something else (`None`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

_GERMAN_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_TOKENS = re.compile(r"[^0-9A-Za-zÀ-ÖØ-öø-ÿß]+|(?<=[a-zäöüß])(?=[A-ZÄÖÜ])")
_MAX_MERGE = 3
_MIN_PART = 3
"""Both parts of a compound split have at least this many letters ('plz|ort', not 'sp|ort')."""
NUMBER_FIELDS = frozenset({"phone", "mobile", "fax", "register", "vat_id", "wz_code",
                           "house_number", "postcode", "phone_area_code", "fax_area_code"})
"""Fields that are numbers: an identifier word ('Telefon Nr.') does not make them ids."""
PERSON_FIELDS = frozenset({"first_name", "last_name", "full_name", "salutation", "title",
                           "position", "email", "phone", "mobile", "fax"})
"""What a person-word ('Schulleitung', 'Ansprechpartner') can qualify."""


def normalise_header(header: str) -> str:
    """Fold a header to lower-case ASCII letters and digits: 'Straße/Nr.' → 'strassenr'.

    German umlauts become their two-letter spelling (so 'Strasse' and 'Straße' agree),
    other accents are dropped, and punctuation and whitespace disappear.
    """
    text = unicodedata.normalize("NFKC", header).casefold().translate(_GERMAN_FOLD)
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    return _NON_ALNUM.sub("", text)


@dataclass(frozen=True)
class Vocabulary:
    """Normalised words → field (from the aliases) and → word class (`header_words`)."""

    fields: Mapping[str, str]
    classes: Mapping[str, str]

    def known(self, word: str) -> bool:
        return word in self.fields or word in self.classes


def header_tokens(header: str, vocabulary: Vocabulary) -> list[str]:
    """Normalised words of a header; neighbours that form a known word are joined.

    'contact_first_name' → ['contact', 'firstname']; 'PLZ/Ort' → ['plz', 'ort'].
    """
    tokens = [normalise_header(t) for t in _TOKENS.split(header)]
    tokens = [t for t in tokens if t]
    joined: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(_MAX_MERGE, len(tokens) - i), 0, -1):
            word = "".join(tokens[i:i + size])
            if size == 1 or vocabulary.known(word):
                joined.append(word)
                i += size
                break
    return joined


def compound_words(token: str, vocabulary: Vocabulary) -> list[str]:
    """Split a German compound from its head backwards: 'schulleitungvorname' →
    ['schulleitung', 'vorname']; an unknown rest stays one word."""
    for start in (0, *range(_MIN_PART, len(token) - _MIN_PART + 1)):
        word = token[start:]
        if not vocabulary.known(word):
            continue
        if start == 0:
            return [word]
        rest = compound_words(token[:start], vocabulary)
        if len(word) > _MIN_PART or all(vocabulary.known(w) for w in rest):
            return [*rest, word]  # a three-letter head only after known words: plz|ort
    return [token] if token else []


def leaf(header: str) -> str:
    """The last part of a path header from a CMS or JSON export: 'Hotel Adresse/Postal Code
    and City/Postal Code' → 'Postal Code'. 'PLZ/Ort' is no path: it names two fields."""
    parts = [p.strip() for p in header.split("/")]
    if len(parts) > 2 or (len(parts) == 2 and all(" " in p for p in parts)
                          and parts[-1][:1].isupper()):  # not 'der Ärztin/des Arztes'
        return parts[-1]
    return header


_OF = frozenset({"der", "des", "dem", "den", "of", "for", "fuer"})
"""Words that start what a header's head is of: 'PLZ des Angebotsorts', 'Website der
Arztpraxis, falls vorhanden' are a postcode and a website."""


def _head_tokens(tokens: list[str], vocabulary: Vocabulary) -> list[str]:
    """The tokens before 'der/des/of…' when they name a field; 'Name der Einrichtung' keeps
    its whole (a name word alone says nothing: the organisation after it does)."""
    cut = next((i for i, t in enumerate(tokens) if t in _OF), None)
    if not cut:
        return tokens
    head = tokens[:cut]
    named = [w for t in head for w in compound_words(t, vocabulary) if w in vocabulary.fields]
    return head if named else tokens


def _read_words(header: str, vocabulary: Vocabulary) -> tuple[list[str], set[str], set[str]]:
    """(words, their classes, the fields they name) of a header."""
    tokens = _head_tokens(header_tokens(leaf(header), vocabulary), vocabulary)
    words = [w for t in tokens if not t.isdigit() for w in compound_words(t, vocabulary)]
    classes = {vocabulary.classes[w] for w in words if w in vocabulary.classes}
    fields = {vocabulary.fields[w] for w in words if w in vocabulary.fields}
    return words, classes, fields


def _declines(classes: set[str], fields: set[str]) -> bool:
    if classes & {"short", "unrelated"}:
        return True
    coded_person_field = "person" in classes and bool(fields) and fields <= PERSON_FIELDS
    # 'Schulnummer', 'company_number' are ids; not 'Telefon Nr.', 'headmaster_salutation_key'
    return "identifier" in classes and not fields & NUMBER_FIELDS and not coded_person_field


def declines(header: str, vocabulary: Vocabulary) -> bool:
    """True for a header that says its column is about something else: a short name, an id,
    another subject's place ('Kurzname', 'Schulnummer', 'Geburtsort', 'Bezirk'). The values
    of such a column must not map it to a lead field either."""
    _, classes, fields = _read_words(header, vocabulary)
    return _declines(classes, fields)


def names_something(header: str, vocabulary: Vocabulary) -> bool:
    """True for 'venue_name', 'bib_name', 'Hotel Name': the name of a thing the header does
    not say, so the values must (see the contextual `Name`)."""
    words, classes, fields = _read_words(header, vocabulary)
    unknown = [w for w in words if not vocabulary.known(w)]
    return classes == {"name"} and not fields and len(unknown) == 1


def read_header(header: str, vocabulary: Vocabulary) -> str | None:
    """The field a compound header names, or None when its words do not say one.

    Words it does not know are allowed beside the ones it does ('Telefon privat'), but only
    one: 'Abschlüsse vor Ort' is about degrees, not a place.
    """
    words, classes, fields = _read_words(header, vocabulary)
    if sum(not vocabulary.known(w) for w in words) > 1 or _declines(classes, fields):
        return None
    if "area_code" in classes or fields & {"phone_area_code", "fax_area_code"}:
        return "fax_area_code" if "fax" in fields else "phone_area_code"
    if {"postcode", "city"} <= fields:
        return "postcode_city"
    if "house_number" in fields and fields & {"street", "street_full"}:
        return "street_full"
    if "person" in classes or "full_name" in fields:
        other = fields - {"full_name"}
        if not other:
            return "full_name"
        return other.pop() if len(other) == 1 and other <= PERSON_FIELDS else None
    if "organisation" in classes and not fields - {"company"}:
        # 'Schule', 'Hochschulname', 'Name der Einrichtung'; not 'school_type_keys'
        unknown = [w for w in words if not vocabulary.known(w)]
        return "company" if "name" in classes or not unknown else None
    return fields.pop() if len(fields) == 1 else None
