"""The match stage as a Prefect task (used by the nightly flow), and with its pair
comparisons as partitions that run as Prefect tasks on a Dask cluster when
`flows/parallel.yaml` configures one."""

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.parallel import parallel_config, task_runner
from foundation.progress import LogProgress
from foundation.settings import load_settings
from stages.match import MatchResult, match_all, match_partitioned
from stages.match_partitions import CompareDone, ComparePartition, compare_partition


@task(task_run_name="match records into leads")
def match_task(db: str | None = None) -> MatchResult:
    return match_all(load_settings().with_db(db), LogProgress(get_run_logger()))


# Not cached: a partition's files live for one comparison call only.
@task(task_run_name="compare pairs {partition.index}", cache_policy=NO_CACHE)
def compare_partition_task(partition: ComparePartition) -> CompareDone:
    return compare_partition(partition)


def run_compare_tasks(partitions: list[ComparePartition]) -> list[CompareDone]:
    """Every partition as a task on the flow's task runner (the Dask cluster); waits for all."""
    return [future.result() for future in compare_partition_task.map(partitions)]


@flow(name="match-partitions")
def match_partitions(db: str = "") -> MatchResult:
    """Match records into leads with the pair comparisons in partitions on the flow's task
    runner; this process does the rest and writes.

    Args:
        db: The warehouse file; empty means ./data/leadpipe.duckdb.
    """
    settings = load_settings().with_db(db or None)
    config = parallel_config(settings)
    return match_partitioned(settings, run_compare_tasks, config.partitions_folder(settings),
                             config.partitions.match_pairs, LogProgress(get_run_logger()))


def match_step(db: str | None = None) -> MatchResult:
    """The nightly's match stage where `flows/parallel.yaml` says: a task in this process,
    or the `match-partitions` subflow with a `DaskTaskRunner`."""
    settings = load_settings().with_db(db)
    config = parallel_config(settings)
    runner = task_runner(config)
    if runner is None:
        return match_task(db)
    get_run_logger().info("matching with the pair comparisons in partitions on %s",
                          config.describe())
    return match_partitions.with_options(task_runner=runner)(db or "")
