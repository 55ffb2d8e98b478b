"""Postal addresses: street and house number, postcode check, city, country as ISO code.

German house numbers come in many shapes (`12a`, `3-5`, `12 a`, `7/1`), and some streets
contain numbers themselves (`Straße des 17. Juni 135`), so the number is the last
number-shaped token, not the first digit. `match_street` folds spelling variants
("Hauptstr.", "Hauptstraße", "Haupt-Straße") to one key for matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from enrichment.config import address_config, country_config
from enrichment.text import clean_value, fold

_HOUSE = re.compile(
    r"^(?P<street>.*?\S)[\s,]+(?P<number>\d{1,5}\s?[a-zA-Z]?(?:\s?(?:[-/–+]|u\.)\s?\d{1,5}\s?[a-zA-Z]?)*)$"
)
"""The house number is the last number-shaped token: `12a`, `3-5`, Austrian `6/1/242`."""
_GLUED_NUMBER = re.compile(r"(?<=[A-Za-zäöüß]\.)(?=\d)")
"""`Ernst-Barlach-Str.3`: the number glued to the abbreviated street."""
_POBOX = re.compile(r"^(?:Postfach|Postf\.|PF|P\.?O\.? Box)\s*(?P<number>[\d\s]+)$", re.IGNORECASE)
_LINE = re.compile(
    r"^(?:(?P<street>.+?)(?:\s*,\s*|(?<=\d|[a-z])\s+(?=(?:[A-Z]{1,2}\s*-\s*)?\d{4,5}\s)))?"
    r"(?:(?P<cc>[A-Z]{1,2})\s*-\s*)?(?P<postcode>\d{4,5})(?:\s*,)?\s+(?P<city>[^,\d][^,]*?)"
    r"(?:\s*,\s*(?P<country>[^,]+))?$"
)
"""A whole line: street (a comma or, after the house number, a space before the postcode),
`D-`/`A-` prefix, postcode, city, country. A line of postcode and city alone has no street."""
_SEPARATOR = re.compile(r"\s+[.·•|]\s+|\s*[·•|]\s*")
"""`Musterweg 3 . 12345 Berlin`, `Hauptstr. 1 · 80331 München`: separators that stand for a
comma between address parts."""
_TRAILING_STOP = re.compile(r"(?<=[a-zäöüß]{3})\.$")
"""A full stop after a whole word ends the sentence (`… 80331 München.`); `a.M.` keeps its."""
_ADDITION = re.compile(
    r"^(?:c/o|z\.\s?Hd\.?|zu Händen|Gebäude|Haus\s\w$|Eingang|Etage|\d+\.\s?(?:OG|Stock|Etage))\b",
    re.IGNORECASE)
"""Parts of a street line that are no street: c/o, for the attention of, building, floor."""


@dataclass(frozen=True)
class AddressResult:
    input: str | None
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None
    match_street: str | None = None
    po_box: bool = False
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"input": self.input, "street": self.street, "house_number": self.house_number,
                "postcode": self.postcode, "city": self.city, "country": self.country,
                "match_street": self.match_street, "reasons": list(self.reasons)}


@lru_cache(maxsize=1)
def _suffixes() -> tuple[tuple[re.Pattern[str], str], ...]:
    cfg = address_config().value
    return tuple((re.compile(rf"(?<=\w)\s?{re.escape(fold(k))}$|^{re.escape(fold(k))}$"), v)
                 for k, v in sorted(cfg.street_suffixes.items(), key=lambda kv: -len(kv[0])))


@lru_cache(maxsize=65536)
def country_code(value: str | None) -> str | None:
    """ISO 3166 alpha-2 code from a name or code in German or English; None if unknown."""
    if not value or not value.strip():
        return None
    return address_config().value.countries.get(fold(value))


_PREPOSITIONS = frozenset({"am", "an", "im", "in", "auf", "zum", "zur", "des", "der", "die",
                           "vor", "hinter", "alte", "alter", "neue", "neuer", "grosse", "kleine"})


@lru_cache(maxsize=65536)
def match_street(street: str) -> str:
    """'Hauptstr.' / 'Hauptstraße' / 'Haupt-Straße' -> 'hauptstrasse'."""
    key = fold(street)
    if not key:
        return key
    words = key.split()
    last = words[-1]
    for pattern, canonical in _suffixes():
        if pattern.search(last):
            words[-1] = pattern.sub(canonical, last)
            if len(words) == 2 and words[0] not in _PREPOSITIONS:
                return "".join(words)  # "Berliner Str." and "Berlinerstraße" are one key
            return " ".join(words)
    return key


@lru_cache(maxsize=65536)
def split_street(value: str) -> tuple[str | None, str | None, bool, str | None]:
    """(street, house number, is PO box, reason) from a street line."""
    text = _GLUED_NUMBER.sub(" ", " ".join(value.split()).strip(" ,"))
    if not text:
        return None, None, False, "empty"
    box = _POBOX.match(text)
    if box:
        return f"Postfach {box.group('number').replace(' ', '')}", None, True, None
    m = _HOUSE.match(text)
    if m:
        number = re.sub(r"\s*([-/–])\s*", r"\1", m.group("number")).replace("–", "-")
        number = re.sub(r"(\d)\s([a-zA-Z])$", r"\1\2", number).lower()
        return m.group("street").strip(" ,"), number, False, None
    return text, None, False, "house_number_missing"


def _city_and_country(city: str) -> tuple[str, str | None]:
    """`Hamburg/Germany`, `Wien - Österreich` → (city, country word)."""
    m = re.fullmatch(r"(.+?)\s*(?:/|\s-\s|\s)\s*([A-Za-zÄÖÜäöü]+)", city)
    if m and country_code(m.group(2)) is not None and len(m.group(2)) > 2:
        return m.group(1), m.group(2)
    return city, None


def _street_part(text: str) -> tuple[str, str | None]:
    """(street, addition) of `c/o Firma X, Bahnhofstr. 5` or `Bahnhofstr. 5, 2. OG`: the part
    with the house number is the street; a c/o, floor or building part is an addition."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    additions = [p for p in parts if _ADDITION.match(p)]
    if not additions or len(additions) == len(parts):
        return text, None
    return ", ".join(p for p in parts if p not in additions), ", ".join(additions)


