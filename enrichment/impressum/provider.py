"""A provider without a legal form on the page: the lines that name it, the evidence that a
line names a person, and whether the person trades (an Einzelunternehmen). The reading of
the lines themselves is `sole_trader.py`."""

from __future__ import annotations

import re

from enrichment.impressum import fields as f
from enrichment.impressum.addresses import Address
from enrichment.impressum.config import impressum_config
from enrichment.impressum.contract import ImpressumData
from enrichment.impressum.fields import first_names
from enrichment.impressum.names import PAGE_WORDS
from enrichment.impressum.page import Page, domain_label, legal_text_heading
from enrichment.impressum.segments import COMPANY, MARKER
from enrichment.impressum.sole_trader import PersonEvidence, SoleTrader
from enrichment.text import fold

_SECTION_WORDS = re.compile(r"^\W*(?:Impressum\w*|Imprint|Angaben\b|Rechtliche[s]?\b|"
                            r"Rechtliche Hinweise|AGB|Allgemeine Geschäftsbedingungen|Kontakt\w*|"
                            r"Contact|Über uns|About|Anbieter\w*|Betreiber\w*|Adresse|Anschrift|"
                            r"Home|Startseite|Anfahrt|Öffnungszeiten|Sprechzeiten|Team|"
                            r"Leistungen|Wegbeschreibung|Kontaktformular|Erstinformation|"
                            r"Initial Information)",
                            re.I)
"""Headings that name a section of the page, not the provider."""
_TRADE_NOTE = re.compile(r"\s*\((?=[^)]*(?:Einzelunternehm|Kleingewerbe|Kleinunternehm|Inh\.|"
                         r"Inhaber|freiberuflich|Gewerbe))[^)]*(?:\)|$)")
"""`TruffleCraft (Einzelunternehmen / Kleingewerbe)`: a note on the form, not the name."""
_PEOPLE_LABELS = frozenset({"L_MD", "L_RESP", "L_PARTNER"})


def provider_lines(p: Page, addresses: list[Address]) -> list[tuple[int, str]]:
    """The lines that name a provider without a legal form: the value of a name label
    (`Anbieterin: …`), else the lines above the first address, back to a heading, the § 5
    marker or a blank label line, at most four."""
    addr = next((a for a in addresses if a.street), None) or (addresses[0] if addresses
                                                              else None)
    for seg in p.segments:
        if seg.label == "L_NAME" and seg.role == COMPANY and not p.in_legal_text(seg.line):
            value = seg.text.strip(" :|-–")
            if ":" in value[:30]:  # "Name der Praxis: Träuble": the label's own words first
                value = value.split(":", 1)[1].strip()
            value = _TRADE_NOTE.sub("", value).strip()
            if value and not f.POSTCODE_CITY.search(value) and not f.looks_like_street(value):
                lines = [(seg.line, value)]
                end = addr.line if addr is not None and addr.line > seg.line else seg.line + 1
                for k in range(seg.line + 1, min(end, seg.line + 3)):
                    text = p.lines[k].text.strip()
                    if p.lines[k].heading or f.looks_like_street(text) or p.marks[k]:
                        break
                    lines.append((k, _TRADE_NOTE.sub("", text).strip()))
                return lines
    if addr is None:  # no postal address given: the lines under the § 5 marker
        marker = next((i for i, ln in enumerate(p.lines) if MARKER.search(ln.text)), None)
        lines = []
        for k in range(marker + 1, len(p.lines)) if marker is not None else ():
            text = p.lines[k].text.strip()
            if p.lines[k].heading or p.marks[k] or ":" in text or len(lines) == 2:
                break
            lines.append((k, text))
        return lines
    text = p.lines[addr.line].text
    at = text.find(addr.street) if addr.street else -1
    if at > 0:  # "Name, Straße 1, 12345 Ort" on one line
        parts = [x.strip() for x in re.split(r"[,|;]", text[:at]) if x.strip()]
        return [(addr.line, parts[-1].split(":")[-1].strip())] if parts else []
    last = addr.line - 1 if addr.street and at < 0 else addr.line
    lines = []
    for k in range(last - 1, max(last - 5, -1), -1):
        ln = p.lines[k]
        value = ln.text.split(":")[-1].strip() if ":" in ln.text[:40] else ln.text.strip()
        whole_label = any(m.start == 0 and m.end >= len(ln.text.rstrip(" :")) - 1
                          for m in p.marks[k])
        people = [m.start for m in p.marks[k] if m.label in _PEOPLE_LABELS]
        if people and min(people) == 0:
            continue  # "1. Vorsitzender: Peter Nögel" names a representative, not the provider
        if people:  # "KI Junker-Latocha, Inhaber Brian Junker-Latocha": the name before
            value = ln.text[:min(people)].strip(" ,;–-")
        if MARKER.search(ln.text) or PAGE_WORDS.match(ln.text) or whole_label \
                or (ln.heading and (_SECTION_WORDS.match(value)
                                    or legal_text_heading().match(value))):
            break
        if len(value) > 80:
            continue  # "Verlegung von Fliesen, Platten und Mosaik …": the trade described
        value = _TRADE_NOTE.sub("", value).strip()
        if value:
            lines.insert(0, (k, value))
        if ln.heading:
            break  # a heading above the address names the provider and ends the block
    return without_hosts(lines)


