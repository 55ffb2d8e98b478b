"""Logins, sessions, CSRF and roles of the workspace, through its HTTP door (no browser).

The browser tests (tests/browser) walk the same doors in Chromium; these pin the rules:
Argon2id hashes, rate limits per name and per address, sessions that end, cookies a script
cannot read, forms that need their CSRF token, roles that include one another.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from foundation.settings import Settings
from workspace.app import create_app
from workspace.auth import COOKIE, BadPassword, hash_password
from workspace.config import load_workspace_config
from workspace.store import Store, store_path

PASSWORD = "correct horse battery staple"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", db_path=tmp_path / "data" / "leadpipe.duckdb",
                    config_dir=tmp_path / "config")


@pytest.fixture
def store(settings: Settings) -> Store:
    store = Store(store_path(settings.data_dir))
    for name, role in (("vera", "sales"), ("mark", "marketing"), ("ada", "admin")):
        store.add_user(name, role, hash_password(PASSWORD))  # type: ignore[arg-type]
    return store


@pytest.fixture
def client(settings: Settings, store: Store) -> TestClient:
    return TestClient(create_app(settings, load_workspace_config(None).value, store))


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> int:
    response = client.post("/login", data={"username": name, "password": password,
                                           "next": "/admin"}, follow_redirects=False)
    return response.status_code


def csrf(client: TestClient, page: str = "/exports") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def test_passwords_are_stored_as_argon2id_hashes(store: Store) -> None:
    raw = sqlite3.connect(store.path).execute(
        "SELECT password_hash FROM users WHERE username = 'vera'").fetchone()[0]
    assert raw.startswith("$argon2id$")
    assert PASSWORD not in raw


def test_a_short_password_is_refused() -> None:
    with pytest.raises(BadPassword, match="12 characters"):
        hash_password("kurz")


def test_login_sets_an_httponly_samesite_cookie_and_stores_only_its_hash(
        client: TestClient, store: Store) -> None:
    response = client.post("/login", data={"username": "vera", "password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    token = client.cookies[COOKIE]
    stored = [r[0] for r in sqlite3.connect(store.path).execute(
        "SELECT token_hash FROM sessions")]
    assert token not in stored
    assert len(stored) == 1


def test_wrong_password_and_unknown_user_get_the_same_answer(client: TestClient) -> None:
    wrong = client.post("/login", data={"username": "vera", "password": "falsch" * 3})
    unknown = client.post("/login", data={"username": "nobody", "password": "falsch" * 3})
    assert wrong.status_code == unknown.status_code == 401
    assert "Benutzername oder Passwort ist falsch" in wrong.text
    assert "Benutzername oder Passwort ist falsch" in unknown.text


def test_login_attempts_are_rate_limited_per_user_name(client: TestClient) -> None:
    for _ in range(5):
        assert log_in(client, "vera", "falsch" * 3) == 401
    refused = client.post("/login", data={"username": "vera", "password": PASSWORD})
    assert refused.status_code == 401
    assert "Zu viele Fehlversuche" in refused.text


def test_login_attempts_are_rate_limited_per_client_address(client: TestClient) -> None:
    """Spraying one password over many names stops too."""
    for name in ("a1", "a2", "a3", "a4", "a5"):
        log_in(client, name, "Sommer2026!!")
    assert "Zu viele Fehlversuche" in client.post(
        "/login", data={"username": "ada", "password": PASSWORD}).text


def test_the_login_does_not_redirect_off_site(client: TestClient) -> None:
    response = client.post("/login", data={"username": "vera", "password": PASSWORD,
                                           "next": "//evil.example/steal"},
                           follow_redirects=False)
    assert response.headers["location"] == "/leads"


def test_roles_include_one_another(client: TestClient) -> None:
    assert log_in(client, "vera") == 303
    assert client.get("/exports").status_code == 200
    assert client.get("/admin").status_code == 403
    client.cookies.clear()
    assert log_in(client, "ada") == 303
    assert client.get("/admin").status_code == 200
    assert client.get("/exports").status_code == 200


def test_a_form_post_without_its_csrf_token_is_refused(client: TestClient) -> None:
    log_in(client, "ada")
    data = {"username": "neu", "role": "sales", "password": PASSWORD}
    assert client.post("/admin/users", data=data).status_code == 403
    assert client.post("/admin/users", data={**data, "csrf_token": "forged"}).status_code == 403
    created = client.post("/admin/users", data={**data, "csrf_token": csrf(client, "/admin")},
                          follow_redirects=False)
    assert created.status_code == 303


def test_logout_ends_the_session_on_the_server(client: TestClient) -> None:
    log_in(client, "vera")
    token = client.cookies[COOKIE]
    client.post("/logout", data={"csrf_token": csrf(client)})
    client.cookies.set(COOKIE, token)  # a copied cookie is worth nothing after logout
    assert client.get("/exports", follow_redirects=False).status_code == 303


def test_a_disabled_user_is_logged_out_at_once(client: TestClient, store: Store) -> None:
    log_in(client, "vera")
    store.set_disabled("vera", True)
    assert client.get("/exports", follow_redirects=False).status_code == 303
    assert log_in(client, "vera") == 401


def test_an_idle_session_expires(store: Store) -> None:
    store.open_session("tok", "vera", "csrf")
    assert store.session("tok", idle=timedelta(minutes=5), absolute=timedelta(hours=1))
    assert store.session("tok", idle=timedelta(0), absolute=timedelta(hours=1)) is None


def test_pages_carry_a_strict_content_security_policy(client: TestClient) -> None:
    headers = client.get("/login").headers
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"
    assert headers["x-frame-options"] == "DENY"


def test_logins_and_refusals_are_audited(client: TestClient, store: Store) -> None:
    log_in(client, "vera", "falsch" * 3)
    log_in(client, "vera")
    client.get("/admin")
    actions = [e.action for e in store.audit_entries()]
    assert actions[:3] == ["refused", "login", "login_failed"]


def test_a_job_left_running_by_a_stopped_server_is_failed_at_the_next_start(
        settings: Settings, store: Store) -> None:
    store.start_job("j1", "ingest", "mark", "Liste laden")
    create_app(settings, load_workspace_config(None).value, store)
    job = store.job("j1")
    assert job is not None
    assert job.state == "failed"
    assert "neu gestartet" in job.message
