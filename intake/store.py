"""The intake service's durable state: one SQLite file (WAL, synchronous=FULL).

Tables: `submissions` (the spool, one JSON record per submission in the hand-off format),
`doi_tokens` (SHA-256 of each token, never the token), `confirmations`, `outbox` (the
confirmation mails, without their token), `rate_buckets`, `seen_signatures` and
`handoff_files` (what `export_pending` wrote, for erasure). A DOI token is an HMAC of the
submission id under a key kept beside the file (`doi.key`), so it is computed again when the
mail is sent and the database — or a backup of it — never holds one. A submission is
committed — fsync'd — before the service answers 2xx. Rate-limit buckets go through a second
connection without fsync: losing them on a power cut costs nothing.

The directory is created mode 0700 and the files 0600 (SQLite gives its -wal and -shm files
the database's mode); deleted content is overwritten (`secure_delete`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    submission_id TEXT PRIMARY KEY,
    form_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    record TEXT NOT NULL,
    doi_status TEXT NOT NULL CHECK (doi_status IN ('not_needed', 'pending', 'confirmed')),
    exported_at TEXT,
    exported_confirmed INTEGER NOT NULL DEFAULT 0,
    confirmation_exported_at TEXT
);
CREATE INDEX IF NOT EXISTS submissions_export ON submissions (exported_at);
CREATE TABLE IF NOT EXISTS doi_tokens (
    token_hash TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES submissions ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE TABLE IF NOT EXISTS confirmations (
    submission_id TEXT PRIMARY KEY REFERENCES submissions ON DELETE CASCADE,
    confirmed_at TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES submissions ON DELETE CASCADE,
    token TEXT,
    expires_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'expired_unsent')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at TEXT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS purges (
    purged_at TEXT NOT NULL,
    unconfirmed INTEGER NOT NULL,
    exported INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS rate_buckets (
    key TEXT PRIMARY KEY,
    tokens REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS seen_signatures (
    signature_hash TEXT PRIMARY KEY,
    seen_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS handoff_files (
    path TEXT PRIMARY KEY,
    written_at TEXT NOT NULL
);
"""
KEY_NAME = "doi.key"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def private_dir(path: Path) -> None:
    """Create `path` (and parents) for the service's eyes only: mode 0700."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def connect(path: Path, *, durable: bool = True) -> sqlite3.Connection:
    """Open (and create, mode 0600) the state file; `durable` commits are fsync'd
    (synchronous=FULL). Deleted rows are overwritten, not just unlinked (secure_delete)."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    path.chmod(0o600)
    con = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA secure_delete=ON")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(f"PRAGMA synchronous={'FULL' if durable else 'OFF'}")
    con.execute("PRAGMA foreign_keys=ON")
    con.row_factory = sqlite3.Row
    if durable:
        con.executescript(SCHEMA)
    return con


@contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def doi_key(state_dir: Path) -> bytes:
    """The key DOI tokens are derived with; created once (mode 0600) beside the state file.
    Losing it only invalidates the links of mails not yet confirmed."""
    path = state_dir / KEY_NAME
    private_dir(state_dir)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as fh:
        fh.write(secrets.token_bytes(32))
    return path.read_bytes()


