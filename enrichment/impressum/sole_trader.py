"""A provider without a legal form: a natural person, often beside a trading name.

An Impressum of a sole trader names the person and the business in a few lines above the
address, in either order: `Rezan Yilmaz / Autoreinigung Yilmaz`, `Kübler Gerüstbau / Peter
Kübler`, `Praxis am Markt – Dr. Anna Klein`, or the person alone (`Bernd Fischer`). These
functions read those lines; they are pure, so the rules can be tested on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from enrichment.impressum.fields import TITLES, clean_person
from enrichment.person import profession_words
from enrichment.text import fold

_JOINED = re.compile(r"\s+[–—-]\s+|\s*,\s+|\s+\|\s+")
"""`Praxis am Markt – Dr. Anna Klein`: a business and its owner on one line."""
_CARE_OF = re.compile(r"\s*\bc/o\b.*$", re.I)
_PLAIN_NOUN = re.compile(r"[A-ZÄÖÜ][a-zäöüß]+")
"""One plain word (`Steingestaltung`), not a coined name (`ML-Design`, `HairDesign`)."""
_CONNECTOR = re.compile(r"\s(?:&|\+|und|and|für|for)\s", re.I)


@dataclass(frozen=True)
class SoleTrader:
    company_name: str | None
    owner: str | None


@lru_cache(maxsize=1)
def _profession() -> re.Pattern[str]:
    """A profession before a name (`Malermeister Frank Ostermann`, `Rechtsanwalt Jörn
    Buhlke`): the line is a trading name that contains its owner, not the owner."""
    return re.compile(rf"^(?:{profession_words()}|[A-ZÄÖÜ]\w*meister(?:in)?)\s", re.I)


@dataclass(frozen=True)
class PersonEvidence:
    """What else on the page says a line names a person or a trading name is the site's."""

    first_names: frozenset[str]
    people: frozenset[str]
    """Folded names the page gives as people elsewhere (responsible for content, owner)."""
    site_words: frozenset[str] = frozenset()
    """Folded parts of the page's e-mail addresses and host names (`anna.klein@klein-bau.de`
    → anna, klein, bau) that are no generic word of a trade (`fotografie`)."""
    site_names: frozenset[str] = frozenset()
    """The site's and mail domains' names, letters only (`haiyenhairdesign`): a line that
    spells one is the trading name."""


@dataclass(frozen=True)
class _Reading:
    name: str
    evidence: bool
    trade: bool = False
    """The line is a trading name as well (`Rechtsanwältin Dörte Kaltenbach`)."""


def _person(text: str, evidence: PersonEvidence) -> _Reading | None:
    """The person `text` names, and whether the page confirms it: a known first name, the
    same name elsewhere on the page, or a part of the name in an e-mail or host name."""
    if _spells_site(text, evidence):
        return None
    profession = _profession().match(text.strip())
    name = clean_person(TITLES.sub(" ", text))
    if name is None:
        return None
    if profession:  # "Zahnärztin Dewy Sugioarto": a person, and the line may be the trade's
        return _Reading(name, True, trade=True)
    tokens = name.split()
    first = next((k for k, t in enumerate(tokens) if t in evidence.first_names), 0)
    if 0 < first < len(tokens) - 1:
        return None  # "Hundephysiotherapie Michelle Reibke": a trading name with its owner
    confirmed = (tokens[0] in evidence.first_names or fold(name) in evidence.people
                 or fold(tokens[-1]) in evidence.site_words or bool(TITLES.match(text.strip())))
    return _Reading(name, confirmed)


def _spells_site(text: str, evidence: PersonEvidence) -> bool:
    letters = re.sub(r"[^a-z0-9]", "", fold(text))
    return len(letters) >= 6 and letters in evidence.site_names


def read_sole_trader(lines: list[str], evidence: PersonEvidence) -> SoleTrader:
    """Trading name and owner from the provider's lines above the address (page order).

    The owner is the first person the page confirms, else, with two or more lines, the first
    line shaped like a name (an Impressum names the provider first). The trading name is the
    first other line that reads as one; a description (`Fotografie & Bildbearbeitung`) that
    shares no word with the site is none. Without a trading name the owner is the name."""
    lines = [t for t in (_CARE_OF.sub("", ln).strip(" ,") for ln in lines) if t]
    people: list[_Reading] = []
    trades: list[str] = []
    professional: set[str] = set()
    for line in lines:
        parts = _JOINED.split(line, maxsplit=1)
        person = _person(line, evidence)
        if person is None and _profession().match(line):
            continue  # "Rechtsanwältin und Fachanwältin für Arbeitsrecht": the owner's trade
        if len(parts) == 2 and person is None:
            business, named = parts
            joined_person = _person(named, evidence)
            if joined_person is not None and _person(business, evidence) is None:
                people.append(_Reading(joined_person.name, True))
                trades.append(business.strip())
                continue
        if person is not None:
            people.append(person)
            if person.trade:
                professional.add(line)
        trades.append(line)
    owner = next((r.name for r in people if r.evidence), None)
    if owner is None and len(lines) >= 2 and people:
        owner = people[0].name
    plain = [t for t in trades if t not in professional]
    trade = next((t for t in plain if clean_person(TITLES.sub(" ", t)) != owner
                  and _reads_as_trade(t, owner, evidence)), None) or next(
        iter(t for t in trades if t in professional), None)
    if owner is None and trade is None and lines:
        trade = lines[0]
    if owner is None and trade is not None:
        owner = _named_in_trade(trade, evidence)
    return SoleTrader(trade or owner, owner)


def _reads_as_trade(text: str, owner: str | None, evidence: PersonEvidence) -> bool:
    """A trading name, not a description of the trade (`Fotografie & Bildbearbeitung`,
    `Steingestaltung`): one word alone or words joined by `&`/`und`/`für` describe, unless a
    word of it is the site's or the owner's surname."""
    words = {fold(w) for w in re.findall(r"[\wäöüß]{3,}", text)}
    surname = fold(owner.split()[-1]) if owner else None
    named = bool(words & evidence.site_words) or (surname is not None and surname in words)
    if _PLAIN_NOUN.fullmatch(text) and owner is not None:
        return named or _spells_site(text, evidence)
    if not _CONNECTOR.search(f" {text} "):
        return True
    return named


def _named_in_trade(line: str, evidence: PersonEvidence) -> str | None:
    """`Malermeister Frank Ostermann`, `Rechtsanwalt Jörn Buhlke`: a known first name and a
    capitalised surname inside a trading name."""
    tokens = TITLES.sub(" ", line).replace(",", " ").split()
    for k, token in enumerate(tokens[:-1]):
        if token in evidence.first_names and tokens[k + 1][:1].isupper():
            return clean_person(" ".join(tokens[k:k + 2]))
    return None


def owner_in_trade(name: str, first_names: frozenset[str]) -> str | None:
    """The owner named in a trading name with a one-person legal form (`Malermeister Frank
    Ostermann e.K.`)."""
    return _named_in_trade(name, PersonEvidence(first_names, frozenset()))
