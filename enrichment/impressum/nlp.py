"""The spaCy pipeline: a blank German tokenizer, two EntityRulers fed from pattern files and a
component that drops label and legal-form hits that are not in a label position.

Entities it sets:
- field labels `L_MD`, `L_PARTNER`, `L_RESP`, `L_PHONE`, `L_FAX`, `L_EMAIL`, `L_REG`, `L_VAT`,
  `L_TAX`, `L_NAME`, `L_ADDR`, `L_OTHER` and third-party markers `TP` (patterns/labels.jsonl,
  matched on lower-case text);
- `LEGAL_FORM` with the canonical form as `ent_id_` (the `spellings` of the legal forms in
  enrichment/defaults/company.yaml, exact case: the one list of legal forms).
Patterns are loaded in Python with `from_disk` (the config route for EntityRuler patterns fails
on spaCy 3.8), and the pipeline is built once per process.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

PATTERNS_DIR = Path(__file__).parent / "patterns"
NOTE = "_NOTE"
"""Suffix of a role label in brackets after a name (`L_MD_NOTE`): it says who the name before
it is and starts no field of its own."""
# Labels strong enough to count anywhere in running text, not only at a label position.
_STRONG_MIN_CHARS = 10
_STRONG_TP_CHARS = 14
_SEPARATORS = frozenset({":", "|", "-", "–", "·", "•", ",", ";", ".", "(", ")", "/"})
_HYPHEN_FORM = re.compile(r"^[A-ZÄÖÜ][\wäöüß.\-]*?(?:-(GmbH|AG|KG|UG|SE|eG|Stiftung)"
                          r"|[a-zäöüß](gesmbH|GesmbH|GmbH))$")
"""Forms glued to the name: `Muster-GmbH`, `Dr.-Egon-Bantel-Stiftung`, `VertriebsgesmbH`."""
_HYPHEN_FORM_HINT = re.compile(r"-(?:GmbH|AG|KG|UG|SE|eG|Stiftung)|[a-zäöüß](?:ges)?m[bB]H\b")
# Legal-form tokens that are also ordinary abbreviations; they need a capitalised name before them.
_SHORT_FORMS = frozenset({"AG", "SE", "KG", "OG", "eG", "UG", "SA", "BV", "eV", "Inc", "Ltd",
                          "Stiftung", "Foundation", "Genossenschaft", "LLC", "PLC", "plc"})


def _at_label_position(doc: Doc, span: Span) -> bool:
    before = doc[span.start - 1] if span.start > 0 else None
    after = doc[span.end] if span.end < len(doc) else None
    starts = before is None or "\n" in before.text or before.text in _SEPARATORS
    ends = after is None or "\n" in after.text or after.text in (":", "|", "/", "–", "-")
    return starts or ends


@Language.component("impressum_label_filter")
def impressum_label_filter(doc: Doc) -> Doc:
    """Keep a label only where labels stand (line start, after a separator, or before a colon),
    unless it is long and specific; keep `AG`-like legal forms only after a capitalised word,
    since `AG Köln` after a register label means Amtsgericht; add `Name-GmbH` compounds."""
    kept: list[Span] = []
    for ent in doc.ents:
        if ent.label_ == "LEGAL_FORM":
            prev = doc[ent.start - 1] if ent.start > 0 else None
            if prev is not None and prev.lower_ in ("nicht", "kein", "keine", "not", "non"):
                continue  # "ein nicht eingetragener Verein"
            nxt = doc[ent.end] if ent.end < len(doc) else None
            if ent.ent_id_ in ("Stiftung", "KdöR") and nxt is not None and nxt.text[:1].isupper():
                kept.append(ent)  # "Stiftung Lesefreude": the form comes first
                continue
            if ent.text in _SHORT_FORMS or len(ent.text) <= 3:
                if prev is None or not (prev.text[:1].isupper() or prev.text[:1].isdigit()
                                        or prev.text in ("&", "+")):
                    continue
                if (ent.text == "AG" and nxt is not None and nxt.text[:1].isupper()
                        and prev.text.lower() in ("registergericht", "amtsgericht", ":")):
                    continue
            kept.append(ent)
            continue
        nxt = doc[ent.end] if ent.end < len(doc) else None
        opened = ent.start > 0 and doc[ent.start - 1].text == "("
        if opened and ent.label_ in ("L_MD", "L_RESP"):
            # "Daniel Glaser (geschäftsführender Gesellschafter)", "(verantwortlich gem. …)":
            # an annotation to the name before it, not a label for what follows
            kept.append(Span(doc, ent.start, ent.end, label=ent.label_ + NOTE))
            continue
        if opened and nxt is not None and nxt.text == ")":
            continue  # "(CEO)": an annotation, not a label
        prev = doc[ent.start - 1] if ent.start > 0 else None
        if ent.label_ == "L_MD" and ent.text.lower().startswith("partner") and prev is not None \
                and prev.text in ("&", "+", "und"):
            continue  # "Bethke & Partner": part of a name
        if ent.label_ == "L_ADDR" and nxt is not None and nxt.lower_ in ("wie", "siehe", "see",
                                                                          "as"):
            continue  # "Anschrift wie oben": no address follows, the label before still holds
        if len(ent.text) <= 2:
            # T / F / E / M: only as an upper-case abbreviation before a colon or a number
            if ent.text[0].isupper() and nxt is not None and (
                    nxt.text in (":", ".") or nxt.text[:1] in "+(0123456789"):
                kept.append(ent)
            continue
        multiword = " " in ent.text.strip() or len(ent) > 1
        if ent.label_ == "TP":
            # third-party words double as business descriptions ("Fotografie & Bildbearbeitung")
            prev = doc[ent.start - 1] if ent.start > 0 else None
            alone = (prev is None or "\n" in prev.text) and (nxt is None or "\n" in nxt.text)
            if multiword or len(ent.text) >= _STRONG_TP_CHARS or alone or (
                    nxt is not None and nxt.text in (":", "|", "/", "–", "-")):
                kept.append(ent)
            continue
        strong = ent.label_ != "L_OTHER" and (multiword or len(ent.text) >= _STRONG_MIN_CHARS)
        if strong or _at_label_position(doc, ent):
            kept.append(ent)
    if _HYPHEN_FORM_HINT.search(doc.text):  # a pass over every token only when one can match
        for token in doc:
            match = _HYPHEN_FORM.match(token.text)
            if match:
                form = match.group(1) or ("GesmbH" if match.group(2).lower() == "gesmbh"
                                          else "GmbH")
                kept.append(Span(doc, token.i, token.i + 1, label="LEGAL_FORM", span_id=form))
    doc.ents = filter_spans(kept)
    return doc


def legal_form_patterns() -> list[dict[str, str]]:
    """Entity-ruler patterns from the legal forms of company.yaml: each spelling, its
    canonical form as the id."""
    from enrichment.config import company_config

    return [{"label": "LEGAL_FORM", "pattern": spelling, "id": form.canonical}
            for form in company_config().value.legal_forms for spelling in form.spellings]


@lru_cache(maxsize=1)
def build_nlp() -> Language:
    """The Impressum pipeline, built once per process (the spider calls it for every page).
    A legal form wins over a label it overlaps (`Partner mbB` is a form, not `Partner`)."""
    nlp = spacy.blank("de")
    labels = nlp.add_pipe("entity_ruler", name="labels",
                          config={"phrase_matcher_attr": "LOWER", "validate": False})
    labels.from_disk(PATTERNS_DIR / "labels.jsonl")  # type: ignore[attr-defined]
    forms = nlp.add_pipe("entity_ruler", name="legal_forms",
                         config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True})
    forms.add_patterns(legal_form_patterns())  # type: ignore[attr-defined]
    nlp.add_pipe("impressum_label_filter")
    return nlp
