"""What every page shares: the app's state, who is asking, CSRF-checked forms, rendering.

A page handler asks for `Depends(role("sales"))` (or marketing, admin) and gets the
`Identity`; an anonymous request is sent to the login page (or gets 401 on /api/ paths), a
user without the role gets 403. State-changing requests read their form through
`checked_form`, which refuses a missing or wrong CSRF token with 403.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse

from foundation.settings import Settings
from workspace.auth import COOKIE, Identity, csrf_ok, identify
from workspace.config import WorkspaceConfig
from workspace.store import Role, Store
from workspace.texts import load_labels, template_filters


@dataclass
class WorkspaceState:
    settings: Settings
    config: WorkspaceConfig
    store: Store
    templates: Environment
    uploads_dir: Path
    prefect_api_url: str | None


class NotLoggedIn(Exception):
    """No live session: pages redirect to the login, APIs answer 401."""


class NotAllowed(Exception):
    """A live session without the role the page needs (403)."""

    def __init__(self, role: Role) -> None:
        super().__init__(role)
        self.role = role


def make_templates(config_dir: Path | None) -> Environment:
    env = Environment(loader=PackageLoader("workspace", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters.update(template_filters(load_labels(config_dir)))
    return env


def state_of(request: Request) -> WorkspaceState:
    state: WorkspaceState = request.app.state.workspace
    return state


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def role(needed: Role) -> Callable[[Request], Identity]:
    """A dependency: the identity of the request, which must hold the role `needed`."""
    def dependency(request: Request) -> Identity:
        state = state_of(request)
        identity = identify(state.store, state.config, request.cookies.get(COOKIE))
        if identity is None:
            raise NotLoggedIn()
        if not identity.may(needed):
            state.store.audit(identity.user.username, "refused",
                              detail={"path": request.url.path, "needs": needed})
            raise NotAllowed(needed)
        request.state.identity = identity
        return identity
    return dependency


async def checked_form(request: Request, identity: Identity) -> FormData:
    """The posted form, after its CSRF token matched the session's (else 403)."""
    form = await request.form()
    token = form.get("csrf_token")
    header = request.headers.get("x-csrf-token")
    if not csrf_ok(identity, token if isinstance(token, str) else header):
        raise NotAllowed("sales")
    return form


def form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def render(request: Request, template: str, context: Mapping[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    identity: Identity | None = getattr(request.state, "identity", None)
    page = state_of(request).templates.get_template(template).render(
        request=request, me=identity, path=request.url.path, **dict(context or {}))
    return HTMLResponse(page, status_code=status_code)


def login_redirect_target(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(target, safe='')}"




Sales = Annotated[Identity, Depends(role("sales"))]
"""A handler parameter `me: Sales` admits sales, marketing and admin users."""
Marketing = Annotated[Identity, Depends(role("marketing"))]
Admin = Annotated[Identity, Depends(role("admin"))]
