"""The workspace's own state: users, sessions, failed logins, the audit log, background jobs.

One SQLite file beside the warehouse (`<data>/workspace.sqlite`, WAL, 0600), not DuckDB: a
login, an audit entry or a job's progress must be written while the nightly run holds the
warehouse for writing. Sessions are stored by the SHA-256 of their token, so the file (or a
backup of it) cannot be used to log in. The audit log is append-only: nothing here updates or
deletes a row of it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from foundation.private import private_dir, tighten

Role = Literal["sales", "marketing", "admin"]
ROLES: tuple[Role, ...] = ("sales", "marketing", "admin")
"""Each role may do what the roles before it may, and more."""

JobState = Literal["running", "done", "failed"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('sales', 'marketing', 'admin')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    seen_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures (key, at);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    username TEXT,
    action TEXT NOT NULL,
    lead_id TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_lead ON audit (lead_id);
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    started_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    title TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT ''
);
"""


SESSION_TOUCH = timedelta(minutes=1)
"""How stale a session's last-seen time may get before a request writes it anew."""


class UserExists(ValueError):
    """`user add` with a name that is taken."""


class UnknownUser(ValueError):
    """A user name the workspace does not know."""


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    password_hash: str
    created_at: str
    disabled: bool

    def may(self, role: Role) -> bool:
        """True when this user's role includes `role` (admin ⊃ marketing ⊃ sales)."""
        return not self.disabled and ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True)
class Session:
    username: str
    csrf_token: str
    created_at: datetime
    seen_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    at: str
    username: str | None
    action: str
    lead_id: str | None
    detail: str


@dataclass(frozen=True)
class Job:
    job_id: str
    kind: str
    started_by: str
    started_at: str
    finished_at: str | None
    state: JobState
    title: str
    message: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def store_path(data_dir: Path) -> Path:
    return data_dir / "workspace.sqlite"


