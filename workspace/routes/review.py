"""Dubletten prüfen (marketing): the uncertain duplicate pairs, one at a time, decided.

The queue is `core.match_pairs` in the review band without a decision; a pair's page puts
both records side by side with each comparison's level and match weight
(`stages.review.explain`), and its two buttons store a merge or split exactly as
`leadpipe review import` does (`stages.review.decide_pair`: one logged run, re-matched at
once), then open the next pair.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from foundation.config import ConfigError
from foundation.vocabulary import ENTITY_LEVELS
from ingest.errors import InputFileError
from stages.review import decide_pair, explain, pair_records, review_queue
from warehouse.db import WarehouseMissing
from warehouse.lock import WarehouseBusy
from workspace.web import Marketing, checked_form, form_text, render, state_of

router = APIRouter()

PAGE = 100
DECISIONS = {"merge": "gleiche Person/Firma", "split": "verschieden"}


def _pair_url(level: str, left: str, right: str) -> str:
    return "/review/pair?" + urlencode({"level": level, "left": left, "right": right})


def _unavailable(request: Request, exc: Exception) -> Response:
    message = ("Es gibt noch kein Warehouse: laden Sie zuerst eine Liste."
               if isinstance(exc, WarehouseMissing)
               else f"Das Warehouse ist gerade belegt (ein Lauf schreibt). Versuchen Sie es in "
                    f"ein paar Minuten noch einmal. ({exc})")
    return render(request, "error.html", {"title": "Dubletten prüfen", "message": message,
                                          "back": "/review"}, status_code=503)


@router.get("/review")
async def review_page(request: Request, me: Marketing, notice: str | None = None) -> Response:
    state = state_of(request)
    try:
        pairs = await run_in_threadpool(review_queue, state.settings)
    except (WarehouseBusy, WarehouseMissing) as exc:
        return _unavailable(request, exc)
    return render(request, "review.html", {
        "pairs": [(p, _pair_url(p.entity_type, p.left_id, p.right_id)) for p in pairs[:PAGE]],
        "total": len(pairs), "notice": notice})


@router.get("/review/next")
async def next_pair(request: Request, me: Marketing) -> Response:
    """The first open pair's page (the queue's page when none is left): where a decision
    leads, so that the next pair is one click away."""
    state = state_of(request)
    try:
        pairs = await run_in_threadpool(review_queue, state.settings)
    except (WarehouseBusy, WarehouseMissing) as exc:
        return _unavailable(request, exc)
    if not pairs:
        return await review_page(request, me)
    first = pairs[0]
    return await pair_page(request, me, first.entity_type, first.left_id, first.right_id)


@router.get("/review/pair")
async def pair_page(request: Request, me: Marketing, level: str = "", left: str = "",
                    right: str = "", error: str | None = None) -> Response:
    """One pair; without one named (a bare /review/pair) the queue."""
    state = state_of(request)
    if not (level or left or right):
        return await review_page(request, me)
    if level not in ENTITY_LEVELS:
        return render(request, "error.html", {
            "title": "Dubletten prüfen", "message": f"Unbekannte Ebene „{level}“.",
            "back": "/review"}, status_code=404)
    try:
        explained = await run_in_threadpool(explain, state.settings, left, right, level)
        records = await run_in_threadpool(pair_records, state.settings, left, right)
    except (WarehouseBusy, WarehouseMissing) as exc:
        return _unavailable(request, exc)
    except (InputFileError, ConfigError):
        return render(request, "error.html", {
            "title": "Dubletten prüfen",
            "message": "Dieses Paar gibt es nicht (mehr): die Datensätze wurden entfernt oder "
                       "neu zugeordnet.", "back": "/review"}, status_code=404)
    # both records' values are personal data
    state.store.audit(me.user.username, "review_pair_viewed",
                      detail={"level": level, "left": left, "right": right})
    return render(request, "review_pair.html", {
        "x": explained, "level": level, "decisions": DECISIONS, "error": error,
        "records": records, "columns": list(dict.fromkeys(
            k for r in records for k in r.values))})


@router.post("/review/decide")
async def decide(request: Request, me: Marketing) -> Response:
    state = state_of(request)
    form = await checked_form(request, me)
    level, left, right = (form_text(form, k) for k in ("level", "left", "right"))
    decision, note = form_text(form, "decision"), form_text(form, "note") or None
    if decision not in DECISIONS or level not in ENTITY_LEVELS or not left or not right:
        return await pair_page(request, me, level if level in ENTITY_LEVELS else "contact",
                               left, right, error="Bitte eine der beiden Entscheidungen wählen.")
    try:
        report = await run_in_threadpool(decide_pair, state.settings, level, left, right,
                                         decision, me.user.username, note)
    except (WarehouseBusy, WarehouseMissing) as exc:
        return _unavailable(request, exc)
    except InputFileError as exc:
        return await pair_page(request, me, level, left, right,
                               error=f"Die Entscheidung wurde nicht gespeichert: {exc.message}")
    state.store.audit(me.user.username, "review_decided",
                      detail={"level": level, "left": left, "right": right,
                              "decision": decision, "stored": report.decisions})
    return RedirectResponse("/review/next", status_code=303)
