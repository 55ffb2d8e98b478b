"""What a killed run leaves in the partitions folder goes at the next start; what a running
writer, another machine's writer or a person put there stays."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from foundation.settings import Settings
from stages import leftovers
from stages.leftovers import partitions_run_folder, sweep


@pytest.fixture
def dead_pid() -> int:
    """The id of a process that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _folder(parent: Path, name: str) -> Path:
    (parent / name).mkdir(parents=True)
    (parent / name / "00000.jsonl").write_text("{}\n", encoding="utf-8")
    return parent / name


@pytest.mark.parametrize("configured", [False, True])
def test_sweep_removes_the_partition_and_shard_files_of_killed_writers(
        settings: Settings, tmp_path: Path, dead_pid: int, configured: bool,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(leftovers, "stop_orphans", list)  # no process hunt in a unit test
    parent = tmp_path / "shared" if configured else settings.data_dir / "partitions"
    host = socket.gethostname()
    killed_crawl = _folder(parent, f"crawl-20261207T010000-{host}-{dead_pid}")
    killed_enrich = _folder(parent, f"enrich-enrich-20261207T010000-ab12cd-{host}-{dead_pid}")
    killed_match = _folder(parent, f"match-match-20261207T010500-ef34ab-{host}-{dead_pid}")
    older_version = _folder(parent, "enrich-enrich-20261206T010000-ab12cd")
    running = partitions_run_folder(parent, "crawl", "20261207T020000")
    running.mkdir(parents=True)
    elsewhere = _folder(parent, f"crawl-20261207T010000-{host}.elsewhere-{dead_pid}")
    someone_elses = _folder(parent, "notes")

    cleaned = sweep(settings, parent if configured else None)

    assert running.name.endswith(f"-{host}-{os.getpid()}")
    gone = {killed_crawl, killed_enrich, killed_match, older_version}
    assert sorted(p for p in parent.iterdir()) == sorted({running, elsewhere, someone_elses})
    assert sorted(cleaned) == sorted(f"removed {p}, left by a run that was killed"
                                     for p in gone)
