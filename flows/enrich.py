"""The enrich stage as a Prefect task (used by the nightly flow), and as partitions that run
as Prefect tasks on a Dask cluster when `flows/parallel.yaml` configures one."""

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.parallel import parallel_config, task_runner
from foundation.progress import LogProgress
from foundation.settings import load_settings
from stages.enrich import (
    EnrichPartition,
    EnrichResult,
    PartitionDone,
    enrich_new,
    enrich_partition,
    enrich_partitioned,
)


@task(task_run_name="enrich new records")
def enrich_task(db: str | None = None) -> EnrichResult:
    return enrich_new(load_settings().with_db(db), LogProgress(get_run_logger()))


# Not cached: a partition's files live for one run only.
@task(task_run_name="enrich partition {partition.index}", cache_policy=NO_CACHE)
def enrich_partition_task(partition: EnrichPartition) -> PartitionDone:
    return enrich_partition(partition)


def run_partition_tasks(partitions: list[EnrichPartition]) -> list[PartitionDone]:
    """Every partition as a task on the flow's task runner (the Dask cluster); waits for all."""
    return [future.result() for future in enrich_partition_task.map(partitions)]


@flow(name="enrich-partitions")
def enrich_partitions(db: str = "") -> EnrichResult:
    """Enrich new records in partitions on the flow's task runner; this process loads them.

    Args:
        db: The warehouse file; empty means ./data/leadpipe.duckdb.
    """
    settings = load_settings().with_db(db or None)
    config = parallel_config(settings)
    return enrich_partitioned(settings, run_partition_tasks, config.partitions_folder(settings),
                              config.partitions.enrich_records, LogProgress(get_run_logger()))


def enrich_step(db: str | None = None) -> EnrichResult:
    """The nightly's enrich stage where `flows/parallel.yaml` says: a task in this process,
    or the `enrich-partitions` subflow with a `DaskTaskRunner`."""
    settings = load_settings().with_db(db)
    config = parallel_config(settings)
    runner = task_runner(config)
    if runner is None:
        return enrich_task(db)
    get_run_logger().info("enriching in partitions on %s", config.describe())
    return enrich_partitions.with_options(task_runner=runner)(db or "")
