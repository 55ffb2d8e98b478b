"""Läufe (marketing): what the pipeline did and what needs a person, and buttons that start
the nightly flow or a crawl through Prefect.

The numbers are `leadpipe status`'s (`stages.status.warehouse_status`): the last runs with
their counts and errors, failures nobody has fixed, open review pairs, plus the quarantine
count and the workspace's own background jobs. The buttons appear only when
PREFECT_API_URL names a server; without one the page says how to set one up.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from foundation.settings import Settings
from stages.status import WarehouseStatus, quarantine_total, warehouse_status
from warehouse.db import WarehouseMissing
from warehouse.lock import WarehouseBusy
from workspace.prefect_runs import PrefectRefused, start_deployment
from workspace.web import Marketing, checked_form, form_text, render, state_of

router = APIRouter()

DETAILS = frozenset({"mapping", "unmapped", "warnings", "note", "batch_id"})
"""Report keys too long for the overview (a list's column mapping); `ops.runs` keeps them."""

FLOWS = {"nightly": "Nachtlauf", "crawl": "Crawl der Firmenwebsites"}


def counts_summary(counts: dict[str, Any], limit: int = 12) -> list[tuple[str, str]]:
    """A run's report as short 'key: value' pairs: numbers and words, one level deep."""
    items: list[tuple[str, str]] = []
    for key, value in counts.items():
        if key in DETAILS:
            continue
        if isinstance(value, dict):
            items += [(f"{key}.{k}", str(v)) for k, v in value.items()
                      if isinstance(v, int | float | str) and not isinstance(v, bool)]
        elif isinstance(value, int | float | str) and not isinstance(value, bool) and value != "":
            items.append((key, str(value)))
        elif isinstance(value, list):
            items.append((key, f"{len(value)} Einträge"))
    return items[:limit]


def _status(settings: Settings) -> tuple[WarehouseStatus, int]:
    return warehouse_status(settings, runs=15), quarantine_total(settings)


@router.get("/runs")
async def runs_page(request: Request, me: Marketing, notice: str | None = None,
                    error: str | None = None) -> Response:
    state = state_of(request)
    status, quarantined, problem = None, 0, None
    try:
        status, quarantined = await run_in_threadpool(_status, state.settings)
    except WarehouseMissing:
        problem = "Es gibt noch kein Warehouse: der erste Lauf legt es an."
    except WarehouseBusy as exc:
        problem = f"Das Warehouse ist gerade belegt und kein Abzug liegt vor ({exc})."
    return render(request, "runs.html", {
        "status": status, "quarantined": quarantined, "problem": problem,
        "summary": counts_summary, "jobs": state.store.jobs(limit=20),
        "prefect": state.prefect_api_url, "deployments": {
            "nightly": state.config.prefect.nightly, "crawl": state.config.prefect.crawl},
        "flows": FLOWS, "notice": notice, "error": error})


@router.post("/runs/start/{which}")
async def start_flow(request: Request, which: str, me: Marketing) -> Response:
    state = state_of(request)
    form = await checked_form(request, me)
    if which not in FLOWS:
        return await runs_page(request, me, error=f"Unbekannter Ablauf „{which}“.")
    if not state.prefect_api_url:
        return await runs_page(request, me, error="Kein Prefect-Server eingerichtet "
                                                  "(PREFECT_API_URL).")
    deployment = state.config.prefect.nightly if which == "nightly" else state.config.prefect.crawl
    parameters: dict[str, Any] = {}
    if which == "crawl":
        targets = [t.strip() for t in form_text(form, "targets").replace("\n", ",").split(",")
                   if t.strip()]
        if targets:
            parameters["targets"] = targets
    try:
        started = await start_deployment(state.prefect_api_url, deployment, parameters)
    except PrefectRefused as exc:
        return await runs_page(request, me, error=str(exc))
    state.store.audit(me.user.username, "flow_started",
                      detail={"deployment": deployment, "flow_run": started.flow_run_id,
                              "parameters": parameters})
    notice = f"Gestartet: {FLOWS[which]} (Prefect-Lauf {started.name})"
    return RedirectResponse("/runs?" + urlencode({"notice": notice}), status_code=303)
