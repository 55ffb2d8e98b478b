"""Suppression keys: keyed hashes of the identifiers of people who objected or were erased.

A suppression entry keeps no plaintext, only HMAC-SHA256(secret, normalised identifier) for
the e-mail, the E.164 phone (bound to the surname when known) and the postal identity (name +
street + house number + postcode), with its origin (`objection` or `erasure`), date and scope.
Every batch is checked against the list at ingest, so such a person is never imported again
as a new lead. Hashes are still personal data (spec U11); the secret makes them useless
without the warehouse's key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from compliance.subjects import email_key, phone_key
from enrichment.text import compact

_STREET_SUFFIX = re.compile(r"(strasse|str)$")
_TRAILING_NUMBER = re.compile(r"^(.*?)[\s,]+(\d+\s*[a-zA-Z]?(?:\s*[-/]\s*\d+\s*[a-zA-Z]?)?)$")


def postal_identity(record: Mapping[str, str | None]) -> str | None:
    """Name + street + house number + postcode, folded; None when any part is missing."""
    last = record.get("last_name") or record.get("full_name")
    first = record.get("first_name") or ""
    street = record.get("street") or record.get("street_full")
    postcode = record.get("postcode")
    if not (last and street and postcode):
        return None
    number = record.get("house_number") or ""
    if not number:
        split = _TRAILING_NUMBER.match(street.strip())
        if split:
            street, number = split.group(1), split.group(2)
    street_key = _STREET_SUFFIX.sub("str", compact(street)) + compact(number)
    return "|".join((compact(first), compact(last), street_key, compact(postcode)))


def keyed_hash(secret: bytes, kind: str, value: str) -> str:
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _name_key(record: Mapping[str, str | None]) -> str | None:
    last = record.get("last_name") or record.get("full_name")
    return compact(last) if last else None


def _identifiers(record: Mapping[str, str | None]) -> dict[str, str]:
    country = (record.get("country") or "DE").upper()
    region = country if len(country) == 2 else "DE"
    found: dict[str, str] = {}
    email = email_key(record.get("email"))
    if email:
        found["email"] = email
    phone = phone_key(record.get("phone"), region) or phone_key(record.get("mobile"), region)
    name = _name_key(record)
    if phone:
        found["phone"] = phone
        if name:
            found["phone_person"] = f"{phone}|{name}"
    postal = postal_identity(record)
    if postal:
        found["postal"] = postal
    return found


def entry_hashes(secret: bytes, record: Mapping[str, str | None]) -> list[tuple[str, str]]:
    """The (kind, hash) pairs to store when this person objects or is erased.

    A phone number is stored bound to the person's name when the name is known, so that an
    objection of one colleague does not silence the shared switchboard for everybody; only
    a number given without any name is suppressed as a number.
    """
    ids = _identifiers(record)
    if "phone_person" in ids:
        ids.pop("phone")
    return [(kind, keyed_hash(secret, kind, value)) for kind, value in sorted(ids.items())]


def check_hashes(secret: bytes, record: Mapping[str, str | None]) -> list[tuple[str, str]]:
    """Every (kind, hash) an incoming record could match a suppression entry under."""
    return [(kind, keyed_hash(secret, kind, value))
            for kind, value in sorted(_identifiers(record).items())]


@dataclass(frozen=True)
class SuppressionEntry:
    origin: str
    """objection or erasure; erasure wins when the same identifier has both."""
    entered_at: datetime
    """The latest time it was entered (a person erased again after a new submission)."""


@dataclass(frozen=True)
class SuppressionList:
    """The list as the warehouse keeps it, (kind, hash) → entry, with the key to hash by.

    A stage reads it once and hands it to the loader, which asks it about every incoming
    record; what counts as a match is decided here, not in the warehouse.
    """

    entries: Mapping[tuple[str, str], SuppressionEntry]
    secret: bytes

    def __bool__(self) -> bool:
        return bool(self.entries)

    def matches(self, record: Mapping[str, str | None]) -> list[tuple[str, SuppressionEntry]]:
        """(kind, entry) of every entry the record matches, in the order of the kinds."""
        return [(kind, self.entries[(kind, hash_)])
                for kind, hash_ in check_hashes(self.secret, record)
                if (kind, hash_) in self.entries]

    def first_match(self, record: Mapping[str, str | None]
                    ) -> tuple[str, SuppressionEntry] | None:
        """(kind, entry) of the first entry the record matches, or None."""
        found = self.matches(record)
        return found[0] if found else None
