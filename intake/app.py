"""The intake HTTP service: form posts in, DOI confirmation pages out (Starlette ASGI app).

`POST /forms/{form_id}` authenticates (HMAC signature from the website's backend, or an
allowed Origin plus an empty honeypot from a browser), limits the body while reading it,
rate-limits per client IP, validates, and commits the submission (with its DOI token's hash
and its mail) to SQLite before answering. `GET /doi/confirm` shows the confirmation page,
`POST /doi/confirm` (or GET, if `doi.confirm_with_button` is off) uses the token.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from foundation.settings import Settings
from intake.config import FormSpec, IntakeConfig, state_path
from intake.mail import Mailer, outbox_loop
from intake.render import Texts, load_texts, page
from intake.store import NewSubmission, Store, TokenState, token_hash
from intake.submit import (
    Rejected,
    build_record,
    check_limits,
    check_origin,
    check_signature,
    find_form,
    needs_doi,
    parse_body,
    validate_fields,
    visitor,
)

log = logging.getLogger("leadpipe.intake")
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
STATUS = {"confirmed": 200, "ask": 200, "valid": 200, "used": 410, "expired": 410,
          "unknown": 404}


class _TooLarge(Exception):
    pass


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it passes `limit` (Content-Length is only a hint)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def client_ip(request: Request, trusted: list[ipaddress.IPv4Network | ipaddress.IPv6Network]
              ) -> str | None:
    """The peer, or — only when the peer is a trusted proxy — the right-most address in
    X-Forwarded-For that is not itself a trusted proxy."""
    peer = request.client.host if request.client else None

    def is_trusted(value: str) -> bool:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return False
        return any(address in net for net in trusted)

    if peer is None or not is_trusted(peer):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer
    return peer


def create_app(settings: Settings, forms_config: IntakeConfig, mailer: Mailer, *,
               clock: Callable[[], datetime] | None = None, poll_s: float = 1.0) -> Starlette:
    """The ASGI app; state lives in `<data dir>/intake/intake.sqlite`."""
    config = forms_config
    now = clock or (lambda: datetime.now(UTC))
    texts: Texts = load_texts()
    trusted = [ipaddress.ip_network(n, strict=False) for n in config.trusted_proxies]
    store = Store(state_path(settings))
    wake = asyncio.Event()

    def cors(form: FormSpec, request: Request) -> dict[str, str]:
        origin = request.headers.get("origin")
        if origin and origin in form.allowed_origins:
            return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        return {}

    async def mail_allowed(email: str, ip: str | None, headers: dict[str, str]) -> None:
        """429 once an address got its DOI mails for the day, or a client caused its share
        for the hour: the confirmation mail must not become a way to flood an inbox. The
        recipient is counted by the hash of the address, so the buckets hold no address."""
        limits = config.limits
        for key, capacity, per_minute in (
                ("doi-to|" + token_hash(email.casefold()), limits.doi_per_recipient_per_day,
                 limits.doi_per_recipient_per_day / 1440),
                (f"doi-from|{ip}", limits.doi_per_client_per_hour,
                 limits.doi_per_client_per_hour / 60)):
            wait = await asyncio.to_thread(store.take_token, key, time.time(), capacity,
                                           per_minute)
            if wait is not None:
                headers["Retry-After"] = str(max(1, int(wait + 0.999)))
                raise Rejected(429, "too many confirmation mails; try again later")

    async def submit(request: Request) -> Response:
        form_id = request.path_params["form_id"]
        headers: dict[str, str] = {}
        try:
            form = find_form(config, form_id)
            headers = cors(form, request)
            try:
                body = await _read_body(request, config.limits.max_body_bytes)
            except _TooLarge as exc:
                raise Rejected(413, f"the body is larger than {config.limits.max_body_bytes} "
                               "bytes") from exc
            data = parse_body(request.headers.get("content-type"), body)
            signature = request.headers.get("x-leadpipe-signature")
            if signature:
                check_signature(form, body, signature, request.headers.get("x-leadpipe-timestamp"),
                                time.time(), config.limits.signature_max_age_s)
                if not await asyncio.to_thread(store.first_use_of_signature, signature,
                                               time.time(), config.limits.signature_max_age_s):
                    raise Rejected(401, "this signed request was already received")
            else:
                check_origin(form, request.headers.get("origin"))
                if form.honeypot not in data or str(data[form.honeypot]).strip():
                    raise Rejected(400, "submission rejected")
            check_limits(form, data, config.limits)
            who = visitor(bool(signature), data, client_ip(request, trusted),
                          request.headers.get("user-agent"), request.headers.get("referer"))
            wait = await asyncio.to_thread(store.take_token, f"{form.id}|{who.ip}", time.time(),
                                           config.limits.rate_capacity,
                                           config.limits.rate_per_minute)
            if wait is not None:
                headers["Retry-After"] = str(max(1, int(wait + 0.999)))
                raise Rejected(429, "too many submissions; try again later")
            fields = validate_fields(form, data)
            received = now()
            submission_id = "in-" + secrets.token_hex(10)
            record = build_record(form, data, fields, who, submission_id, received)
            if needs_doi(record):
                await mail_allowed(record["email"], who.ip, headers)
        except Rejected as rejected:
            content: dict[str, Any] = {"error": rejected.reason}
            if rejected.fields:
                content["fields"] = rejected.fields
            return JSONResponse(content, status_code=rejected.status, headers=headers)
        expires = (received + timedelta(days=config.doi.token_valid_days)
                   if needs_doi(record) else None)
        token = await asyncio.to_thread(store.add_submission, NewSubmission(
            submission_id, form.id, received, record, expires))
        if token:
            wake.set()
        log.info("submission %s on form %s stored (doi %s)", submission_id, form.id,
                 "queued" if token else "not needed")
        return JSONResponse({"submission_id": submission_id,
                             "doi": "sent" if token else "not_needed"},
                            status_code=202 if token else 201, headers=headers)

    async def preflight(request: Request) -> Response:
        form = config.form(request.path_params["form_id"])
        allowed = cors(form, request) if form else {}
        if not allowed:
            return Response(status_code=403)
        return Response(status_code=204, headers={
            **allowed, "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Max-Age": "600"})

    def show(state: TokenState, shown: str, token: str | None = None) -> HTMLResponse:
        form = config.form(state.form_id) if state.form_id else None
        return HTMLResponse(page(form, texts, shown, state.record, token),
                            status_code=STATUS[shown], headers=PAGE_HEADERS)

    async def use_token(request: Request, token: str) -> HTMLResponse:
        state = await asyncio.to_thread(store.confirm, token, now(),
                                        client_ip(request, trusted),
                                        request.headers.get("user-agent"))
        if state.status == "valid":
            log.info("DOI confirmed for submission %s", state.submission_id)
            return show(state, "confirmed")
        return show(state, state.status)

    async def confirm_get(request: Request) -> HTMLResponse:
        token = request.query_params.get("token", "")[:200]
        if not config.doi.confirm_with_button:
            return await use_token(request, token)
        state = await asyncio.to_thread(store.token_state, token, now())
        if state.status == "valid":
            return show(state, "ask", token)
        return show(state, state.status)

    async def confirm_post(request: Request) -> HTMLResponse:
        try:
            body = await _read_body(request, 4096)
        except _TooLarge:
            return HTMLResponse("request too large", status_code=413)
        try:
            data = parse_body(request.headers.get("content-type"), body)
        except Rejected as rejected:
            return HTMLResponse(rejected.reason, status_code=rejected.status)
        return await use_token(request, str(data.get("token", ""))[:200])

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", **await asyncio.to_thread(store.health)})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(outbox_loop(store, config, mailer, texts, wake, poll_s))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            store.close()

    return Starlette(routes=[
        Route("/forms/{form_id}", submit, methods=["POST"]),
        Route("/forms/{form_id}", preflight, methods=["OPTIONS"]),
        Route("/doi/confirm", confirm_get, methods=["GET"]),
        Route("/doi/confirm", confirm_post, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ], lifespan=lifespan)
