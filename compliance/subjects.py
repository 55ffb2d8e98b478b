"""Subject keys: the normalised e-mail and phone a person's consent history is filed under.

The ledger, the suppression list and `leadpipe consent show` must all agree on them, so they
are computed in one place.
"""

from __future__ import annotations

from collections.abc import Mapping

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from enrichment.text import fold


def email_key(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        return value.strip().lower()
    return result.normalized.lower()


def phone_key(value: str | None, region: str = "DE") -> str | None:
    if not value or not value.strip():
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def subject_keys(record: Mapping[str, str | None]) -> tuple[str | None, str | None]:
    """(e-mail key, phone key) of a canonical lead record; mobile counts when no phone."""
    country = (record.get("country") or "DE").upper()
    region = country if len(country) == 2 else "DE"
    return (
        email_key(record.get("email")),
        phone_key(record.get("phone"), region) or phone_key(record.get("mobile"), region),
    )


_TITLE_WORDS = frozenset({
    "dr", "prof", "professor", "dipl", "ing", "mag", "med", "dent", "vet", "rer", "nat",
    "phil", "jur", "oec", "pol", "habil", "h", "c", "mba", "msc", "bsc", "ba", "ma", "llm",
    "herr", "frau", "hr", "fr", "von", "vom", "zu", "der", "den", "van", "de",
})
_VOWEL_E = (("ae", "a"), ("oe", "o"), ("ue", "u"))


def name_words(text: str) -> list[str]:
    """The words of a name, folded so that "Müller", "Mueller" and "Muller" agree."""
    words = []
    for word in fold(text).split():
        for pair, single in _VOWEL_E:
            word = word.replace(pair, single)
        words.append(word)
    return words


_FOLDED_TITLE_WORDS = frozenset(name_words(" ".join(_TITLE_WORDS)))  # "oec" folds to "oc"


def person_key(first: str | None, last: str | None, full: str | None = None) -> str | None:
    """One key for every spelling of a person's name a list may use.

    "Dippel, Matteo", "Matteo Dippel", "Dr. Matteo Dippel" and "Mattéo Dippel" share it, and
    so do "Jürgen Müller", "Juergen Mueller" and "Jurgen Muller": titles, salutations and name
    particles are dropped, umlauts and their transliterations fold alike, order is ignored.
    """
    text = f"{first or ''} {last or ''}" if last else (full or "")
    words = [w for w in name_words(text) if w not in _FOLDED_TITLE_WORDS]
    return " ".join(sorted(words)) if len(words) >= 2 else None
