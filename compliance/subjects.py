"""Subject keys: the normalised e-mail and phone a person's consent history is filed under.

The ledger, the suppression list and `leadpipe consent show` must all agree on them, so they
are computed in one place.
"""

from __future__ import annotations

from collections.abc import Mapping

import phonenumbers
from email_validator import EmailNotValidError, validate_email


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
