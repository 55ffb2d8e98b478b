"""Assemble company data from one page: segments (segments.py) → candidates → choices.

The company is the legal entity whose name stands near the address and the "Angaben gemäß
§ 5" marker, outside third-party and general-partner blocks, preferably agreeing with
schema.org data and the site's domain. Everything else (register, VAT, phones, e-mails,
people) is read only from company-role text. Pure: no I/O beyond the pattern files.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from rapidfuzz import fuzz

from enrichment.company import split_legal_form
from enrichment.config import email_config
from enrichment.impressum import fields as f
from enrichment.impressum.config import impressum_config
from enrichment.impressum.emails import dedupe, find_emails, mailto_address
from enrichment.impressum.evidence import Evidence, EvidenceLog
from enrichment.impressum.html import parse_html
from enrichment.impressum.nlp import build_nlp, legal_form_patterns
from enrichment.impressum.schema_org import organisations
from enrichment.impressum.segments import (
    COMPANY,
    MARKER,
    THIRD_PARTY,
    Line,
    Mark,
    Segment,
    line_marks,
    page_lines,
    segment,
)
from enrichment.impressum.sole_trader import (
    PersonEvidence,
    SoleTrader,
    owner_in_trade,
    read_sole_trader,
)
from enrichment.register import find_court, find_register_number, find_vat
from enrichment.text import fold

CONTRACT_KEYS = ("company_name", "legal_form", "street", "postcode", "city", "country", "phones",
                 "fax", "emails", "managing_directors", "register_court", "register_number",
                 "vat_id", "responsible_persons")
_PROSE_CHARS = 250
_PAGE_WORDS = re.compile(r"^(?:Impressum|Imprint|Legal notice|Site notice|Kontakt|Contact|"
                         r"Anbieterkennzeichnung|Herausgeber|Anschrift|Adresse|Postanschrift|"
                         r"Kontakt-?\s?(?:Adresse|daten|informationen)|Contact details|Address|"
                         r"Hausanschrift|Sitz)\W*$", re.I)
_CITY_WITH_PAREN = re.compile(r"^([A-ZÄÖÜ][\wäöüß.\- ]{1,30}?\s?\([A-ZÄÖÜ][\wäöüß.\-/ ]{1,25}\))")
_CITY_END = re.compile(r"[,;|·•(\n]|\s{2,}|(?<![A-Z][a-z])\.\s|\s[-–]\s")
_FIELD_HINT = re.compile(r"@|\d{4}|\d[\s/-]\d{3}")
_PHONE_LABELS = frozenset({None, "L_PHONE", "L_ADDR", "L_NAME", "L_EMAIL"})
_NAME_CUT = re.compile(r".*(?:[:|;©)]|\s[-–]\s|,\s"
                       r"|(?<!Gebr)(?<!Geschw)(?<!Inh)(?<=[a-zäöüß]{3})\.\s(?=[A-ZÄÖÜ])|\(c\)"
                       r"|Copyright"
                       r"|\b(?:ist|is|sind|are|by|von|durch|c/o)\s+(?:die|der|das|the)?\s*"
                       r"|\b(?:für|for)\s+(?:die|den|das|the)\s+"
                       r"|\b(?:Unternehmen|Marke|Tochter\w*|company|brand|subsidiary)\s+"
                       r"(?:der|des|von|of)\s+(?:the\s+)?)")
_LEADING_ARTICLE = re.compile(r"^\s*(?:der|die|das|des|dem|den)\s+(?=[A-ZÄÖÜ0-9])")
_LEADING_YEAR = re.compile(r"^\s*(?:19|20)\d\d(?:\s*[-–/]\s*(?:19|20)?\d\d)?\s")
"""`© 2024 Firma GmbH`: a year after the copyright sign; a year inside a name stays
(`TSV Zorneding 1920 e.V.`)."""
# "X ist eine Körperschaft des öffentlichen Rechts": the name is the sentence's subject
_DESCRIBED = re.compile(r"^(?:(?:Die|Der|Das|The)\s+)?(.+?)\s+(?:ist|is)\s+(?:eine?|an?)"
                        r"(?:\s+[\w\s-]*)?$")
_PART_OF = re.compile(r"\b(?:Unternehmen|Marke|Tochter\w*|company|brand|subsidiary)\s+"
                      r"(?:der|des|von|of)\b", re.I)
"""`X ist ein Unternehmen der Y GmbH`: Y is the provider, not X."""
_DESCRIPTORS = frozenset({"rechtsfähige", "gemeinnützige", "selbständige", "selbstständige",
                          "öffentlich-rechtliche", "eine", "ein", "a", "an", "registered",
                          "nicht", "rechtsfähiger", "eingetragene", "gemeinnütziger"})


@dataclass
class ImpressumData:
    """What one page says about the company behind it (the `leadpipe extract` contract)."""

    company_name: str | None = None
    legal_form: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None
    phones: list[str] = field(default_factory=list)
    fax: str | None = None
    emails: list[str] = field(default_factory=list)
    managing_directors: list[str] = field(default_factory=list)
    register_court: str | None = None
    register_number: str | None = None
    vat_id: str | None = None
    responsible_persons: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    """Why each value was chosen and what was rejected; filled with `explain=True` only."""

    def to_contract(self) -> dict[str, object]:
        """Exactly the contract keys; null where absent, lists as (copied) lists. The fields are
        strings and lists of strings, so a shallow copy is a deep one (asdict's generic deep
        walk cost 5 % of an extraction)."""
        return {key: _copy(getattr(self, key)) for key in CONTRACT_KEYS}


def _copy(value: object) -> object:
    return list(value) if isinstance(value, list) else value


@dataclass
class _Address:
    line: int
    street: str | None
    postcode: str
    city: str
    prefix: str | None


@lru_cache(maxsize=1)
def _form_words() -> frozenset[str]:
    words = set()
    for row in legal_form_patterns():
        words.update(row["pattern"].split())
    return frozenset(w for w in words if w not in ("&", "+", "und", "u."))


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    from faker.providers.person.de_DE import Provider as De
    from faker.providers.person.en_US import Provider as En

    names = [*De.first_names_male, *De.first_names_female, *En.first_names_male,
             *En.first_names_female, *impressum_config().extra_first_names]
    return frozenset(str(n) for n in names)


def _squash(text: str) -> str:
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", text)


def _domain_label(host: str | None) -> str | None:
    if not host:
        return None
    parts = host.lower().removeprefix("www.").split(".")
    return re.sub(r"[^a-z0-9]", "", parts[-2] if len(parts) >= 2 else parts[0]) or None


def _nlp_text(line: str) -> str:
    """Long prose (disclaimers, privacy text) carries no fields but dominates tokenizer time;
    it is left out when it has no e-mail and no number of four or more digits (postcodes,
    phones, register and VAT numbers all have one)."""
    if len(line) > _PROSE_CHARS and not _FIELD_HINT.search(line):
        return ""
    return line


class _Page:
    """Per-page working state: lines, marks, segments and their roles."""

    def __init__(self, html: str) -> None:
        self.page = parse_html(html)
        self.lines: list[Line] = page_lines(self.page)
        texts = [_nlp_text(ln.text) for ln in self.lines]
        offset = 0
        for ln, text in zip(self.lines, texts, strict=True):
            ln.start = offset  # offsets in the text spaCy sees (prose lines are empty there)
            offset += len(text) + 1
        doc = build_nlp()("\n".join(texts))
        self.marks: list[list[Mark]] = line_marks(doc, self.lines)
        self.legal_text_from = _legal_text_start(self.lines)
        self.segments: list[Segment] = []
        self.by_line: dict[int, list[Segment]] = {}
        self._segment(None)
        if not self._own_address():
            # the provider's block under a heading that reads like a credit ("Inhalt,
            # fachliche & technische Gestaltung:"): the first such section with an address
            # is the provider's own when no other block has one
            own = self._third_party_heading_with_address()
            if own is not None:
                self._segment(own)

    def _segment(self, own_heading: int | None) -> None:
        self.segments = segment(self.lines, self.marks, own_heading)
        self.by_line = {}
        for seg in self.segments:
            self.by_line.setdefault(seg.line, []).append(seg)

    def _own_address(self) -> bool:
        return any(self.role_at(i, m.start(2)) == COMPANY
                   for i, ln in enumerate(self.lines[:self.legal_text_from])
                   for m in f.POSTCODE_CITY.finditer(ln.text))

    def _third_party_heading_with_address(self) -> int | None:
        for i, ln in enumerate(self.lines[:self.legal_text_from]):
            if ln.heading and any(m.label == "TP" for m in self.marks[i]):
                end = next((k for k in range(i + 1, self.legal_text_from)
                            if self.lines[k].heading), self.legal_text_from)
                if any(f.POSTCODE_CITY.search(self.lines[k].text) for k in range(i + 1, end)):
                    return ln.chunk
                return None
        return None

    def in_legal_text(self, line: int) -> bool:
        """Whether `line` is in the legal small print (disclaimer, privacy, credits) that
        follows the Impressum's own block."""
        return line >= self.legal_text_from

    def role_at(self, line: int, pos: int) -> str | None:
        for seg in self.by_line.get(line, []):
            if seg.lstart <= pos < max(seg.end, seg.lstart + 1):
                return seg.role
        return None

    def company_at(self, line: int, pos: int) -> bool:
        """Whether the text at `pos` is the provider's: a company segment, or a heading that
        is no third party's (`<h2>Muster GmbH</h2>` heads the block it names)."""
        if self.lines[line].heading:
            return not any(m.label == "TP" for m in self.marks[line]) and \
                self._section_role(line) == COMPANY
        return self.role_at(line, pos) == COMPANY

    def _section_role(self, line: int) -> str:
        """The role of the first segment after a heading."""
        later = next((k for k in range(line + 1, len(self.lines)) if k in self.by_line), None)
        return self.by_line[later][0].role if later is not None else COMPANY

    def text_of(self, roles: tuple[str, ...]) -> list[tuple[int, str]]:
        """Per line, the text (labels included) of the segments with one of `roles`."""
        out = []
        for line, segs in self.by_line.items():
            parts = [self.lines[line].text[s.lstart:s.end] for s in segs if s.role in roles]
            if parts:
                out.append((line, " ".join(parts)))
        return sorted(out)


