"""The workspace as its users meet it: one demo warehouse, one real `leadpipe web` server and
one Chromium per test session, and a logged-in browser page per role for each test.

The warehouse is the bundled demo data run through the stages (no Prefect, no crawl: about
five seconds), plus a small list of our own whose contact is called `<script>alert(1)</script>`.
The server is the command a user starts, as a subprocess on a free port; its users are
created with `leadpipe web user add`. The browser is Debian's `chromium` (Playwright's own
download does not work here): without it the browser tests are skipped, except in CI
(`CI` set), where they must run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from foundation.settings import Settings
from leadpipe.cli.demo import DEMO_CONFIG, write_list_metadata
from leadpipe.demo import generate_demo
from stages.decide import decide_all
from stages.enrich import enrich_new
from stages.ingest import ListOptions, ingest_form_file, ingest_list_file
from stages.match import match_all
from stages.score import score_all
from tests.conftest import REPO
from tests.smtp_sink import free_port
from warehouse.db import open_warehouse
from workspace.auth import COOKIE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
"""Headless, and quiet: on this machine's closed network Chromium's own background requests
(updates, sync, QUIC probes) would only pile up refused connections."""

SCRIPT_NAME = "<script>alert(1)</script>"
SCRIPT_COMPANY = '<script>alert("firma")</script> GmbH'
OWN_LIST = ("Firma;Anrede;Vorname;Nachname;Position;Straße;Hausnummer;PLZ;Ort;Telefon;E-Mail\n"
            f"{SCRIPT_COMPANY};Herr;Max;{SCRIPT_NAME};Geschäftsführer;Hauptstraße;1;10115;"
            "Berlin;030 1234567;max@skript-test.de\n"
            ";Herr;Uwe;Brenner;;Talstraße;3;79098;Freiburg;0761 1111;\n"
            ";Herr;Uwe;Brenner;;Talstraße;3;79098;Freiburg;0761 2222;\n"
            "Omega Bau GmbH;Herr;Timo;Fuchs;Bauleiter;Werkstraße;4;70173;Stuttgart;0711 909090;\n"
            "Omega Bau GmbH;Herr;Timo;Fuchs;Geschäftsführer;Werkstraße;4;70174;Stuttgart;"
            "0711 707070;\n")
"""A purchased list of our own: a row whose names are markup (the pages must show them as
text), and two near-duplicates the matcher is unsure of (Uwe Brenner with two phone numbers,
Timo Fuchs in two postcodes), so the review queue holds three pairs (his company's, too)."""

PUBLIC_PATHS = frozenset({"/login", "/logout", "/healthz", "/"})
"""The only routes an anonymous visitor may reach (`/` redirects to the lead list)."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password: str


USERS = {
    "sales": User("vertrieb", "sales", "Vertrieb-Passwort-2026"),
    "marketing": User("marketing", "marketing", "Marketing-Passwort-2026"),
    "admin": User("verwaltung", "admin", "Verwaltung-Passwort-2026"),
    "limited": User("ratelimit", "sales", "Ratelimit-Passwort-2026"),
}
"""One user per role, and one the login rate-limit test may lock out without harming the rest."""


def settings_at(root: Path) -> Settings:
    data = root / "data"
    return Settings(data_dir=data, db_path=data / "leadpipe.duckdb", config_dir=root / "config",
                    read_wait_s=5.0)


def leadpipe_env(settings: Settings) -> dict[str, str]:
    """The environment of a `leadpipe` subprocess on this warehouse (none of the caller's
    LEADPIPE_* or Prefect settings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADPIPE_")}
    env.update(LEADPIPE_DATA_DIR=str(settings.data_dir), LEADPIPE_DB=str(settings.db_path),
               LEADPIPE_CONFIG_DIR=str(settings.config_dir),
               PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("PREFECT_API_URL", None)
    return env


@dataclass(frozen=True)
class DemoWorkspace:
    """The warehouse the server reads, and the leads the tests look for in it."""

    root: Path
    settings: Settings
    script_lead: str
    """The contact lead whose last name is SCRIPT_NAME."""

    def env(self) -> dict[str, str]:
        return leadpipe_env(self.settings)


def build_demo_workspace(root: Path, today: date, *, own_list: bool = True) -> DemoWorkspace:
    """The demo's lists and forms (and OWN_LIST) through ingest → enrich → match → decide →
    score."""
    demo = generate_demo(root / "demo", seed=42).out_dir
    write_list_metadata(demo / "lists", today)
    settings = settings_at(root)
    for name, content in DEMO_CONFIG.items():
        target = settings.config_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    for path in sorted((demo / "lists").iterdir()):
        if path.suffix in (".csv", ".xlsx"):
            ingest_list_file(settings, path,
                             ListOptions(mapping_file=path.with_name(path.name + ".yaml")))
    if own_list:
        own = root / "eigene_liste.csv"
        own.write_text(OWN_LIST, encoding="utf-8")
        ingest_list_file(settings, own, ListOptions(
            vendor="Browser-Test", acquired_on=today - timedelta(days=3),
            provenance_documented=True))
    for path in sorted((demo / "forms").iterdir()):
        ingest_form_file(settings, path)
    enrich_new(settings)
    match_all(settings)
    decide_all(settings, today)
    score_all(settings, today)
    with open_warehouse(settings, write=False) as wh:
        script_lead = wh.scalar("SELECT lead_id FROM core.golden_records WHERE field = "
                                "'last_name' AND value = ?", [SCRIPT_NAME])
    assert script_lead or not own_list, "the list row named <script> did not become a lead"
    return DemoWorkspace(root, settings, str(script_lead or ""))


def leadpipe(workspace: DemoWorkspace, *args: str, stdin: str | None = None
             ) -> subprocess.CompletedProcess[str]:
    """Run the `leadpipe` command as a user would (from the checkout, on this warehouse)."""
    return subprocess.run([sys.executable, "-m", "leadpipe.cli", *args], cwd=REPO,
                          env=workspace.env(), input=stdin, capture_output=True, text=True,
                          timeout=120, check=False)


@dataclass
class Server:
    """A running `leadpipe web`."""

    url: str
    workspace: DemoWorkspace
    process: subprocess.Popen[bytes]
    log: Path
    users: dict[str, User] = field(default_factory=lambda: dict(USERS))
    shared: dict[str, str] = field(default_factory=dict)
    """One session per role that the tests share (an Argon2 check costs 0.1–0.5 s)."""

    def client(self, local_address: str | None = None) -> httpx.Client:
        """An HTTP client that follows no redirect (the tests look at each answer), from
        another loopback address when given (the login limit counts per address)."""
        transport = httpx.HTTPTransport(local_address=local_address) if local_address else None
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=30,
                            transport=transport)

    @contextmanager
    def logged_in(self, role: str) -> Iterator[httpx.Client]:
        """An HTTP client with a fresh session of the user of `role`."""
        with self.client() as client:
            user = self.users[role]
            answer = client.post("/login", data={"username": user.name,
                                                 "password": user.password})
            assert answer.status_code == 303, answer.text
            yield client

    def session_token(self, role: str) -> str:
        """The cookie of the role's shared session (logged in on first use). No test may
        log it out: a test that ends a session logs in on its own (`logged_in`)."""
        if role not in self.shared:
            with self.logged_in(role) as client:
                self.shared[role] = str(client.cookies[COOKIE])
        return self.shared[role]

    @contextmanager
    def as_role(self, role: str) -> Iterator[httpx.Client]:
        """An HTTP client in the role's shared session."""
        with self.client() as client:
            client.cookies.set(COOKIE, self.session_token(role))
            yield client

    def storage_state(self, role: str) -> dict[str, Any]:
        """A browser context's cookies for the role's shared session."""
        return {"cookies": [{
            "name": COOKIE, "value": self.session_token(role), "domain": "127.0.0.1",
            "path": "/", "expires": -1, "httpOnly": True, "secure": False,
            "sameSite": "Strict"}], "origins": []}

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"leadpipe web exited with {process.returncode}:\n"
                               f"{log.read_text(encoding='utf-8', errors='replace')}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"leadpipe web did not answer /healthz within 60 s:\n"
                       f"{log.read_text(encoding='utf-8', errors='replace')}")


@contextmanager
def serve_demo(root: Path, *, own_list: bool = True) -> Iterator[Server]:
    """`leadpipe web` on a free port with one user per role, on the demo warehouse.

    The users are added and the server starts (each a Python start-up and a password hash)
    while this process builds the warehouse, which the server opens only per request."""
    env = leadpipe_env(settings_at(root))
    adds = [subprocess.Popen(
        [sys.executable, "-m", "leadpipe.cli", "web", "user", "add", user.name, "--role",
         user.role, "--password-stdin"], cwd=REPO, env=env, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for user in USERS.values()]
    for user, add in zip(USERS.values(), adds, strict=True):
        assert add.stdin is not None
        add.stdin.write(user.password + "\n")
        add.stdin.close()
    port = free_port()
    log = root / "web.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "leadpipe.cli", "web", "--host", "127.0.0.1", "--port",
             str(port), "--db", env["LEADPIPE_DB"]],
            cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        workspace = build_demo_workspace(root, date.today(), own_list=own_list)
        for user, add in zip(USERS.values(), adds, strict=True):
            assert add.stdout is not None
            out = add.stdout.read()
            assert add.wait(timeout=120) == 0, f"web user add {user.name}: {out}"
        _wait_healthy(url, process, log)
        yield Server(url, workspace, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve_demo(tmp_path_factory.mktemp("workspace")) as running:
        yield running
        assert "Traceback" not in running.log_text(), (
            f"leadpipe web logged an error:\n{running.log_text()[-3000:]}")


@pytest.fixture(scope="package")
def demo_workspace(server: Server) -> DemoWorkspace:
    return server.workspace


# --- the browser -----------------------------------------------------------------------------

@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    """One headless Chromium for these tests (Debian's package, driven by Playwright).

    Package scope, not session: Playwright's sync API keeps an event loop running in the
    main thread while it is open, and every later test that calls `asyncio.run` (Scrapy's
    reactor, Prefect's sync API) would fail with "cannot be called from a running event
    loop". It closes when tests/browser ends."""
    if not CHROMIUM.exists():
        message = (f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` "
                   "(`make install` does this when it may)")
        if os.environ.get("CI"):
            pytest.fail(f"the browser tests must run in CI, but {message}")
        pytest.skip(message)
    with launch_chromium() as browser:
        yield browser


@contextmanager
def launch_chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Seen:
    """What a page did that no page of ours should do: a dialog (a script of an attacker's
    ran), an uncaught script error, a Content-Security-Policy violation, a server error."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        def dialog(d: Any) -> None:
            self.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)
        page.on("pageerror", lambda exc: self.errors.append(f"script error: {exc}"))
        page.on("console", lambda msg: self.errors.append(f"console: {msg.text}")
                if msg.type == "error" and "Content Security Policy" in msg.text else None)
        page.on("response", lambda r: self.errors.append(f"server error {r.status}: {r.url}")
                if r.status >= 500 else None)


def browser_context(chromium: Any, server: Server, storage_state: Any = None) -> Any:
    context = chromium.new_context(base_url=server.url, accept_downloads=True, locale="de-DE",
                                   timezone_id="Europe/Berlin", storage_state=storage_state,
                                   viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    return context


def log_in(page: Any, user: User) -> None:
    """The login form, filled in as a person does."""
    page.goto("/login")
    page.get_by_label("Benutzername").fill(user.name)
    page.get_by_label("Passwort").fill(user.password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()


@pytest.fixture(scope="package")
def sessions(chromium: Any, server: Server) -> dict[str, Any]:
    """The browser's cookies per role: the shared sessions (the login form has tests of its
    own); each test starts a fresh context from them."""
    return {role: server.storage_state(role) for role in ("sales", "marketing", "admin")}


@dataclass
class Browsing:
    """Fresh browser contexts for one test; `seen` collects what their pages must not do."""

    chromium: Any
    server: Server
    sessions: dict[str, Any]
    seen: Seen = field(default_factory=Seen)
    contexts: list[Any] = field(default_factory=list)

    def page(self, role: str | None = None) -> Any:
        """A page logged in as `role` (None: anonymous)."""
        context = browser_context(self.chromium, self.server,
                                  self.sessions[role] if role else None)
        self.contexts.append(context)
        page = context.new_page()
        self.seen.watch(page)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(chromium: Any, server: Server, sessions: dict[str, Any]) -> Iterator[Browsing]:
    browsing = Browsing(chromium, server, sessions)
    yield browsing
    browsing.close()
    assert not browsing.seen.dialogs, f"a script ran on a page: {browsing.seen.dialogs}"
    assert not browsing.seen.errors, f"the pages broke their own rules: {browsing.seen.errors}"


@pytest.fixture
def sales_page(browsing: Browsing) -> Any:
    return browsing.page("sales")


@pytest.fixture
def marketing_page(browsing: Browsing) -> Any:
    return browsing.page("marketing")


@pytest.fixture
def admin_page(browsing: Browsing) -> Any:
    return browsing.page("admin")


def csrf_token(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)

