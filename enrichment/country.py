"""The country of a record without a country column: postcode shape, phone prefix, TLD, city.

Real lists often have no country column, and a list from a German vendor may still hold
Austrian and Swiss addresses. Each piece of evidence votes for a country with the weight
from defaults/country.yaml; the highest total wins. A postcode shape several countries share
(4 digits) only narrows the choice, so `1067` alone stays German (Dresden with its leading
zero lost) while `1010` with `+43 1 ...` or `office@firma.at` is Austrian. With no evidence
the configured default (DE) applies. The result says where the country came from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc

from enrichment.config import CountryConfig, country_config
from enrichment.text import fold

_INTERNATIONAL = re.compile(r"^\s*(?:\+|00)\s*(\d[\d\s()/.\-–]*)")
_NON_DIGIT = re.compile(r"\D")
_HOST = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*://)?([^/:?#\s]+)")


@dataclass(frozen=True)
class CountryGuess:
    country: str
    source: str
    """`default`, or `inferred: ` and the evidence that agreed (`postcode+phone+tld`)."""


@dataclass(frozen=True)
class _Compiled:
    default: str
    lost_zero: frozenset[str]
    weights: dict[str, float]
    generic_tlds: frozenset[str]
    postcodes: tuple[tuple[str, re.Pattern[str]], ...]
    prefixes: dict[str, str]
    """calling code → country."""
    prefix_lengths: tuple[int, ...]
    """The calling codes' lengths, longest first: 423 is tried before 42."""
    tlds: dict[str, str]
    cities: dict[str, str]


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    cfg: CountryConfig = country_config().value
    postcodes = tuple((iso, re.compile("|".join(f"(?:{p})" for p in ev.postcode)))
                      for iso, ev in cfg.countries.items())
    prefixes: dict[str, str] = {}
    for iso, ev in cfg.countries.items():
        for p in ev.phone_prefixes:
            prefixes.setdefault(p, iso)  # a code two countries list: the first
    tlds = {t.lower().lstrip("."): iso for iso, ev in cfg.countries.items() for t in ev.tlds}
    cities = {fold(c): iso for iso, ev in cfg.countries.items() for c in ev.cities}
    return _Compiled(cfg.default, frozenset(cfg.lost_leading_zero),
                     cfg.weights.model_dump(), frozenset(cfg.generic_tlds), postcodes,
                     prefixes, tuple(sorted({len(p) for p in prefixes}, reverse=True)), tlds,
                     cities)


@lru_cache(maxsize=65536)
def postcode_countries(postcode: str) -> frozenset[str]:
    """The countries whose postcode shape fits (with a lost leading zero where configured)."""
    comp = _compiled()
    text = postcode.strip().upper()
    found = {iso for iso, pattern in comp.postcodes if pattern.fullmatch(text)}
    if re.fullmatch(r"[1-9]\d{3}", text):
        found |= comp.lost_zero
    return frozenset(found)


def phone_country(phone: str) -> str | None:
    """The country of a number written with `+CC` or `00CC`; None for a national number."""
    if not phone.lstrip(" (").startswith(("+", "00")):
        return None  # the usual national number, without a regular expression
    m = _INTERNATIONAL.match(phone.lstrip(" ("))
    if not m:
        return None
    digits = _NON_DIGIT.sub("", m.group(1))
    comp = _compiled()
    return next((comp.prefixes[digits[:n]] for n in comp.prefix_lengths
                 if digits[:n] in comp.prefixes), None)


def tld_country(domain_or_address: str) -> str | None:
    """The country of a country-code TLD (`firma.at`, `info@firma.ch`, a URL); None if generic
    or unknown."""
    return _host_country(domain_or_address.rsplit("@", 1)[-1])


@lru_cache(maxsize=262144)
def _host_country(text: str) -> str | None:
    """Cached on the part after `@`: an e-mail domain repeats across a company's contacts."""
    host = _HOST.match(text.strip())
    return _tld_country(host.group(1).rstrip(".").lower() if host else "")


def _tld_country(host: str) -> str | None:
    tld = host.rsplit(".", 1)[-1]
    if "." not in host or tld in _compiled().generic_tlds:
        return None
    return _compiled().tlds.get(tld)


def infer_country(
    postcode: str | None = None,
    phones: tuple[str, ...] = (),
    domains: tuple[str, ...] = (),
    city: str | None = None,
) -> CountryGuess:
    """The country the evidence speaks for, and which evidence; else the default."""
    return _guess(postcode, tuple(map(phone_country, phones)), domains, city)