@lru_cache(maxsize=1)
def _legal_text_heading() -> re.Pattern[str]:
    words = sorted(impressum_config().legal_text_headings, key=len, reverse=True)
    return re.compile(r"^\W*(?:\d+\.?\s*)?(?:" + "|".join(re.escape(w) for w in words)
                      + r")\b[^.]{0,40}$", re.I)


def _legal_text_start(lines: list[Line]) -> int:
    """The first line (after the first) that heads the legal small print: a heading, or a
    short line alone in its block, that names a disclaimer, privacy or copyright section."""
    pattern = _legal_text_heading()
    for i, ln in enumerate(lines[1:], start=1):
        alone = ln.heading or (len(ln.text) <= 60 and all(
            other.chunk != ln.chunk for other in (lines[i - 1], *lines[i + 1:i + 2])))
        if alone and pattern.match(ln.text.strip()):
            return i
    return len(lines)


def _addresses(p: _Page) -> list[_Address]:
    cfg = impressum_config()
    country_words = {w.lower() for ws in cfg.country_words.values() for w in ws}
    found = []
    for i, ln in enumerate(p.lines):
        for m in f.POSTCODE_CITY.finditer(ln.text):
            if p.role_at(i, m.start(2)) != COMPANY:
                continue
            before = ln.text[:m.start()].rstrip(" ,;|·•-–")
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
            found.append(_Address(i, street, m.group(2), city, m.group(1)))
    return found


