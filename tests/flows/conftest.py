"""Flow tests run real Prefect flows against the session's temporary Prefect server."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def flows_use_the_harness(prefect_harness: None) -> None:
    """Every flow test runs against tests/conftest.py's prefect_harness."""
