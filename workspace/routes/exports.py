"""Exports from the page: the list a sales rep filtered, as XLSX, CSV or a CRM's import file;
and a campaign's customer mailing list; each logged.

The list's file holds exactly the leads the page listed (their ids go to the export) and is
written through the same stage as `leadpipe leads export`: opt-outs checked again, the export
log entry (who, which filter) journaled before the file exists. A campaign's list is not the
page's: customers whose e-mail waits for a campaign are on no page, so it is the stage's
`--campaign` export. Files land in `<exports>/workspace/<user>/` and are sent as downloads.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from starlette.datastructures import FormData
from starlette.responses import Response

from compliance.campaigns import CampaignError, check_running, load_campaign
from foundation.config import ConfigError
from foundation.outputs import exports_dir
from foundation.private import private_dir
from foundation.settings import Settings
from foundation.vocabulary import GRADES
from scoring.crm_formats import CRM_FORMATS, load_crm_formats
from stages.export import BadExportRequest, ExportRequest, ExportResult, export_leads, export_log
from stages.lead_lists import BadListFilter, list_lead_ids
from stages.outcomes import objected_leads
from warehouse.db import WarehouseMissing
from workspace.filters import filter_from_form, filter_params
from workspace.texts import load_labels
from workspace.web import Sales, checked_form, form_text, render, state_of

router = APIRouter()
FILE_FORMATS = {"xlsx": ("xlsx", False), "excel_de": ("csv", True), "csv": ("csv", False)}
"""The form's spreadsheet choice → (export format, German-Excel CSV)."""
RELATIONSHIPS = {"all": (False, False), "new": (True, False), "customers": (False, True)}
"""The form's customer choice → (new_only, customers_only)."""
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv; charset=utf-8"}


@router.get("/exports")
async def export_log_page(request: Request, me: Sales) -> Response:
    """The export log: marketing and admin see everyone's, sales their own; a campaign's
    export shows its §7(3) decisions (kept in the workspace audit when it was made)."""
    state = state_of(request)
    mine = None if me.may("marketing") else me.user.username
    try:
        exports = export_log(state.settings, 200, mine)
    except WarehouseMissing:
        exports = []  # nothing loaded yet, so nothing exported either
    decided = {}
    for entry in state.store.audit_entries(action="campaign_export", limit=200):
        detail = json.loads(entry.detail)
        decided[detail["export_id"]] = detail["campaign_decisions"]
    return render(request, "exports.html", {"exports": exports, "campaign_decisions": decided})


def _refused(request: Request, message: str) -> Response:
    return render(request, "error.html", {"title": "Export nicht möglich", "message": message,
                                          "back": "/leads"}, status_code=400)


def _format(settings: Settings, kind: str) -> tuple[str, bool, str] | None:
    """The form's format → (export format, German-Excel CSV, file suffix); None if unknown."""
    if kind in FILE_FORMATS:
        fmt, excel_de = FILE_FORMATS[kind]
        return fmt, excel_de, fmt
    if kind in CRM_FORMATS:
        return kind, False, load_crm_formats(settings.config_dir).value.formats[kind].file.type
    return None


def _out(settings: Settings, user: str, stem: str, suffix: str) -> Path:
    """A new file in the user's folder: a second export within the same second gets -2."""
    folder = private_dir(exports_dir(settings) / "workspace" / user)
    name = f"{stem}-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    out, n = folder / f"{name}.{suffix}", 1
    while out.exists():
        n += 1
        out = folder / f"{name}-{n}.{suffix}"
    return out


def _sent(result: ExportResult) -> Response:
    out = Path(result.path)
    return FileResponse(out, filename=out.name, media_type=MEDIA[out.suffix.lstrip(".")])


def _format_name(request: Request, kind: str) -> str:
    return load_labels(state_of(request).settings.config_dir)["export_format"].get(kind, kind)


def _crm_clash(request: Request, form: FormData, kind: str, layout: str) -> str | None:
    """A CRM's import file has its own columns, one row per lead: no layout, no letter rows."""
    if kind not in CRM_FORMATS or (layout == "standard" and form_text(form, "per_address") != "1"):
        return None
    return (f"{_format_name(request, kind)} schreibt die Importspalten des CRM, eine Zeile je "
            "Lead: wählen Sie dafür die Spalten „Standard“ und nicht „eine Zeile je Anschrift“.")


