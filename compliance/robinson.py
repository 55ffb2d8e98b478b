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

from compliance.subjects import email_key, phone_key
from compliance.suppression import postal_identity

CHANNEL_KINDS = {"email": "email", "phone": "phone", "sms": "phone", "fax": "phone",
                 "post": "postal"}
"""Which identifier a list of each channel is matched on."""


def identifier_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def record_identifier(channel: str, record: Mapping[str, str | None]) -> str | None:
    """The normalised identifier a record is checked under for a channel's list."""
    kind = CHANNEL_KINDS[channel]
    if kind == "email":
        return email_key(record.get("email"))
    if kind == "phone":
        country = (record.get("country") or "DE").upper()
        region = country if len(country) == 2 else "DE"
        source = record.get("fax") if channel == "fax" else (
            record.get("mobile") if channel == "sms" else record.get("phone"))
        return phone_key(source, region) or (phone_key(record.get("mobile"), region)
                                            if channel == "phone" else None)
    return postal_identity(record)


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
        identifier = record_identifier(channel, row)
        if identifier is None:
            wanted = {"email": "email", "phone": "phone",
                      "postal": "last_name, street and postcode"}[CHANNEL_KINDS[channel]]
            result.problems.append((line, wanted.split(",")[0], f"needs {wanted}"))
            continue
        result.entries.append((identifier_hash(identifier), entry_date))
    return result
