"""Who may reach what, asked over HTTP of the running server: every route the app declares is
checked, read from the app's router, so a page added later is covered without a test naming it.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from tests.browser.conftest import PUBLIC_PATHS, DemoWorkspace, Server, csrf_token
from workspace.app import create_app
from workspace.config import load_workspace_config
from workspace.store import Store
from workspace.web import role

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Route:
    path: str
    method: str
    needs: str | None
    """The role the route's dependency demands (None: public)."""

    def url(self, lead_id: str) -> str:
        """The path with its parameters filled in (a real lead where a lead is asked for)."""
        def value(match: re.Match[str]) -> str:
            name = match.group(1).split(":")[0]
            if "lead" in name or name == "id":
                return lead_id
            return "vertrieb" if name in ("username", "user", "name") else "1"
        return re.sub(r"\{([^}]+)\}", value, self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


_ROLE_DEPENDENCY = role("sales").__qualname__


def _needed_role(dependant: Dependant) -> str | None:
    """The role a route's `role(...)` dependency asks for, found among its dependencies."""
    for sub in dependant.dependencies:
        if sub.call is not None and getattr(sub.call, "__qualname__", "") == _ROLE_DEPENDENCY:
            return str(inspect.getclosurevars(sub.call).nonlocals["needed"])
        found = _needed_role(sub)
        if found:
            return found
    return None


def app_routes(workspace: DemoWorkspace, store_dir: Path) -> list[Route]:
    """Every (path, method) the workspace app serves, with the role it demands (routers
    included into the app are walked too: FastAPI includes them lazily)."""
    config = load_workspace_config(workspace.settings.config_dir).value
    app = create_app(workspace.settings, config, Store(store_dir / "routes.sqlite"))
    routes = [Route(str(r.path), method, _needed_role(r.dependant))
              for r in iter_route_contexts(app.routes) if isinstance(r.original_route, APIRoute)
              for method in sorted(r.methods or ())]
    return sorted(routes, key=str)


@pytest.fixture(scope="module")
def routes(demo_workspace: DemoWorkspace, tmp_path_factory: pytest.TempPathFactory
           ) -> list[Route]:
    return app_routes(demo_workspace, tmp_path_factory.mktemp("routes"))


@pytest.fixture
def admin(server: Server) -> Iterator[httpx.Client]:
    with server.as_role("admin") as client:
        yield client


def _token(client: httpx.Client) -> str | None:
    """The session's CSRF token, from a page the user may open (every page of a logged-in
    user carries it in the logout form)."""
    for path in ("/leads", "/exports", "/admin"):
        answer = client.get(path)
        if answer.status_code == 200 and 'name="csrf_token"' in answer.text:
            return csrf_token(answer.text)
    return None


def test_every_route_but_the_public_ones_demands_a_role(routes: list[Route]) -> None:
    unguarded = [str(r) for r in routes if r.needs is None and r.path not in PUBLIC_PATHS]
    assert not unguarded, ("these routes answer without a login; give them `me: Sales` "
                           f"(or Marketing, Admin): {unguarded}")
    assert {r.needs for r in routes} >= {"admin"}


def test_every_page_refuses_anonymous_visitors(server: Server, routes: list[Route]) -> None:
    """A page sends a visitor without a session to the login and back afterwards; a form post
    or an API answers 401. Nothing shows data."""
    wrong = []
    with server.client() as client:
        for route in routes:
            if route.path in PUBLIC_PATHS:
                continue
            url = route.url(server.workspace.script_lead)
            answer = client.request(route.method, url, data={} if route.method != "GET" else None)
            location = answer.headers.get("location", "")
            if route.method == "GET" and not route.path.startswith("/api/"):
                if answer.status_code != 303 or not location.startswith("/login?next="):
                    wrong.append(f"{route}: {answer.status_code} {location}")
            elif answer.status_code != 401:
                wrong.append(f"{route}: {answer.status_code}")
    assert not wrong, wrong


def test_login_returns_to_the_page_asked_for(server: Server) -> None:
    with server.client() as client:
        first = client.get("/admin?lead=x")
        assert first.headers["location"] == "/login?next=%2Fadmin%3Flead%3Dx"
        user = server.users["admin"]
        answer = client.post("/login", data={"username": user.name, "password": user.password,
                                              "next": "/admin?lead=x"})
        assert (answer.status_code, answer.headers["location"]) == (303, "/admin?lead=x")
        foreign = client.post("/login", data={"username": user.name,
                                              "password": user.password,
                                              "next": "//evil.example/"})
        assert foreign.headers["location"] == "/leads"


def test_sales_cannot_reach_marketing_or_admin_routes(server: Server,
                                                      routes: list[Route]) -> None:
    """Pages, form posts (with a valid CSRF token, so only the role is missing) and APIs."""
    higher = [r for r in routes if r.needs in ("marketing", "admin")]
    assert higher, "no marketing or admin route to check"
    wrong = []
    with server.as_role("sales") as sales:
        token = _token(sales) or ""
        for route in higher:
            data = {"csrf_token": token} if route.method != "GET" else None
            answer = sales.request(route.method, route.url(server.workspace.script_lead),
                                   data=data)
            if answer.status_code != 403:
                wrong.append(f"{route} ({route.needs}): {answer.status_code}")
    assert not wrong, wrong


def test_marketing_cannot_reach_admin_routes_but_its_own(server: Server,
                                                        routes: list[Route]) -> None:
    with server.as_role("marketing") as marketing:
        for route in routes:
            if route.method != "GET" or "{" in route.path or route.needs is None:
                continue
            answer = marketing.get(route.path)
            if route.needs == "admin":
                assert answer.status_code == 403, route
            else:  # a page, a redirect to another (the next pair), 422 for a missing query
                assert answer.status_code in (200, 303, 422), f"{route}: {answer.status_code}"
                assert not answer.headers.get("location", "").startswith("/login"), route


def test_every_form_post_without_the_csrf_token_is_refused(server: Server, admin: httpx.Client,
                                                         routes: list[Route]) -> None:
    """As the admin, who may post everywhere: without the token, or with another session's,
    every state-changing route answers 403 and changes nothing."""
    posts = [r for r in routes if r.method != "GET" and r.path not in PUBLIC_PATHS]
    assert posts, "no form post to check"
    with server.as_role("marketing") as other:
        foreign = _token(other)
    users_before = admin.get("/admin").text.count("<tr>")
    wrong = []
    for route in posts:
        url = route.url(server.workspace.script_lead)
        for data in ({"username": "eindringling", "role": "admin", "password": "x" * 16},
                     {"csrf_token": foreign, "username": "eindringling", "role": "admin",
                      "password": "x" * 16}):
            answer = admin.request(route.method, url, data=data)
            if answer.status_code != 403:
                token = "another session's token" if "csrf_token" in data else "no token"
                wrong.append(f"{route} ({token}): {answer.status_code}")
    assert not wrong, wrong
    page = admin.get("/admin").text
    assert "eindringling" not in page
    assert page.count("<tr>") == users_before


def test_logout_needs_the_token_and_ends_the_session(server: Server) -> None:
    with server.logged_in("admin") as client:
        cookie = client.cookies["leadpipe_session"]
        token = _token(client)
        client.post("/logout", data={})  # without the token: the session lives on
        client.cookies.set("leadpipe_session", cookie)
        assert client.get("/admin").status_code == 200
        client.post("/logout", data={"csrf_token": token})
        client.cookies.set("leadpipe_session", cookie)
        assert client.get("/admin").status_code == 303


def test_session_cookie_is_httponly_and_samesite(server: Server) -> None:
    user = server.users["sales"]
    with server.client() as client:
        answer = client.post("/login", data={"username": user.name, "password": user.password})
    cookie = answer.headers["set-cookie"]
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
    assert "httponly" in flags
    assert flags["samesite"].lower() == "samesite=strict"
    assert flags["path"] == "Path=/"
    assert "secure" not in flags  # plain HTTP here; behind TLS the cookie is Secure


def test_pages_forbid_framing_and_foreign_scripts(server: Server) -> None:
    with server.client() as client:
        answer = client.get("/login")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["cache-control"] == "no-store"


def _attempt(client: httpx.Client, name: str, password: str) -> httpx.Response:
    return client.post("/login", data={"username": name, "password": password})


def test_wrong_passwords_lock_the_name(server: Server, demo_workspace: DemoWorkspace) -> None:
    """After `max_failures` wrong passwords even the right one is refused (from 127.0.0.2, so
    the other tests' logins from 127.0.0.1 are not counted with these)."""
    limit = load_workspace_config(demo_workspace.settings.config_dir).value.login.max_failures
    user = server.users["limited"]
    with server.client(local_address="127.0.0.2") as client:
        for _ in range(limit):
            answer = _attempt(client, user.name, "falsches-Passwort-123")
            assert answer.status_code == 401
            assert "Benutzername oder Passwort ist falsch." in answer.text
        answer = _attempt(client, user.name, user.password)
        assert answer.status_code == 401
        assert "Zu viele Fehlversuche" in answer.text
        assert "leadpipe_session" not in answer.headers.get("set-cookie", "")
    with server.client(local_address="127.0.0.4") as elsewhere:  # the name is locked anywhere
        assert "Zu viele Fehlversuche" in _attempt(elsewhere, user.name, user.password).text


def test_password_spraying_locks_the_address(server: Server,
                                             demo_workspace: DemoWorkspace) -> None:
    """One password tried on many names: the address is locked, other addresses are not."""
    limit = load_workspace_config(demo_workspace.settings.config_dir).value.login.max_failures
    sales = server.users["sales"]
    with server.client(local_address="127.0.0.3") as client:
        for n in range(limit):
            assert _attempt(client, f"rate{n}", "Sommer2026!Sommer").status_code == 401
        refused = _attempt(client, sales.name, sales.password)
        assert refused.status_code == 401
        assert "Zu viele Fehlversuche" in refused.text
    with server.client() as other:
        assert _attempt(other, sales.name, sales.password).status_code == 303
