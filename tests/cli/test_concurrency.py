"""Two runs at once wait for each other; a reader during a write still gets an answer."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from foundation.settings import Settings
from tests.conftest import REPO
from warehouse.db import open_warehouse

LEADPIPE = [sys.executable, "-m", "leadpipe.cli"]


def _write_list(path: Path, rows: int, tag: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Firma", "Nachname", "PLZ", "Ort", "E-Mail"])
        for i in range(rows):
            writer.writerow([f"{tag} Firma {i} GmbH", f"Name{i}", f"{10000 + i % 89999:05d}",
                             "Berlin", f"p{i}@{tag.lower()}{i}.de"])


def test_two_ingests_started_together_both_load_everything(
    settings: Settings, tmp_path: Path
) -> None:
    paths = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for path, tag in zip(paths, ("A", "B"), strict=True):
        _write_list(path, 60_000, tag)
    env_db = ["--db", str(settings.db_path)]
    with open_warehouse(settings, write=True, create=True, publish=True):
        pass  # a published snapshot exists, as after any earlier run
    # Hold the warehouse like a running nightly flow while both ingests and a reader start.
    with open_warehouse(settings, write=True, create=True, purpose="test: nightly stand-in"):
        procs = [
            subprocess.Popen([*LEADPIPE, "ingest", "list", str(p), "--vendor", "V",
                              "--acquired-on", "2026-11-20", "--json", *env_db],
                             cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
            for p in paths
        ]
        reader = subprocess.run([*LEADPIPE, "status", "--json", *env_db], cwd=REPO,
                                capture_output=True, text=True, timeout=120, check=False,
                                env={**os.environ, "LEADPIPE_READ_WAIT": "1"})
    results = [p.communicate(timeout=300) for p in procs]

    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert "waiting" in err
        assert json.loads(out)["loaded"] == 60_000
    assert reader.returncode == 0, reader.stderr
    assert json.loads(reader.stdout)["snapshot"] is True
    with open_warehouse(settings, write=False) as wh:
        assert wh.scalar("SELECT count(*) FROM raw.records") == 120_000
        runs = wh.fetchall("SELECT started_at, finished_at FROM ops.runs ORDER BY started_at")
    assert len(runs) == 2
    assert runs[0][1] <= runs[1][0], "the two ingests overlapped"
