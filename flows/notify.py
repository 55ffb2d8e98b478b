"""Telling the operator about a nightly run that needs a person, by e-mail.

Off by default (`notify.yaml`). The mail goes through the SMTP server, login and sender the
web-form service already uses, so there is one mail setup to keep. A crash that kills the
process cannot send anything itself; docs/operations.md shows the Prefect automation for that.
"""

from email.message import EmailMessage
from typing import Literal

from prefect import get_run_logger, task
from pydantic import BaseModel, ConfigDict, EmailStr, model_validator

from flows.reporting import nightly_markdown
from intake.config import load_intake_config
from intake.mail import SmtpMailer
from leadpipe.config import load_config
from leadpipe.settings import Settings, load_settings
from leadpipe.stages.nightly import NightlyReport


class EmailNotice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool
    to: list[EmailStr]
    when: Literal["needs_attention", "always"]
    subject_prefix: str

    @model_validator(mode="after")
    def _someone_to_tell(self) -> "EmailNotice":
        if self.enabled and not self.to:
            raise ValueError("`to` must list at least one address when `enabled` is true")
        return self


class NotifyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    email: EmailNotice


def notify_config(settings: Settings) -> NotifyConfig:
    return load_config("flows", "notify", NotifyConfig, settings.config_dir).value


def nightly_mail(report: NightlyReport, notice: EmailNotice, sender: str,
                 needs_attention: bool) -> EmailMessage:
    message = EmailMessage()
    flag = "ACTION NEEDED: " if needs_attention else ""
    message["Subject"] = f"{notice.subject_prefix} {flag}{report.headline()}"[:250]
    message["From"] = sender
    message["To"] = ", ".join(notice.to)
    message.set_content(nightly_markdown(report))
    return message


def send_nightly_notice(settings: Settings, report: NightlyReport) -> str | None:
    """Mail the summary when configured to; None when sent or not wanted, else the error."""
    notice = notify_config(settings).email
    if not notice.enabled or (notice.when == "needs_attention" and not report.needs_attention):
        return None
    smtp = load_intake_config(settings).value.smtp
    return SmtpMailer(smtp).send([nightly_mail(report, notice, smtp.sender,
                                               report.needs_attention)])[0]


@task(task_run_name="notify the operator")
def notify_task(report: NightlyReport, db: str | None = None) -> None:
    error = send_nightly_notice(load_settings().with_db(db), report)
    if error:
        get_run_logger().warning("the notification e-mail was not sent: %s", error)
