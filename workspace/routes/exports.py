"""Exports from the page: the list a sales rep filtered, as XLSX or German-Excel CSV, logged.

The file holds exactly the leads the page listed (their ids go to the export) and is written
through the same stage as `leadpipe leads export`: opt-outs checked again, the export log
entry (who, which filter) journaled before the file exists. It lands in
`<exports>/workspace/<user>/` and is sent as a download.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from starlette.responses import Response

from foundation.outputs import exports_dir
from foundation.private import private_dir
from foundation.vocabulary import GRADES
from stages.export import BadExportRequest, ExportRequest, export_leads, export_log
from stages.lead_lists import BadListFilter, list_lead_ids
from stages.outcomes import objected_leads
from warehouse.db import WarehouseMissing
from workspace.filters import filter_from_form, filter_params
from workspace.web import Sales, checked_form, form_text, render, state_of

router = APIRouter()
FORMATS = {"xlsx": ("xlsx", "xlsx", False), "excel_de": ("csv", "csv", True),
           "csv": ("csv", "csv", False)}
"""The form's choice → (file suffix, export format, German-Excel CSV)."""
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv; charset=utf-8"}


@router.get("/exports")
async def export_log_page(request: Request, me: Sales) -> Response:
    """The export log: marketing and admin see everyone's, sales their own."""
    state = state_of(request)
    mine = None if me.may("marketing") else me.user.username
    try:
        exports = export_log(state.settings, 200, mine)
    except WarehouseMissing:
        exports = []  # nothing loaded yet, so nothing exported either
    return render(request, "exports.html", {"exports": exports})


def _refused(request: Request, message: str) -> Response:
    return render(request, "error.html", {"title": "Export nicht möglich", "message": message,
                                          "back": "/leads"}, status_code=400)


@router.post("/exports")
async def download(request: Request, me: Sales) -> Response:
    state = state_of(request)
    form = await checked_form(request, me)
    kind, layout = form_text(form, "format") or "xlsx", form_text(form, "layout") or "standard"
    if kind not in FORMATS:
        return _refused(request, f"Unbekanntes Format {kind!r}.")
    suffix, fmt, excel_de = FORMATS[kind]
    try:
        flt = filter_from_form(form, state.config)
        objected = objected_leads(state.settings).on(flt.channel)
        ids = list_lead_ids(state.settings, flt, exclude=objected)
        folder = private_dir(exports_dir(state.settings) / "workspace" / me.user.username)
        out = folder / f"leads-{flt.channel}-{layout}-{datetime.now(UTC):%Y%m%d-%H%M%S}.{suffix}"
        result = export_leads(state.settings, ExportRequest(
            channel=flt.channel, out=out, fmt=fmt, excel_de=excel_de,  # type: ignore[arg-type]
            layout=layout, per_address=form_text(form, "per_address") == "1",  # type: ignore[arg-type]
            min_grade=GRADES[-1], include_review=flt.include_review, lead_ids=ids,
            list_filter=tuple(filter_params(flt)), by=me.user.username))
    except (BadExportRequest, BadListFilter) as exc:
        return _refused(request, str(exc))
    state.store.audit(me.user.username, "export", detail={
        "export_id": result.export_id, "channel": flt.channel, "leads": result.leads,
        "format": kind, "layout": layout, "filter": filter_params(flt)})
    return FileResponse(out, filename=out.name, media_type=MEDIA[suffix])
