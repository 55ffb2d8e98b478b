"""`leadpipe engagement import`: opens and clicks from the newsletter tool.

Each row of a campaign report (`ingest.newsletter_engagement`) is matched to a lead by its
e-mail address (`ingest.crm_match`) and stored in `core.engagement_events`, one row per
address and campaign (a later export of the campaign raises the counts). A subscriber who
clicked also gets one `presumed_consent_reason` event in the consent ledger: category
`newsletter_subscriber`, channels phone — a category B reason for a B2B call (rules §4.2), so
the next decide puts the lead's phone channel to review (P6) instead of blocking it (P7);
for a consumer nothing changes (P1 still needs express consent). Addresses no lead has go to
the quarantine with their row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from foundation.settings import Settings
from ingest.crm_match import NoMatch, Who
from ingest.newsletter_engagement import load_engagement_config, read_engagement_file
from ingest.sniff import file_sha256
from stages.crm_outcomes import match_rows
from warehouse.crm_outcomes import known_engagement, store_engagement
from warehouse.db import Warehouse, open_warehouse
from warehouse.ledger import append_events
from warehouse.quarantine import is_noted, note_problems
from warehouse.runs import run_job


@dataclass(frozen=True)
class EngagementImportReport:
    """rows in = loaded + quarantined + skipped."""

    file: str
    tool: str
    rows_in: int
    loaded: int
    quarantined: int
    skipped: int
    """Rows without an address or without any open or click."""
    engagement_new: int
    """Addresses and campaigns not stored before (the others had their counts raised)."""
    call_reasons_new: int
    """`presumed_consent_reason` (newsletter_subscriber) events added: one per record of
    each new clicker."""
    problems: list[tuple[int, str | None, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "tool": self.tool, "in": self.rows_in,
                "loaded": self.loaded, "quarantined": self.quarantined,
                "skipped": self.skipped, "engagement_new": self.engagement_new,
                "call_reasons_new": self.call_reasons_new,
                "problems": [{"row": r, "field": f, "reason": why}
                             for r, f, why in self.problems]}


def _event_id(tool: str, campaign: str | None, email: str) -> str:
    key = f"{tool}|{campaign or ''}|{email}".encode()
    return "eng-" + hashlib.sha256(key).hexdigest()[:20]


def import_engagement(settings: Settings, path: Path, *, tool: str = "auto",
                      mapping: Path | None = None) -> EngagementImportReport:
    """Import a newsletter campaign report; see the module docstring."""
    config = load_engagement_config(settings.config_dir, mapping).value
    parsed = read_engagement_file(path, tool, config)
    now = datetime.now(UTC)
    problems = list(parsed.problems)
    by_id: dict[str, dict[str, Any]] = {}
    with open_warehouse(settings, write=False) as wh:
        matches = match_rows(wh, [Who(email=r.email) for r in parsed.rows])
    for row, match in zip(parsed.rows, matches, strict=True):
        if isinstance(match, NoMatch):
            problems.append((row.row, "email", "no lead with this e-mail address"
                             if match.field == "email" else match.reason))
            continue
        event_id = _event_id(parsed.tool, row.campaign, row.email)
        seen = by_id.get(event_id)
        if seen is not None:  # a report with one row per open or click: add them up
            seen["opens"] += row.opens
            seen["clicks"] += row.clicks
            seen["last_activity_on"] = max(filter(None, (seen["last_activity_on"], row.on)),
                                           default=None)
            continue
        by_id[event_id] = {
            "event_id": event_id, "tool": parsed.tool, "campaign": row.campaign,
            "email": row.email, "record_id": match.record_ids[0],
            "record_ids": match.record_ids, "lead_id": match.lead_id, "opens": row.opens,
            "clicks": row.clicks, "last_activity_on": row.on, "source_file": path.name,
            "imported_at": now}
    rows = list(by_id.values())
    problems.sort(key=lambda p: p[0])
    batch = f"N{file_sha256(path)[:15]}"

    def job(wh: Warehouse, run_id: str) -> tuple[int, int]:
        before = known_engagement(wh, [r["event_id"] for r in rows])
        new = store_engagement(wh, rows)
        reasons = [{
            "record_id": record_id, "subject_email": r["email"],
            "kind": "presumed_consent_reason", "channels": ["phone"],
            "occurred_at": (datetime.combine(r["last_activity_on"], time(12), UTC)
                            if r["last_activity_on"] else now),
            "attributes": {"category": "newsletter_subscriber"},
            "evidence": {"tool": parsed.tool, "campaign": r["campaign"],
                         "clicks": r["clicks"], "import_file": path.name},
        } for r in rows if r["clicks"] and not before.get(r["event_id"])
            for record_id in r["record_ids"]]
        added = append_events(wh, reasons)
        if problems and not is_noted(wh, batch):
            note_problems(wh, batch, path.name, problems, now)
        return new, added

    with open_warehouse(settings, write=True, purpose=f"import engagement {path.name}",
                        publish=True) as wh:
        _, (new, added) = run_job(wh, "import-engagement",
                                  {"path": str(path), "tool": parsed.tool}, job,
                                  counts=lambda r: {"engagement_new": r[0],
                                                    "call_reasons_new": r[1]})
    loaded = len(parsed.rows) - (len(problems) - len(parsed.problems))  # all but unmatched
    return EngagementImportReport(path.name, parsed.tool, parsed.rows_in, loaded,
                                  len(problems), parsed.skipped, new, added, problems)
