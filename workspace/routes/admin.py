"""Administration: users and roles, the audit log (admin only)."""

from __future__ import annotations

from typing import get_args

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from workspace.auth import BadPassword, hash_password
from workspace.store import ROLES, Role, UnknownUser, UserExists
from workspace.web import Admin, checked_form, form_text, render, state_of

router = APIRouter()


@router.get("/admin")
async def admin_page(request: Request, me: Admin,
                     lead: str | None = None, error: str | None = None) -> Response:
    state = state_of(request)
    return render(request, "admin.html", {
        "users": state.store.users(), "roles": ROLES, "error": error,
        "audit": state.store.audit_entries(lead_id=lead or None, limit=300), "lead": lead})


@router.post("/admin/users")
async def add_user(request: Request, me: Admin) -> Response:
    state = state_of(request)
    form = await checked_form(request, me)
    username, new_role = form_text(form, "username"), form_text(form, "role")
    if not username or new_role not in get_args(Role):
        return await admin_page(request, me, error="Benutzername und Rolle angeben.")
    try:
        state.store.add_user(username, new_role,  # type: ignore[arg-type]
                             hash_password(str(form.get("password") or "")))
    except BadPassword:
        return await admin_page(request, me, error="Das Passwort braucht mindestens 12 Zeichen.")
    except UserExists:
        return await admin_page(request, me, error=f"Den Benutzer {username} gibt es schon.")
    state.store.audit(me.user.username, "user_added", detail={"user": username, "role": new_role})
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/users/{username}/disable")
async def disable_user(request: Request, username: str,
                       me: Admin) -> Response:
    state = state_of(request)
    form = await checked_form(request, me)
    enable = form_text(form, "enable") == "1"
    if username == me.user.username and not enable:
        return await admin_page(request, me, error="Sie können sich nicht selbst sperren.")
    try:
        state.store.set_disabled(username, not enable)
    except UnknownUser:
        return await admin_page(request, me, error=f"Unbekannter Benutzer {username}.")
    state.store.audit(me.user.username, "user_enabled" if enable else "user_disabled",
                      detail={"user": username})
    return RedirectResponse("/admin", status_code=303)
