"""Logging in and out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from workspace.auth import COOKIE, LoginRefused, identify, log_in
from workspace.web import client_of, form_text, render, state_of

router = APIRouter()


def _safe_next(target: str) -> str:
    """Only a path on this site (no //host, no scheme): an open redirect helps phishing."""
    return target if target.startswith("/") and not target.startswith("//") else "/leads"


@router.get("/login")
async def login_page(request: Request, next: str = "/leads") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None,
                                          "username": ""})


@router.post("/login")
async def login(request: Request) -> Response:
    state = state_of(request)
    form = await request.form()
    target = _safe_next(form_text(form, "next"))
    username = form_text(form, "username")
    try:  # Argon2 takes a tenth of a second or more: in a thread, not on the event loop
        done = await run_in_threadpool(log_in, state.store, state.config, username,
                                       str(form.get("password") or ""), client_of(request))
    except LoginRefused as exc:
        return render(request, "login.html", {"next": target, "error": str(exc),
                                              "username": username}, status_code=401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, done.token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    state = state_of(request)
    token = request.cookies.get(COOKIE)
    identity = identify(state.store, state.config, token)
    form = await request.form()
    if identity is not None and token and form.get("csrf_token") == identity.csrf_token:
        state.store.close_session(token)
        state.store.audit(identity.user.username, "logout")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
