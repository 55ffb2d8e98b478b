"""Split a page into label-scoped segments, each with a role: the company, a third party
(agency, hoster, authority, chamber, insurer, data protection officer, credits, dispute
resolution) or a general partner (Komplementär), so field parsers never read a third party's
address, register or e-mail as the company's.

Rules: a heading that is a third-party label makes its whole section third-party; a chunk that
starts with one is third-party to its end; a third-party label in running text lasts until the
next company field label. A label's value is the text up to the next label; a label standing
alone passes to the following lines (and to the next chunk when its own chunk ends).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from enrichment.impressum.html import PageText

COMPANY, THIRD_PARTY, PARTNER = "company", "third_party", "partner"
_ENDS_INLINE_ROLE = frozenset({"L_RESP", "L_MD", "L_NAME", "L_REG", "L_VAT", "L_TAX", "L_PHONE",
                               "L_EMAIL", "L_FAX", "L_ADDR"})
_CONNECTOR = re.compile(r"^[\s:|/&,\-–]*(?:(?:der|des|die|den|dem|the|of|by|und|and|für|for|"
                        r"nach|gem\.|gemäß|durch)\s*)*[\s:|/&,\-–]*$", re.I)
# company-only labels that end a chunk's third-party role when they start a later line
_ENDS_CHUNK_ROLE = frozenset({"L_VAT", "L_REG", "L_MD", "L_RESP", "L_TAX", "L_NAME"})
_UNKNOWN_LABEL = re.compile(r"^[A-ZÄÖÜ][\wäöüß./\- ]{1,30}:\s")
_ROLE_OF = {"TP": THIRD_PARTY, "L_PARTNER": PARTNER}
MARKER = re.compile(r"(?:Angaben|Informationen|Information|Pflichtangaben)\s+"
                    r"(?:gem\.|gemäß|nach|laut|"
                    r"pursuant to|according to|in accordance with)|§\s*5\s*(?:TMG|DDG|ECG)|"
                    r"Sect\.?\s*5|Offenlegung", re.I)


@dataclass
class Line:
    text: str
    chunk: int
    heading: bool
    start: int  # offset in the joined page text


@dataclass
class Mark:
    label: str
    start: int
    end: int
    form: str = ""


@dataclass
class Segment:
    label: str | None
    role: str
    text: str
    line: int
    start: int  # offset of the value within the line
    lstart: int  # offset of the label that governs it (== start for carried labels)

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def is_field_label(mark: Mark) -> bool:
    """A label that starts a field (not a legal form, not a role noted after a name)."""
    return mark.label != "LEGAL_FORM" and not mark.label.endswith("_NOTE")


def page_lines(page: PageText) -> list[Line]:
    lines: list[Line] = []
    offset = 0
    for ci, chunk in enumerate(page.chunks):
        for text in chunk.lines:
            lines.append(Line(text, ci, chunk.heading, offset))
            offset += len(text) + 1
    return lines


def line_marks(doc: Doc, lines: list[Line]) -> list[list[Mark]]:
    """Entities per line, with adjacent labels joined (`Geschäftsführer der Komplementärin`
    reads as its first label)."""
    marks: list[list[Mark]] = [[] for _ in lines]
    starts = [ln.start for ln in lines]
    li = 0
    for ent in doc.ents:
        while li + 1 < len(lines) and starts[li + 1] <= ent.start_char:
            li += 1
        base = starts[li]
        marks[li].append(Mark(ent.label_, ent.start_char - base, ent.end_char - base, ent.ent_id_))
    for i, line_marks_ in enumerate(marks):
        merged: list[Mark] = []
        for mark in line_marks_:
            prev = next((m for m in reversed(merged) if m.label != "LEGAL_FORM"), None)
            if (mark.label != "LEGAL_FORM" and prev is not None and merged[-1] is prev
                    and _CONNECTOR.match(lines[i].text[prev.end:mark.start])):
                prev.end = mark.end
                continue
            merged.append(mark)
        marks[i] = merged
    return marks


def segment(lines: list[Line], marks: list[list[Mark]],
            own_heading: int | None = None) -> list[Segment]:
    """Segments with their roles; `own_heading` is the chunk of a heading that reads like a
    third party's but heads the provider's own block (`Inhalt & Gestaltung: Firma GmbH …`)."""
    segments: list[Segment] = []
    section_role, section_label = COMPANY, None
    pending: str | None = None
    pending_role: str | None = None
    chunk_ids = sorted({ln.chunk for ln in lines})
    by_chunk: dict[int, list[int]] = {c: [] for c in chunk_ids}
    for i, ln in enumerate(lines):
        by_chunk[ln.chunk].append(i)
    for c in chunk_ids:
        idxs = by_chunk[c]
        labels = [m for m in marks[idxs[0]] if is_field_label(m)]
        if lines[idxs[0]].heading:
            first = labels[0].label if labels else None
            section_role = COMPANY if c == own_heading else _ROLE_OF.get(first or "", COMPANY)
            section_label = first if first not in _ROLE_OF else None
            pending, pending_role = None, None
            continue
        role, inline_role = pending_role or section_role, False
        carry = pending or section_label
        pending, pending_role = None, None
        last_value = ""
        for n, i in enumerate(idxs):
            text = lines[i].text
            field_marks = [m for m in marks[i] if is_field_label(m)]
            pos = lpos = 0
            cur = carry
            if _UNKNOWN_LABEL.match(text) and not any(m.start == 0 for m in field_marks):
                cur = None  # "Kontakt: …" — a label we do not know ends the carried one
            for m in field_marks:
                if m.start > pos or m.start > lpos:
                    segments.append(Segment(cur, role, text[pos:m.start], i, pos, lpos))
                if m.label in _ROLE_OF:
                    # a third party named at a line's start holds to the end of its block
                    # ("Vermittlerregister: / DIHK / … / Telefon: …"), also past a mention
                    # in running text; otherwise it ends at the next company field label
                    held = role == _ROLE_OF[m.label] and not inline_role
                    role = _ROLE_OF[m.label]
                    if not held:  # a Komplementär's block is its own line (name, court, HRB)
                        inline_role = (m.start != 0 or m.label == "L_PARTNER") \
                            and section_role == COMPANY
                elif inline_role and m.label in _ENDS_INLINE_ROLE:
                    role, inline_role = section_role, False
                elif (role != section_role and n > 0 and m.start == 0
                      and m.label in _ENDS_CHUNK_ROLE):
                    role = section_role
                cur = m.label
                pos, lpos = m.end, m.start
            value = text[pos:]
            segments.append(Segment(cur, role, value, i, pos, lpos))
            last_value = value.strip(" :|-–")
            carry = cur
        if not last_value and carry is not None:
            # a label standing alone: its value (and a third-party role) is the next chunk
            pending = carry
            pending_role = role if role != section_role and not inline_role else None
    return segments
