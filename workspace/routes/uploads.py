"""Listen hochladen (marketing): a purchased list in, its preview, a corrected mapping, the load.

The file is kept privately under `<data>/uploads/<upload id>/` beside its metadata and the
mapping chosen on the page (a mapping file in the format of `leadpipe ingest list --mapping`),
and is never served back. The preview and the load are the CLI's: `stages.preview.preview_list`
and `stages.ingest.ingest_list_file`, the load as a background job the job page follows.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from foundation.config import ConfigError
from foundation.private import private_dir
from foundation.settings import Settings
from ingest.dates import parse_day, refuse_list_dates
from ingest.errors import InputFileError
from ingest.fields import MAPPABLE_FIELDS
from ingest.vendor_mapping import ProposedColumn, proposal_yaml
from stages.ingest import (
    LIST_SUFFIXES,
    ListOptions,
    RejectedFile,
    ingest_list_file,
    load_or_reject,
)
from stages.preview import ListPreview, preview_list
from stages.status import batch_problems
from warehouse.db import WarehouseMissing
from warehouse.lock import WarehouseBusy
from workspace.jobs import job_report, start_job
from workspace.web import Marketing, checked_form, form_text, render, state_of

router = APIRouter()

UPLOAD_ID = re.compile(r"^[0-9a-f]{16}$")
NOT_MAPPED = "-"
"""The select's value for a column that stays in the raw rows only (null in the file)."""


@dataclass(frozen=True)
class Upload:
    """One uploaded list: where it lies and what the user said about it."""

    upload_id: str
    folder: Path
    file_name: str
    original_name: str
    vendor: str
    acquired_on: date
    uploaded_by: str

    @property
    def path(self) -> Path:
        return self.folder / self.file_name

    @property
    def mapping_file(self) -> Path | None:
        mapping = self.folder / "mapping.yaml"
        return mapping if mapping.exists() else None


def safe_file_name(name: str) -> str:
    """The base name with only letters, digits, '.', '-' and '_' (others become '_')."""
    base = re.split(r"[\\/]", name)[-1].strip().lstrip(".")
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", base)[:120]
    return cleaned or "liste.csv"


def _upload(settings_dir: Path, upload_id: str) -> Upload | None:
    if not UPLOAD_ID.match(upload_id):
        return None
    folder = settings_dir / upload_id
    meta_file = folder / "upload.json"
    if not meta_file.exists():
        return None
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    return Upload(upload_id, folder, meta["file_name"], meta["original_name"], meta["vendor"],
                  date.fromisoformat(meta["acquired_on"]), meta["uploaded_by"])


def upload_limits(request: Request) -> dict[str, object]:
    """What an upload form tells the user it takes: the size limit and the file types."""
    return {"max_mb": state_of(request).config.uploads.max_megabytes,
            "suffixes": ", ".join(LIST_SUFFIXES)}


def _form_page(request: Request, errors: list[str], values: dict[str, str],
               status_code: int = 200) -> Response:
    state = state_of(request)
    jobs = [j for j in state.store.jobs(limit=20) if j.kind == "upload"]
    return render(request, "uploads.html", {
        "errors": errors, "values": values, "jobs": jobs, **upload_limits(request)},
        status_code=status_code)


@router.get("/uploads")
async def uploads_page(request: Request, me: Marketing) -> Response:
    return _form_page(request, [], {})


def too_large(request: Request) -> bool:
    """The request announces more than the configured upload limit (and a form's overhead)."""
    limit = state_of(request).config.uploads.max_megabytes * 1024 * 1024
    return int(request.headers.get("content-length") or 0) > limit + 64 * 1024


async def save_file(upload: UploadFile, target: Path, limit: int) -> bool:
    """Copy the upload to `target`; False (and nothing kept) when it is larger than `limit`."""
    size = 0
    with target.open("wb") as out:
        while chunk := await upload.read(1 << 20):
            size += len(chunk)
            if size > limit:
                break
            out.write(chunk)
    if size > limit:
        target.unlink()
        return False
    return True


