"""A real intake service on a random local port and a real SMTP server (aiosmtpd).

`start_service(**config overrides)` runs uvicorn in a background thread against a fresh data
directory; `smtp` collects every mail a test's service sends.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml

from foundation.config import deep_merge
from foundation.settings import Settings
from intake.app import create_app
from intake.config import load_intake_config, state_path
from intake.mail import SmtpMailer
from tests.smtp_sink import Smtp, free_port

SECRET = "test-secret-0123456789abcdef"
ORIGIN = "https://www.example.de"
CONTROLLER = "Example GmbH"
EMAIL_TEXT = "Ja, die Example GmbH darf mich per E-Mail über Produkte informieren."
PHONE_TEXT = "Ja, die Example GmbH darf mich zu Produkten anrufen."

FORM: dict[str, Any] = {
    "id": "kontakt",
    "language": "de",
    "controller": {"name": CONTROLLER, "address": "Hafenstraße 5, 20457 Hamburg",
                   "contact": "datenschutz@example.de"},
    "privacy_notice_version": "dsgvo-2026-01",
    "allowed_origins": [ORIGIN],
    "secret": SECRET,
    "honeypot": "website",
    "request_type": "demo",
    "fields": [
        {"name": "email", "kind": "email", "required": True, "max_length": 254},
        {"name": "first_name", "max_length": 100},
        {"name": "last_name", "required": True, "max_length": 100},
        {"name": "company", "max_length": 200},
        {"name": "phone", "kind": "phone", "max_length": 40},
        {"name": "message", "max_length": 4000},
    ],
    "consents": [
        {"id": "consent_email", "text": EMAIL_TEXT, "version": "mail-v2", "channels": ["email"]},
        {"id": "consent_phone", "text": PHONE_TEXT, "version": "tel-v1", "channels": ["phone"]},
    ],
}

PERSON = {"email": "Jana.Schaefer@firma.example", "first_name": "Jana",
          "last_name": "Schäfer", "company": "Firma GmbH", "phone": "+49 30 1234567",
          "consent_email": True, "consent_phone": True,
          "visitor_ip": "203.0.113.7", "visitor_user_agent": "Mozilla/5.0 (Test)",
          "page_url": "https://www.example.de/demo"}


def sign(body: bytes, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"X-Leadpipe-Signature": f"sha256={mac}", "X-Leadpipe-Timestamp": stamp,
            "Content-Type": "application/json"}




class Clock:
    """Real time plus an offset the test can move forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class Service:
    url: str
    settings: Settings
    clock: Clock
    client: httpx.Client

    @property
    def state(self) -> Path:
        return state_path(self.settings)

    def post_signed(self, data: dict[str, Any], form: str = "kontakt",
                    timestamp: int | None = None) -> httpx.Response:
        body = json.dumps(data).encode()
        return self.client.post(f"/forms/{form}", content=body, headers=sign(body, timestamp))

    def health(self) -> dict[str, Any]:
        return dict(self.client.get("/healthz").json())


def mail_part(message: EmailMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert part is not None, f"no {kind} part"
    return str(part.get_content())


def mail_link(message: EmailMessage) -> str:
    return next(w for w in mail_part(message, "plain").split() if "/doi/confirm?token=" in w)


@pytest.fixture
def start_service(settings: Settings, smtp: Smtp, tmp_path: Path
                  ) -> Iterator[Callable[..., Service]]:
    servers: list[tuple[uvicorn.Server, threading.Thread, httpx.Client]] = []

    def start(smtp_port: int | None = None, **overrides: Any) -> Service:
        port = free_port()
        document = deep_merge({
            "public_url": f"http://127.0.0.1:{port}",
            "smtp": {"host": "127.0.0.1", "port": smtp_port or smtp.port,
                     "retry_base_s": 0.2, "retry_max_s": 0.5},
            "limits": {"rate_capacity": 50, "rate_per_minute": 600,
                       "doi_per_recipient_per_day": 50, "doi_per_client_per_hour": 50},
            "forms": [FORM],
        }, overrides)
        path = tmp_path / f"intake-{port}.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        config = load_intake_config(settings, path).value
        clock = Clock()
        app = create_app(settings, config, SmtpMailer(config.smtp), clock=clock, poll_s=0.1)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="on",
                                               proxy_headers=False))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "the service did not start"
            time.sleep(0.02)
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
        servers.append((server, thread, client))
        return Service(f"http://127.0.0.1:{port}", settings, clock, client)

    yield start
    for server, thread, client in servers:
        client.close()
        server.should_exit = True
        thread.join(timeout=10)
