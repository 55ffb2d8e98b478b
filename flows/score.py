"""Score and funnel tasks of the nightly flow."""

from typing import Any

from prefect import task

from flows.export import publish_funnel_artifact
from leadpipe.settings import load_settings
from leadpipe.stages.funnel import compute_funnel
from leadpipe.stages.score import score_all


@task(task_run_name="score leads")
def score_task(db: str | None = None) -> dict[str, Any]:
    return score_all(load_settings().with_db(db))


@task(task_run_name="publish the funnel")
def funnel_task(db: str | None = None) -> None:
    publish_funnel_artifact(compute_funnel(load_settings().with_db(db)))
