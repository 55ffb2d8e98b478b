"""The consent ledger's tamper evidence: a hash chain over append-only events.

Each event stores `content_hash`, the SHA-256 of its canonical JSON, and `hash`, the SHA-256
of the previous event's hash and its own content hash. Changing, removing or reordering any
stored event breaks the chain from there on; `verify_chain` finds every break, and
`leadpipe consent show` runs it before printing evidence.

GDPR erasure must remove a person's data from the ledger too. It blanks the content of that
person's events and marks them redacted, but keeps both hashes, so the chain still verifies
and shows exactly which events were redacted, when and under which erasure record.
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


def content_hash(event: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_event(event).encode("utf-8")).hexdigest()


def chain_hash(prev_hash: str, event_content_hash: str) -> str:
    return hashlib.sha256((prev_hash + event_content_hash).encode("ascii")).hexdigest()


def verify_chain(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """Check events in sequence order; return a description of each break (empty if intact).

    Redacted events (GDPR erasure) are checked by their stored content hash only.
    """
    problems = []
    expected_prev = GENESIS_HASH
    for event in events:
        seq = event.get("seq")
        if event["prev_hash"] != expected_prev:
            problems.append(f"event {seq}: previous-hash link broken (an event was removed "
                            "or reordered before it)")
        if chain_hash(event["prev_hash"], event["content_hash"]) != event["hash"]:
            problems.append(f"event {seq}: hash does not match the chain (altered)")
        if not event.get("redacted_at") and content_hash(event) != event["content_hash"]:
            problems.append(f"event {seq}: content does not match its hash (altered)")
        expected_prev = event["hash"]
    return problems
