"""Crawl company websites: the nightly stage, and a flow marketing ops start with targets."""

# No `from __future__ import annotations` in flow modules: Prefect builds the parameter
# schema from the annotations at run time.

from typing import Annotated

from prefect import flow, get_run_logger, task
from pydantic import Field

from flows import run_names
from flows.reporting import publish_crawl
from foundation.progress import LogProgress
from foundation.settings import load_settings
from stages.crawl import CrawlResult, crawl_and_load


@task(task_run_name="crawl company websites")
def crawl_task(db: str | None = None, targets: list[str] | None = None,
               max_targets: int | None = None) -> CrawlResult:
    return crawl_and_load(load_settings().with_db(db), targets, max_targets,
                          LogProgress(get_run_logger()))


@flow(name="crawl-companies", flow_run_name=run_names.crawl, log_prints=True)
def crawl_companies(
    targets: list[str] | None = None,
    max_targets: Annotated[int | None, Field(ge=1)] = None,
    db: str = "",
) -> CrawlResult:
    """Crawl company websites (Impressum, contact pages) and load what they say.

    Args:
        targets: Domains or URLs to crawl, e.g. ["beispiel.de"]; empty means the leads'
            websites that are due for a crawl.
        max_targets: Crawl at most this many sites in this run.
        db: The warehouse file; empty means ./data/leadpipe.duckdb.
    """
    result = crawl_task(db or None, targets, max_targets)
    publish_crawl(result)
    return result