@router.post("/uploads")
async def upload_list(request: Request, me: Marketing) -> Response:
    state = state_of(request)
    limit = state.config.uploads.max_megabytes * 1024 * 1024
    too_large_text = (f"Die Datei ist größer als {state.config.uploads.max_megabytes} MB. "
                      "Laden Sie so große Listen mit `leadpipe ingest list` auf dem Server.")
    if too_large(request):
        return _form_page(request, [too_large_text], {}, status_code=413)
    form = await checked_form(request, me)
    values = {k: form_text(form, k) for k in ("vendor", "acquired_on")}
    errors: list[str] = []
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        errors.append("Bitte wählen Sie die Datei der Liste aus.")
    elif Path(safe_file_name(file.filename)).suffix.lower() not in LIST_SUFFIXES:
        errors.append(f"Die Datei „{safe_file_name(file.filename)}“ ist keine Liste: erlaubt "
                      f"sind {', '.join(LIST_SUFFIXES)}.")
    if not values["vendor"]:
        errors.append("Bitte geben Sie den Lieferanten (Händler) der Liste an: er gehört zur "
                      "Herkunftsangabe nach Art. 14 DSGVO.")
    acquired: date | None = None
    if not values["acquired_on"]:
        errors.append("Bitte geben Sie das Kaufdatum an: ab ihm läuft die Frist für die "
                      "Information nach Art. 14 DSGVO.")
    else:
        try:
            acquired = parse_day(values["acquired_on"])
        except ValueError:
            errors.append(f"Das Kaufdatum „{values['acquired_on']}“ ist kein Datum; schreiben "
                          "Sie es als TT.MM.JJJJ, z. B. 20.11.2026.")
        else:
            if refuse_list_dates(acquired, None, date.today()) is not None:
                errors.append(f"Das Kaufdatum {acquired:%d.%m.%Y} liegt in der Zukunft; geben "
                              "Sie den Tag an, an dem die Liste gekauft wurde.")
    mapping = form.get("mapping")
    has_mapping = isinstance(mapping, UploadFile) and bool(mapping.filename)
    if errors or not isinstance(file, UploadFile) or acquired is None:
        return _form_page(request, errors, values, status_code=400)
    upload_id = secrets.token_hex(8)
    folder = private_dir(state.uploads_dir / upload_id)
    name = safe_file_name(file.filename or "")
    if not await save_file(file, folder / name, limit):
        folder.rmdir()
        return _form_page(request, [too_large_text], values, status_code=413)
    if has_mapping and isinstance(mapping, UploadFile) and \
            not await save_file(mapping, folder / "mapping.yaml", 1024 * 1024):
        shutil.rmtree(folder)
        return _form_page(request, ["Die Zuordnungsdatei ist größer als 1 MB."], values, 413)
    (folder / "upload.json").write_text(json.dumps({
        "file_name": name, "original_name": file.filename, "vendor": values["vendor"],
        "acquired_on": acquired.isoformat(), "uploaded_by": me.user.username}), encoding="utf-8")
    state.store.audit(me.user.username, "list_uploaded",
                      detail={"upload": upload_id, "file": name, "vendor": values["vendor"]})
    return RedirectResponse(f"/uploads/{upload_id}", status_code=303)


def _mapping_text(upload: Upload, preview: ListPreview, fields: dict[str, str | None]) -> str:
    columns = [ProposedColumn(c.header, fields.get(c.header, c.field),
                              "im Arbeitsbereich gewählt" if fields.get(c.header, c.field)
                              != c.field else f"{c.how}, {c.confidence:.0%}")
               for c in preview.columns]
    return proposal_yaml(upload.file_name, columns, vendor=upload.vendor,
                         encoding=preview.encoding, delimiter=preview.delimiter,
                         sheet=preview.sheet)


def _preview(settings: Settings, upload: Upload) -> tuple[ListPreview | None, str | None]:
    try:
        return preview_list(settings, upload.path, upload.mapping_file), None
    except (InputFileError, ConfigError) as exc:
        return None, str(exc)


def _missing(request: Request) -> Response:
    return render(request, "error.html", {
        "title": "Nicht gefunden", "message": "Diesen Upload gibt es nicht (mehr).",
        "back": "/uploads"}, status_code=404)


