"""One demo data set per test session: generating it takes about a second."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadpipe.demo import DemoManifest, generate_demo


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return generate_demo(tmp_path_factory.mktemp("demo"), seed=42)


@pytest.fixture(scope="session")
def demo_dir(demo: DemoManifest) -> Path:
    return demo.out_dir
