"""Robinson lists: reading a list file and the identifiers a record is checked under.

Robinson lists (DDV, I.D.I.) are per channel: addressed post, telephone, e-mail. Operators
deliver them as plain entries or as SHA-256 hashes of normalised identifiers. leadpipe never
keeps the plain entries: every entry is stored as the SHA-256 of the normalised identifier
(e-mail lower-case; phone in E.164; postal identity "first|last|street+no|postcode" folded,
see `compliance.suppression.postal_identity`). A hashed list must use the same normalisation.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from compliance.subjects import email_key, phone_key
from compliance.suppression import postal_identity

CHANNEL_KINDS = {"email": "email", "phone": "phone", "sms": "phone", "fax": "phone",
                 "post": "postal"}
"""Which identifier a list of each channel is matched on."""


def identifier_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def entry_identifier(channel: str, row: Mapping[str, str | None]) -> str | None:
    """The normalised identifier a plain list entry names for a channel."""
    kind = CHANNEL_KINDS[channel]
    if kind == "email":
        return email_key(row.get("email"))
    if kind == "phone":
        country = (row.get("country") or "DE").upper()
        own = {"fax": "fax", "sms": "mobile"}.get(channel, "mobile")
        return phone_key(row.get("phone") or row.get(own), country if len(country) == 2
                         else "DE")
    return postal_identity(row)


RECORD_FIELDS = frozenset({"email_normalized", "phone_e164", "mobile_e164", "fax_e164",
                           "first_name", "last_name", "street", "house_number", "postcode"})
"""The enriched record's fields `record_identifiers` reads: the lead's records are read with
these columns only, so a field missing here would silently end a list's hits."""

_NUMBERS = {"phone": ("phone_e164", "mobile_e164"), "sms": ("mobile_e164",),
            "fax": ("fax_e164",)}
"""A phone list covers calls to the landline and the mobile; SMS go to the mobile."""


def record_identifiers(channel: str, record: Mapping[str, Any]) -> tuple[str, ...]:
    """The identifiers an enriched record is checked under for a channel's list (a hit on
    any of them is a hit): its e-mail address as enrichment normalised it, its numbers in
    E.164, its postal identity."""
    kind = CHANNEL_KINDS[channel]
    if kind == "email":
        email = record.get("email_normalized")
        return (email.lower(),) if email else ()
    if kind == "phone":
        return tuple(dict.fromkeys(str(record[f]) for f in _NUMBERS[channel] if record.get(f)))
    identity = postal_identity(record)
    return (identity,) if identity else ()


@dataclass
class RobinsonFile:
    entries: list[tuple[str, date | None]] = field(default_factory=list)
    problems: list[tuple[int, str | None, str]] = field(default_factory=list)


def read_robinson_file(text: str, channel: str, *, hashed: bool) -> RobinsonFile:
    """Entries as (sha256 of the identifier, entry date or None); bad rows as problems.

    Plain files name the identifier in columns (`email`; `phone`; or `first_name`,
    `last_name`, `street`, `house_number`, `postcode` for post); hashed files have a `hash`
    column. An optional `entry_date` column (YYYY-MM-DD) gives when the person signed up.
    """
    result = RobinsonFile()
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    for index, raw in enumerate(reader):
        line = index + 2
        row = {(k or "").strip().lower(): (v or "").strip() or None for k, v in raw.items()}
        entry_date = None
        if row.get("entry_date"):
            try:
                entry_date = date.fromisoformat(str(row["entry_date"]))
            except ValueError:
                result.problems.append((line, "entry_date", f"{row['entry_date']!r} is not a "
                                                            "date like 2026-11-26"))
                continue
        if hashed:
            value = (row.get("hash") or "").lower()
            if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
                result.problems.append((line, "hash", "not a SHA-256 hex digest"))
                continue
            result.entries.append((value, entry_date))
            continue
        identifier = entry_identifier(channel, row)
        if identifier is None:
            wanted = {"email": "email", "phone": "phone",
                      "postal": "last_name, street and postcode"}[CHANNEL_KINDS[channel]]
            result.problems.append((line, wanted.split(",")[0], f"needs {wanted}"))
            continue
        result.entries.append((identifier_hash(identifier), entry_date))
    return result
