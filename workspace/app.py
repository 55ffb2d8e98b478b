"""`leadpipe web`: the FastAPI application, its pages mounted per area (`workspace.routes`).

Pages are rendered on the server (Jinja2, autoescaped); there is no script on them but a few
lines for the upload form. Every response carries a strict Content-Security-Policy and
`Cache-Control: no-store` (pages show personal data). The warehouse is read per request
through the stages and never held open, so the nightly run can always take it.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import JSONResponse, Response

from foundation.private import private_dir
from foundation.settings import Settings
from warehouse.db import WarehouseMissing
from warehouse.lock import WarehouseBusy
from workspace.config import WorkspaceConfig
from workspace.jobs import ABANDONED
from workspace.routes import (
    admin,
    crm_imports,
    exports,
    gdpr,
    leads,
    login,
    review,
    runs,
    uploads,
)
from workspace.store import Store, store_path
from workspace.web import (
    NotAllowed,
    NotLoggedIn,
    WorkspaceState,
    login_redirect_target,
    make_templates,
    render,
)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "script-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def create_app(settings: Settings, config: WorkspaceConfig, store: Store | None = None
               ) -> FastAPI:
    app = FastAPI(title="leadpipe", docs_url=None, redoc_url=None, openapi_url=None)
    store = store or Store(store_path(settings.data_dir))
    store.abandon_running_jobs(ABANDONED)  # a job's thread does not outlive its server
    app.state.workspace = WorkspaceState(
        settings=settings, config=config, store=store,
        templates=make_templates(settings.config_dir),
        uploads_dir=private_dir(settings.data_dir / "uploads"),
        prefect_api_url=os.environ.get("PREFECT_API_URL") or None,
    )

    @app.middleware("http")
    async def security_headers(request: Request,
                               call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.scheme == "https":
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, exc: NotLoggedIn) -> Response:
        if request.url.path.startswith("/api/") or request.method != "GET":
            return JSONResponse({"error": "Anmeldung erforderlich"}, status_code=401)
        return RedirectResponse(login_redirect_target(request), status_code=303)

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, exc: NotAllowed) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "keine Berechtigung"}, status_code=403)
        return render(request, "error.html", {
            "title": "Keine Berechtigung",
            "message": "Diese Seite oder Aktion ist für Ihre Rolle nicht freigegeben, oder das "
                       "Formular war abgelaufen. Laden Sie die Seite neu und versuchen Sie es "
                       "noch einmal."}, status_code=403)

    @app.exception_handler(WarehouseMissing)
    @app.exception_handler(WarehouseBusy)
    async def warehouse_unavailable(request: Request, exc: Exception) -> Response:
        message = ("Es gibt noch kein Warehouse mit Leads: eine erste Liste laden (Marketing: "
                   "„Listen hochladen“) oder den nächtlichen Lauf starten."
                   if isinstance(exc, WarehouseMissing) else
                   "Ein Lauf schreibt gerade das Warehouse, und es ist noch kein Stand "
                   "veröffentlicht. Bitte in ein paar Minuten erneut versuchen.")
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=503)
        return render(request, "error.html", {"title": "Warehouse nicht verfügbar",
                                              "message": message}, status_code=503)

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/leads", status_code=303)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"ok": True})

    app.mount("/static", StaticFiles(packages=[("workspace", "static")]), name="static")
    for module in (login, leads, exports, uploads, crm_imports, review, runs, admin, gdpr):
        app.include_router(module.router)
    return app