_ADDRESS_NOTE = re.compile(r"\s*\((?:Haus|Post|Liefer|Besucher|Rechnungs)?anschrift\)|"
                           r"\s*\((?:Germany|Deutschland|Österreich|Austria|Schweiz|"
                           r"Switzerland|Sitz|Hauptsitz|Zentrale|Verwaltung)\)", re.I)
_SECTION_WORDS = re.compile(r"^\W*(?:Impressum\w*|Imprint|Angaben\b|Rechtliche[s]?\b|"
                            r"Rechtliche Hinweise|AGB|Allgemeine Geschäftsbedingungen|Kontakt\w*|"
                            r"Contact|Über uns|About|Anbieter\w*|Betreiber\w*|Adresse|Anschrift|"
                            r"Home|Startseite)",
                            re.I)
"""Headings that name a section of the page, not the provider."""
_PEOPLE_LABELS = frozenset({"L_MD", "L_RESP", "L_PARTNER"})
_TITLE_NAME = re.compile(r"^(?:Impressum|Imprint|Kontakt)\s*[–—|:-]\s*(.+)$|^(.+?)\s*[–—|-]\s*"
                         r"(?:Impressum|Imprint)$", re.I)
"""`Impressum – Freiwillige Feuerwehr Effeltrich`: the provider named in the page heading."""
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