def without_hosts(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The provider's lines without a c/o host: `c/o` alone on a line names the host on the
    next (`Jannik Sörensen / c/o / Werkhof Nord eG / Speicherstraße 20`)."""
    out = []
    skip = False
    for line, text in lines:
        host = bool(re.search(r"\bc/o\s*$", text, re.I))
        if not skip and not host:
            out.append((line, text))
        skip = host
    return out


def person_evidence(emails: list[str], hosts: list[str], people: list[str]) -> PersonEvidence:
    generic = {fold(w) for w in impressum_config().not_name_words}
    words = {fold(w) for text in [*emails, *hosts] for w in re.split(r"[.\-_@]", text)
             if len(w) >= 3} - generic
    names = {re.sub(r"[^a-z0-9]", "", fold(d)) for d in
             (domain_label(h) for h in [*hosts, *(e.split("@")[-1] for e in emails)]) if d}
    return PersonEvidence(first_names(), frozenset(fold(n) for n in people), frozenset(words),
                          frozenset(names))

_BUSINESS_FACTS = re.compile(r"Steuernummer|Steuer-Nr|\bUSt\b|\bUSt-|Umsatzsteuer|\bVAT\b|"
                             r"Berufsbezeichnung|Kammer|Inhaber|Gewerbe|Berufshaftpflicht|"
                             r"Aufsichtsbehörde|Einzelunternehme|Kleinunternehme|§\s*19\s*UStG",
                             re.I)


def clean_name(text: str) -> str:
    return " ".join(f.TITLES.sub(" ", text).split()).casefold()

_NOT_A_TRADER = re.compile(r"Verein\b|Verband|Club|Klub|Körperschaft|Gemeinde|Stadt\b|Schule|"
                           r"Universität|Hochschule|Kirche|Pfarr|Behörde|Ministerium|Feuerwehr",
                           re.I)

_CLUB_FACTS = re.compile(r"\bZVR\b|Vereinsregister|\bVerein\b|\bObmann|\bObfrau|\bVorstand|"
                         r"Landsmannschaft|Burschenschaft|Studentenverbindung|\bCorps\b",
                         re.I)


def in_business(p: Page, data: ImpressumData, sole: SoleTrader, owner: str) -> bool:
    """Whether a natural person provider trades (an Einzelunternehmen) rather than publishes
    privately or for an association: a trading name beside the owner, or tax, chamber or
    profession facts, and nothing that names a club or a public body."""
    own = [ln.text for i, ln in enumerate(p.lines) if not p.in_legal_text(i)]
    registered_entity = (data.register_number or "").startswith(("HRB", "VR", "GnR", "PR", "FN",
                                                                  "ZVR"))
    if _NOT_A_TRADER.search(data.company_name or "") or registered_entity \
            or any(_CLUB_FACTS.search(text) for text in own):
        return False  # HRA holds merchants (e.K.) too, a Swiss UID every business
    if data.company_name and clean_name(data.company_name) != owner.casefold():
        return True
    return data.vat_id is not None or any(_BUSINESS_FACTS.search(text) for text in own)
