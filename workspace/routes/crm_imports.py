"""Kunden hochladen and CRM-Ergebnisse importieren (marketing): the CRM round trip's files in.

The same way as a purchased list (`workspace.routes.uploads`): the file is kept privately
under `<data>/uploads/crm/<upload id>/` beside what the user said about it, never served
back, previewed before anything is written, and every step is audited. A customer export is
`leadpipe ingest customers` (preview, then the load as a background job the job page
follows); a CRM deals/activities export is `leadpipe outcomes import` (the dry run shown,
then the import on confirmation), a newsletter report `leadpipe engagement import`.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from foundation.config import ConfigError
from foundation.private import private_dir
from foundation.settings import Settings
from foundation.vocabulary import CRMS
from ingest.errors import InputFileError
from ingest.newsletter_engagement import TOOLS, load_engagement_config, read_engagement_file
from stages.crm_outcomes import OutcomeImportReport, import_outcomes
from stages.customers import CustomerOptions, ingest_customer_file, preview_customers
from stages.engagement import import_engagement
from stages.ingest import LIST_SUFFIXES, record_rejection
from stages.preview import ListPreview
from stages.status import batch_problems
from warehouse.db import WarehouseMissing
from warehouse.lock import WarehouseBusy
from workspace.jobs import job_report, start_job
from workspace.routes.uploads import (
    UPLOAD_ID,
    safe_file_name,
    save_file,
    too_large,
    upload_limits,
)
from workspace.web import Marketing, checked_form, form_text, render, state_of

router = APIRouter()

Kind = Literal["customers", "outcomes", "engagement"]
CRM_CHOICES = ("auto", *CRMS)
TOOL_CHOICES = ("auto", *TOOLS)


@dataclass(frozen=True)
class CrmUpload:
    """One uploaded customer export, CRM deals export or newsletter report."""

    upload_id: str
    folder: Path
    kind: Kind
    file_name: str
    source: str
    """The CRM (or newsletter tool) the user chose; `auto`: recognised by the header."""
    collected_in_sale: bool
    notice_at_collection: bool
    uploaded_by: str

    @property
    def path(self) -> Path:
        return self.folder / self.file_name

    @property
    def customer_options(self) -> CustomerOptions:
        # an unticked box leaves the fact to the file's columns, as the CLI without the flag
        return CustomerOptions(crm=self.source,
                               collected_in_sale=self.collected_in_sale or None,
                               notice_at_collection=self.notice_at_collection or None)


def german_problem(exc: InputFileError | ConfigError) -> str:
    """A refused file in German, naming file, row and field (the reason is the stage's)."""
    if isinstance(exc, ConfigError):
        return f"Die Einstellungen passen nicht: {exc}"
    where = [f"Datei „{exc.file}“"]
    if exc.row is not None:
        where.append(f"Zeile {exc.row}")
    if exc.field is not None:
        where.append(f"Feld „{exc.field}“")
    return ", ".join(where) + f": {exc.message}"


def _root(request: Request) -> Path:
    return private_dir(state_of(request).uploads_dir / "crm")


def _load(request: Request, upload_id: str, kinds: tuple[Kind, ...]) -> CrmUpload | None:
    if not UPLOAD_ID.match(upload_id):
        return None
    folder = _root(request) / upload_id
    meta_file = folder / "upload.json"
    if not meta_file.exists():
        return None
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    if meta["kind"] not in kinds:
        return None
    return CrmUpload(upload_id, folder, meta["kind"], meta["file_name"], meta["source"],
                     meta["collected_in_sale"], meta["notice_at_collection"],
                     meta["uploaded_by"])


def _missing(request: Request, back: str) -> Response:
    return render(request, "error.html", {
        "title": "Nicht gefunden", "message": "Diesen Upload gibt es nicht (mehr).",
        "back": back}, status_code=404)


async def _save_upload(request: Request, form: FormData, kind: Kind, source: str,
                       by: str, flags: tuple[bool, bool] = (False, False)
                       ) -> CrmUpload | list[str]:
    """Keep the posted file privately, or the German reasons it was refused."""
    state = state_of(request)
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return ["Bitte wählen Sie die Datei aus."]
    name = safe_file_name(file.filename)
    if Path(name).suffix.lower() not in LIST_SUFFIXES:
        return [f"Die Datei „{name}“ ist keine Tabelle: erlaubt sind "
                f"{', '.join(LIST_SUFFIXES)}."]
    limit = state.config.uploads.max_megabytes * 1024 * 1024
    upload_id = secrets.token_hex(8)
    folder = private_dir(_root(request) / upload_id)
    if not await save_file(file, folder / name, limit):
        folder.rmdir()
        return [f"Die Datei ist größer als {state.config.uploads.max_megabytes} MB."]
    (folder / "upload.json").write_text(json.dumps({
        "kind": kind, "file_name": name, "source": source, "collected_in_sale": flags[0],
        "notice_at_collection": flags[1], "uploaded_by": by}), encoding="utf-8")
    return CrmUpload(upload_id, folder, kind, name, source, flags[0], flags[1], by)


# --- Kunden hochladen -------------------------------------------------------------------

def _customers_page(request: Request, errors: list[str], status_code: int = 200) -> Response:
    state = state_of(request)
    jobs = [j for j in state.store.jobs(limit=20) if j.kind == "customers"]
    return render(request, "customers.html", {
        "errors": errors, "jobs": jobs, "crms": CRM_CHOICES, **upload_limits(request)},
        status_code=status_code)


@router.get("/customers")
async def customers_page(request: Request, me: Marketing) -> Response:
    return _customers_page(request, [])


@router.post("/customers")
async def upload_customers(request: Request, me: Marketing) -> Response:
    if too_large(request):
        return _customers_page(request, ["Die Datei ist zu groß; laden Sie sie mit "
                                         "`leadpipe ingest customers` auf dem Server."], 413)
    form = await checked_form(request, me)
    crm = form_text(form, "crm") or "auto"
    if crm not in CRM_CHOICES:
        return _customers_page(request, [f"Unbekanntes CRM „{crm}“."], 400)
    flags = (form_text(form, "collected_in_sale") == "yes",
             form_text(form, "notice_at_collection") == "yes")
    saved = await _save_upload(request, form, "customers", crm, me.user.username, flags)
    if isinstance(saved, list):
        return _customers_page(request, saved, 400)
    state_of(request).store.audit(me.user.username, "customers_uploaded", detail={
        "upload": saved.upload_id, "file": saved.file_name, "crm": crm,
        "collected_in_sale": flags[0], "notice_at_collection": flags[1]})
    return RedirectResponse(f"/customers/{saved.upload_id}", status_code=303)


def _preview(settings: Settings, upload: CrmUpload) -> tuple[ListPreview | None, str | None]:
    try:
        return preview_customers(settings, upload.path, upload.customer_options), None
    except (InputFileError, ConfigError) as exc:
        return None, german_problem(exc)


@router.get("/customers/{upload_id}")
async def customers_preview(request: Request, upload_id: str, me: Marketing) -> Response:
    state = state_of(request)
    upload = _load(request, upload_id, ("customers",))
    if upload is None:
        return _missing(request, "/customers")
    preview, problem = await run_in_threadpool(_preview, state.settings, upload)
    state.store.audit(me.user.username, "customers_previewed",  # sample values: personal data
                      detail={"upload": upload_id, "file": upload.file_name})
    return render(request, "customers_preview.html", {
        "upload": upload, "preview": preview, "problem": problem})


def _ingest(settings: Settings, upload: CrmUpload) -> tuple[bool, dict[str, Any]]:
    """The job: load the export as `leadpipe ingest customers` does; a refused file is
    recorded in the run log, as the CLI's, and said in German on the job page."""
    try:
        report = ingest_customer_file(settings, upload.path, upload.customer_options)
    except (InputFileError, ConfigError) as exc:
        rejected = record_rejection(settings, upload.path, "customer", exc)
        return False, {**rejected.as_dict(), "problem": german_problem(exc)}
    except WarehouseBusy as exc:
        return False, {"error": f"Das Warehouse war zu lange belegt: {exc}"}
    return True, report.as_dict()


@router.post("/customers/{upload_id}/ingest")
async def start_customers(request: Request, upload_id: str, me: Marketing) -> Response:
    state = state_of(request)
    await checked_form(request, me)
    upload = _load(request, upload_id, ("customers",))
    if upload is None:
        return _missing(request, "/customers")
    settings = state.settings
    job_id = start_job(state.store, "customers", me.user.username,
                       f"Kunden: {upload.file_name}", lambda: _ingest(settings, upload))
    state.store.audit(me.user.username, "customers_ingest_started",
                      detail={"upload": upload_id, "job": job_id, "file": upload.file_name})
    return RedirectResponse(f"/customers/jobs/{job_id}", status_code=303)


@router.get("/customers/jobs/{job_id}")
async def customers_job(request: Request, job_id: str, me: Marketing) -> Response:
    state = state_of(request)
    job = state.store.job(job_id) if UPLOAD_ID.match(job_id) else None
    if job is None or job.kind != "customers":
        return _missing(request, "/customers")
    report = job_report(job.message)
    problems = []
    if job.state == "done" and report.get("batch_id") and report.get("quarantined"):
        try:
            problems = await run_in_threadpool(batch_problems, state.settings,
                                               str(report["batch_id"]))
        except (WarehouseBusy, WarehouseMissing):
            problems = []
    return render(request, "upload_job.html", {"job": job, "report": report,
                                               "problems": problems, "back": "/customers",
                                               "back_label": "Zurück zu den Kunden"})


# --- CRM-Ergebnisse importieren ---------------------------------------------------------

def _results_page(request: Request, errors: list[str], status_code: int = 200) -> Response:
    state = state_of(request)
    imports = [(a.at, a.username, json.loads(a.detail or "{}"))
               for a in state.store.audit_entries()
               if a.action in ("crm_outcomes_imported", "engagement_imported")][:20]
    return render(request, "crm_imports.html", {
        "errors": errors, "crms": CRM_CHOICES, "tools": TOOL_CHOICES, "imports": imports,
        **upload_limits(request)}, status_code=status_code)


@router.get("/crm-imports")
async def crm_imports_page(request: Request, me: Marketing) -> Response:
    return _results_page(request, [])


@router.post("/crm-imports")
async def upload_results(request: Request, me: Marketing) -> Response:
    if too_large(request):
        return _results_page(request, ["Die Datei ist zu groß; importieren Sie sie mit "
                                       "`leadpipe outcomes import` auf dem Server."], 413)
    form = await checked_form(request, me)
    kind = form_text(form, "kind") or "outcomes"
    source = form_text(form, "source") or "auto"
    sources = {"outcomes": CRM_CHOICES, "engagement": TOOL_CHOICES}
    if source not in sources.get(kind, ()):
        return _results_page(request, [f"Unbekannte Art „{kind}“ oder Quelle „{source}“."], 400)
    saved = await _save_upload(request, form, "engagement" if kind == "engagement"
                               else "outcomes", source, me.user.username)
    if isinstance(saved, list):
        return _results_page(request, saved, 400)
    state_of(request).store.audit(me.user.username, f"{saved.kind}_uploaded", detail={
        "upload": saved.upload_id, "file": saved.file_name, "source": source})
    return RedirectResponse(f"/crm-imports/{saved.upload_id}", status_code=303)


@dataclass(frozen=True)
class EngagementPreview:
    """What a newsletter report holds, read without touching the warehouse."""

    tool: str
    rows_in: int
    readable: int
    skipped: int
    problems: list[tuple[int, str | None, str]]


def _dry_run(settings: Settings, upload: CrmUpload, by: str
             ) -> OutcomeImportReport | EngagementPreview | str:
    try:
        if upload.kind == "outcomes":
            return import_outcomes(settings, upload.path, crm=upload.source, by=by,
                                   dry_run=True)
        parsed = read_engagement_file(upload.path, upload.source,
                                      load_engagement_config(settings.config_dir, None).value)
        return EngagementPreview(parsed.tool, parsed.rows_in, len(parsed.rows),
                                 parsed.skipped, list(parsed.problems))
    except (InputFileError, ConfigError) as exc:
        return german_problem(exc)
    except WarehouseMissing:
        return "Es gibt noch kein Warehouse: laden Sie zuerst Listen oder Kunden."


@router.get("/crm-imports/{upload_id}")
async def results_dry_run(request: Request, upload_id: str, me: Marketing) -> Response:
    state = state_of(request)
    upload = _load(request, upload_id, ("outcomes", "engagement"))
    if upload is None:
        return _missing(request, "/crm-imports")
    result = await run_in_threadpool(_dry_run, state.settings, upload, me.user.username)
    state.store.audit(me.user.username, f"{upload.kind}_previewed",
                      detail={"upload": upload_id, "file": upload.file_name})
    return render(request, "crm_import_preview.html", {
        "upload": upload, "problem": result if isinstance(result, str) else None,
        "dry": result if isinstance(result, OutcomeImportReport) else None,
        "engagement": result if isinstance(result, EngagementPreview) else None})


def _import(settings: Settings, upload: CrmUpload, by: str) -> dict[str, Any] | str:
    try:
        if upload.kind == "outcomes":
            return import_outcomes(settings, upload.path, crm=upload.source, by=by).as_dict()
        return import_engagement(settings, upload.path, tool=upload.source).as_dict()
    except (InputFileError, ConfigError) as exc:
        return german_problem(exc)
    except WarehouseBusy as exc:
        return f"Das Warehouse war zu lange belegt: {exc}. Bitte später erneut bestätigen."


@router.post("/crm-imports/{upload_id}/import")
async def confirm_import(request: Request, upload_id: str, me: Marketing) -> Response:
    state = state_of(request)
    await checked_form(request, me)
    upload = _load(request, upload_id, ("outcomes", "engagement"))
    if upload is None:
        return _missing(request, "/crm-imports")
    result = await run_in_threadpool(_import, state.settings, upload, me.user.username)
    if isinstance(result, str):
        return render(request, "crm_import_preview.html", {
            "upload": upload, "problem": result, "dry": None, "engagement": None},
            status_code=400)
    action = "crm_outcomes_imported" if upload.kind == "outcomes" else "engagement_imported"
    state.store.audit(me.user.username, action, detail={
        "upload": upload_id, **{k: v for k, v in result.items() if k != "problems"}})
    return render(request, "crm_import_done.html", {"upload": upload, "report": result})
