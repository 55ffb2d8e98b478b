"""The nightly run on a Dask cluster (prefect-dask's DaskTaskRunner on a
`distributed.LocalCluster` of two worker processes) ends with the very warehouse the
in-process run ends with; docs/scaling.md.

One module-scoped pair of runs on the demo's offline inputs (crawl off), compared table by
table as bench/snapshot_warehouse.py compares two warehouses (run times and ids left out).
"""

from __future__ import annotations

import os
import shutil
import sys
from datetime import date
from pathlib import Path
from unittest import mock

import distributed
import pytest

from bench.snapshot_warehouse import differing_relations
from flows.nightly import nightly
from flows.outcomes import NeedsAttention
from leadpipe.cli.demo import write_list_metadata
from leadpipe.demo import generate_demo
from leadpipe.demo.generate import FORMS, LIST_A
from stages.nightly import NightlyReport

pytestmark = pytest.mark.flow


def _run(root: Path, demo: Path, environment: dict[str, str]) -> tuple[Path, NightlyReport]:
    inbox = root / "inbox"
    shutil.copytree(demo, inbox)
    (root / "config" / "flows").mkdir(parents=True)
    # matching's training compares 123,753 random pairs per trained level: 3 partitions each
    # (the ~1,500 candidate pairs of a level stay in the writer's process)
    (root / "config" / "flows" / "parallel.yaml").write_text(
        "partitions:\n  enrich_records: 200\n  match_pairs: 50000\n", encoding="utf-8")
    db = root / "data" / "leadpipe.duckdb"
    with mock.patch.dict(os.environ, {"LEADPIPE_DATA_DIR": str(root / "data"),
                                      "LEADPIPE_CONFIG_DIR": str(root / "config"),
                                      **environment}):
        state = nightly(inbox=str(inbox), db=str(db), crawl=False, return_state=True)
    result = state.result(raise_on_failure=False)
    report = result.detail if isinstance(result, NeedsAttention) else result
    assert isinstance(report, NightlyReport), result
    return db, report


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's purchased CSV list (400 rows) and its web-form export (150)."""
    generated = tmp_path_factory.mktemp("generated")
    generate_demo(generated, seed=42)
    write_list_metadata(generated / "lists", date.today())
    out = tmp_path_factory.mktemp("demo")
    for name in (LIST_A, f"{LIST_A}.yaml", FORMS):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(generated / name, out / name)
    return out


@pytest.fixture(scope="module")
def runs(demo: Path, cluster: distributed.LocalCluster,
         tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, NightlyReport]]:
    return {
        "in_process": _run(tmp_path_factory.mktemp("in_process"), demo, {}),
        "dask": _run(tmp_path_factory.mktemp("dask"), demo,
                     {"LEADPIPE_DASK_SCHEDULER": cluster.scheduler_address}),
    }


def test_the_dask_run_ends_with_the_warehouse_of_the_in_process_run(
        runs: dict[str, tuple[Path, NightlyReport]]) -> None:
    (plain_db, plain), (dask_db, on_dask) = runs["in_process"], runs["dask"]
    assert on_dask.enrich == plain.enrich
    assert plain.enrich is not None
    assert plain.enrich.records_enriched > 500
    assert on_dask.match == plain.match
    assert not differing_relations(plain_db, dask_db)
    assert not list((dask_db.parent / "partitions").glob("*/*")), "partition files left behind"


def test_the_partitions_ran_on_both_worker_processes(
        runs: dict[str, tuple[Path, NightlyReport]], cluster: distributed.LocalCluster) -> None:
    with distributed.Client(cluster) as client:
        # a worker imports a stage only to run its task (flows.nightly it never imports)
        ran = client.run(lambda: {"stages.enrich", "stages.match_partitions"}
                         <= sys.modules.keys())
    assert len(ran) == 2
    assert all(ran.values()), ran
