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
