"""The warehouse file: migrations, cross-process locking, snapshots, all-or-nothing jobs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest

from foundation.settings import Settings
from tests.conftest import REPO
from warehouse.db import WarehouseMissing, open_warehouse
from warehouse.lock import WarehouseBusy
from warehouse.migrate import migration_files
from warehouse.runs import mark_killed_runs, run_job


def _hold_write_lock(settings: Settings, seconds: float, tmp_path: Path) -> subprocess.Popen[str]:
    """Start another process that holds the warehouse for writing for `seconds`, or until
    `_release`: a test that only needs the warehouse busy does not sit out the rest."""
    ready, release = tmp_path / "holder-ready", tmp_path / "holder-release"
    code = textwrap.dedent(f"""
        import time, pathlib
        from foundation.settings import Settings
        from warehouse.db import open_warehouse
        s = Settings(data_dir=pathlib.Path({str(settings.data_dir)!r}),
                     db_path=pathlib.Path({str(settings.db_path)!r}))
        with open_warehouse(s, write=True, create=True, purpose="test holder"):
            pathlib.Path({str(ready)!r}).write_text("x")
            deadline = time.monotonic() + {seconds}
            while time.monotonic() < deadline and not pathlib.Path({str(release)!r}).exists():
                time.sleep(0.05)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, text=True)
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert proc.poll() is None, "lock holder died"
        assert time.monotonic() < deadline, "lock holder never got the lock"
        time.sleep(0.05)
    return proc


def _release(holder: subprocess.Popen[str], tmp_path: Path) -> None:
    """The holder leaves its write session now, as a finished run does; wait for it."""
    (tmp_path / "holder-release").touch()
    holder.wait(timeout=30)


def test_migrations_are_applied_once(settings: Settings) -> None:
    for _ in range(2):
        with open_warehouse(settings, write=True, create=True) as wh:
            versions = wh.fetchall("SELECT version FROM schema_version ORDER BY version")
    assert [v for (v,) in versions] == [v for v, _, _ in migration_files()]


def test_reading_before_any_run_says_what_to_do(settings: Settings) -> None:
    with pytest.raises(WarehouseMissing, match="leadpipe run nightly"), \
            open_warehouse(settings, write=False):
        pass


def test_second_writer_waits_for_the_first(settings: Settings, tmp_path: Path) -> None:
    with open_warehouse(settings, write=True, create=True):
        pass
    holder = _hold_write_lock(settings, 1.5, tmp_path)
    started = time.monotonic()
    with open_warehouse(settings, write=True, create=True) as wh:
        waited = time.monotonic() - started
        assert wh.scalar("SELECT count(*) FROM ops.runs") == 0
    holder.wait(timeout=30)
    assert holder.returncode == 0
    assert waited > 0.5


def test_writer_gives_up_with_a_clear_message(settings: Settings, tmp_path: Path) -> None:
    holder = _hold_write_lock(settings, 5, tmp_path)
    try:
        impatient = replace(settings, lock_timeout_s=0.5)
        with pytest.raises(WarehouseBusy, match="stayed in use"), \
                open_warehouse(impatient, write=True, create=True):
            pass
    finally:
        _release(holder, tmp_path)


def test_reader_falls_back_to_published_snapshot(settings: Settings, tmp_path: Path) -> None:
    with open_warehouse(settings, write=True, create=True, publish=True) as wh:
        wh.execute("CREATE TABLE marts.probe AS SELECT 42 AS answer")
    holder = _hold_write_lock(settings, 4, tmp_path)
    try:
        quick = replace(settings, read_wait_s=0.3)
        with open_warehouse(quick, write=False) as wh:
            assert wh.is_snapshot
            assert wh.scalar("SELECT answer FROM marts.probe") == 42
    finally:
        _release(holder, tmp_path)


def test_reader_without_snapshot_is_told_to_retry(settings: Settings, tmp_path: Path) -> None:
    with open_warehouse(settings, write=True, create=True):
        pass
    holder = _hold_write_lock(settings, 4, tmp_path)
    try:
        quick = replace(settings, read_wait_s=0.3)
        with pytest.raises(WarehouseBusy, match="no published snapshot"), \
                open_warehouse(quick, write=False):
            pass
    finally:
        _release(holder, tmp_path)


def test_failed_job_leaves_only_a_failed_run_record(settings: Settings) -> None:
    def job(wh, run_id):  # type: ignore[no-untyped-def]
        wh.execute("INSERT INTO ops.quarantine (batch_id, file_name, reason, quarantined_at) "
                   "VALUES ('b', 'f', 'r', now())")
        raise ValueError("boom in the middle")

    with open_warehouse(settings, write=True, create=True) as wh:
        with pytest.raises(ValueError, match="boom"):
            run_job(wh, "ingest-test", {}, job)
        assert wh.scalar("SELECT count(*) FROM ops.quarantine") == 0
        status, error = wh.fetchone("SELECT status, error FROM ops.runs")  # type: ignore[misc]
    assert status == "failed"
    assert "boom in the middle" in error


def test_killed_job_is_rolled_back_and_marked(settings: Settings, tmp_path: Path) -> None:
    with open_warehouse(settings, write=True, create=True):
        pass
    code = textwrap.dedent(f"""
        import os, pathlib
        from foundation.settings import Settings
        from warehouse.db import open_warehouse
        from warehouse.runs import run_job
        s = Settings(data_dir=pathlib.Path({str(settings.data_dir)!r}),
                     db_path=pathlib.Path({str(settings.db_path)!r}))
        def job(wh, run_id):
            wh.execute("INSERT INTO ops.quarantine (batch_id, file_name, reason, quarantined_at)"
                       " SELECT 'b', 'f', 'r', now() FROM range(1000)")
            os._exit(9)
        with open_warehouse(s, write=True, create=True) as wh:
            run_job(wh, "ingest-killed", {{}}, job)
    """)
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, timeout=60, check=False)
    assert proc.returncode == 9
    with open_warehouse(settings, write=True, create=True) as wh:
        mark_killed_runs(wh)
        assert wh.scalar("SELECT count(*) FROM ops.quarantine") == 0
        status = wh.scalar("SELECT status FROM ops.runs WHERE flow = 'ingest-killed'")
    assert status == "killed"
    assert settings.db_path.exists()
