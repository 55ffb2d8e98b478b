"""Small text helpers shared by the enrichment modules: folding for matching, script checks."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss",
                       "Ä": "ae", "Ö": "oe", "Ü": "ue"})
_NON_WORD = re.compile(r"[^0-9a-z]+")
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")


@lru_cache(maxsize=262144)
def fold(text: str) -> str:
    """Lower-case, umlauts to ae/oe/ue, ß to ss, other accents dropped, punctuation to spaces.

    German lists spell the same name with and without umlauts ("Müller", "Mueller"), so both
    must fold to the same key.
    """
    text = text.translate(_FOLD).lower()
    if not text.isascii():  # ASCII has no accents to drop: most names once umlauts are out
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text).strip()


def compact(text: str) -> str:
    """`fold` without any spaces: one key for "Müller-Lüdenscheidt", "Mueller Luedenscheidt"."""
    return fold(text).replace(" ", "")


@lru_cache(maxsize=262144)
def clean(text: str | None) -> str | None:
    """Trim, drop invisible characters, collapse whitespace; empty becomes None.

    Cached: postcodes, cities, countries and names recur across every batch.
    """
    if text is None:
        return None
    text = INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    text = " ".join(text.split())
    return text or None


SPREADSHEET_ERRORS = frozenset({
    "#WERT!", "#NV", "#N/A", "#N/V", "#DIV/0!", "#REF!", "#BEZUG!", "#NAME?", "#ZAHL!", "#NUM!",
    "#NULL!", "#VALUE!", "#GETTING_DATA", "#SPILL!", "#ÜBERLAUF!", "#CALC!", "#FIELD!",
})
"""Excel's and LibreOffice's error values in English and German, upper-cased."""
PLACEHOLDERS = frozenset({"NULL", "NONE", "NAN", "N/A", "N.A.", "NA", "-", "--", "---", "?",
                          "K.A.", "K. A.", "#", "N.N.", "N. N."})
"""Values writers put in an empty cell, upper-cased. `0` is one too, but only in a text
column (street, e-mail, phone, names): see `is_placeholder`."""
_MAX_PLACEHOLDER = max(len(v) for v in SPREADSHEET_ERRORS | PLACEHOLDERS)


EMPTY_SPELLINGS = frozenset(
    variant for value in SPREADSHEET_ERRORS | PLACEHOLDERS | {"0", "0.0"}
    for variant in (value, value.lower(), value.title(), value.capitalize()))
"""The usual spellings of the values `is_placeholder` accepts: a set a whole record's values
can be checked against in one C-level call (`isdisjoint`) before anything is looked at."""


def is_placeholder(text: str, *, text_column: bool = True) -> bool:
    """True for a spreadsheet error value (`#WERT!`, `#N/A`), a placeholder (`null`, `n/a`,
    `-`) or, in a text column, `0` (one real list wrote every empty cell as 0)."""
    if len(text) > _MAX_PLACEHOLDER + 4:
        return False
    key = text.strip().upper()
    if key in SPREADSHEET_ERRORS or key in PLACEHOLDERS:
        return True
    return text_column and key in ("0", "0.0")


@lru_cache(maxsize=262144)
def clean_value(text: str | None, *, text_column: bool = True) -> str | None:
    """`clean`, and a spreadsheet error or placeholder value (`is_placeholder`) becomes None."""
    text = clean(text)
    if text is None or is_placeholder(text, text_column=text_column):
        return None
    return text


def has_emoji(text: str) -> bool:
    return bool(_EMOJI.search(text))


def strip_emoji(text: str) -> str:
    return " ".join(_EMOJI.sub(" ", text).split())


@lru_cache(maxsize=4096)
def _script(ch: str) -> str:
    try:
        return unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return "UNKNOWN"


def scripts(text: str) -> set[str]:
    """The Unicode scripts of the letters in `text` (LATIN, CYRILLIC, GREEK, ...)."""
    return {_script(ch) for ch in text if ch.isalpha()}