def _name_candidates(p: _Page) -> list[tuple[int, int, str, str | None]]:
    """(line, position, name, canonical legal form) for legal entities in company text."""
    out = []
    for i, ln in enumerate(p.lines):
        for mk in p.marks[i]:
            if mk.label != "LEGAL_FORM" or not p.company_at(i, mk.start):
                continue
            prefix = ln.text[:mk.start]
            described = None if _PART_OF.search(prefix) else _DESCRIBED.match(prefix.strip())
            label_ends = [m.end for m in p.marks[i]
                          if m.label != "LEGAL_FORM" and m.end <= mk.start]
            if label_ends:
                prefix = prefix[max(label_ends):]
            cut = _NAME_CUT.match(prefix)
            if cut:
                if re.search(r"c/o\s*$", cut.group(0), re.I):
                    continue  # "c/o Verein e.V.": the host of the address, not the provider
                prefix = prefix[cut.end():]
            prefix = _LEADING_ARTICLE.sub("", _LEADING_YEAR.sub("", prefix))
            if re.search(r"c/o\s*$", ln.text[:mk.start - len(prefix)], re.I) or (
                    not ln.text[:mk.start - len(prefix)].strip() and i > 0
                    and p.lines[i - 1].chunk == ln.chunk
                    and re.search(r"\bc/o\s*$", p.lines[i - 1].text, re.I)):
                continue  # "c/o Verein e.V.": the host of the address, not the provider
            tokens = prefix.split()[-8:]
            name = (" ".join(tokens) + " " + ln.text[mk.start:mk.end]).strip(" :|,")
            if described:
                subject = described.group(1).split(":")[-1].strip()
                out.append((i, mk.start, subject, mk.form or None))
                continue
            if tokens and all(t.lower() in _DESCRIPTORS for t in tokens):
                continue  # "Rechtsfähige Stiftung bürgerlichen Rechts" describes, not names
            if not tokens and mk.form not in ("Stiftung", "KdöR", "e.V."):
                continue
            if not tokens:
                name = re.split(r"[,|;]|\s[-–]\s", ln.text[mk.start:])[0].strip()
            out.append((i, mk.start, name, mk.form or None))
    return out


_SENTENCE = re.compile(r"\b(?:ist|sind|wird|werden|wurde|wurden|übernimmt|haftet|bestimmt|"
                       r"eingetragen|is|are|was|were|has|have)\b", re.I)
_NOT_A_NAME_START = re.compile(r"^(?:\\?n?c/o\b|z\.\s?Hd|der\s|die\s|das\s|des\s|dem\s|den\s)",
                               re.I)


_DATE_IN = re.compile(r"\b\d{1,2}\.\s?\d{1,2}\.\s?(?:19|20)?\d{2}\b|\bgeboren\b|\bborn\b", re.I)


def plausible_name(name: str | None) -> bool:
    """Whether `name` can be a provider's name: not a sentence of the small print, not a
    label left open (`Value added tax identification number (`), not a c/o host."""
    if not name:
        return False
    words = name.split()
    return (len(words) <= 12 and not _SENTENCE.search(name)
            and name.count("(") == name.count(")") and not name.endswith((":", ",", "("))
            and not _NOT_A_NAME_START.match(name) and not _DATE_IN.search(name)
            and not (len(words) > 2 and words[-1].islower() and len(words[-1]) <= 4))


def _choose_name(p: _Page, addresses: list[_Address], schema: list[dict[str, object]],
                 domains: list[str], log: EvidenceLog) -> tuple[str | None, str | None, int | None]:
    """The best-scored legal entity in the provider's text: near an address, first after the
    § 5 marker, under a name label, agreeing with schema.org or the site's domain; not in a
    copyright line, inside a sentence or in the small print."""
    candidates = _name_candidates(p)
    marker = next((i for i, ln in enumerate(p.lines) if MARKER.search(ln.text)), None)
    schema_names = [str(o[k]) for o in schema for k in ("legal_name", "name") if o.get(k)]
    scored: list[tuple[float, str, str | None, int, list[str]]] = []
    first_after_marker = True
    for rank, (i, pos, name, form) in enumerate(candidates):
        if not plausible_name(name):
            log.add("company_name", name, False, "not a name (a sentence, an open label or a "
                    "c/o host)", i, p.lines[i].text)
            continue
        after_marker = marker is not None and i >= marker and first_after_marker
        first_after_marker = first_after_marker and not after_marker
        squashed = _squash(name)
        after = p.lines[i].text[pos:].split(None, 2)
        rules = (
            (4, "address below", any(0 <= a.line - i <= 3 for a in addresses)),
            (2, "first after the § 5 marker", after_marker),
            (2, "under a name label", any(s.label == "L_NAME" and s.lstart <= pos
                                          for s in p.by_line.get(i, []))),
            (3, "schema.org name", any(fuzz.token_set_ratio(name, s) >= 90
                                       for s in schema_names)),
            (2, "matches the site's domain", any(
                d and (d in squashed or any(len(t) >= 4 and _squash(t) in d
                                            for t in name.split())) for d in domains)),
            (-3, "copyright line", bool(re.search(r"©|\(c\)|copyright|all rights",
                                                  p.lines[i].text, re.I))),
            (-3, "inside a sentence", len(after) > 1 and after[1][:1].islower()
             and after[1] not in ("&", "und")),
            (-2, "overlong", len(name.split()) > 9),
            (-6, "in the legal small print", p.in_legal_text(i)),
        )
        score = -0.05 * rank + sum(value for value, _, hit in rules if hit)
        why = ([f"legal form {form}"] if form else []) + [
            f"{reason} {value:+g}" for value, reason, hit in rules if hit]
        scored.append((score, name, form, i, why))
    if not scored:
        return None, None, None
    best = max(scored, key=lambda c: c[0])
    for score, name, _form, i, why in scored:
        log.add("company_name", name, name == best[1] and i == best[3],
                f"score {score:.1f}: " + ", ".join(why), i, p.lines[i].text)
    return best[1], best[2], best[3]


