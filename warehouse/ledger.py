"""Writing and reading the consent ledger (`core.consent_events`).

Events are only ever appended; each insert extends the hash chain defined in
`compliance.ledger`. Nothing in leadpipe updates or deletes ledger rows, except GDPR
erasure, which is itself recorded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from compliance.ledger import GENESIS_HASH, as_utc, chain_hash, content_hash
from warehouse.db import Warehouse

LEDGER_COLUMNS = (
    "seq", "event_id", "record_id", "subject_email", "subject_phone", "kind", "channels",
    "occurred_at", "attributes", "evidence", "recorded_at", "content_hash", "prev_hash", "hash",
)
READ_COLUMNS = (*LEDGER_COLUMNS, "redacted_at", "redaction_ref")


def event_id_for(event: Mapping[str, Any]) -> str:
    """A stable id: the same source fact always gets the same id (so re-imports are no-ops)."""
    key = json.dumps(
        [event.get("record_id"), event.get("kind"), sorted(event.get("channels") or []),
         str(event.get("occurred_at")), event.get("attributes")],
        sort_keys=True, default=str, ensure_ascii=False,
    )
    return "ev-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def append_events(wh: Warehouse, events: Iterable[Mapping[str, Any]]) -> int:
    """Append events (dicts with the hashed fields, minus chain and ids); skip known ids."""
    last = wh.fetchone("SELECT seq, hash FROM core.consent_events ORDER BY seq DESC LIMIT 1")
    seq, prev = (int(last[0]), str(last[1])) if last else (0, GENESIS_HASH)
    known = {r[0] for r in wh.fetchall("SELECT event_id FROM core.consent_events")}
    now = datetime.now(UTC)
    rows = []
    for raw in events:
        event = dict(raw)
        event.setdefault("attributes", {})
        event.setdefault("evidence", {})
        event["occurred_at"] = as_utc(event["occurred_at"])
        event["event_id"] = event.get("event_id") or event_id_for(event)
        if event["event_id"] in known:
            continue
        known.add(event["event_id"])
        event["recorded_at"] = now
        seq += 1
        event["seq"] = seq
        event["prev_hash"] = prev
        event["content_hash"] = content_hash(event)
        event["hash"] = prev = chain_hash(prev, event["content_hash"])
        rows.append([
            event["seq"], event["event_id"], event.get("record_id"), event.get("subject_email"),
            event.get("subject_phone"), event["kind"], list(event.get("channels") or []),
            event["occurred_at"], json.dumps(event["attributes"], default=str, ensure_ascii=False),
            json.dumps(event["evidence"], default=str, ensure_ascii=False),
            event["recorded_at"], event["content_hash"], event["prev_hash"], event["hash"],
        ])
    if rows:
        wh.con.executemany(
            f"INSERT INTO core.consent_events ({', '.join(LEDGER_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(LEDGER_COLUMNS))})",
            rows,
        )
    return len(rows)


def ledger_events(wh: Warehouse, where: str = "", params: list[Any] | None = None
                  ) -> list[dict[str, Any]]:
    return wh.dicts(
        f"SELECT {', '.join(READ_COLUMNS)} FROM core.consent_events {where} ORDER BY seq",
        params or [],
    )


def events_for_subject(wh: Warehouse, email: str | None, phone: str | None
                       ) -> list[dict[str, Any]]:
    """Every ledger event filed under this e-mail or phone, in chain order."""
    if not email and not phone:
        return []
    return ledger_events(
        wh, "WHERE (subject_email = ? AND ? IS NOT NULL) OR (subject_phone = ? AND ? IS NOT NULL)",
        [email, email, phone, phone],
    )
