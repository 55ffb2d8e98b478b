"""Score and funnel tasks of the nightly flow."""

from prefect import get_run_logger, task

from flows.reporting import publish_funnel
from foundation.progress import LogProgress
from foundation.settings import load_settings
from stages.funnel import compute_funnel
from stages.score import ScoreResult, score_all


@task(task_run_name="score leads")
def score_task(db: str | None = None) -> ScoreResult:
    return score_all(load_settings().with_db(db), progress=LogProgress(get_run_logger()))


@task(task_run_name="publish the funnel")
def funnel_task(db: str | None = None) -> None:
    publish_funnel(compute_funnel(load_settings().with_db(db)))
