"""Verwaltung › Betroffenenrechte (admin): access, objection, erasure, consent look-up.

The same requests as `leadpipe gdpr access|object|erase` and `leadpipe consent show`
(`stages.gdpr`, `stages.consent`). The person's e-mail or phone is sent by POST only, so it
never stands in a URL, a browser history or an access log; the workspace's audit log names
the request (its id in `ops.gdpr_requests`) or the keyed hash the warehouse files the person
under, never the identifier, so an erased person does not live on in the audit. An erasure
needs two steps: the dry run shows what would go, then a confirmation erases it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from compliance.suppression import keyed_hash
from foundation.settings import suppression_secret
from ingest.errors import InputFileError
from stages.consent import consent_history
from stages.gdpr import access, erase, object_to_marketing
from warehouse.db import WarehouseMissing
from warehouse.lock import WarehouseBusy
from warehouse.subjects import AmbiguousSubject
from workspace.auth import Identity
from workspace.web import Admin, checked_form, form_text, render, state_of

router = APIRouter()
T = TypeVar("T")

REFUSED = (AmbiguousSubject, ValueError, WarehouseBusy, WarehouseMissing)
"""A request the page answers with a message: several people share the identifier, it is no
e-mail or phone, or the warehouse is busy or missing (InputFileError is a ValueError)."""


def _message(exc: Exception) -> str:
    if isinstance(exc, AmbiguousSubject):
        return (f"Mehrere Personen teilen diese Angabe; geben Sie zusätzlich den Namen an. "
                f"({exc})")
    if isinstance(exc, WarehouseMissing):
        return "Es gibt noch kein Warehouse."
    if isinstance(exc, WarehouseBusy):
        return f"Das Warehouse ist gerade belegt; versuchen Sie es gleich noch einmal. ({exc})"
    if isinstance(exc, InputFileError):
        return exc.message
    return f"Die Angabe ist weder eine E-Mail-Adresse noch eine Telefonnummer. ({exc})"


def _page(request: Request, **context: Any) -> Response:
    status_code = 400 if context.get("error") else 200
    return render(request, "gdpr.html", {
        "identifier": "", "name": "", **context}, status_code=status_code)


def _subject_hash(request: Request, email: str | None, phone: str | None) -> str:
    """The keyed hash `ops.gdpr_requests` files the person under: the audit's reference."""
    secret = suppression_secret(state_of(request).settings)
    return keyed_hash(secret, "subject", email or phone or "")


async def _person(request: Request, me: Identity) -> tuple[str, str | None, Any]:
    form = await checked_form(request, me)
    return form_text(form, "identifier"), form_text(form, "name") or None, form


async def _ask(request: Request, identifier: str, name: str | None,
               call: Callable[[], T]) -> T | Response:
    """Run a request for the person in a worker thread; a page with the reason when the
    identifier is missing or the request is refused (`REFUSED`)."""
    if not identifier:
        return _page(request, error="Bitte E-Mail-Adresse oder Telefonnummer angeben.")
    try:
        return await run_in_threadpool(call)
    except REFUSED as exc:
        return _page(request, identifier=identifier, name=name or "", error=_message(exc))


@router.get("/admin/gdpr")
async def gdpr_page(request: Request, me: Admin) -> Response:
    return _page(request)


@router.post("/admin/gdpr/access")
async def access_request(request: Request, me: Admin) -> Response:
    state = state_of(request)
    identifier, name, form = await _person(request, me)
    report = await _ask(request, identifier, name,
                        lambda: access(state.settings, identifier, name))
    if isinstance(report, Response):
        return report
    state.store.audit(me.user.username, "gdpr_access", detail={
        "request": report.request_id, "sources": len(report.sources),
        "subject": _subject_hash(request, report.subject.email, report.subject.phone)})
    text = json.dumps(asdict(report), ensure_ascii=False, indent=2, default=str)
    if form_text(form, "format") == "json":
        return Response(text, media_type="application/json", headers={
            "Content-Disposition": f'attachment; filename="auskunft-{report.request_id}.json"'})
    return _page(request, identifier=identifier, name=name or "", access=report,
                 access_json=text)


@router.post("/admin/gdpr/object")
async def objection(request: Request, me: Admin) -> Response:
    state = state_of(request)
    identifier, name, _ = await _person(request, me)
    report = await _ask(request, identifier, name,
                        lambda: object_to_marketing(state.settings, identifier, name))
    if isinstance(report, Response):
        return report
    state.store.audit(me.user.username, "gdpr_objection", detail=asdict(report))
    return _page(request, objection=report)


@router.post("/admin/gdpr/erase/check")
async def erasure_check(request: Request, me: Admin) -> Response:
    state = state_of(request)
    identifier, name, _ = await _person(request, me)
    found = await _ask(request, identifier, name,
                       lambda: erase(state.settings, identifier, name, dry_run=True))
    if isinstance(found, Response):
        return found
    state.store.audit(me.user.username, "gdpr_erasure_checked", detail={
        "records": len(found.records), "ambiguous": len(found.ambiguous)})
    return _page(request, identifier=identifier, name=name or "", erasure_plan=found)


@router.post("/admin/gdpr/erase")
async def erasure(request: Request, me: Admin) -> Response:
    state = state_of(request)
    identifier, name, form = await _person(request, me)
    if not identifier:
        return _page(request, error="Bitte E-Mail-Adresse oder Telefonnummer angeben.")
    if form_text(form, "confirm") != "yes":
        return _page(request, identifier=identifier, name=name or "",
                     error="Bitte bestätigen Sie die Löschung (Häkchen setzen).")
    include = [str(v) for v in form.getlist("include") if isinstance(v, str) and v]
    result = await _ask(request, identifier, name,
                        lambda: erase(state.settings, identifier, name, include=include))
    if isinstance(result, Response):
        return result
    state.store.audit(me.user.username, "gdpr_erasure", detail={
        "request": result.request_id, "records": result.records_erased,
        "events_redacted": result.events_redacted, "included": len(include),
        "files_cleaned": len(result.files_cleaned)})
    return _page(request, erased=result)


@router.post("/admin/gdpr/consent")
async def consent_lookup(request: Request, me: Admin) -> Response:
    state = state_of(request)
    identifier, _, _ = await _person(request, me)
    history = await _ask(request, identifier, None,
                         lambda: consent_history(state.settings, identifier))
    if isinstance(history, Response):
        return history
    state.store.audit(me.user.username, "consent_lookup", detail={
        "events": len(history.events),
        "subject": _subject_hash(request, history.subject.email, history.subject.phone)})
    return _page(request, identifier=identifier, consent=history)
