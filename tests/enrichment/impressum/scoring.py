"""Micro-F1 over the 14 contract fields, the measure the Impressum extractor is held to.

Matching rules:
- Scalar fields: after normalisation, a predicted value equal to the expected one is a true
  positive; a predicted value that differs is a false positive and (if a value was expected) a
  false negative; a missing prediction for an expected value is a false negative; null/null
  counts nothing.
- List fields (phones, emails, managing_directors, responsible_persons) are sets: each
  expected element found is a true positive, each extra predicted element a false positive,
  each expected element not found a false negative.
Normalisation: Unicode NFC, case-folded, whitespace collapsed; people without academic titles
or salutations; street with `straße`/`strasse`/`str.` → `str`; register numbers and VAT ids
without spaces and punctuation.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LIST_FIELDS = ("phones", "emails", "managing_directors", "responsible_persons")
SCALAR_FIELDS = ("company_name", "legal_form", "street", "postcode", "city", "country", "fax",
                 "register_court", "register_number", "vat_id")
FIELDS = SCALAR_FIELDS + LIST_FIELDS
_TITLES = re.compile(r"\b(prof|dr|dipl|mag|ing|med|dent|herr|frau|mr|mrs|ms)\.?(-\w+\.?)?\s", re.I)


def normalise(field_name: str, value: Any) -> str | None:
    if value is None:
        return None
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(value))).strip().casefold()
    if not text:
        return None
    if field_name in ("managing_directors", "responsible_persons"):
        text = _TITLES.sub("", text + " ").strip(" ,")
    elif field_name == "street":
        text = re.sub(r"(straße|strasse|str\.)", "str", text).replace(" ", "")
    elif field_name in ("register_number", "vat_id"):
        text = re.sub(r"[^0-9a-z]", "", text)
    return text


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def f1(self) -> float:
        denominator = 2 * self.tp + self.fp + self.fn
        return 1.0 if denominator == 0 else 2 * self.tp / denominator


@dataclass
class Report:
    total: Counts = field(default_factory=Counts)
    per_field: dict[str, Counts] = field(default_factory=lambda: {f: Counts() for f in FIELDS})
    errors: list[str] = field(default_factory=list)


def compare(name: str, predicted: dict[str, Any], expected: dict[str, Any], report: Report) -> None:
    for f in FIELDS:
        c = Counts()
        if f in LIST_FIELDS:
            p = {x for x in (normalise(f, v) for v in predicted.get(f) or []) if x}
            e = {x for x in (normalise(f, v) for v in expected.get(f) or []) if x}
            c = Counts(len(p & e), len(p - e), len(e - p))
        else:
            p1, e1 = normalise(f, predicted.get(f)), normalise(f, expected.get(f))
            if p1 is not None and p1 == e1:
                c.tp = 1
            else:
                c.fp = int(p1 is not None)
                c.fn = int(e1 is not None)
        if c.fp or c.fn:
            report.errors.append(f"{name}.{f}: got {predicted.get(f)!r}, want {expected.get(f)!r}")
        report.per_field[f].add(c)
        report.total.add(c)


def load_fixture(html_path: Path) -> tuple[str, dict[str, Any]]:
    """Page text (decoded the way a crawler would: declared charset, else UTF-8/cp1252) and
    the expected contract object next to it."""
    from enrichment.impressum.html import decode_html

    expected = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))
    return decode_html(html_path.read_bytes()), expected


def score_dir(directory: Path) -> Report:
    from enrichment.impressum import extract_impressum

    report = Report()
    for html_path in sorted(directory.glob("*.html")):
        html, expected = load_fixture(html_path)
        predicted = extract_impressum(html).to_contract()
        compare(html_path.stem, predicted, expected, report)
    return report
