"""Addresses in the provider's text (street, postcode, city) and the country they point to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from enrichment.impressum import fields as f
from enrichment.impressum.config import impressum_config
from enrichment.impressum.contract import ImpressumData
from enrichment.impressum.page import Page
from enrichment.impressum.segments import COMPANY

_CITY_WITH_PAREN = re.compile(r"^([A-ZÄÖÜ][\wäöüß.\- ]{1,30}?\s?\([A-ZÄÖÜ][\wäöüß.\-/ ]{1,25}\))")

_CITY_END = re.compile(r"[,;|·•(\n]|\s{2,}|(?<![A-Z][a-z])(?<!\s[a-z])\.\s|\s[-–]\s")


@dataclass
class Address:
    line: int
    street: str | None
    postcode: str
    city: str
    prefix: str | None


def find_addresses(p: Page) -> list[Address]:
    cfg = impressum_config()
    country_words = {w.lower() for ws in cfg.country_words.values() for w in ws}
    found = []
    for i, ln in enumerate(p.lines):
        for m in f.POSTCODE_CITY.finditer(ln.text):
            if p.role_at(i, m.start(2)) != COMPANY:
                continue
            before = ln.text[:m.start()].rstrip(" ,;|·•-–")
            if re.search(r"©|\(c\)|copyright", before, re.I):
                continue  # "© AI School 2024 Impressum": a year, not a postcode
            if re.search(r"(©|\(c\)|copyright|seit|since|gegründet|founded|§|Abs\."
                         r"|HR[AB]|VR|GnR|PR|FN|Nr\.?|No\.?|Nummer|number)\s*[.:]?$", before, re.I):
                continue
            next_mark = min((mk.start for mk in p.marks[i] if mk.start > m.start(3)),
                            default=len(ln.text))
            city = ln.text[m.start(3):next_mark]
            official = _CITY_WITH_PAREN.match(city)  # "Halle (Saale)", "Kempten (Allgäu)"
            if official and _ADDRESS_NOTE.search(official.group(1)):
                city = _ADDRESS_NOTE.sub("", official.group(1))  # "Aachen (Hausanschrift)"
            elif official:
                city = official.group(1)
            else:
                city = _CITY_END.split(city)[0].strip(" .")
            words = city.split()
            while words and (words[-1].lower() in country_words or words[-1] in ("Tel", "Tel.")):
                words.pop()
            city = " ".join(words[:4])
            if not city:
                continue
            before = _GLUED_NUMBER.sub(" ", before)  # "Schwarzenbergplatz,6"
            parts = [x.strip() for x in re.split(r"[,|;:\n]|\s[-–·•]\s", before) if x.strip()]
            street = _street_in(parts)
            if street is None and all(_ADDRESS_LABEL.match(x) for x in parts):
                # the street on a line above, past label-only lines ("Straße: …", "PLZ/Ort:")
                for back in range(i - 1, max(i - 4, -1), -1):
                    if p.lines[back].heading or f.POSTCODE_CITY.search(p.lines[back].text):
                        break
                    prev = re.split(r"[:|,]", p.lines[back].text.rstrip(" ,;|"))
                    street = _street_in([x.strip() for x in prev if x.strip()])
                    if street:
                        break
            found.append(Address(i, street, m.group(2), city, m.group(1)))
    return found

_ADDRESS_NOTE = re.compile(r"\s*\((?:Haus|Post|Liefer|Besucher|Rechnungs)?anschrift\)|"
                           r"\s*\((?:Germany|Deutschland|Österreich|Austria|Schweiz|"
                           r"Switzerland|Sitz|Hauptsitz|Zentrale|Verwaltung)\)", re.I)

_GLUED_NUMBER = re.compile(r"(?<=[A-Za-zäöüß.]),(?=\d)")

_ADDRESS_LABEL = re.compile(r"^(?:PLZ|Ort|PLZ\s?/\s?Ort|Postleitzahl|Anschrift|Adresse|Address|"
                            r"Sitz|Straße|Strasse)\W*$", re.I)

_ADDRESS_WORD = re.compile(r"^(?:Adresse|Anschrift|Address|Postanschrift|Hausanschrift|Sitz)"
                           r"\s*:?\s+", re.I)

_CARE_OF_TAIL = re.compile(r"\s+c/o\b.*$", re.I)


def _street_in(parts: list[str]) -> str | None:
    """The street among the comma parts before a postcode, last first: `Aeschbachweg 12 c/o
    Tobias Walter` (the c/o goes), `Wilhelm-Leuschner-Strasse 36, im Hinterhof`."""
    for part in reversed(parts):
        part = _ADDRESS_WORD.sub("", _CARE_OF_TAIL.sub("", part))
        if f.looks_like_street(part):
            # "Bürgerstiftung Potsdam Eisenhartstraße 18": the name before the street goes
            return part if len(part.split()) <= 4 else f.street_tail(part) or part
    return f.street_tail(parts[-1]) if parts else None


@lru_cache(maxsize=1)
def _country_words() -> dict[str, re.Pattern[str]]:
    """One compiled pattern per country (the words of impressum.yaml as whole words)."""
    return {code: re.compile(r"\b(?:" + "|".join(re.escape(w.lower()) for w in words) + r")\b")
            for code, words in impressum_config().country_words.items()}


def decide_country(p: Page, addr: Address | None, data: ImpressumData,
                   hosts: list[str]) -> str | None:
    votes: dict[str, float] = {}

    def vote(code: str | None, weight: float) -> None:
        if code and weight > 0:
            votes[code] = votes.get(code, 0) + weight

    if addr is not None:
        vote({"D": "DE", "DE": "DE", "A": "AT", "AT": "AT", "CH": "CH", "FL": "LI", "L": "LU"}
             .get(addr.prefix or ""), 5)
        near = " ".join(ln.text for ln in p.lines[addr.line:addr.line + 2]).lower()
        for code, pattern in _country_words().items():
            if pattern.search(near):
                vote(code, 4)
        if len(addr.postcode) == 5:
            vote("DE", 2)
    if data.vat_id:
        vote({"DE": "DE", "AT": "AT", "CH": "CH"}.get(data.vat_id[:2], data.vat_id[:2]), 2)
    if data.register_number:
        vote("AT" if data.register_number.startswith("FN")
             else "CH" if data.register_number.startswith("CHE") else "DE", 2)
    lang = (p.page.lang or "").lower()
    vote({"de-at": "AT", "de-ch": "CH", "de-de": "DE"}.get(lang), 1)
    for host in hosts:
        vote({"de": "DE", "at": "AT", "ch": "CH", "li": "LI"}.get(host.rsplit(".", 1)[-1]), 0.5)
    text = " ".join(ln.text for ln in p.lines)
    vote("AT", 1.5 * bool(re.search(r"\+43|ECG|E-Commerce[- ]Gesetz|MedienG|Firmenbuch|WKO", text)))
    vote("CH", 1.5 * bool(re.search(r"\+41|Kanton|Handelsregisteramt|MWST|CHE-", text)))
    if addr is None and not votes:
        return None
    if addr is not None and len(addr.postcode) == 4:
        votes.pop("DE", None)
        votes.setdefault("AT", 0.1)
    return max(votes.items(), key=lambda kv: kv[1])[0] if votes else "DE"
