"""Sending the DOI mails: an SMTP mailer and the outbox loop that retries with backoff.

A mail is taken from the outbox, rendered, handed to the SMTP server, and only then marked
sent (and its plaintext token dropped). A failure leaves it queued with the error, the
attempt count and the next attempt time (exponential backoff); it is retried until its link
expires, then marked `expired_unsent`. Both show on /healthz and in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Protocol

from intake.config import IntakeConfig, Smtp
from intake.render import Texts, doi_mail
from intake.store import Store, retry_delay

log = logging.getLogger("leadpipe.intake.mail")


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """Plain SMTP with optional STARTTLS and login (credentials from the intake config)."""

    def __init__(self, smtp: Smtp) -> None:
        self.smtp = smtp

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.smtp.timeout_s) as client:
            if self.smtp.starttls:
                client.starttls(context=ssl.create_default_context())
            if self.smtp.username:
                client.login(self.smtp.username, self.smtp.password or "")
            client.send_message(message)


def confirm_link(config: IntakeConfig, token: str) -> str:
    return f"{config.public_url.rstrip('/')}/doi/confirm?token={token}"


def send_due(store: Store, config: IntakeConfig, mailer: Mailer, texts: Texts,
             now: datetime | None = None) -> tuple[int, int]:
    """One pass over the due mails; returns (sent, failed). Blocking: run it in a thread."""
    sent = failed = 0
    for mail in store.due_mails(now or datetime.now(UTC)):
        form = config.form(mail["form_id"])
        if form is None or mail["token"] is None:
            store.mail_failed(mail["id"], datetime.now(UTC) + retry_delay(
                mail["attempts"], config.smtp.retry_base_s, config.smtp.retry_max_s),
                f"form {mail['form_id']!r} is no longer configured")
            log.error("DOI mail %s: form %s is no longer configured", mail["id"],
                      mail["form_id"])
            failed += 1
            continue
        message = doi_mail(form, mail["record"], confirm_link(config, mail["token"]),
                           mail["expires_at"], config.smtp.sender, texts)
        try:
            mailer.send(message)
        except (OSError, smtplib.SMTPException) as exc:
            retry_at = datetime.now(UTC) + retry_delay(mail["attempts"], config.smtp.retry_base_s,
                                                       config.smtp.retry_max_s)
            store.mail_failed(mail["id"], retry_at, f"{type(exc).__name__}: {exc}")
            log.warning("DOI mail %s for %s not sent (attempt %d): %s; retry at %s",
                        mail["id"], mail["submission_id"], mail["attempts"] + 1, exc,
                        retry_at.isoformat(timespec="seconds"))
            failed += 1
            continue
        store.mail_sent(mail["id"], datetime.now(UTC))
        sent += 1
    return sent, failed


async def outbox_loop(store: Store, config: IntakeConfig, mailer: Mailer, texts: Texts,
                      wake: asyncio.Event, poll_s: float = 1.0) -> None:
    """Runs for the life of the service: sends when woken (new mail) or every `poll_s`."""
    while True:
        try:
            await asyncio.to_thread(send_due, store, config, mailer, texts)
        except Exception:  # keep the loop alive; the mails stay queued and are retried
            log.exception("outbox pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=poll_s)
        wake.clear()
