"""The decide (eligibility) stage as a Prefect task (used by the nightly flow)."""

from prefect import get_run_logger, task

from foundation.progress import LogProgress
from foundation.settings import load_settings
from stages.decide import DecideResult, decide_all


@task(task_run_name="decide contact eligibility")
def decide_task(db: str | None = None) -> DecideResult:
    return decide_all(load_settings().with_db(db), progress=LogProgress(get_run_logger()))
