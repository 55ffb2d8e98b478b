"""Crawl company websites: the nightly stage and a flow marketing ops start with targets."""

from typing import Annotated, Any

from prefect import flow, task
from pydantic import Field

from flows.ingest import DbPath
from leadpipe.settings import load_settings
from leadpipe.stages.crawl import crawl_and_load


@task(task_run_name="crawl company websites")
def crawl_task(db: str | None = None, targets: list[str] | None = None,
               max_targets: int | None = None) -> dict[str, Any]:
    return crawl_and_load(load_settings().with_db(db), targets, max_targets)


@flow(name="crawl-companies", log_prints=True)
def crawl_companies(
    targets: Annotated[list[str] | None, Field(
        description="domains or URLs to crawl; empty: the leads' domains due for a crawl")]
    = None,
    max_targets: Annotated[int | None, Field(description="crawl at most this many")] = None,
    db: DbPath = None,
) -> dict[str, Any]:
    """Crawl company websites (Impressum, contact pages) and load what they say."""
    return crawl_task(db, targets, max_targets)
