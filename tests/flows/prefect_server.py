"""A real Prefect server on a free loopback port, and the commands a user types against it.

Used by the tests that follow docs/operations.md literally: `prefect server start`,
`prefect work-pool create`, `prefect --no-prompt deploy --all`, `prefect worker start`,
`python -m flows.serve`, `prefect deployment run`. Every process is started in its own
session and stopped by process group, so flow runs a worker spawned go with it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from tests.conftest import REPO

T = TypeVar("T")
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], T], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def stop(proc: subprocess.Popen[Any]) -> None:
    """Stop a process started with `start_new_session=True` and everything it started."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@dataclass
class PrefectServer:
    api: str
    env: dict[str, str]
    logs: Path

    def get(self, path: str) -> Any:
        return httpx.get(f"{self.api}{path}", timeout=30).json()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        """POST and return the JSON; a busy server (5xx: its SQLite file is locked by the
        scheduler or a worker) is asked again, as Prefect's own client does."""
        for attempt in range(5):
            try:
                response = httpx.post(f"{self.api}{path}", json=body, timeout=30)
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code < 500:
                response.raise_for_status()
                return response.json()
            time.sleep(1 + attempt)
        raise AssertionError(f"the Prefect server kept failing on POST {path}")

    def cli(self, *args: str, cwd: Path, timeout: float = 300,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run a command as a user would, in `cwd` (PWD set, as a shell sets it)."""
        return subprocess.run([str(BIN / args[0]), *args[1:]], cwd=cwd,
                              env={**self.env, **(env or {}), "PWD": str(cwd)},
                              capture_output=True, text=True, timeout=timeout, check=False)

    def start(self, name: str, *args: str, cwd: Path,
              env: dict[str, str] | None = None) -> subprocess.Popen[Any]:
        """A long-running process (worker, serve) with its output in `logs/<name>.log`."""
        log = open(self.logs / f"{name}.log", "w", encoding="utf-8")  # noqa: SIM115
        return subprocess.Popen([str(BIN / args[0]), *args[1:]], cwd=cwd,
                                env={**self.env, **(env or {}), "PWD": str(cwd)},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def deployment(self, flow: str, name: str) -> dict[str, Any] | None:
        found = self.post("/deployments/filter", {
            "flows": {"name": {"any_": [flow]}}, "deployments": {"name": {"any_": [name]}}})
        return found[0] if found else None

    def flow_run(self, run_id: str) -> dict[str, Any]:
        return dict(self.get(f"/flow_runs/{run_id}"))

    def logs_of(self, run_id: str) -> list[str]:
        rows = self.post("/logs/filter", {"logs": {"flow_run_id": {"any_": [run_id]}},
                                          "limit": 200})
        return [str(r["message"]) for r in rows]

    def artifact(self, key: str, run_id: str) -> str | None:
        rows = self.post("/artifacts/filter", {"artifacts": {
            "key": {"any_": [key]}, "flow_run_id": {"any_": [run_id]}}})
        return str(rows[0]["data"]) if rows else None


MIGRATED_HOME: dict[str, bytes] = {}
"""The first server's PREFECT_HOME files as they were when it first answered: its migrated
database and its block registration memo. Later servers of the session start on a copy, as a
restarted server would, instead of spending most of their ~20 s start migrating a new database."""


def migrated_home(prefect_home: Path) -> dict[str, bytes]:
    """A consistent copy of a running server's database (SQLite's backup) and its memo."""
    with closing(sqlite3.connect(prefect_home / "prefect.db")) as live, \
            closing(sqlite3.connect(":memory:")) as copy:
        live.backup(copy)
        files = {"prefect.db": copy.serialize()}
    memo = prefect_home / "memo_store.toml"
    if memo.exists():
        files[memo.name] = memo.read_bytes()
    return files


def start_server(home: Path) -> tuple[PrefectServer, subprocess.Popen[Any]]:
    """`prefect server start` with its own PREFECT_HOME; returns once /health answers."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    prefect_home = home / "prefect-home"
    prefect_home.mkdir(parents=True, exist_ok=True)
    for name, content in MIGRATED_HOME.items():
        (prefect_home / name).write_bytes(content)
    env = {
        **os.environ,
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    }
    server = PrefectServer(api, env, home)
    proc = server.start("server", "prefect", "server", "start", "--host", "127.0.0.1",
                        "--port", str(port), "--no-ui", cwd=home)

    def healthy() -> bool:
        try:
            return httpx.get(f"{api}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(healthy, 120, "the Prefect server to start")
    except AssertionError:
        stop(proc)
        raise
    if not MIGRATED_HOME:
        MIGRATED_HOME.update(migrated_home(prefect_home))
    return server, proc


def fresh_checkout(target: Path) -> Path:
    """The working tree as a fresh clone would have it: tracked and new files, nothing
    ignored (no data/, no .venv)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=REPO, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def running(server: PrefectServer, proc: subprocess.Popen[Any]) -> Iterator[PrefectServer]:
    try:
        yield server
    finally:
        stop(proc)
