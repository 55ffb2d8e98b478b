"""The enrich stage as a Prefect task (used by the nightly flow)."""

from typing import Any

from prefect import task

from leadpipe.settings import load_settings
from leadpipe.stages.enrich import enrich_new


@task(task_run_name="enrich new records")
def enrich_task(db: str | None = None) -> dict[str, Any]:
    return enrich_new(load_settings().with_db(db))
