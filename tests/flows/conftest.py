"""Flow tests run real Prefect flows against the session's temporary Prefect server."""

from collections.abc import Iterator

import distributed
import pytest


@pytest.fixture(autouse=True, scope="session")
def flows_use_the_harness(prefect_harness: None) -> None:
    """Every flow test runs against tests/conftest.py's prefect_harness."""


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.LocalCluster]:
    """Two Dask worker processes of one thread each, as `--dask-workers 2` starts them; per
    module, so that each module can ask which workers imported its stage."""
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as local:
        yield local
