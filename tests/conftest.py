"""Fixtures shared by the whole suite: an isolated data directory and warehouse per test."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from foundation.settings import Settings
from tests.smtp_sink import Smtp, free_port

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
REPO = Path(__file__).resolve().parent.parent
SOURCE_PACKAGES: tuple[str, ...] = tuple(tomllib.loads(
    (REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["hatch"]["build"]["targets"][
        "wheel"]["packages"])
"""The packages leadpipe ships (pyproject.toml), which the source-tree checks walk: a package
added there is checked without any test naming it."""


def source_files(packages: Iterable[str] = SOURCE_PACKAGES) -> list[Path]:
    """Every module of these packages, in a stable order."""
    return [path for package in packages for path in sorted((REPO / package).rglob("*.py"))]


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


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server (prefect_test_harness) for every test that runs a flow in
    this process: each start costs about 20 s, mostly migrating a fresh Prefect database."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    """A real SMTP server on a free port; `smtp.inbox.messages` holds what it received."""
    server = Smtp(free_port())
    server.start()
    yield server
    server.stop()
