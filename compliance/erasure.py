"""What counts as a mention of an erased person, in a value, a JSON payload or a line of a file.

Erasure (Art. 17) must reach copies that are not records of their own: a crawled Impressum
that lists the person, an archived input list, a review-queue export. A mention is the
person's e-mail address, the digits of their phone number, or every word of their name (in
any order and spelling that `person_key` folds alike).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from compliance.subjects import name_words, person_key

_DIGITS = re.compile(r"\D+")


@dataclass(frozen=True)
class Mentions:
    """The identifiers of one person, folded for searching."""

    emails: frozenset[str]
    phone_digits: frozenset[str]
    """National significant numbers (no 0, no country code): found in any notation."""
    names: frozenset[str]
    """person_key values."""

    def in_text(self, text: str) -> bool:
        lowered = text.lower()
        if any(e in lowered for e in self.emails):
            return True
        digits = _DIGITS.sub("", text)
        if any(d in digits for d in self.phone_digits):
            return True
        if not self.names:
            return False
        words = set(name_words(text))
        return any(set(key.split()) <= words for key in self.names)

    def is_name(self, text: str) -> bool:
        return person_key(None, None, text) in self.names


def scrub(value: Any, mentions: Mentions) -> Any:
    """The value without the person: names and identifiers dropped from lists and objects,
    free text that mentions them replaced by None."""
    if isinstance(value, dict):
        return {k: scrub(v, mentions) for k, v in value.items()}
    if isinstance(value, list):
        kept = [scrub(v, mentions) for v in value]
        return [v for v, original in zip(kept, value, strict=True)
                if not (isinstance(original, str) and v is None)]
    if isinstance(value, str) and (mentions.is_name(value) or mentions.in_text(value)):
        return None
    return value
