"""Hand-off from the web-form intake service to the nightly run.

The service keeps its spool in SQLite (it must never wait for the warehouse); the nightly
run moves new submissions into the inbox as a form export, late double opt-in confirmations
as consent events, and deletes unconfirmed requests past their retention period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from foundation.settings import Settings
from intake.config import load_intake_config, state_path
from intake.handoff import export_pending, purge_unconfirmed


@dataclass(frozen=True)
class HandOffResult:
    files: list[str] = field(default_factory=list)
    """Files written into the inbox (form exports, consent events)."""
    purged_unconfirmed: int = 0
    """Unconfirmed double opt-in requests deleted after their retention period."""


def hand_off(settings: Settings, inbox: Path) -> HandOffResult:
    """Export pending submissions into `inbox/forms`, late DOIs into `inbox/events`."""
    state = state_path(settings)
    if not state.exists():
        return HandOffResult()
    files = export_pending(state, inbox / "forms", events_dir=inbox / "events")
    retention = load_intake_config(settings).value.retention
    purged = purge_unconfirmed(state, datetime.now(UTC),
                               unconfirmed_days=retention.unconfirmed_days,
                               exported_days=retention.exported_days)
    return HandOffResult([str(f) for f in files], purged.unconfirmed)
