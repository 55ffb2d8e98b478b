"""Where the parallel work runs (flows/parallel.yaml and LEADPIPE_DASK_*), and how the enrich
stage splits its records into partitions; the runs on Dask are in
tests/flows/test_dask_partitions.py."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import pytest
from typer.testing import CliRunner

from flows.parallel import parallel_config
from foundation.config import ConfigError
from foundation.settings import Settings, load_settings
from leadpipe.cli.main import app
from stages.enrich import partitions_by_company


def test_the_runner_comes_from_the_configuration_and_the_environment(tmp_path: Path) -> None:
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "parallel.yaml").write_text("runner: local_cluster\nlocal_cluster:\n"
                                                      "  workers: 3\n", encoding="utf-8")
    settings = Settings(config_dir=tmp_path)
    assert parallel_config(Settings()).runner == "in_process"
    assert parallel_config(settings).local_cluster.workers == 3
    with mock.patch.dict(os.environ, {"LEADPIPE_DASK_WORKERS": "0"}):
        assert parallel_config(load_settings()).runner == "in_process"
    with mock.patch.dict(os.environ, {"LEADPIPE_DASK_SCHEDULER": "tcp://dask.intern:8786"}):
        config = parallel_config(load_settings())
    assert (config.runner, config.dask_scheduler.address) == ("dask_scheduler",
                                                              "tcp://dask.intern:8786")
    (tmp_path / "flows" / "parallel.yaml").write_text("runner: dask_scheduler\n",
                                                      encoding="utf-8")
    with pytest.raises(ConfigError, match=r"parallel.yaml[\s\S]*dask_scheduler.address"):
        parallel_config(settings)
    with (mock.patch.dict(os.environ, {"LEADPIPE_DASK_SCHEDULER": "dask.intern"}),
          pytest.raises(ConfigError, match="LEADPIPE_DASK_SCHEDULER")):
        parallel_config(load_settings())


def test_a_company_stays_in_one_partition_and_the_split_is_the_same_everywhere() -> None:
    rows = [{"record_id": f"L:{i}", "company": f"Firma {i % 37} GmbH", "email": None}
            for i in range(1000)] + [{"record_id": "L:x", "company": None, "email": "a@b.de"}]
    parts = partitions_by_company(rows, per_partition=100)
    assert 8 <= len(parts) <= 11
    assert sum(map(len, parts)) == len(rows)
    homes = {row["company"]: {i for i, part in enumerate(parts) if row in part}
             for row in rows}
    assert all(len(home) == 1 for home in homes.values())
    # CRC-32, not hash(): the same split in another process (PYTHONHASHSEED differs)
    assert [r["record_id"] for r in parts[0][:3]] == ["L:1", "L:2", "L:5"]


def test_a_wrong_scheduler_address_on_the_command_line_stops_before_the_run(
        tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", "nightly", "--no-crawl", "--dask-scheduler",
                                      "dask.intern", "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2, result.output
    assert "--dask-scheduler" in result.output
    assert "tcp://" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "w.duckdb").exists()
