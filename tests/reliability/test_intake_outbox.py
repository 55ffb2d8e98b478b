"""Item 9 of #20: each DOI mail is sent on its own. A mail the server refuses (or an address
that needs SMTPUTF8) fails alone, is retried with backoff and shows on /healthz; the rest of
the batch goes out. Real SMTP server (aiosmtpd), with and without SMTPUTF8."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiosmtpd.controller import Controller

from foundation.settings import Settings
from intake.config import load_intake_config
from intake.mail import SmtpMailer, send_due
from intake.render import load_texts
from intake.store import NewSubmission, Store
from intake.submit import Visitor, build_record
from tests.intake.conftest import FORM
from tests.smtp_sink import free_port

BOUNCE = "bounce@firma.example"
IDN = "anna@müller.example"          # ASCII local part: deliverable as xn--mller-kva
UTF8 = "jürgen@müller.example"       # needs SMTPUTF8
ADDRESSES = ["p0@firma.example", BOUNCE, UTF8, IDN, "p4@firma.example"]


class Picky:
    """Accepts every mail except, the first time, the one to BOUNCE (554 after DATA)."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.refused = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if BOUNCE in envelope.rcpt_tos and not self.refused:
            self.refused = True
            return "554 5.7.1 message refused"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.extend(envelope.rcpt_tos)
        assert message["To"]
        return "250 OK"


@pytest.fixture(params=[False, True], ids=["plain", "smtputf8"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[Controller, Picky]]:
    handler = Picky()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(),
                            enable_SMTPUTF8=request.param)
    controller.start()
    yield controller, handler
    controller.stop()


def test_one_refused_mail_fails_alone_and_is_retried(settings: Settings, tmp_path: Path,
                                                    server: tuple[Controller, Picky]) -> None:
    controller, handler = server
    utf8 = bool(controller.smtpd.enable_SMTPUTF8) if controller.smtpd else False
    path = tmp_path / "forms.yaml"
    path.write_text(yaml.safe_dump({"forms": [FORM], "smtp": {
        "port": controller.port, "retry_base_s": 30, "retry_max_s": 3600}},
        allow_unicode=True), encoding="utf-8")
    config = load_intake_config(settings, path).value
    form = config.forms[0]
    now = datetime.now(UTC)
    store = Store(tmp_path / "state.sqlite")
    for n, email in enumerate(ADDRESSES):
        record = build_record(form, {"consent_email": "on"}, {"email": email, "last_name": "P"},
                              Visitor(None, None, None), f"in-{n}", now)
        store.add_submission(NewSubmission(f"in-{n}", form.id, now, record,
                                           now + timedelta(days=7)))
    mailer = SmtpMailer(config.smtp)

    sent, failed = send_due(store, config, mailer, load_texts(), now)
    expected = {"p0@firma.example", "anna@xn--mller-kva.example", "p4@firma.example"}
    if utf8:
        expected.add(UTF8)
    assert set(handler.received) == expected
    assert (sent, failed) == (len(expected), len(ADDRESSES) - len(expected))

    health = store.health()
    assert health["mail_retrying"] == len(ADDRESSES) - len(expected)
    assert health["last_mail_error"]
    con = sqlite3.connect(store.path)
    errors = dict(con.execute("SELECT submission_id, last_error FROM outbox "
                              "WHERE status = 'queued'").fetchall())
    con.close()
    assert "554" in errors["in-1"]
    if not utf8:
        assert "SMTPUTF8" in errors["in-2"]

    # retried after the backoff: the refused mail goes out now, the rest is not sent twice
    sent, _ = send_due(store, config, mailer, load_texts(), now + timedelta(minutes=2))
    assert sent == 1
    assert handler.received.count(BOUNCE) == 1
    assert len(handler.received) == len(expected) + 1
    store.close()
