"""Consent-side tasks of the nightly flow: intake hand-off and external events."""

from pathlib import Path
from typing import Any

from prefect import task

from leadpipe.settings import load_settings
from leadpipe.stages.consent import import_external_events
from leadpipe.stages.intake import hand_off


@task(task_run_name="hand-off from the form service")
def hand_off_task(inbox: str, db: str | None = None) -> dict[str, Any]:
    return hand_off(load_settings().with_db(db), Path(inbox))


@task(retries=2, retry_delay_seconds=[5, 30], task_run_name="consent events {path}")
def import_events_task(path: str, db: str | None = None) -> dict[str, Any]:
    return import_external_events(load_settings().with_db(db), Path(path)).as_dict()
