"""The company name: legal entities in the provider's text, scored by position and
neighbours, and the names that are no names (sentences, open labels, c/o hosts)."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from enrichment.company import split_legal_form
from enrichment.impressum.addresses import Address
from enrichment.impressum.evidence import EvidenceLog
from enrichment.impressum.page import Page, squash
from enrichment.impressum.segments import MARKER

PAGE_WORDS = re.compile(r"^(?:Impressum|Imprint|Legal notice|Site notice|Kontakt|Contact|"
                         r"Anbieterkennzeichnung|Herausgeber|Anschrift|Adresse|Postanschrift|"
                         r"Kontakt-?\s?(?:Adresse|daten|informationen)|Contact details|Address|"
                         r"Hausanschrift|Sitz)\W*$", re.I)

_PART_OF_WORDS = (r"Unternehmen|Marke|Tochter\w*|Dienstleistung|Angebot|Projekt|Initiative|"
                  r"company|brand|subsidiary|service")
"""`… ist ein Unternehmen der X GmbH`, `Eine Dienstleistung der X GmbH`: the words before the
provider's name in a sentence that names it."""
_NAME_CUT = re.compile(r".*(?:[:|;©)]|\s[-–]\s|,\s"
                       r"|(?<!Gebr)(?<!Geschw)(?<!Inh)(?<!Priv)(?<!Doz)(?<!Prof)(?<!Dipl)(?<!Univ)"
                       r"(?<!Techn)(?<=[a-zäöüß]{3})\.\s(?=[A-ZÄÖÜ])|\(c\)"
                       r"|Copyright"
                       r"|\b(?:ist|is|sind|are|by|von|durch|c/o)\s+(?:die|der|das|the)?\s*"
                       r"|\b(?:für|for)\s+(?:die|den|das|the)\s+"
                       rf"|\b(?:{_PART_OF_WORDS})\s+(?:der|des|von|of)\s+(?:the\s+)?)")

_PROFESSIONAL_FIRM = re.compile(r"[ ]+([A-ZÄÖÜ][a-zäöüß]*(?:gesellschaft|kanzlei))\b")
"""A professional designation after the form belongs to the firm's name
(`… mbB Steuerberatungsgesellschaft`, `… PartG Rechtsanwaltsgesellschaft`)."""
_LEADING_ARTICLE = re.compile(r"^\s*(?:der|die|das|des|dem|den)\s+(?=[A-ZÄÖÜ0-9])")

_LEADING_YEAR = re.compile(r"^\s*(?:19|20)\d\d(?:\s*[-–/]\s*(?:19|20)?\d\d)?\s")
"""`© 2024 Firma GmbH`: a year after the copyright sign; a year inside a name stays
(`TSV Zorneding 1920 e.V.`)."""


# "X ist eine Körperschaft des öffentlichen Rechts": the name is the sentence's subject
_DESCRIBED = re.compile(r"^(?:(?:Die|Der|Das|The)\s+)?(.+?)\s+(?:ist|is)\s+(?:eine?|an?)"
                        r"(?:\s+[\w\s-]*)?$")

_PART_OF = re.compile(rf"\b(?:{_PART_OF_WORDS})\s+(?:der|des|von|of)\b", re.I)
"""`X ist ein Unternehmen der Y GmbH`: Y is the provider, not X."""

_DESCRIPTORS = frozenset({"rechtsfähige", "gemeinnützige", "selbständige", "selbstständige",
                          "öffentlich-rechtliche", "eine", "ein", "a", "an", "registered",
                          "nicht", "rechtsfähiger", "eingetragene", "gemeinnütziger"})

_TITLE_NAME = re.compile(r"^(?:Impressum|Imprint|Kontakt)\s*[–—|:-]\s*(.+)$|^(.+?)\s*[–—|-]\s*"
                         r"(?:Impressum|Imprint)$", re.I)
"""`Impressum – Freiwillige Feuerwehr Effeltrich`: the provider named in the page heading."""


def _name_candidates(p: Page) -> list[tuple[int, int, str, str | None]]:
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
            after = _PROFESSIONAL_FIRM.match(ln.text, mk.end)
            if after:  # "Scheuer & Partner mbB Steuerberatungsgesellschaft"
                name = f"{name} {after.group(1)}"
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


_SENTENCE_START = re.compile(r"^[a-zäöüß]\w*\s+[A-ZÄÖÜa-zäöüß]\w*\s+(?:[a-zäöüß]\w*\s+){1,}")
"""`gesetzlichen Vorgaben bei der Liberty Mutual …`: a sentence's tail before a name; a brand in
lower case stands alone (`gannaca GmbH`)."""


_CODE = re.compile(r"\b[A-Za-z]+\d{4,}\b")
"""`R-Code R147222`: a code with letters and digits, not a name (`4e7media` has fewer digits)."""


def plausible_name(name: str | None) -> bool:
    """Whether `name` can be a provider's name: not a sentence of the small print, not a
    label left open (`Value added tax identification number (`), not a c/o host."""
    if not name:
        return False
    words = name.split()
    return (len(words) <= 12 and sum(ch.isalpha() for ch in name) >= 2
            and not _CODE.search(name)
            and not _SENTENCE.search(name)
            and name.count("(") == name.count(")") and not name.endswith((":", ",", "("))
            and not _NOT_A_NAME_START.match(name) and not _DATE_IN.search(name)
            and not (len(words) > 2 and words[-1].islower() and len(words[-1]) <= 4)
            and not _SENTENCE_START.match(name))


def choose_name(p: Page, addresses: list[Address], schema: list[dict[str, object]],
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
        squashed = squash(name)
        after = p.lines[i].text[pos:].split(None, 2)
        rules = (
            (4, "address below", any(0 <= a.line - i <= 3 for a in addresses)),
            (2, "first after the § 5 marker", after_marker),
            (2, "under a name label", any(s.label == "L_NAME" and s.lstart <= pos
                                          for s in p.by_line.get(i, []))),
            (3, "schema.org name", any(fuzz.token_set_ratio(name, s) >= 90
                                       for s in schema_names)),
            (2, "matches the site's domain", any(
                d and (d in squashed or any(len(t) >= 4 and squash(t) in d
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

_FORM_LINE = re.compile(r"\b(?:Rechtsform|Legal form|Gesellschaftsform|Unternehmensform)\b"
                        r"\s*:?\s*(.{2,80})", re.I)


def stated_form(company_text: list[tuple[int, str]]) -> str | None:
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


def name_in_heading(p: Page) -> tuple[str | None, int | None]:
    for i, ln in enumerate(p.lines[:p.legal_text_from]):
        m = _TITLE_NAME.match(ln.text.strip()) if ln.heading or i < 3 else None
        if m and plausible_name(m.group(1) or m.group(2)):
            return (m.group(1) or m.group(2)).strip(), i
    return None, None