_DECIMAL = re.compile(r"^(\d+)[.,]0+$")


@lru_cache(maxsize=65536)
def normalise_postcode(postcode: str, country: str | None) -> tuple[str, bool]:
    """(postcode, padded): spaces and a spreadsheet's `.0` dropped; a 4-digit postcode padded
    to five digits in a country whose lists lose the leading zero (DE: `1067` -> `01067`).

    The caller decides the country first (column, else `enrichment.country.infer_country`),
    so an Austrian or Swiss 4-digit postcode is never padded.
    """
    text = postcode.replace(" ", "")
    decimal = _DECIMAL.match(text)
    if decimal:
        text = decimal.group(1)
    lost_zero = country_config().value.lost_leading_zero
    if (country or "DE") in lost_zero and re.fullmatch(r"[1-9]\d{3}", text):
        return "0" + text, True
    return text, False


@lru_cache(maxsize=65536)
def check_postcode(postcode: str | None, country: str | None) -> list[str]:
    """Reasons for a postcode that does not fit its country (5 digits in DE, 4 in AT/CH)."""
    if not postcode:
        return []
    digits = address_config().value.postcode_digits.get(country or "DE")
    if digits is None:
        return []
    if not re.fullmatch(rf"\d{{{digits}}}", postcode):
        return [f"postcode_invalid: {country or 'DE'} needs {digits} digits"]
    return []