def infer_countries(
    postcodes: Sequence[str | None],
    phones: Sequence[tuple[str, ...]],
    domains: Sequence[tuple[str, ...]],
    cities: Sequence[str | None],
) -> list[CountryGuess]:
    """`infer_country` of many records (one item of each sequence per record): the phone
    prefixes a whole column at a time (`phone_countries`), the rest as `infer_country`."""
    flat = [number for numbers in phones for number in numbers]
    isos = iter(phone_countries(flat))
    return [_guess(postcode, tuple(next(isos) for _ in numbers), hosts, city)
            for postcode, numbers, hosts, city in zip(postcodes, phones, domains, cities,
                                                      strict=True)]


def _guess(postcode: str | None, phone_isos: tuple[str | None, ...], domains: tuple[str, ...],
           city: str | None) -> CountryGuess:
    """The vote over one record's evidence, its numbers' countries already read."""
    return _decide(_postcode_fits(postcode), phone_isos, tuple(map(tld_country, domains)),
                   _city_country(city) if city else None)


def phone_countries(phones: Sequence[str]) -> list[str | None]:
    """`phone_country` of every number, through pyarrow's RE2 a whole column at a time.

    RE2's `\\d` and `\\s` are ASCII only where Python's are Unicode, so a number with any
    other character is read by `phone_country` itself.
    """
    column = pa.array(phones, pa.string())
    text = pc.utf8_ltrim(column, " (")
    international = pc.and_(
        pc.or_(pc.starts_with(text, "+"), pc.starts_with(text, "00")),
        pc.match_substring_regex(text, _INTERNATIONAL.pattern))
    digits = pc.replace_substring_regex(pc.replace_substring_regex(
        text, f"(?s){_INTERNATIONAL.pattern}.*$", r"\1"), "[^0-9]", "")
    comp = _compiled()
    codes = pa.array(list(comp.prefixes), pa.string())
    countries = pa.array(list(comp.prefixes.values()), pa.string())
    found = pc.coalesce(*(pc.take(countries, pc.index_in(
        pc.utf8_slice_codeunits(digits, 0, n), value_set=codes)) for n in comp.prefix_lengths))
    found = pc.if_else(international, found, pa.scalar(None, pa.string()))
    return [iso if plain else phone_country(phone) for phone, plain, iso in zip(
        phones, pc.string_is_ascii(column).to_pylist(), found.to_pylist(), strict=True)]


def _postcode_fits(postcode: str | None) -> frozenset[str]:
    """The countries the postcode's shape allows: none for no postcode."""
    text = postcode.strip() if postcode else None
    return postcode_countries(text) if text else frozenset()


@lru_cache(maxsize=65536)
def _city_country(city: str) -> str | None:
    return _compiled().cities.get(fold(city))


@lru_cache(maxsize=65536)
def _decide(fits: frozenset[str], phone_isos: tuple[str | None, ...],
            tld_isos: tuple[str | None, ...], city_iso: str | None) -> CountryGuess:
    """The vote over the evidence each field gave (`fits`: the countries the postcode's shape
    allows): few combinations recur, so it is cached."""
    comp = _compiled()
    scores: dict[str, float] = {}
    kinds: dict[str, list[str]] = {}

    def vote(iso: str | None, kind: str) -> None:
        if iso is None:
            return
        scores[iso] = scores.get(iso, 0.0) + comp.weights[kind]
        if kind not in kinds.setdefault(iso, []):
            kinds[iso].append(kind)

    if len(fits) == 1:
        vote(next(iter(fits)), "postcode")
    for iso in phone_isos:
        vote(iso, "phone")
    for iso in tld_isos:
        vote(iso, "tld")
    vote(city_iso, "city")
    if fits:
        # The postcode belongs to the address: a country whose postcodes look different is
        # ruled out (a German address with an Austrian mobile number stays German).
        scores = {iso: s for iso, s in scores.items() if iso in fits}
    if len(fits) > 1:
        for iso in fits:
            if iso in scores:
                kinds[iso].insert(0, "postcode")
    if not scores:
        if fits and comp.default not in fits:
            return CountryGuess(sorted(fits)[0], "inferred: postcode")
        return CountryGuess(comp.default, "default")
    best = max(scores.values())
    top = sorted(iso for iso, s in scores.items() if s == best)
    if len(top) > 1:
        if comp.default in top:
            return CountryGuess(comp.default,
                                "inferred: " + "+".join(_ordered(kinds[comp.default])))
        return CountryGuess(comp.default, "default")
    winner = top[0]
    return CountryGuess(winner, "inferred: " + "+".join(_ordered(kinds[winner])))


def _ordered(kinds: list[str]) -> list[str]:
    order = ("postcode", "phone", "tld", "city")
    return sorted(set(kinds), key=order.index)
