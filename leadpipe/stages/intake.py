"""Hand-off from the web-form intake service to the nightly run.

The service keeps its spool in SQLite (it must never wait for the warehouse); the nightly
run moves new submissions into the inbox as a form export, late double opt-in confirmations
as consent events, and deletes unconfirmed requests past their retention period.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from intake.config import load_intake_config, state_path
from intake.handoff import export_pending, purge_unconfirmed
from leadpipe.settings import Settings


def hand_off(settings: Settings, inbox: Path) -> dict[str, Any]:
    """Export pending submissions into `inbox/forms`, late DOIs into `inbox/events`."""
    state = state_path(settings)
    if not state.exists():
        return {"files": [], "purged_unconfirmed": 0}
    files = export_pending(state, inbox / "forms", events_dir=inbox / "events")
    retention = load_intake_config(settings).value.retention
    purged = purge_unconfirmed(state, datetime.now(UTC),
                               unconfirmed_days=retention.unconfirmed_days,
                               exported_days=retention.exported_days)
    return {"files": [str(f) for f in files], "purged_unconfirmed": purged.unconfirmed}
