"""What spreadsheet programs make of a cell's first character, for writing and reading alike.

A cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return) is run as a formula.
Exports put an apostrophe before such a cell (OWASP's advice against CSV injection), so
`+49 30 123456` is written `'+49 30 123456`; a list that went through such an export (ours,
a CRM's) and comes back carries the apostrophe, and a number behind it would not parse.
"""

from __future__ import annotations

import unicodedata

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet would run the cell as a formula. Checked on the NFKC form:
    spreadsheet programs read the full-width `＝` and `＋` (and their kin) as `=` and `+`."""
    return unicodedata.normalize("NFKC", text[:1]).startswith(FORMULA_TRIGGERS)


def is_text_marked(text: str) -> bool:
    """Whether the cell reads as a neutralised one: apostrophes, then a formula (`'+49 30 …`,
    `''=1+1`). An export must mark such a text once more, or reading it back would take an
    apostrophe the text had (`'=` written as it is would come back as `=`)."""
    rest = text.lstrip("'")
    return len(rest) < len(text) and starts_like_formula(rest)


def without_text_marker(value: str) -> str:
    """The cell as it was before an export neutralised it (`'+49 30 …` → `+49 30 …`,
    `''=` → `'=`); any other value as it is: the exact inverse of
    `scoring.export_files.neutralize`."""
    return value[1:] if is_text_marked(value) else value
