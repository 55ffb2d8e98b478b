"""What spreadsheet programs make of a cell's first character, for writing and reading alike.

A cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return) is run as a formula.
Exports put an apostrophe before such a cell (OWASP's advice against CSV injection), so
`+49 30 123456` is written `'+49 30 123456`; a list that went through such an export (ours,
a CRM's) and comes back carries the apostrophe, and a number behind it would not parse.
"""

from __future__ import annotations

import unicodedata

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def without_text_marker(value: str) -> str:
    """The cell as it was before an export neutralised it (`'+49 30 …` → `+49 30 …`); any
    other value as it is. The exact inverse of the neutralising, full-width `＋` included."""
    if value[:1] == "'" and unicodedata.normalize("NFKC", value[1:2]).startswith(
            FORMULA_TRIGGERS):
        return value[1:]
    return value
