"""Everything leadpipe writes under the data directory is the running user's alone."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

from foundation.settings import Settings
from leadpipe.cli.demo import write_list_metadata
from leadpipe.demo import generate_demo
from tests.conftest import REPO
from warehouse.db import open_warehouse


def _leadpipe(env: dict[str, str], *args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "leadpipe.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]


def _too_open(root: Path) -> list[str]:
    loose = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        want = 0o700 if path.is_dir() else 0o600
        if mode != want:
            loose.append(f"{path.relative_to(root.parent)} {oct(mode)}")
    return loose


def test_ingest_export_and_snapshot_are_private(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    generate_demo(demo, seed=42)
    write_list_metadata(demo / "lists", date.today())
    data = tmp_path / "data"
    env = {**os.environ, "LEADPIPE_DATA_DIR": str(data),
           "LEADPIPE_CONFIG_DIR": str(tmp_path / "config")}
    caller = os.umask(0o022)  # the usual umask: leadpipe must not depend on the caller's
    try:
        _leadpipe(env, "ingest", "list", str(demo / "lists" / "adressverlag_nord_2026.csv"),
                  "--vendor", "Adressverlag Nord", "--acquired-on", "2026-11-20", "--json")
        _leadpipe(env, "ingest", "forms", str(demo / "forms" / "webform_export.ndjson"),
                  "--json")
        _leadpipe(env, "leads", "export", "--channel", "post", "--min-grade", "D",
                  "--out", str(data / "exports" / "post.csv"), "--json")
    finally:
        os.umask(caller)
    assert (data / "leadpipe.published.duckdb").exists()
    assert (data / "exports" / "post.csv").exists()
    assert _too_open(data) == []


def test_a_warehouse_made_world_readable_earlier_is_tightened(settings: Settings) -> None:
    with open_warehouse(settings, write=True, create=True, publish=True):
        pass
    for path in (settings.db_path, settings.snapshot_path):
        path.chmod(0o644)
    settings.data_dir.chmod(0o755)
    with open_warehouse(settings, write=False):
        pass
    assert _too_open(settings.data_dir) == []
