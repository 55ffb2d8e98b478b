"""Who may do what: password hashes, logins with a rate limit, sessions, CSRF tokens, roles.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second recommended
profile). A session is a random token in an HttpOnly, SameSite=Strict cookie (Secure behind
TLS); every form carries the session's CSRF token, checked on every state-changing request.
Failed logins are counted per user name and per client address, so neither guessing one
account's password nor spraying one password over many accounts gets far.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from workspace.config import WorkspaceConfig
from workspace.store import Role, Session, Store, User

COOKIE = "leadpipe_session"
MIN_PASSWORD_CHARS = 12
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to check an unknown name against (made at the first login, not at import)."""
    return _hasher.hash("leadpipe-no-such-user")


class BadPassword(ValueError):
    """A new password that is too weak to set."""


class LoginRefused(Exception):
    """Wrong name or password, or too many failures; the message is for the login page."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise BadPassword(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Login:
    user: User
    token: str
    """The cookie value (only its hash is stored)."""
    csrf_token: str


def log_in(store: Store, config: WorkspaceConfig, username: str, password: str,
           client: str) -> Login:
    """Check a password, or refuse (also while the name or the address is rate-limited)."""
    window = timedelta(minutes=config.login.window_minutes)
    keys = (f"user:{username.lower()}", f"client:{client}")
    if any(store.failures(k, window) >= config.login.max_failures for k in keys):
        raise LoginRefused("Zu viele Fehlversuche. Bitte warten Sie "
                           f"{config.login.window_minutes} Minuten und versuchen Sie es erneut.")
    user = store.user(username)
    # a hash is checked also for an unknown name, so timing does not tell which names exist
    ok = _verify(user.password_hash if user else _dummy_hash(), password)
    if user is None or not ok or user.disabled:
        store.note_failure(keys)
        store.audit(username, "login_failed", detail={"client": client})
        raise LoginRefused("Benutzername oder Passwort ist falsch.")
    store.clear_failures(keys[0])
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    store.open_session(token, user.username, csrf)
    store.audit(user.username, "login", detail={"client": client})
    return Login(user, token, csrf)


@dataclass(frozen=True)
class Identity:
    """The user behind a request and the CSRF token their forms must carry."""

    user: User
    session: Session
    token: str

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token

    def may(self, role: Role) -> bool:
        return self.user.may(role)


def identify(store: Store, config: WorkspaceConfig, token: str | None) -> Identity | None:
    if not token:
        return None
    session = store.session(token, idle=timedelta(minutes=config.session.idle_minutes),
                            absolute=timedelta(hours=config.session.absolute_hours))
    if session is None:
        return None
    user = store.user(session.username)
    if user is None or user.disabled:
        return None
    return Identity(user, session, token)


def csrf_ok(identity: Identity, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(identity.csrf_token, sent or "")
