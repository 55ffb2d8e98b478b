"""Consent-side tasks of the nightly flow: intake hand-off and external events."""

from pathlib import Path

from prefect import task

from flows.ingest import retry_io_only
from foundation.settings import load_settings
from stages.consent import EventImportReport, import_external_events
from stages.ingest import RejectedFile, load_or_reject
from stages.intake import HandOffResult, hand_off


@task(task_run_name="hand-off from the form service")
def hand_off_task(inbox: str, db: str | None = None) -> HandOffResult:
    return hand_off(load_settings().with_db(db), Path(inbox))


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=retry_io_only,
      task_run_name="consent events {path}")
def import_events_task(path: str, db: str | None = None) -> EventImportReport | RejectedFile:
    settings = load_settings().with_db(db)
    return load_or_reject(settings, Path(path), "consent_events",
                          lambda: import_external_events(settings, Path(path)))
