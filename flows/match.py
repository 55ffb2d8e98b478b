"""The match stage as a Prefect task (used by the nightly flow)."""

from typing import Any

from prefect import task

from leadpipe.settings import load_settings
from leadpipe.stages.match import match_all


@task(task_run_name="match records into leads")
def match_task(db: str | None = None) -> dict[str, Any]:
    return match_all(load_settings().with_db(db))