def _noted_roles(p: _Page, seg: Segment,
                 forms: frozenset[str]) -> list[tuple[str, list[str]]]:
    """`Daniel Glaser (geschäftsführender Gesellschafter)`: a name with its role in brackets
    after it, read as that role's person (L_MD or L_RESP)."""
    text = p.lines[seg.line].text
    out = []
    for m in p.marks[seg.line]:
        if m.label.endswith("_NOTE") and seg.start <= m.start <= seg.end:
            before = text[seg.start:text.rfind("(", 0, m.start)]
            name = before.split(",")[-1].split(":")[-1]
            out.append((m.label.removesuffix("_NOTE"), f.parse_persons(name, forms)))
    return out


_FORM_LINE = re.compile(r"\b(?:Rechtsform|Legal form|Gesellschaftsform|Unternehmensform)\b"
                        r"\s*:?\s*(.{2,80})", re.I)


def _stated_form(company_text: list[tuple[int, str]]) -> str | None:
    """A legal form the page states in a field (`Rechtsform: Gesellschaft bürgerlichen Rechts
    (GbR)`, `Legal form: rechtsfähige Stiftung`) or in words (`Einzelunternehmen`), when the
    name carries none."""
    for _, text in company_text:
        m = _FORM_LINE.search(text)
        form = split_legal_form(m.group(1))[1] if m else None
        if form is not None:
            return form.canonical
    joined = " ".join(t for _, t in company_text)
    return "Einzelunternehmen" if re.search(r"Einzelunternehme[nr]", joined) else None


def _role_follows(p: _Page, seg: Segment) -> bool:
    """Whether `seg` is a name followed on its line by a representative's role and nothing
    else (`Schuster Hannes, Geschäftsführung`)."""
    text = p.lines[seg.line].text
    return any(m.label == "L_MD" and m.start == seg.end and not text[m.end:].strip(" .:)")
               and seg.text.rstrip().endswith((",", "–", "-", "("))
               for m in p.marks[seg.line])


def _provider_lines(p: _Page, addresses: list[_Address]) -> list[tuple[int, str]]:
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
            if value and not f.POSTCODE_CITY.search(value) and not f.looks_like_street(value):
                lines = [(seg.line, value)]
                end = addr.line if addr is not None and addr.line > seg.line else seg.line + 1
                for k in range(seg.line + 1, min(end, seg.line + 3)):
                    text = p.lines[k].text.strip()
                    if p.lines[k].heading or f.looks_like_street(text) or p.marks[k]:
                        break
                    lines.append((k, text))
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
        if MARKER.search(ln.text) or _PAGE_WORDS.match(ln.text) or whole_label \
                or len(value) > 80 or (ln.heading and (_SECTION_WORDS.match(value)
                                                       or _legal_text_heading().match(value))):
            break
        if value:
            lines.insert(0, (k, value))
        if ln.heading:
            break  # a heading above the address names the provider and ends the block
    return _without_hosts(lines)


