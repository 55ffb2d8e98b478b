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
    def send(self, messages: list[EmailMessage]) -> list[str | None]:
        """Send in order; per message None (accepted by the server) or the error."""
        ...


class SmtpMailer:
    """Plain SMTP with optional STARTTLS and login (credentials from the intake config).

    One connection per batch, but each mail on its own: a mail the server refuses fails
    alone, and a dropped connection is opened again for the next mail. Only when the server
    cannot be reached at all does the rest of the batch fail with that error."""

    def __init__(self, smtp: Smtp) -> None:
        self.smtp = smtp

    def _connect(self) -> smtplib.SMTP:
        client = smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.smtp.timeout_s)
        try:
            if self.smtp.starttls:
                client.starttls(context=ssl.create_default_context())
            if self.smtp.username:
                client.login(self.smtp.username, self.smtp.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def send(self, messages: list[EmailMessage]) -> list[str | None]:
        results: list[str | None] = []
        client: smtplib.SMTP | None = None
        try:
            for message in messages:
                if client is None:
                    try:
                        client = self._connect()
                    except (OSError, smtplib.SMTPException) as exc:
                        error = f"{type(exc).__name__}: {exc}"
                        results.extend(error for _ in messages[len(results):])
                        break
                try:
                    client.send_message(message)
                    results.append(None)
                except (OSError, smtplib.SMTPException) as exc:
                    results.append(f"{type(exc).__name__}: {exc}")
                    if isinstance(exc, OSError | smtplib.SMTPServerDisconnected):
                        client.close()
                        client = None
                    else:
                        with contextlib.suppress(OSError, smtplib.SMTPException):
                            client.rset()
        finally:
            if client is not None:
                with contextlib.suppress(OSError, smtplib.SMTPException):
                    client.quit()
                client.close()
        return results


def confirm_link(config: IntakeConfig, token: str) -> str:
    return f"{config.public_url.rstrip('/')}/doi/confirm?token={token}"


def send_due(store: Store, config: IntakeConfig, mailer: Mailer, texts: Texts,
             now: datetime | None = None) -> tuple[int, int]:
    """One pass over the due mails; returns (sent, failed). Blocking: run it in a thread."""
    due = store.due_mails(now or datetime.now(UTC))
    if not due:
        return 0, 0
    outcomes: dict[int, str | None] = {}
    batch: list[tuple[int, EmailMessage]] = []
    for mail in due:
        form = config.form(mail["form_id"])
        if form is None or mail["token"] is None:
            outcomes[mail["id"]] = f"form {mail['form_id']!r} is no longer configured"
            continue
        try:
            batch.append((mail["id"], doi_mail(form, mail["record"],
                                               confirm_link(config, mail["token"]),
                                               mail["expires_at"], config.smtp.sender,
                                               texts)))
        except ValueError as exc:  # a header the mail library refuses: this mail only
            outcomes[mail["id"]] = f"cannot build the mail: {exc}"
    if batch:
        results = mailer.send([message for _, message in batch])
        outcomes.update(zip((mail_id for mail_id, _ in batch), results, strict=True))
    finished = datetime.now(UTC)
    failures = {}
    for mail in due:
        error = outcomes[mail["id"]]
        if error is None:
            continue
        retry_at = finished + retry_delay(mail["attempts"], config.smtp.retry_base_s,
                                          config.smtp.retry_max_s)
        failures[mail["id"]] = (retry_at, error)
        log.warning("DOI mail %s for %s not sent (attempt %d): %s; retry at %s", mail["id"],
                    mail["submission_id"], mail["attempts"] + 1, error,
                    retry_at.isoformat(timespec="seconds"))
    store.mails_done([i for i, e in outcomes.items() if e is None], failures, finished)
    return len(outcomes) - len(failures), len(failures)


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
