"""Where the nightly's parallel work runs: in this process, or on Dask through prefect-dask.

`flows/parallel.yaml` (and LEADPIPE_DASK_WORKERS / LEADPIPE_DASK_SCHEDULER over it) chooses;
a flow gets a `DaskTaskRunner` only when one is configured, so the default run starts no
cluster and imports no Dask.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from prefect.task_runners import TaskRunner
from pydantic import BaseModel, ConfigDict, Field, model_validator

from foundation.config import ConfigError, load_config
from foundation.settings import Settings

_ADDRESS = re.compile(r"^(tcp|tls|ucx|ws|wss)://[^\s:/]+:\d+$")


class LocalCluster(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    workers: int = Field(ge=1, le=256)


class DaskScheduler(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    address: str | None

    @model_validator(mode="after")
    def _an_address(self) -> DaskScheduler:
        if self.address is not None and not _ADDRESS.match(self.address):
            raise ValueError(f"{self.address!r} is not a Dask scheduler address such as "
                             "tcp://dask-scheduler.intern:8786")
        return self


class Partitions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    folder: Path | None
    enrich_records: int = Field(ge=100)
    crawl_targets: int = Field(ge=1)
    match_pairs: int = Field(ge=1000)


class ParallelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    runner: Literal["in_process", "local_cluster", "dask_scheduler"]
    local_cluster: LocalCluster
    dask_scheduler: DaskScheduler
    partitions: Partitions

    @model_validator(mode="after")
    def _scheduler_needs_an_address(self) -> ParallelConfig:
        if self.runner == "dask_scheduler" and not self.dask_scheduler.address:
            raise ValueError("runner dask_scheduler needs `dask_scheduler.address`, e.g. "
                             "tcp://dask-scheduler.intern:8786")
        return self

    def partitions_folder(self, settings: Settings) -> Path:
        return self.partitions.folder or settings.data_dir / "partitions"

    def describe(self) -> str:
        if self.runner == "local_cluster":
            return f"a local Dask cluster of {self.local_cluster.workers} worker processes"
        if self.runner == "dask_scheduler":
            return f"the Dask scheduler at {self.dask_scheduler.address}"
        return "this process"


def parallel_config(settings: Settings) -> ParallelConfig:
    """`flows/parallel.yaml` with the environment's LEADPIPE_DASK_* over it."""
    config = load_config("flows", "parallel", ParallelConfig, settings.config_dir).value
    if settings.dask_scheduler:
        if not _ADDRESS.match(settings.dask_scheduler):
            raise ConfigError(f"LEADPIPE_DASK_SCHEDULER (--dask-scheduler) "
                              f"{settings.dask_scheduler!r} is not a Dask scheduler address; "
                              "give one such as tcp://dask-scheduler.intern:8786")
        return config.model_copy(update={
            "runner": "dask_scheduler",
            "dask_scheduler": DaskScheduler(address=settings.dask_scheduler)})
    if settings.dask_workers == 0:
        return config.model_copy(update={"runner": "in_process"})
    if settings.dask_workers:
        return config.model_copy(update={
            "runner": "local_cluster",
            "local_cluster": LocalCluster(workers=settings.dask_workers)})
    return config


def task_runner(config: ParallelConfig) -> TaskRunner[Any] | None:
    """The `DaskTaskRunner` the configuration asks for; None: run in this process."""
    if config.runner == "in_process":
        return None
    from prefect_dask import DaskTaskRunner  # here: Dask loads only when it is configured

    if config.runner == "dask_scheduler":
        return DaskTaskRunner(address=config.dask_scheduler.address)
    # One thread per worker process: enrichment is pure Python and holds the GIL (a crawl
    # shard waits on its Scrapy subprocess and costs the worker nothing meanwhile).
    return DaskTaskRunner(cluster_class="distributed.LocalCluster", cluster_kwargs={
        "n_workers": config.local_cluster.workers, "processes": True,
        "threads_per_worker": 1, "dashboard_address": None})
