"""The match stage as a Prefect task (used by the nightly flow)."""

from prefect import get_run_logger, task

from foundation.progress import LogProgress
from foundation.settings import load_settings
from stages.match import MatchResult, match_all


@task(task_run_name="match records into leads")
def match_task(db: str | None = None) -> MatchResult:
    return match_all(load_settings().with_db(db), LogProgress(get_run_logger()))
