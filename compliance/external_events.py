"""Reading external consent events: unsubscribes, bounces, "do not call" notes, objections.

They arrive as CSV or NDJSON from the e-mail tool, from sales, or typed in from letters.
Each line becomes one ledger event in the vocabulary of section 10 of the eligibility rules;
a line that cannot be understood is returned as a problem (line, field, reason), never guessed.

| type          | ledger kind          | channels         | note                             |
|---------------|----------------------|------------------|----------------------------------|
| unsubscribe   | consent_withdrawn    | given or email   | channel-scoped withdrawal (U9)   |
| withdrawal    | consent_withdrawn    | given (required) |                                  |
| do_not_call   | consent_withdrawn    | phone            | "don't call again" (C6)          |
| objection     | objection_art21      | all              | also goes on the suppression list|
| bounce        | email_bounced        | email            | hard bounce: the address is dead |
| doi_confirmed | consent_given        | email            | a double opt-in confirmed later  |

A `doi_confirmed` line (written by the intake service for confirmations that arrive after
the submission reached the warehouse) carries the whole consent evidence: the consent text
and version, when it was given (`consent_given_at`), IP and user agent of the form, and the
confirmation click's own time (`at`), IP and user agent.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from compliance.ledger import as_utc
from compliance.subjects import email_key, phone_key
from foundation.vocabulary import CHANNELS

TYPES = {
    "unsubscribe": ("consent_withdrawn", ("email",)),
    "withdrawal": ("consent_withdrawn", ()),
    "do_not_call": ("consent_withdrawn", ("phone",)),
    "objection": ("objection_art21", ("all",)),
    "bounce": ("email_bounced", ("email",)),
    "doi_confirmed": ("consent_given", ("email",)),
}
_DOI_EVIDENCE = ("consent_text", "consent_text_version", "ip", "user_agent", "form_id",
                 "page_url", "privacy_notice_version", "doi_requested_at", "doi_ip",
                 "doi_user_agent", "submission_id")
_BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class ExternalEvent:
    line: int
    kind: str
    channels: tuple[str, ...]
    occurred_at: datetime
    email: str | None
    phone: str | None
    person: dict[str, str | None]
    attributes: dict[str, Any]
    evidence: dict[str, Any]


@dataclass
class ExternalEvents:
    events: list[ExternalEvent] = field(default_factory=list)
    problems: list[tuple[int, str | None, str]] = field(default_factory=list)


def _rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    if path.suffix.lower() in (".ndjson", ".jsonl", ".json"):
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, None, f"malformed JSON: {exc.msg}"
                continue
            if not isinstance(value, dict):
                yield number, None, "a line must be a JSON object"
                continue
            yield number, value, None
        return
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    for index, row in enumerate(reader):
        yield index + 2, {k.strip().lower(): v for k, v in row.items() if k}, None


def _when(value: Any) -> datetime:
    text = str(value).strip()
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_BERLIN)
    return as_utc(parsed)


def read_external_events(path: Path) -> ExternalEvents:
    """Parse a CSV/NDJSON file of external events; bad lines become problems."""
    result = ExternalEvents()
    text = path.read_bytes().decode("utf-8-sig", errors="strict")
    for line, row, error in _rows(path, text):
        if row is None:
            result.problems.append((line, None, error or "unreadable"))
            continue
        kind_name = str(row.get("type") or "").strip().lower()
        if kind_name not in TYPES:
            result.problems.append((line, "type", f"unknown type {kind_name!r}; expected one of "
                                                  f"{', '.join(TYPES)}"))
            continue
        kind, default_channels = TYPES[kind_name]
        given = row.get("channels") or row.get("channel")
        if isinstance(given, str):
            given = [c.strip().lower() for c in given.replace("|", ",").split(",") if c.strip()]
        channels = tuple(given or default_channels)
        unknown = [c for c in channels if c not in (*CHANNELS, "all")]
        if unknown or not channels:
            result.problems.append((line, "channels", f"unknown or missing channel(s) {unknown}"))
            continue
        try:
            occurred = _when(row.get("at") or row.get("date"))
            given = (_when(row["consent_given_at"]) if kind_name == "doi_confirmed"
                     and row.get("consent_given_at") else occurred)
        except ValueError:
            result.problems.append((line, "at", f"{row.get('at')!r} is not an ISO date/time"))
            continue
        email = email_key(row.get("email"))
        phone = phone_key(row.get("phone"))
        person = {k: row.get(k) for k in ("first_name", "last_name", "street", "house_number",
                                          "postcode", "city")}
        if not (email or phone or (person["last_name"] and person["postcode"])):
            result.problems.append((line, "email", "no e-mail, phone or name and postcode to "
                                                   "say whom the event concerns"))
            continue
        attributes: dict[str, Any] = {"type": kind_name}
        if kind == "consent_withdrawn":
            attributes["via"] = row.get("via") or kind_name
        if kind == "email_bounced":
            attributes["bounce"] = row.get("bounce") or "hard"
        evidence = {k: row[k] for k in ("source", "note", "wording", "received_via", "reference")
                    if row.get(k)}
        if kind_name == "doi_confirmed":
            attributes, evidence = _doi_consent(row, occurred, evidence)
            occurred = given
        result.events.append(ExternalEvent(line, kind, channels, occurred, email, phone, person,
                                           attributes, evidence))
    return result


def _doi_consent(row: dict[str, Any], confirmed: datetime, evidence: dict[str, Any]
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Attributes and evidence of a consent whose double opt-in was confirmed later."""
    text = row.get("consent_text")
    attributes = {
        "type": "doi_confirmed", "method": "double_opt_in",
        "confirmed_at": confirmed.isoformat(),
        "pre_ticked": _flag(row.get("pre_ticked")),
        "names_controller": _flag(row.get("names_controller")),
        "phone_verified": False,
        "evidence_complete": bool((text or row.get("consent_text_version"))
                                  and (row.get("ip") or row.get("user_agent"))),
    }
    evidence = {**evidence, **{k: row[k] for k in _DOI_EVIDENCE if row.get(k) is not None}}
    if text:
        evidence["consent_text_sha256"] = hashlib.sha256(str(text).encode("utf-8")).hexdigest()
    return attributes, evidence


def _flag(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1", "yes", "ja"}
