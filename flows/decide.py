"""The decide (eligibility) stage as a Prefect task (used by the nightly flow)."""

from typing import Any

from prefect import task

from leadpipe.settings import load_settings
from leadpipe.stages.decide import decide_all


@task(task_run_name="decide contact eligibility")
def decide_task(db: str | None = None) -> dict[str, Any]:
    return decide_all(load_settings().with_db(db))
