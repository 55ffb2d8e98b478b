"""Flow-run names that say what a run does (`nightly 2026-12-05`, `ingest kammer.csv`).

Prefect calls these when a run starts; they read the run's parameters, so the list of runs in
the UI reads like a log book instead of Prefect's random word pairs.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePath
from zoneinfo import ZoneInfo

from prefect.runtime import flow_run

BERLIN = ZoneInfo("Europe/Berlin")


def _file_name(value: object) -> str:
    return PurePath(str(value)).name if value else "?"


def nightly() -> str:
    """`nightly 2026-12-05`: the Berlin day the run was scheduled for."""
    scheduled = flow_run.scheduled_start_time
    day = (scheduled if isinstance(scheduled, datetime) else datetime.now(BERLIN))
    return f"nightly {day.astimezone(BERLIN).date().isoformat()}"


def ingest() -> str:
    """`ingest kammer.csv`."""
    return f"ingest {_file_name(flow_run.parameters.get('path'))}"


def export() -> str:
    """`export phone → anrufe.xlsx`."""
    parameters = flow_run.parameters
    return f"export {parameters.get('channel', '?')} → {_file_name(parameters.get('file_name'))}"


def crawl() -> str:
    """`crawl beispiel.de +2 more`, or `crawl websites due` without targets."""
    targets = list(flow_run.parameters.get("targets") or [])
    if not targets:
        return "crawl websites due"
    more = f" +{len(targets) - 1} more" if len(targets) > 1 else ""
    return f"crawl {targets[0]}{more}"