@router.post("/exports")
async def download(request: Request, me: Sales) -> Response:
    state = state_of(request)
    form = await checked_form(request, me)
    kind, layout = form_text(form, "format") or "xlsx", form_text(form, "layout") or "standard"
    relationship = form_text(form, "customers") or "all"
    chosen = _format(state.settings, kind)
    if chosen is None:
        return _refused(request, f"Unbekanntes Format {kind!r}.")
    if relationship not in RELATIONSHIPS:
        return _refused(request, f"Unbekannte Auswahl der Kunden {relationship!r}.")
    clash = _crm_clash(request, form, kind, layout)
    if clash:
        return _refused(request, clash)
    fmt, excel_de, suffix = chosen
    new_only, customers_only = RELATIONSHIPS[relationship]
    try:
        flt = filter_from_form(form, state.config)
        objected = objected_leads(state.settings).on(flt.channel)
        ids = list_lead_ids(state.settings, flt, exclude=objected)
        result = export_leads(state.settings, ExportRequest(
            channel=flt.channel, out=_out(state.settings, me.user.username,
                                          f"leads-{flt.channel}-{layout}", suffix),
            fmt=fmt, excel_de=excel_de,  # type: ignore[arg-type]  # a key of the formats
            layout=layout, per_address=form_text(form, "per_address") == "1",  # type: ignore[arg-type]
            min_grade=GRADES[-1], include_review=flt.include_review, lead_ids=ids,
            list_filter=tuple(filter_params(flt)), by=me.user.username,
            new_only=new_only, customers_only=customers_only))
    except (BadExportRequest, BadListFilter) as exc:
        return _refused(request, str(exc))
    state.store.audit(me.user.username, "export", detail={
        "export_id": result.export_id, "channel": flt.channel, "leads": result.leads,
        "format": kind, "layout": layout, "customers": relationship,
        "filter": filter_params(flt)})
    return _sent(result)


@router.post("/exports/campaign")
async def campaign_download(request: Request, me: Sales) -> Response:
    """A campaign's customer mailing list: every customer §7(3) lets it e-mail, whatever the
    page listed."""
    state = state_of(request)
    form = await checked_form(request, me)
    name, kind = form_text(form, "campaign"), form_text(form, "format") or "xlsx"
    chosen = _format(state.settings, kind)
    if chosen is None:
        return _refused(request, f"Unbekanntes Format {kind!r}.")
    try:
        campaign = load_campaign(state.settings.config_dir, name).campaign
    except ConfigError:
        return _refused(request, f"Es gibt keine gültige Kampagne {name!r}; Marketing legt "
                                 "Kampagnen an (leadpipe campaign add).")
    if campaign.channel != "email":
        return _refused(request, f"Die Kampagne {name} ist für den Kanal {campaign.channel}, "
                                 "nicht für E-Mail; § 7 Abs. 3 UWG gilt nur für E-Mail.")
    try:
        check_running(campaign, date.today())
    except CampaignError:
        until = f" bis {campaign.ends:%d.%m.%Y}" if campaign.ends else ""
        return _refused(request, f"Die Kampagne {name} läuft vom {campaign.starts:%d.%m.%Y}"
                                 f"{until}; heute kann sie nicht exportiert werden.")
    fmt, excel_de, suffix = chosen
    try:
        result = export_leads(state.settings, ExportRequest(
            channel="email", out=_out(state.settings, me.user.username, f"kampagne-{name}",
                                      suffix),
            fmt=fmt, excel_de=excel_de, campaign=name,  # type: ignore[arg-type]
            customers_only=True, by=me.user.username))
    except (BadExportRequest, ConfigError) as exc:
        return _refused(request, str(exc))
    state.store.audit(me.user.username, "campaign_export", detail={
        "export_id": result.export_id, "campaign": name, "leads": result.leads,
        "format": kind, "campaign_decisions": result.campaign_decisions})
    return _sent(result)
