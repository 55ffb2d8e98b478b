"""Run bookkeeping in `ops.runs`: every writing job leaves one row.

A run row is committed on its own before the job's data transaction starts, so a job that
fails leaves a `failed` row and no data, and a job that was killed leaves a `running` row that
the next writer marks `killed` (its process no longer exists).
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from warehouse.db import Warehouse


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (also one of another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _alive(pid: int | None, host: str | None) -> bool:
    return pid is not None and host == socket.gethostname() and pid_alive(pid)


def mark_killed_runs(wh: Warehouse) -> int:
    """Mark runs whose process died without finishing as `killed`; return how many."""
    stale = [
        run_id
        for run_id, pid, host in wh.fetchall(
            "SELECT run_id, pid, host FROM ops.runs WHERE status = 'running'"
        )
        if not _alive(pid, host) or pid == os.getpid()
    ]
    for run_id in stale:
        wh.execute(
            "UPDATE ops.runs SET status = 'killed', finished_at = ?, "
            "error = 'the process ended before the run finished (killed or crashed); "
            "its changes were rolled back' WHERE run_id = ?",
            [datetime.now(UTC), run_id],
        )
    return len(stale)


def start_run(wh: Warehouse, flow: str, parameters: dict[str, Any] | None = None) -> str:
    mark_killed_runs(wh)
    run_id = f"{flow}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    wh.execute(
        "INSERT INTO ops.runs (run_id, flow, status, started_at, parameters, pid, host) "
        "VALUES (?, ?, 'running', ?, ?, ?, ?)",
        [
            run_id, flow, datetime.now(UTC), json.dumps(parameters or {}, default=str),
            os.getpid(), socket.gethostname(),
        ],
    )
    return run_id


def finish_run(
    wh: Warehouse,
    run_id: str,
    *,
    status: str,
    counts: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    wh.execute(
        "UPDATE ops.runs SET status = ?, finished_at = ?, counts = ?, error = ? "
        "WHERE run_id = ?",
        [status, datetime.now(UTC), json.dumps(counts or {}, default=str), error, run_id],
    )


def record_refused_run(wh: Warehouse, flow: str, parameters: dict[str, Any],
                       error: str) -> str:
    """A run that could not start on its input (a bad file, a missing date): one failed row,
    so `leadpipe status` and the nightly summary show it until the input is fixed."""
    run_id = start_run(wh, flow, parameters)
    finish_run(wh, run_id, status="failed", error=error)
    return run_id


@dataclass(frozen=True)
class RunRow:
    """One row of `ops.runs`, its JSON columns parsed."""

    run_id: str
    flow: str
    status: str  # running | succeeded | failed | killed
    started_at: datetime
    finished_at: datetime | None
    parameters: dict[str, Any]
    counts: dict[str, Any]
    """The run's report as stored by `run_job`."""
    error: str | None


def _parsed(text: str | None) -> dict[str, Any]:
    return json.loads(text) if text else {}


def recent_runs(wh: Warehouse, limit: int = 20) -> list[RunRow]:
    """The latest runs, newest first."""
    rows = wh.fetchall(
        "SELECT run_id, flow, status, started_at, finished_at, parameters, counts, error "
        "FROM ops.runs ORDER BY started_at DESC LIMIT ?",
        [limit],
    )
    return [RunRow(run_id, flow, status, started, finished, _parsed(parameters),
                   _parsed(counts), error)
            for run_id, flow, status, started, finished, parameters, counts, error in rows]


R = TypeVar("R")


def _counts(result: object) -> dict[str, Any]:
    """A job's result as the JSON kept in `ops.runs.counts` (a dict, or a dataclass)."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)
    return dict(result) if isinstance(result, dict) else {"result": result}


def run_job(
    wh: Warehouse,
    flow: str,
    parameters: dict[str, Any],
    job: Callable[[Warehouse, str], R],
    counts: Callable[[R], dict[str, Any]] | None = None,
) -> tuple[str, R]:
    """Run `job(wh, run_id)` in one transaction, with a run row around it.

    The data transaction is all-or-nothing; the run row records success or the error.
    The row keeps the result's fields as JSON, or `counts(result)` for a report whose JSON
    is its own `as_dict` (the same JSON the CLI prints).
    """
    run_id = start_run(wh, flow, parameters)
    try:
        with wh.transaction():
            result = job(wh, run_id)
    except Exception as exc:
        finish_run(wh, run_id, status="failed", error=f"{type(exc).__name__}: {exc}")
        raise
    finish_run(wh, run_id, status="succeeded",
               counts=counts(result) if counts else _counts(result))
    return run_id, result
