"""One page as the extractor reads it: lines, label marks, segments with their roles, and
where the legal small print starts. Built once per page; every reader below works on it."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from enrichment.impressum import fields as f
from enrichment.impressum.config import impressum_config
from enrichment.impressum.html import parse_html
from enrichment.impressum.nlp import build_nlp
from enrichment.impressum.segments import (
    COMPANY,
    Line,
    Mark,
    Segment,
    line_marks,
    page_lines,
    segment,
)

_PROSE_CHARS = 250

_FIELD_HINT = re.compile(r"@|\d{4}|\d[\s/-]\d{3}|\b(?:GbR|GmbH|OHG|PartG|mbB|eG|e\.\s?V\.|"
                         r"vertreten|bestehend aus|Inhaber|Geschäftsführ|Vorstand)")


def squash(text: str) -> str:
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", text)


def domain_label(host: str | None) -> str | None:
    if not host:
        return None
    parts = host.lower().removeprefix("www.").split(".")
    return re.sub(r"[^a-z0-9]", "", parts[-2] if len(parts) >= 2 else parts[0]) or None


def _nlp_text(line: str) -> str:
    """Long prose (disclaimers, privacy text) carries no fields but dominates tokenizer time;
    it is left out when it has no e-mail, no number of four or more digits (postcodes, phones,
    register and VAT numbers all have one), no legal form and no representative's word (`Die
    Kanzlei ist eine GbR bestehend aus …`)."""
    if len(line) > _PROSE_CHARS and not _FIELD_HINT.search(line):
        return ""
    return line


class Page:
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
def legal_text_heading() -> re.Pattern[str]:
    words = sorted(impressum_config().legal_text_headings, key=len, reverse=True)
    return re.compile(r"^\W*(?:\d+\.?\s*)?(?:" + "|".join(re.escape(w) for w in words)
                      + r")\b[^.]{0,40}$", re.I)


def _legal_text_start(lines: list[Line]) -> int:
    """The first line (after the first) that heads the legal small print: a heading, or a
    short line alone in its block, that names a disclaimer, privacy or copyright section."""
    pattern = legal_text_heading()
    for i, ln in enumerate(lines[1:], start=1):
        alone = ln.heading or (len(ln.text) <= 60 and all(
            other.chunk != ln.chunk for other in (lines[i - 1], *lines[i + 1:i + 2])))
        if alone and pattern.match(ln.text.strip()):
            return i
    return len(lines)