def _without_hosts(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
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


def _name_in_heading(p: _Page) -> tuple[str | None, int | None]:
    for i, ln in enumerate(p.lines[:p.legal_text_from]):
        m = _TITLE_NAME.match(ln.text.strip()) if ln.heading or i < 3 else None
        if m and plausible_name(m.group(1) or m.group(2)):
            return (m.group(1) or m.group(2)).strip(), i
    return None, None


def _person_evidence(emails: list[str], hosts: list[str], people: list[str]) -> PersonEvidence:
    generic = {fold(w) for w in impressum_config().not_name_words}
    words = {fold(w) for text in [*emails, *hosts] for w in re.split(r"[.\-_@]", text)
             if len(w) >= 3} - generic
    names = {re.sub(r"[^a-z0-9]", "", fold(d)) for d in
             (_domain_label(h) for h in [*hosts, *(e.split("@")[-1] for e in emails)]) if d}
    return PersonEvidence(_first_names(), frozenset(fold(n) for n in people), frozenset(words),
                          frozenset(names))


@lru_cache(maxsize=1)
def _country_words() -> dict[str, re.Pattern[str]]:
    """One compiled pattern per country (the words of impressum.yaml as whole words)."""
    return {code: re.compile(r"\b(?:" + "|".join(re.escape(w.lower()) for w in words) + r")\b")
            for code, words in impressum_config().country_words.items()}


def _country(p: _Page, addr: _Address | None, data: ImpressumData, hosts: list[str]) -> str | None:
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


def extract_impressum(html: str, url: str | None = None, explain: bool = False) -> ImpressumData:
    """Company data from one Impressum/contact page. Never raises for odd pages: fields that
    cannot be read are None or empty lists. With `explain`, `evidence` says why each value
    was chosen and what was rejected."""
    p = _Page(html)
    data = ImpressumData()
    log = EvidenceLog(enabled=explain)
    schema = organisations(p.page.jsonld, p.page.microdata)
    company_text = p.text_of((COMPANY,))
    third_text = " ".join(t for _, t in p.text_of((THIRD_PARTY,)))

    # e-mails: company text first, then mailto links whose address no third party owns
    emails = _before_legal_text(p, [(line, e) for line, t in company_text
                                    for e in find_emails(t, p.page.rtl_hint)],
                                lambda e: e.split("@")[-1])
    third_emails = set(find_emails(third_text, p.page.rtl_hint))
    if not emails:
        emails = [a for a in (mailto_address(h) for h in p.page.mailtos) if a]
    data.emails = [e for e in dedupe(emails) if e not in third_emails]
    for e in sorted(third_emails):
        log.add("emails", e, False, "in a third party's block (agency, hoster, authority, …)")
    host = urlsplit(url).hostname if url else None
    hosts = [h for h in [host, *(e.split("@")[1] for e in data.emails)] if h]
    domains = [d for d in (_domain_label(h) for h in hosts) if d]

    # register and VAT: company text only (not the general partner's, not third parties')
    reg_lines = sorted(company_text, key=lambda lt: not any(
        s.label == "L_REG" for s in p.by_line.get(lt[0], [])))
    for line, text in reg_lines:
        labelled = any(s.label == "L_REG" for s in p.by_line.get(line, []))
        hit = find_register_number(text, labelled)
        if hit:
            data.register_number = hit.number
            data.register_court = find_court(text)
            break
    if data.register_court is None:
        for _line, text in sorted(company_text, key=lambda lt: not any(
                s.label == "L_REG" for s in p.by_line.get(lt[0], []))):
            court = find_court(text)
            if court:
                data.register_court = court
                break
    for line, text in company_text:
        if all(s.label == "L_TAX" for s in p.by_line.get(line, []) if s.role == COMPANY):
            continue
        data.vat_id = find_vat(text)
        if data.vat_id:
            break

    # people
    forms = _form_words()
    for seg in p.segments:
        if seg.role == THIRD_PARTY:
            continue
        if seg.label == "L_MD":
            data.managing_directors += f.parse_persons(seg.text, forms)
        elif seg.label == "L_RESP":
            data.responsible_persons += f.parse_persons(seg.text, forms)
        elif seg.role == COMPANY and _role_follows(p, seg):
            # "Schuster Hannes, Geschäftsführung": the name before its role
            data.managing_directors += f.parse_persons(seg.text, forms)
        for note, names in _noted_roles(p, seg, forms):
            (data.managing_directors if note == "L_MD" else
             data.responsible_persons).extend(names)
    data.managing_directors = _unique(data.managing_directors)
    data.responsible_persons = _unique(data.responsible_persons)
    # company name and address
    addresses = sorted(_addresses(p), key=lambda a: p.in_legal_text(a.line))
    name, form, name_line = _choose_name(p, addresses, schema, domains, log)
    sole = SoleTrader(None, None)
    if name is None:
        provider = _provider_lines(p, addresses)
        evidence = _person_evidence(data.emails, hosts, [*data.managing_directors,
                                                         *data.responsible_persons])
        sole = read_sole_trader([t for _, t in provider if plausible_name(t.split(": ")[-1])],
                                evidence)
        name, name_line = sole.company_name, provider[0][0] if provider else None
        if name is not None and name_line is not None:
            log.add("company_name", name, True, "no legal form on the page: the provider's "
                    f"lines above the address (owner: {sole.owner or 'none named'})",
                    name_line, p.lines[name_line].text)
        if name is None:
            name, name_line = _name_in_heading(p)
            log.add("company_name", name, True, "named in the page heading", name_line,
                    p.lines[name_line].text if name_line is not None else None)
    addr = None
    if name_line is not None:
        near = [a for a in addresses if 0 <= a.line - name_line <= 6]
        # a house address beats a PO box, a PO box beats a postcode without street
        addr = next((a for a in near if a.street and not a.street.startswith("Post")), None) \
            or next((a for a in near if a.street), None) or (near[0] if near else None)
    addr = addr or next((a for a in addresses if a.street), None) or \
        (addresses[0] if addresses else None)
    data.company_name, data.legal_form = name, form
    own_mail = _own_mailboxes(data.emails, host, name)
    for e in data.emails:
        if e not in own_mail:
            log.add("emails", e, False, "another organisation's domain, nothing on the page "
                    "ties it to the provider")
    data.emails = own_mail
    if name:
        # the canonical legal form is enrichment.company's (the `inspect company` contract);
        # the pattern id found the entity and stands in where company.py has no form
        shared = split_legal_form(name)[1]
        if shared is not None:
            data.legal_form = shared.canonical
    if addr is not None:
        data.street, data.postcode, data.city = addr.street, addr.postcode, addr.city
    if data.legal_form is None:
        data.legal_form = _stated_form(company_text)
    data.country = _country(p, addr, data, hosts)
    region = data.country if data.country in ("DE", "AT", "CH", "LI", "LU") else "DE"

    # phones and fax from labelled (or unlabelled) company segments
    found_phones: list[tuple[int, str]] = []
    found_faxes: list[tuple[int, str]] = []
    for seg in p.segments:
        if seg.role != COMPANY:
            continue
        if seg.label == "L_FAX":
            found_faxes += [(seg.line, x) for x in f.find_phones(seg.text, region)]
        elif seg.label == "L_PHONE":
            found_phones += [(seg.line, x) for x in f.find_phones(seg.text, region)]
        elif seg.label in _PHONE_LABELS:
            found_phones += [(seg.line, x) for x in f.find_phones(seg.text, region, strict=True)]
    phones = _before_legal_text(p, found_phones, lambda _x: "")
    faxes = _before_legal_text(p, found_faxes, lambda _x: "")
    if not phones:
        phones = [e for e in (f.parse_phone(t, region) for t in p.page.tels) if e]
    data.fax = faxes[0] if faxes else None
    data.phones = [x for x in dict.fromkeys(phones) if x not in faxes]

    owner = None
    if not data.managing_directors and data.legal_form in (None, "e.K.", "e.U.",
                                                            "Einzelunternehmen"):
        owner = sole.owner or (owner_in_trade(data.company_name, _first_names())
                               if data.company_name else None)
        if owner:
            data.managing_directors = [owner]
    elif form is None and data.legal_form is None and len(data.managing_directors) == 1:
        owner = data.managing_directors[0]  # "Inhaber: …"
    if data.legal_form is None and owner and _in_business(p, data, sole, owner):
        data.legal_form = "Einzelunternehmen"

    _fill_from_schema(data, schema, region)
    if log.enabled:
        _explain_chosen(p, data, addr, addresses, log)
        data.evidence = log.entries
    return data


_LABEL_WORDS = {"L_MD": "representatives'", "L_RESP": "responsible-for-content",
                "L_PHONE": "phone", "L_FAX": "fax", "L_EMAIL": "e-mail", "L_REG": "register",
                "L_VAT": "VAT", "L_NAME": "provider-name", "L_ADDR": "address",
                "L_TAX": "tax number"}


def _explain_chosen(p: _Page, data: ImpressumData, addr: _Address | None,
                    addresses: list[_Address], log: EvidenceLog) -> None:
    """Where each chosen value stands on the page, and the addresses and numbers passed by."""
    def where(value: str) -> tuple[int | None, str | None]:
        key = re.sub(r"\W", "", value).lower()
        for i, ln in enumerate(p.lines):
            if key and key in re.sub(r"\W", "", ln.text).lower():
                return i, ln.text
        return None, None

    def label_of(line: int | None) -> str:
        if line is None:
            return "from the page's links or schema.org data"
        segs = [s for s in p.by_line.get(line, []) if s.label]
        role = "the provider's block" if not segs or segs[0].role == COMPANY else segs[0].role
        if segs and segs[0].start > segs[0].lstart:
            labelled = f"after the label '{p.lines[line].text[segs[0].lstart:segs[0].start]}'"
        elif segs and segs[0].label:
            labelled = f"under a {_LABEL_WORDS.get(segs[0].label, 'field')} label above"
        else:
            labelled = "unlabelled"
        return f"{labelled.strip()}, in {role}" + (" (legal small print)"
                                                   if p.in_legal_text(line) else "")

    if addr is not None:
        log.add("street", data.street, True, "the address nearest below the company name",
                addr.line, p.lines[addr.line].text)
        for other in addresses:
            if other is not addr:
                log.add("street", f"{other.street or ''} {other.postcode} {other.city}".strip(),
                        False, "another address, farther from the name or in the small print",
                        other.line, p.lines[other.line].text)
    for key in ("register_number", "register_court", "vat_id", "fax"):
        value = getattr(data, key)
        if value:
            line, text = where(value.split()[-1] if key == "register_court" else value[-6:])
            log.add(key, value, True, label_of(line), line, text)
    for key in ("emails", "managing_directors", "responsible_persons"):
        for value in getattr(data, key):
            line, text = where(value if key == "emails" else value.split()[-1])
            log.add(key, value, True, label_of(line), line, text)
    for value in data.phones:
        line, text = where(value[-6:])
        log.add("phones", value, True, label_of(line), line, text)
    for seg in p.segments:
        if seg.role != COMPANY:
            for number in f.find_phones(seg.text, "DE"):
                log.add("phones", number, False, f"in a {seg.role.replace('_', ' ')}'s block",
                        seg.line, p.lines[seg.line].text)
    if data.legal_form:
        log.add("legal_form", data.legal_form, True,
                "from the company name" if data.company_name and split_legal_form(
                    data.company_name)[1] else "a natural person in business without a legal "
                "form (Einzelunternehmen)" if data.legal_form == "Einzelunternehmen"
                else "from the legal-form words on the page")


@lru_cache(maxsize=1)
def _freemail() -> frozenset[str]:
    return frozenset(email_config().value.freemail_domains)


def _own_mailboxes(emails: list[str], host: str | None, company: str | None) -> list[str]:
    """The provider's e-mail addresses: at the site's domain, at the domain of its first
    address, at a domain named like the company, or at a freemail service. Another
    organisation's mailbox on the page (the agency of the person responsible for content, a
    youth-protection officer's law firm) has none of this evidence and is left out."""
    domains = [e.split("@")[-1] for e in emails]
    first_own = next((d for d in domains if d not in _freemail()), None)
    owns = {d.removeprefix("www.") for d in (host, first_own) if d}
    labels = {_domain_label(d) for d in owns if d.count(".") == 1}
    name = _squash(company or "")

    def own(domain: str) -> bool:
        # "bmds.bund.de" and "digitalservice.bund.de" are two bodies: deeper hosts must match
        label = _domain_label(domain) or "" if domain.count(".") == 1 else domain
        return domain in _freemail() or domain in owns or label in labels or (
            len(label) >= 4 and label in name)

    return [e for e, d in zip(emails, domains, strict=True) if own(d)]


def _before_legal_text(p: _Page, found: list[tuple[int, str]],
                       kin: Callable[[str], str]) -> list[str]:
    """Values from the Impressum's own block; values from the legal small print only when the
    block gave none, or when they share a kin key (an e-mail's domain) with the block's."""
    own = [v for line, v in found if not p.in_legal_text(line)]
    kins = {kin(v) for v in own}
    later = [v for line, v in found if p.in_legal_text(line) and (not own or kin(v) in kins)]
    return own + later


def _unique(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out


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


def _in_business(p: _Page, data: ImpressumData, sole: SoleTrader, owner: str) -> bool:
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


def _fill_from_schema(data: ImpressumData, schema: list[dict[str, object]], region: str) -> None:
    """schema.org fills what the page text did not give."""
    for org in schema:
        if data.company_name is None:
            data.company_name = str(org.get("legal_name") or org.get("name") or "") or None
        if data.street is None and data.postcode is None and org.get("postcode"):
            data.street = org.get("street")  # type: ignore[assignment]
            data.postcode = str(org["postcode"])
            data.city = org.get("city")  # type: ignore[assignment]
        if not data.phones:
            data.phones = [e for e in (f.parse_phone(str(t), region)
                                       for t in org["phones"]) if e]  # type: ignore[attr-defined]
        if data.fax is None and org.get("fax"):
            data.fax = f.parse_phone(str(org["fax"]), region)
        if not data.emails:
            data.emails = dedupe(list(org["emails"]))  # type: ignore[call-overload]
        if data.vat_id is None and org.get("vat"):
            data.vat_id = find_vat(str(org["vat"]))
        if data.country is None and org.get("country"):
            data.country = str(org["country"])[:2].upper()