@lru_cache(maxsize=65536)
def enrich_address(
    street_full: str | None = None,
    *,
    street: str | None = None,
    house_number: str | None = None,
    postcode: str | None = None,
    city: str | None = None,
    country: str | None = None,
    default_country: str | None = "DE",
) -> AddressResult:
    """Combine the address fields a record has; `street_full` may be a whole line.

    Cached: the contacts of one company share its address.
    """
    given = street_full if street_full is not None else street
    values = [clean_value(x) for x in (street_full, street, house_number, postcode, city,
                                       country)]
    if all(v is None for v in values):
        any_empty = any(x is not None for x in (street_full, street, postcode, city))
        return AddressResult(input=given, country=country_code(default_country),
                             reasons=["empty" if any_empty else "missing"])
    full, out_street, out_number, out_post, out_city, raw_country = values
    reasons: list[str] = []
    line_country = None
    po_box = False
    if full:
        full = _TRAILING_STOP.sub("", _SEPARATOR.sub(", ", full).strip(" ,;"))
        line = _LINE.match(full)
        if line:
            full = line.group("street")
            out_post = out_post or line.group("postcode")
            city, glued = _city_and_country(line.group("city").strip())
            out_city = out_city or city
            line_country = line.group("country") or glued or line.group("cc")
        if full and "," in full:
            full, addition = _street_part(full)
            if addition:
                reasons.append(f"address_addition_dropped: {addition}")
        if full:
            s, n, po_box, reason = split_street(full)
            out_street = out_street or s
            out_number = out_number or n
            if reason and not out_number:
                reasons.append(reason)
    elif out_street and not out_number:
        out_street, out_number, po_box, reason = split_street(out_street)
        if reason:
            reasons.append(reason)
    iso = None
    for candidate in (raw_country, line_country):
        if candidate:
            iso = country_code(candidate)
            if iso is None:
                reasons.append(f"country_unknown: {candidate}")
            break
    if iso is None:
        iso = country_code(default_country)
    if out_post:
        out_post, padded = normalise_postcode(out_post, iso)
        if padded:
            reasons.append("postcode_padded")
        reasons += check_postcode(out_post, iso)
    return AddressResult(
        input=given, street=out_street, house_number=out_number, postcode=out_post,
        city=out_city, country=iso, match_street=match_street(out_street) if out_street else None,
        po_box=po_box, reasons=reasons,
    )


class AddressKey(NamedTuple):
    """What matching compares of an address (`address_key`)."""

    street: str | None
    house_number: str | None
    postcode: str | None
    city: str | None
    country: str | None
    match_street: str | None
    po_box: bool


def address_key(street_full: str | None, street: str | None, house_number: str | None,
                postcode: str | None, city: str | None, country: str | None,
                default_country: str | None = "DE") -> AddressKey:
    """`enrich_address`'s values without its reasons and result object, for matching.

    A list with street and house number in their own columns (nearly every one) combines
    parts that each repeat — some thousand streets, postcodes and cities — into addresses
    that mostly do not, so each part is read once (the cached functions `enrich_address`
    calls) instead of each address. A whole address line goes through `enrich_address`."""
    if street_full is not None:
        a = enrich_address(street_full, street=street, house_number=house_number,
                           postcode=postcode, city=city, country=country,
                           default_country=default_country)
        return AddressKey(a.street, a.house_number, a.postcode, a.city, a.country,
                          a.match_street, a.po_box)
    out_street, out_number, out_post, out_city, raw_country = (
        clean_value(street), clean_value(house_number), clean_value(postcode),
        clean_value(city), clean_value(country))
    po_box = False
    if out_street and not out_number:
        out_street, out_number, po_box, _ = split_street(out_street)
    iso = (country_code(raw_country) if raw_country else None) or country_code(default_country)
    if out_post:
        out_post = normalise_postcode(out_post, iso)[0]
    return AddressKey(out_street, out_number, out_post, out_city, iso,
                      match_street(out_street) if out_street else None, po_box)