class Store:
    """Thread-safe access to the workspace file (the web server answers from a thread pool)."""

    def __init__(self, path: Path) -> None:
        private_dir(path.parent)
        self.path = path
        self._lock = threading.Lock()
        self._con = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        tighten(path)
        self._con.execute("PRAGMA journal_mode=WAL")
        # WAL with NORMAL: a commit survives a crash of the server; only a power cut may take
        # the last few (a page view's audit entry, a session's last-seen time). The objections
        # and outcomes a rep records go to the warehouse's own journal, synced to disk.
        self._con.execute("PRAGMA synchronous=NORMAL")
        self._con.execute("PRAGMA foreign_keys=ON")
        self._con.execute("PRAGMA secure_delete=ON")
        self._con.executescript(SCHEMA)

    def close(self) -> None:
        self._con.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._con.execute("BEGIN IMMEDIATE")
            try:
                yield self._con
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
            self._con.execute("COMMIT")

    # users
    def add_user(self, username: str, role: Role, password_hash: str) -> User:
        with self._tx() as con:
            if con.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
                raise UserExists(f"a user {username!r} exists already; choose another name or "
                                 f"set a new password with `leadpipe web user password {username}`")
            con.execute("INSERT INTO users VALUES (?, ?, ?, ?, NULL)",
                        [username, role, password_hash, _now().isoformat()])
        user = self.user(username)
        assert user is not None
        return user

    def set_password(self, username: str, password_hash: str) -> None:
        with self._tx() as con:
            if not con.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                               [password_hash, username]).rowcount:
                raise UnknownUser(f"no user {username!r}")
            con.execute("DELETE FROM sessions WHERE username = ?", [username])

    def set_disabled(self, username: str, disabled: bool) -> None:
        with self._tx() as con:
            if not con.execute("UPDATE users SET disabled_at = ? WHERE username = ?",
                               [_now().isoformat() if disabled else None, username]).rowcount:
                raise UnknownUser(f"no user {username!r}")
            if disabled:
                con.execute("DELETE FROM sessions WHERE username = ?", [username])

    def user(self, username: str) -> User | None:
        with self._lock:
            row = self._con.execute("SELECT username, role, password_hash, created_at, "
                                    "disabled_at IS NOT NULL FROM users WHERE username = ?",
                                    [username]).fetchone()
        return None if row is None else User(row[0], row[1], row[2], row[3], bool(row[4]))

    def users(self) -> list[User]:
        with self._lock:
            rows = self._con.execute("SELECT username, role, password_hash, created_at, "
                                     "disabled_at IS NOT NULL FROM users ORDER BY username"
                                     ).fetchall()
        return [User(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]

    # sessions
    def open_session(self, token: str, username: str, csrf_token: str) -> None:
        now = _now().isoformat()
        with self._tx() as con:
            con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                        [token_hash(token), username, csrf_token, now, now])

    def session(self, token: str, *, idle: timedelta, absolute: timedelta) -> Session | None:
        """The live session of a cookie token, or None when unknown or expired.

        Its last-seen time is written at most once a minute (`SESSION_TOUCH`): a page view
        then costs no disk write for the session, and an idle limit of minutes loses nothing.
        """
        now, key = _now(), token_hash(token)
        with self._lock:
            row = self._con.execute("SELECT username, csrf_token, created_at, seen_at "
                                    "FROM sessions WHERE token_hash = ?", [key]).fetchone()
        if row is None:
            return None
        created, seen = datetime.fromisoformat(row[2]), datetime.fromisoformat(row[3])
        if now - seen > idle or now - created > absolute:
            self.close_session(token)
            return None
        if now - seen > SESSION_TOUCH:
            with self._tx() as con:
                con.execute("UPDATE sessions SET seen_at = ? WHERE token_hash = ?",
                            [now.isoformat(), key])
        return Session(row[0], row[1], created, now)

    def close_session(self, token: str) -> None:
        with self._tx() as con:
            con.execute("DELETE FROM sessions WHERE token_hash = ?", [token_hash(token)])

    # failed logins
    def note_failure(self, keys: tuple[str, ...]) -> None:
        now = _now().isoformat()
        with self._tx() as con:
            con.executemany("INSERT INTO login_failures VALUES (?, ?)", [(k, now) for k in keys])

    def failures(self, key: str, window: timedelta) -> int:
        since = (_now() - window).isoformat()
        with self._tx() as con:
            con.execute("DELETE FROM login_failures WHERE at < ?", [since])
            row = con.execute("SELECT count(*) FROM login_failures WHERE key = ?",
                              [key]).fetchone()
        return int(row[0])

    def clear_failures(self, key: str) -> None:
        with self._tx() as con:
            con.execute("DELETE FROM login_failures WHERE key = ?", [key])

    # audit
    def audit(self, username: str | None, action: str, lead_id: str | None = None,
              detail: Mapping[str, object] | None = None) -> None:
        with self._tx() as con:
            con.execute("INSERT INTO audit (at, username, action, lead_id, detail) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [_now().isoformat(), username, action, lead_id,
                         json.dumps(dict(detail or {}), ensure_ascii=False, default=str)])

    def audit_entries(self, *, lead_id: str | None = None, action: str | None = None,
                      limit: int = 200) -> list[AuditEntry]:
        sql = "SELECT at, username, action, lead_id, detail FROM audit"
        wanted = [(column, value) for column, value in (("lead_id", lead_id),
                                                         ("action", action)) if value]
        if wanted:
            sql += " WHERE " + " AND ".join(f"{column} = ?" for column, _ in wanted)
        with self._lock:
            rows = self._con.execute(sql + " ORDER BY id DESC LIMIT ?",
                                     [*(value for _, value in wanted), limit]).fetchall()
        return [AuditEntry(*r) for r in rows]

    # background jobs (an upload's ingest)
    def start_job(self, job_id: str, kind: str, started_by: str, title: str) -> None:
        with self._tx() as con:
            con.execute("INSERT INTO jobs VALUES (?, ?, ?, ?, NULL, 'running', ?, '')",
                        [job_id, kind, started_by, _now().isoformat(), title])

    def finish_job(self, job_id: str, state: JobState, message: str) -> None:
        with self._tx() as con:
            con.execute("UPDATE jobs SET state = ?, message = ?, finished_at = ? "
                        "WHERE job_id = ?", [state, message, _now().isoformat(), job_id])

    def abandon_running_jobs(self, message: str) -> int:
        """Mark jobs a stopped server left 'running' as failed (their thread is gone)."""
        with self._tx() as con:
            return con.execute("UPDATE jobs SET state = 'failed', message = ?, finished_at = ? "
                               "WHERE state = 'running'", [message, _now().isoformat()]).rowcount

    def job(self, job_id: str) -> Job | None:
        with self._lock:
            row = self._con.execute("SELECT * FROM jobs WHERE job_id = ?", [job_id]).fetchone()
        return None if row is None else Job(*row)

    def jobs(self, limit: int = 20) -> list[Job]:
        with self._lock:
            rows = self._con.execute("SELECT * FROM jobs ORDER BY started_at DESC LIMIT ?",
                                     [limit]).fetchall()
        return [Job(*r) for r in rows]
