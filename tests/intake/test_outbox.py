"""The outbox without the HTTP layer: backoff between attempts, and mails whose link expired
before they could be sent are marked and reported, not dropped."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from foundation.settings import Settings
from intake.config import load_intake_config
from intake.mail import SmtpMailer, send_due
from intake.render import load_texts
from intake.store import NewSubmission, Store, retry_delay
from intake.submit import Visitor, build_record
from tests.intake.conftest import FORM, Smtp, free_port


def test_backoff_then_expired_unsent_is_reported(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "forms.yaml"
    path.write_text(yaml.safe_dump({"forms": [FORM], "smtp": {
        "port": free_port(), "retry_base_s": 30, "retry_max_s": 3600}}), encoding="utf-8")
    config = load_intake_config(settings, path).value
    form = config.forms[0]
    now = datetime.now(UTC)
    record = build_record(form, {"consent_email": True}, {"email": "a@firma.example",
                                                          "last_name": "A"},
                          Visitor("192.0.2.1", "UA", None), "in-x", now)
    store = Store(tmp_path / "state.sqlite")
    store.add_submission(NewSubmission("in-x", form.id, now, record,
                                       now + timedelta(days=7)))
    mailer = SmtpMailer(config.smtp)  # nothing listens on that port

    assert send_due(store, config, mailer, load_texts(), now) == (0, 1)
    assert send_due(store, config, mailer, load_texts(), now) == (0, 0)  # not due yet
    con = sqlite3.connect(store.path)
    attempts, next_at = con.execute("SELECT attempts, next_attempt_at FROM outbox").fetchone()
    assert attempts == 1
    waited = datetime.fromisoformat(next_at) - now
    assert timedelta(seconds=29) <= waited <= timedelta(seconds=40)
    assert retry_delay(5, 30, 3600) == timedelta(seconds=960)
    assert retry_delay(20, 30, 3600) == timedelta(seconds=3600)

    later = now + timedelta(days=7, seconds=1)
    assert send_due(store, config, mailer, load_texts(), later) == (0, 0)
    health = store.health()
    assert (health["mail_expired_unsent"], health["mail_queued"]) == (1, 0)
    assert con.execute("SELECT token FROM outbox").fetchone()[0] is None
    con.close()
    store.close()


def test_all_due_mails_go_out_in_one_pass(settings: Settings, smtp: Smtp,
                                              tmp_path: Path) -> None:
    path = tmp_path / "forms.yaml"
    path.write_text(yaml.safe_dump({"forms": [FORM], "smtp": {"port": smtp.port}}),
                    encoding="utf-8")
    config = load_intake_config(settings, path).value
    form = config.forms[0]
    now = datetime.now(UTC)
    store = Store(tmp_path / "state.sqlite")
    for n in range(5):
        record = build_record(form, {"consent_email": "on"},
                              {"email": f"p{n}@firma.example", "last_name": "P"},
                              Visitor(None, None, None), f"in-{n}", now)
        store.add_submission(NewSubmission(f"in-{n}", form.id, now, record,
                                           now + timedelta(days=7)))
    assert send_due(store, config, SmtpMailer(config.smtp), load_texts(), now) == (5, 0)
    assert sorted(m["To"] for m in smtp.inbox.wait(5)) == [f"p{n}@firma.example"
                                                          for n in range(5)]
    assert store.health()["mail_sent"] == 5
    store.close()
