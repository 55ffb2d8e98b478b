"""The consent ledger's tamper evidence: a hash chain over append-only events.

Each event's hash covers its canonical JSON and the previous event's hash, so changing,
removing or reordering any stored event breaks every hash after it. `verify_chain` finds the
first break; `leadpipe consent show` runs it before printing evidence.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

GENESIS_HASH = "0" * 64

HASHED_FIELDS = (
    "event_id", "record_id", "subject_email", "subject_phone", "kind", "channels",
    "occurred_at", "attributes", "evidence", "recorded_at",
)
"""The event fields the hash covers (everything but the chain fields themselves)."""


def canonical_event(event: Mapping[str, Any]) -> str:
    """Stable JSON of the hashed fields: sorted keys, no whitespace, ISO dates."""
    content = {}
    for name in HASHED_FIELDS:
        value = event.get(name)
        if isinstance(value, str) and name in ("attributes", "evidence"):
            value = json.loads(value)
        content[name] = value
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_json_value)


def _json_value(value: Any) -> str:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def as_utc(value: datetime | date | str) -> datetime:
    """Timestamps in the ledger are UTC; a date is midnight UTC, naive times count as UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def chain_hash(prev_hash: str, event: Mapping[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical_event(event).encode("utf-8"))
    return digest.hexdigest()


def verify_chain(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """Check events in sequence order; return a description of each break (empty if intact)."""
    problems = []
    expected_prev = GENESIS_HASH
    for event in events:
        seq = event.get("seq")
        if event["prev_hash"] != expected_prev:
            problems.append(f"event {seq}: previous-hash link broken (an event was removed "
                            "or reordered before it)")
        if chain_hash(event["prev_hash"], event) != event["hash"]:
            problems.append(f"event {seq}: content does not match its hash (altered)")
        expected_prev = event["hash"]
    return problems