def derive_token(key: bytes, submission_id: str) -> str:
    """The DOI token of a submission: unguessable without the key, never stored."""
    digest = hmac.new(key, submission_id.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class NewSubmission:
    submission_id: str
    form_id: str
    received_at: datetime
    record: dict[str, Any]
    token_expires_at: datetime | None
    """When the DOI link expires, or None when no DOI is needed."""


@dataclass(frozen=True)
class TokenState:
    status: str
    """'valid', 'used', 'expired' or 'unknown'."""
    submission_id: str | None
    record: dict[str, Any] | None
    form_id: str | None


class Store:
    """Thread-safe access for the service; every call is one short transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.con = connect(path)
        self.fast = connect(path, durable=False)
        self.lock = threading.Lock()
        self.key = doi_key(path.parent)

    def doi_token(self, submission_id: str) -> str:
        return derive_token(self.key, submission_id)

    def close(self) -> None:
        with self.lock:
            self.con.close()
            self.fast.close()

    # --- abuse limits (not durable) -------------------------------------------------------

    def take_token(self, key: str, now: float, capacity: float, per_minute: float
                   ) -> float | None:
        """Token bucket per client: None if allowed, else seconds until the next token."""
        with self.lock, transaction(self.fast) as con:
            row = con.execute("SELECT tokens, updated FROM rate_buckets WHERE key = ?",
                              (key,)).fetchone()
            tokens = capacity if row is None else min(
                capacity, row["tokens"] + (now - row["updated"]) * per_minute / 60.0)
            if tokens < 1.0:
                return (1.0 - tokens) * 60.0 / per_minute
            con.execute("INSERT OR REPLACE INTO rate_buckets (key, tokens, updated) "
                        "VALUES (?, ?, ?)", (key, tokens - 1.0, now))
            return None

    def first_use_of_signature(self, signature: str, now: float, max_age: float) -> bool:
        """False if this exact signature was seen within the replay window."""
        digest = token_hash(signature)
        with self.lock, transaction(self.fast) as con:
            con.execute("DELETE FROM seen_signatures WHERE seen_at < ?", (now - 2 * max_age,))
            if con.execute("SELECT 1 FROM seen_signatures WHERE signature_hash = ?",
                           (digest,)).fetchone():
                return False
            con.execute("INSERT INTO seen_signatures VALUES (?, ?)", (digest, now))
            return True

    # --- the spool ------------------------------------------------------------------------

    def add_submission(self, sub: NewSubmission) -> str | None:
        """Store the submission, its token hash and its mail in one fsync'd transaction;
        return the DOI token for the link (None: no DOI needed)."""
        token = self.doi_token(sub.submission_id) if sub.token_expires_at else None
        with self.lock, transaction(self.con) as con:
            con.execute(
                "INSERT INTO submissions (submission_id, form_id, received_at, record, "
                "doi_status) VALUES (?, ?, ?, ?, ?)",
                (sub.submission_id, sub.form_id, iso(sub.received_at),
                 json.dumps(sub.record, ensure_ascii=False),
                 "pending" if token else "not_needed"))
            if token and sub.token_expires_at:
                con.execute("INSERT INTO doi_tokens VALUES (?, ?, ?, ?, NULL)",
                            (token_hash(token), sub.submission_id, iso(sub.received_at),
                             iso(sub.token_expires_at)))
                con.execute(
                    "INSERT INTO outbox (submission_id, expires_at, status, next_attempt_at) "
                    "VALUES (?, ?, 'queued', ?)",
                    (sub.submission_id, iso(sub.token_expires_at), iso(sub.received_at)))
        return token

    def token_state(self, token: str, now: datetime) -> TokenState:
        with self.lock:
            return _token_state(self.con, token_hash(token), now)

    def confirm(self, token: str, now: datetime, ip: str | None, user_agent: str | None
                ) -> TokenState:
        """Use the token once: record time, IP and user agent; report the state before."""
        digest = token_hash(token)
        with self.lock, transaction(self.con) as con:
            state = _token_state(con, digest, now)
            if state.status != "valid":
                return state
            con.execute("UPDATE doi_tokens SET used_at = ? WHERE token_hash = ?",
                        (iso(now), digest))
            con.execute("INSERT INTO confirmations VALUES (?, ?, ?, ?)",
                        (state.submission_id, iso(now), ip, user_agent))
            con.execute("UPDATE submissions SET doi_status = 'confirmed' "
                        "WHERE submission_id = ?", (state.submission_id,))
            return state

    # --- the outbox -----------------------------------------------------------------------

    def due_mails(self, now: datetime, limit: int = 100) -> list[dict[str, Any]]:
        """Queued mails whose time has come; mails whose link expired unsent are marked."""
        with self.lock, transaction(self.con) as con:
            con.execute("UPDATE outbox SET status = 'expired_unsent', token = NULL "
                        "WHERE status = 'queued' AND expires_at <= ?", (iso(now),))
            rows = con.execute(
                "SELECT o.id, o.submission_id, o.token, o.attempts, o.expires_at, s.form_id, "
                "s.record FROM outbox o JOIN submissions s USING (submission_id) "
                "WHERE o.status = 'queued' AND o.next_attempt_at <= ? "
                "ORDER BY o.next_attempt_at LIMIT ?", (iso(now), limit)).fetchall()
        # a mail queued before tokens were derived still carries its own (until sent)
        return [{**dict(r), "record": json.loads(r["record"]),
                 "token": r["token"] or self.doi_token(r["submission_id"])} for r in rows]

    def mails_done(self, sent: list[int], failed: dict[int, tuple[datetime, str]],
                   now: datetime) -> None:
        """Record one outbox pass in one transaction: sent mails are marked (and lose a token
        left from before tokens were derived), failed ones get their error and the time of
        the next attempt."""
        with self.lock, transaction(self.con) as con:
            con.executemany("UPDATE outbox SET status = 'sent', sent_at = ?, token = NULL, "
                            "attempts = attempts + 1, last_error = NULL WHERE id = ?",
                            [(iso(now), i) for i in sent])
            con.executemany("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, "
                            "last_error = ? WHERE id = ?",
                            [(iso(at), error[:500], i) for i, (at, error) in failed.items()])

    def health(self) -> dict[str, Any]:
        with self.lock:
            counts = dict(self.con.execute(
                "SELECT status || CASE WHEN status = 'queued' AND attempts > 0 "
                "THEN '_retrying' ELSE '' END, count(*) FROM outbox GROUP BY 1").fetchall())
            spool = self.con.execute(
                "SELECT count(*), sum(exported_at IS NULL) FROM submissions").fetchone()
            error = self.con.execute(
                "SELECT last_error FROM outbox WHERE status = 'queued' AND last_error IS NOT "
                "NULL ORDER BY id DESC LIMIT 1").fetchone()
        retrying = counts.get("queued_retrying", 0)
        return {
            "submissions": spool[0], "not_exported": spool[1] or 0,
            "mail_queued": counts.get("queued", 0) + retrying, "mail_retrying": retrying,
            "mail_sent": counts.get("sent", 0),
            "mail_expired_unsent": counts.get("expired_unsent", 0),
            "last_mail_error": error[0] if error else None,
        }


def _token_state(con: sqlite3.Connection, digest: str, now: datetime) -> TokenState:
    row = con.execute(
        "SELECT t.submission_id, t.expires_at, t.used_at, s.record, s.form_id "
        "FROM doi_tokens t JOIN submissions s USING (submission_id) WHERE t.token_hash = ?",
        (digest,)).fetchone()
    if row is None:
        return TokenState("unknown", None, None, None)
    record = json.loads(row["record"])
    if row["used_at"] is not None:
        status = "used"
    elif datetime.fromisoformat(row["expires_at"]) <= now:
        status = "expired"
    else:
        status = "valid"
    return TokenState(status, row["submission_id"], record, row["form_id"])


def retry_delay(attempts: int, base_s: float, max_s: float) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base, … capped at max."""
    return timedelta(seconds=min(max_s, base_s * 2 ** max(0, attempts)))
