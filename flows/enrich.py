"""The enrich stage as a Prefect task (used by the nightly flow)."""

from prefect import get_run_logger, task

from foundation.progress import LogProgress
from foundation.settings import load_settings
from stages.enrich import EnrichResult, enrich_new


@task(task_run_name="enrich new records")
def enrich_task(db: str | None = None) -> EnrichResult:
    return enrich_new(load_settings().with_db(db), LogProgress(get_run_logger()))
