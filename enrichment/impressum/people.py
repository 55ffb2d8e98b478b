"""People in the provider's text: representatives and those responsible for content, from
their labels, from a role after the name and from a role noted in brackets."""

from __future__ import annotations

from functools import lru_cache

from enrichment.impressum import fields as f
from enrichment.impressum.nlp import legal_form_patterns
from enrichment.impressum.page import Page
from enrichment.impressum.segments import Segment


@lru_cache(maxsize=1)
def form_words() -> frozenset[str]:
    words = set()
    for row in legal_form_patterns():
        words.update(row["pattern"].split())
    return frozenset(w for w in words if w not in ("&", "+", "und", "u."))


def noted_roles(p: Page, seg: Segment,
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


def role_follows(p: Page, seg: Segment) -> bool:
    """Whether `seg` is a name followed on its line by a representative's role and nothing
    else (`Schuster Hannes, Geschäftsführung`)."""
    text = p.lines[seg.line].text
    return any(m.label == "L_MD" and m.start == seg.end and not text[m.end:].strip(" .:)")
               and seg.text.rstrip().endswith((",", "–", "-", "("))
               for m in p.marks[seg.line])


def names_below(p: Page, seg: Segment) -> list[str]:
    """`Geschäftsführung: Christian Clemens (Vorsitzender)` / `Dr. Oliver Dörschuck` / `Ralf
    Horter`: unlabelled lines right after a representative's line that are each a name go on
    with its list, when the markup put each name in a block of its own."""
    if seg.end < len(p.lines[seg.line].text.rstrip()) or seg.line + 1 >= len(p.lines) \
            or p.lines[seg.line + 1].chunk == p.lines[seg.line].chunk:
        return []  # the label carries within its block already
    names = []
    for k in range(seg.line + 1, min(seg.line + 6, len(p.lines))):
        line = p.lines[k]
        name = f.clean_person(line.text) if not p.marks[k] and not line.heading else None
        if name is None or not (name.split()[0] in f.first_names()
                                or f.TITLES.match(line.text.strip())):
            break  # only lines that surely name a person: a known first name or a title
        names.append(name)
    return names


def unique(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out