@router.get("/uploads/{upload_id}")
async def upload_page(request: Request, upload_id: str, me: Marketing,
                      error: str | None = None) -> Response:
    state = state_of(request)
    upload = _upload(state.uploads_dir, upload_id)
    if upload is None:
        return _missing(request)
    preview, problem = await run_in_threadpool(_preview, state.settings, upload)
    # the preview shows sample values of the list: personal data
    state.store.audit(me.user.username, "list_previewed",
                      detail={"upload": upload_id, "file": upload.file_name})
    return render(request, "upload_preview.html", {
        "upload": upload, "preview": preview, "problem": problem, "error": error,
        "fields": MAPPABLE_FIELDS, "not_mapped": NOT_MAPPED,
        "corrected": upload.mapping_file is not None})


@router.post("/uploads/{upload_id}/mapping")
async def correct_mapping(request: Request, upload_id: str, me: Marketing) -> Response:
    state = state_of(request)
    form = await checked_form(request, me)
    upload = _upload(state.uploads_dir, upload_id)
    if upload is None:
        return _missing(request)
    preview, problem = await run_in_threadpool(_preview, state.settings, upload)
    if preview is None:
        return await upload_page(request, upload_id, me, error=problem)
    fields: dict[str, str | None] = {}
    for index, column in enumerate(preview.columns):
        chosen = form_text(form, f"field_{index}")
        if chosen not in (NOT_MAPPED, *MAPPABLE_FIELDS):
            return await upload_page(request, upload_id, me,
                                     error=f"Unbekanntes Feld „{chosen}“ für die Spalte "
                                           f"„{column.header}“.")
        fields[column.header] = None if chosen == NOT_MAPPED else chosen
    (upload.folder / "mapping.yaml").write_text(_mapping_text(upload, preview, fields),
                                                encoding="utf-8")
    state.store.audit(me.user.username, "list_mapping_set",
                      detail={"upload": upload_id, "mapping": fields})
    return RedirectResponse(f"/uploads/{upload_id}", status_code=303)


def _ingest(settings: Settings, upload: Upload) -> tuple[bool, dict[str, Any]]:
    """The job: load the list as `leadpipe ingest list` does; a refused file is recorded."""
    options = ListOptions(vendor=upload.vendor, acquired_on=upload.acquired_on,
                          mapping_file=upload.mapping_file)
    try:
        outcome = load_or_reject(settings, upload.path, "purchased_list",
                                 lambda: ingest_list_file(settings, upload.path, options))
    except WarehouseBusy as exc:
        return False, {"error": f"Das Warehouse war zu lange belegt: {exc}"}
    if isinstance(outcome, RejectedFile):
        return False, outcome.as_dict()
    return True, outcome.as_dict()


@router.post("/uploads/{upload_id}/ingest")
async def start_ingest(request: Request, upload_id: str, me: Marketing) -> Response:
    state = state_of(request)
    await checked_form(request, me)
    upload = _upload(state.uploads_dir, upload_id)
    if upload is None:
        return _missing(request)
    settings = state.settings
    job_id = start_job(state.store, "upload", me.user.username,
                       f"{upload.file_name} ({upload.vendor})",
                       lambda: _ingest(settings, upload))
    state.store.audit(me.user.username, "list_ingest_started",
                      detail={"upload": upload_id, "job": job_id, "file": upload.file_name})
    return RedirectResponse(f"/uploads/jobs/{job_id}", status_code=303)


@router.get("/uploads/jobs/{job_id}")
async def job_page(request: Request, job_id: str, me: Marketing) -> Response:
    state = state_of(request)
    job = state.store.job(job_id) if UPLOAD_ID.match(job_id) else None
    if job is None:
        return _missing(request)
    report = job_report(job.message)
    problems = []
    if job.state == "done" and report.get("batch_id") and report.get("quarantined"):
        try:
            problems = await run_in_threadpool(batch_problems, state.settings,
                                               str(report["batch_id"]))
        except (WarehouseBusy, WarehouseMissing):
            problems = []
    return render(request, "upload_job.html", {"job": job, "report": report,
                                               "problems": problems})
