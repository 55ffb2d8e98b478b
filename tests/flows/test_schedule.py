"""The nightly schedule really fires on one machine, without a cloud account.

A real `prefect server start` (the temporary server runs no scheduler) plus the served flows
(`python -m flows.serve`, as docs/operations.md describes): the server must plan `nightly` at
02:00 Europe/Berlin, and a served schedule must actually execute the flow.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.conftest import REPO
from tests.flows.inbox import make_inbox

pytestmark = pytest.mark.flow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    }
    bin_dir = Path(sys.executable).parent
    log = open(tmp_path / "server.log", "w", encoding="utf-8")  # noqa: SIM115
    server = subprocess.Popen(
        [str(bin_dir / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port),
         "--no-ui"], env=env, stdout=log, stderr=subprocess.STDOUT,
    )

    def healthy() -> bool:
        try:
            return httpx.get(f"{api}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        _wait_for(healthy, 120, "the Prefect server to start")
        yield api, env
    finally:
        _stop(server)
        log.close()


def _deployment_runs(api: str, flow: str, deployment: str) -> list[dict[str, Any]]:
    """The deployment's flow runs; [] while the server is too busy to answer (polled again)."""
    try:
        deployments = httpx.post(f"{api}/deployments/filter", json={
            "flows": {"name": {"any_": [flow]}},
            "deployments": {"name": {"any_": [deployment]}},
        }, timeout=30).json()
        if not deployments:
            return []
        runs = httpx.post(f"{api}/flow_runs/filter", json={
            "flow_runs": {"deployment_id": {"any_": [deployments[0]["id"]]}},
        }, timeout=30).json()
    except httpx.HTTPError:
        return []
    return list(runs)


def _stop(proc: subprocess.Popen[Any]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


def test_nightly_is_planned_at_two_berlin_and_a_served_schedule_runs_the_flow(
    prefect_server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    api, env = prefect_server
    inbox = make_inbox(tmp_path / "inbox")
    db = tmp_path / "data" / "leadpipe.duckdb"
    fast = (
        "from prefect.schedules import Interval\n"
        "from flows.nightly import nightly\n"
        f"nightly.serve(name='every-few-seconds', schedule=Interval(20), limit=1, "
        f"parameters={{'inbox': {str(inbox)!r}, 'db': {str(db)!r}, 'crawl': False}})\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-m", "flows.serve"], cwd=REPO, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([sys.executable, "-c", fast], cwd=REPO, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    try:
        planned = _wait_for(
            lambda: [r for r in _deployment_runs(api, "nightly", "serve")
                     if r["state_type"] == "SCHEDULED"],
            120, "the scheduler to plan nightly runs",
        )
        berlin = [datetime.fromisoformat(r["expected_start_time"]).astimezone(
            ZoneInfo("Europe/Berlin")) for r in planned]
        assert all((t.hour, t.minute) == (2, 0) for t in berlin), berlin

        completed = _wait_for(
            lambda: [r for r in _deployment_runs(api, "nightly", "every-few-seconds")
                     if r["state_type"] == "COMPLETED"],
            420, "a scheduled nightly run to complete",
        )
        assert completed
    finally:
        for proc in procs:
            _stop(proc)
    assert db.exists(), "the scheduled run did not write the warehouse"
