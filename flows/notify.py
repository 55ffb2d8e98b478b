"""Telling the operator about a nightly run that needs a person, by e-mail.

Off by default (`notify.yaml`). The mail goes through the SMTP server, login and sender the
web-form service already uses, so there is one mail setup to keep. A nightly run mails its own
summary; a run that crashes (the process was killed) cannot, so the automation of
`flows.automations` starts `notify-operator` for it.
"""

from email.message import EmailMessage
from typing import Literal
from uuid import UUID

from prefect import flow, get_client, get_run_logger, task
from prefect.settings import get_current_settings
from pydantic import BaseModel, ConfigDict, EmailStr, model_validator

from flows.reporting import nightly_markdown
from foundation.config import load_config
from foundation.settings import Settings, load_settings
from intake.config import load_intake_config
from intake.mail import SmtpMailer
from stages.nightly import NightlyReport


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


def _mail(notice: EmailNotice, sender: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"{notice.subject_prefix} {subject}"[:250]
    message["From"] = sender
    message["To"] = ", ".join(notice.to)
    message.set_content(body)
    return message


def nightly_mail(report: NightlyReport, notice: EmailNotice, sender: str,
                 needs_attention: bool) -> EmailMessage:
    flag = "ACTION NEEDED: " if needs_attention else ""
    return _mail(notice, sender, f"{flag}{report.headline()}", nightly_markdown(report))


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


def crash_mail(run_name: str, state: str, message: str, notice: EmailNotice, sender: str,
               link: str | None) -> EmailMessage:
    return _mail(notice, sender, f"ACTION NEEDED: {run_name} ended {state}", "\n".join([
        f"The run {run_name} ended {state} before it could report itself.", "",
        f"Prefect says: {message or '(no message)'}", "",
        *([f"The run in the Prefect UI: {link}", ""] if link else []),
        "What it changed was rolled back stage by stage; `leadpipe status` shows the last "
        "runs. Start the nightly run again once the cause is fixed (docs/operations.md).",
    ]))


@flow(name="notify-operator", log_prints=True)
def notify_operator(flow_run_id: str) -> None:
    """Mail the operator about a run that died (started by the automation, docs/operations.md).

    Args:
        flow_run_id: The id of the flow run that crashed or failed.
    """
    settings = load_settings()
    notice = notify_config(settings).email
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(flow_run_id))
    state = (run.state.name if run.state else None) or "in an unknown state"
    message = run.state.message if run.state and run.state.message else ""
    if not notice.enabled:
        print(f"{run.name} ended {state}; e-mail is off (notify.yaml email.enabled)")
        return
    ui = get_current_settings().ui_url
    smtp = load_intake_config(settings).value.smtp
    error = SmtpMailer(smtp).send([crash_mail(
        run.name, state, message, notice, smtp.sender,
        f"{ui}/runs/flow-run/{flow_run_id}" if ui else None)])[0]
    if error:
        raise RuntimeError(f"the notification e-mail was not sent: {error}")
    print(f"told {', '.join(notice.to)} that {run.name} ended {state}")
