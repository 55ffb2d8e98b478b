"""Fixtures shared by the whole suite: an isolated data directory and warehouse per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from leadpipe.settings import Settings

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a fresh data directory; short waits keep lock tests quick."""
    data = tmp_path / "data"
    return Settings(
        data_dir=data,
        db_path=data / "leadpipe.duckdb",
        config_dir=tmp_path / "config",
        lock_timeout_s=30.0,
        read_wait_s=2.0,
    )
