"""Crawl company websites: the nightly stage, and a flow marketing ops start with targets;
as shards that run as Prefect tasks on a Dask cluster when `flows/parallel.yaml` configures
one (docs/scaling.md)."""

# No `from __future__ import annotations` in flow modules: Prefect builds the parameter
# schema from the annotations at run time.

from typing import Annotated

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pydantic import Field

from flows import run_names
from flows.parallel import parallel_config, task_runner
from flows.reporting import publish_crawl
from foundation.progress import LogProgress
from foundation.settings import load_settings
from stages.crawl import (
    CrawlResult,
    CrawlShard,
    ShardDone,
    crawl_and_load,
    crawl_shard,
    crawl_sharded,
)


@task(task_run_name="crawl company websites")
def crawl_task(db: str | None = None, targets: list[str] | None = None,
               max_targets: int | None = None) -> CrawlResult:
    return crawl_and_load(load_settings().with_db(db), targets, max_targets,
                          LogProgress(get_run_logger()))


# Not cached: a shard's file lives for one run only.
@task(task_run_name="crawl shard {shard.index}", cache_policy=NO_CACHE)
def crawl_shard_task(shard: CrawlShard) -> ShardDone:
    return crawl_shard(shard)


def run_shard_tasks(shards: list[CrawlShard]) -> list[ShardDone]:
    """Every shard as a task on the flow's task runner (the Dask cluster); waits for all."""
    return [future.result() for future in crawl_shard_task.map(shards)]


@flow(name="crawl-shards")
def crawl_shards(targets: list[str] | None = None, max_targets: int | None = None,
                 db: str = "") -> CrawlResult:
    """Crawl company websites in shards on the flow's task runner; this process loads them.

    Args:
        targets: Domains or URLs to crawl; empty means the leads' websites due for a crawl.
        max_targets: Crawl at most this many sites in this run.
        db: The warehouse file; empty means ./data/leadpipe.duckdb.
    """
    settings = load_settings().with_db(db or None)
    config = parallel_config(settings)
    return crawl_sharded(settings, run_shard_tasks, config.partitions_folder(settings),
                         config.partitions.crawl_targets, targets, max_targets,
                         LogProgress(get_run_logger()))


def crawl_step(db: str | None = None, targets: list[str] | None = None,
               max_targets: int | None = None) -> CrawlResult:
    """The crawl where `flows/parallel.yaml` says: a task in this process, or the
    `crawl-shards` subflow with a `DaskTaskRunner`."""
    config = parallel_config(load_settings().with_db(db))
    runner = task_runner(config)
    if runner is None:
        return crawl_task(db, targets, max_targets)
    get_run_logger().info("crawling in shards on %s", config.describe())
    return crawl_shards.with_options(task_runner=runner)(targets, max_targets, db or "")


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
    result = crawl_step(db or None, targets, max_targets)
    publish_crawl(result)
    return result
