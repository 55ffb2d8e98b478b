"""Lead lists and lead details for sales; outcomes and objections recorded from the page.

A list shows one channel: only leads whose decision on it is allowed (and, on request,
review), never one with an objection recorded since (`objected_leads`, also while the nightly
run holds the warehouse). Every page that shows personal data is written to the audit log.
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from compliance.campaigns import Campaign, list_campaigns
from foundation.config import ConfigError
from foundation.settings import Settings
from foundation.vocabulary import CHANNELS, GRADES, OUTCOMES
from scoring.crm_formats import CRM_FORMATS
from stages.export import export_layouts
from stages.lead_detail import lead_detail
from stages.lead_lists import BadListFilter, ListFilter, channel_list
from stages.outcomes import (
    BadOutcome,
    UnknownLead,
    journaled_outcomes,
    objected_leads,
    record_objection,
    record_outcome,
)
from workspace.filters import filter_from_form, filter_params, filter_query
from workspace.routes.exports import FILE_FORMATS, RELATIONSHIPS
from workspace.texts import load_labels
from workspace.web import Sales, checked_form, form_text, render, state_of

router = APIRouter()


@router.get("/leads")
def lead_list_page(request: Request, me: Sales) -> Response:
    state = state_of(request)
    try:
        flt = filter_from_form(request.query_params, state.config)
        shown = channel_list(state.settings, flt)
    except BadListFilter as exc:
        return render(request, "error.html", {"title": "Filter nicht möglich",
                                              "message": str(exc), "back": "/leads"},
                      status_code=400)
    page = shown.page
    state.store.audit(me.user.username, "list_view", detail={
        "channel": flt.channel, "filter": filter_params(flt), "page": page.page,
        "leads": [r.lead_id for r in page.rows]})
    pages = page.pages
    return render(request, "leads.html", {
        "flt": flt, "page": page, "pages": pages, "facets": shown.facets, "channels": CHANNELS,
        "withheld": shown.withheld,
        "grades": GRADES, "sorts": load_labels(state.settings.config_dir)["sort"],
        "params": filter_params(flt),
        "layouts": [c for c in export_layouts(state.settings) if flt.channel in c.channels],
        "file_formats": FILE_FORMATS, "crm_formats": CRM_FORMATS,
        "relationships": RELATIONSHIPS,
        "campaigns": _email_campaigns(state.settings) if flt.channel == "email" else ([], None),
        "prev_link": f"/leads?{filter_query(flt, page=page.page - 1)}" if page.page > 1 else None,
        "next_link": f"/leads?{filter_query(flt, page=page.page + 1)}"
        if page.page < pages else None,
        "tab_link": {c: f"/leads?{filter_query(_with_channel(flt, c))}" for c in CHANNELS},
    })


def _email_campaigns(settings: Settings) -> tuple[list[Campaign], str | None]:
    """The e-mail campaigns a customer mailing list can be exported for, and why none can
    when a campaign file is invalid (the page still opens)."""
    try:
        loaded = list_campaigns(settings.config_dir)
    except ConfigError as exc:
        return [], str(exc)
    return [c.campaign for c in loaded if c.campaign.channel == "email"], None


def _with_channel(flt: ListFilter, channel: str) -> ListFilter:
    return replace(flt, channel=channel, page=1)


@router.get("/leads/{lead_id}")
def lead_page(request: Request, lead_id: str, me: Sales,
                    done: str | None = None) -> Response:
    state = state_of(request)
    detail = lead_detail(state.settings, lead_id)
    if detail is None:
        return render(request, "error.html", {"title": "Lead nicht gefunden",
                                              "message": f"Es gibt keinen Lead {lead_id}.",
                                              "back": "/leads"}, status_code=404)
    objected = objected_leads(state.settings)
    stored = {o.outcome_id for o in detail.outcomes}
    waiting = [r for r in journaled_outcomes(state.settings, lead_id)
               if r.outcome_id not in stored]  # recorded while a run held the warehouse
    state.store.audit(me.user.username, "lead_view", lead_id)
    return render(request, "lead.html", {"waiting": waiting,
        "lead": detail.for_sales(include_review=True), "objected": lead_id in objected.pending
        or lead_id in objected.anywhere, "done": done, "outcomes": OUTCOMES})


@router.post("/leads/{lead_id}/outcome")
async def outcome(request: Request, lead_id: str,
                  me: Sales) -> Response:
    state = state_of(request)
    form = await checked_form(request, me)
    what = form_text(form, "outcome")
    value = form_text(form, "value_eur").replace(".", "").replace(",", ".")
    try:
        receipt = record_outcome(state.settings, lead_id, what, by=me.user.username,
                                 note=form_text(form, "note") or None, value_eur=value or None)
    except (UnknownLead, BadOutcome) as exc:
        return render(request, "error.html", {"title": "Ergebnis nicht gespeichert",
                                              "message": str(exc), "back": f"/leads/{lead_id}"},
                      status_code=400)
    state.store.audit(me.user.username, "outcome", lead_id, {"outcome": what,
                                                              "status": receipt.status})
    return RedirectResponse(f"/leads/{lead_id}?done=outcome", status_code=303)


@router.post("/leads/{lead_id}/objection")
async def objection(request: Request, lead_id: str,
                    me: Sales) -> Response:
    state = state_of(request)
    form = await checked_form(request, me)
    try:
        receipt = record_objection(state.settings, lead_id, by=me.user.username,
                                   note=form_text(form, "note") or None)
    except UnknownLead as exc:
        return render(request, "error.html", {"title": "Widerspruch nicht gespeichert",
                                              "message": str(exc), "back": "/leads"},
                      status_code=404)
    state.store.audit(me.user.username, "objection", lead_id, {"status": receipt.status,
                                                                "request": receipt.request_id})
    return RedirectResponse(f"/leads/{lead_id}?done=objection", status_code=303)
