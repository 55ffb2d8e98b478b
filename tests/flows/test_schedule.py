"""The nightly schedule really fires on one machine, without a cloud account.

A real `prefect server start` (the temporary server runs no scheduler) plus the served flows
(`python -m flows.serve`, as docs/operations.md describes): the server must plan `nightly` at
02:00 Europe/Berlin, and a served schedule must actually execute the flow.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import REPO
from tests.flows.inbox import make_inbox
from tests.flows.prefect_server import PrefectServer, running, start_server, stop, wait_for

pytestmark = [pytest.mark.flow, pytest.mark.deployment]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PrefectServer]:
    yield from running(*start_server(tmp_path / "prefect"))


def _runs(server: PrefectServer, deployment: str, state: str) -> list[dict[str, Any]]:
    found = server.deployment("nightly", deployment)
    if not found:
        return []
    runs = server.post("/flow_runs/filter", {
        "flow_runs": {"deployment_id": {"any_": [found["id"]]}}})
    return [r for r in runs if r["state_type"] == state]


def test_nightly_is_planned_at_two_berlin_and_a_served_schedule_runs_the_flow(
    server: PrefectServer, tmp_path: Path
) -> None:
    inbox = make_inbox(tmp_path / "inbox")
    db = tmp_path / "data" / "leadpipe.duckdb"
    env = {"LEADPIPE_DATA_DIR": str(tmp_path / "data")}
    # Every 20 s, anchored 12 s in the past: the first run is due about 8 s after the
    # deployment is made, not a whole interval later.
    fast = (
        "from datetime import datetime, timedelta, timezone\n"
        "from prefect.schedules import Interval\n"
        "from flows.nightly import nightly\n"
        "anchor = datetime.now(timezone.utc) - timedelta(seconds=12)\n"
        f"nightly.serve(name='every-few-seconds', schedule=Interval(20, anchor_date=anchor), "
        f"limit=1, parameters={{'inbox': {str(inbox)!r}, 'db': {str(db)!r}, 'crawl': False}})\n"
    )
    served = server.start("serve", "python", "-m", "flows.serve", cwd=REPO, env=env)
    procs = [served]
    try:
        planned = wait_for(lambda: _runs(server, "serve", "SCHEDULED"), 120,
                           "the scheduler to plan nightly runs")
        berlin = [datetime.fromisoformat(r["expected_start_time"]).astimezone(
            ZoneInfo("Europe/Berlin")) for r in planned]
        assert all((t.hour, t.minute) == (2, 0) for t in berlin), berlin

        procs.append(server.start("fast", "python", "-c", fast, cwd=REPO, env=env))
        wait_for(lambda: _runs(server, "every-few-seconds", "COMPLETED"), 420,
                 "a scheduled nightly run to complete")
    finally:
        for proc in procs:
            stop(proc)
    assert db.exists(), "the scheduled run did not write the warehouse"
