"""`leadpipe outcomes import`: what the CRM knows about the leads, back into the warehouse.

Read the export (`ingest.crm_outcomes`), match each row to a lead (`ingest.crm_match`: the
`leadpipe_id` of our exports, else e-mail, phone, name and company), then write: outcomes
into `core.lead_outcomes` (source: the file's name) for the funnel and `score --train`, and
each do-not-contact flag as an Art. 21 objection through the workspace's path
(`stages.outcomes.objection_entry` → journal → ledger and suppression list), so the next
export leaves the lead out even before the next decide. Rows that match no lead, or cannot
be read, go to the quarantine with row, field and reason.

Ids come from the CRM, the lead and the deal (or the row's facts), never from the time of
the import: importing the same file, or next month's export of the same deals, adds nothing
that is there already.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from foundation.settings import Settings, suppression_secret
from ingest.crm_match import Match, NoMatch, Who, company_key, find_lead
from ingest.crm_outcomes import CrmRow, load_crm_outcomes_config, read_outcome_file
from ingest.sniff import file_sha256
from stages.outcomes import objection_entry
from warehouse.crm_outcomes import (
    candidate_records,
    existing_leads,
    known_outcomes,
    known_requests,
    store_outcomes,
)
from warehouse.db import Warehouse, open_warehouse
from warehouse.outcomes import lead_entity, member_records
from warehouse.quarantine import is_noted, note_problems
from warehouse.runs import run_job
from warehouse.workspace_journal import ObjectionEntry, pending_objections, write_entry


@dataclass(frozen=True)
class OutcomeImportReport:
    """What an import did (or, with `dry_run`, would do): rows in = loaded + quarantined +
    skipped."""

    file: str
    crm: str
    rows_in: int
    loaded: int
    """Rows matched to a lead with an outcome or a do-not-contact flag."""
    quarantined: int
    skipped: int
    """Rows with nothing to import (an open deal in no known stage, a planned activity)."""
    outcomes_new: int
    outcomes_known: int
    """Outcomes stored by an earlier import of the same deals."""
    objections_new: int
    objections_known: int
    matched_by: dict[str, int]
    dry_run: bool
    problems: list[tuple[int, str | None, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "crm": self.crm, "in": self.rows_in, "loaded": self.loaded,
                "quarantined": self.quarantined, "skipped": self.skipped,
                "outcomes_new": self.outcomes_new, "outcomes_known": self.outcomes_known,
                "objections_new": self.objections_new,
                "objections_known": self.objections_known, "matched_by": self.matched_by,
                "dry_run": self.dry_run,
                "problems": [{"row": r, "field": f, "reason": why}
                             for r, f, why in self.problems]}


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:20]


def _who(row: CrmRow) -> Who:
    return Who(row.leadpipe_id, row.email, row.phone, row.first_name, row.last_name,
               row.company)


def match_rows(wh: Warehouse, whos: list[Who]) -> list[Match | NoMatch]:
    """Each row's lead, read in the caller's session (outcomes and engagement share it)."""
    known = existing_leads(wh, [w.leadpipe_id for w in whos if w.leadpipe_id])
    records = candidate_records(wh, [w.email for w in whos if w.email],
                                [w.phone for w in whos if w.phone],
                                [k for w in whos if (k := company_key(w.company))])
    return [find_lead(who, known, records) for who in whos]


def _outcome_row(row: CrmRow, lead_id: str, crm: str, file: str, by: str,
                 now: datetime) -> dict[str, Any]:
    # a closed deal is dated by its close date; an open deal's "close date" is only expected
    # (HubSpot sets one on every deal), so it is dated by the import, never in the future
    closed = row.on is not None and row.outcome in ("won", "lost", "not_interested")
    at = min(datetime.combine(row.on, time(12), UTC), now) if closed and row.on else now
    return {"outcome_id": f"crm-{_digest(crm, lead_id, row.deal_key, row.outcome)}",
            "lead_id": lead_id, "outcome": row.outcome, "recorded_at": at,
            "recorded_by": by, "note": f"CRM-Import ({crm})", "value_eur": row.value_eur,
            "source": file}


def import_outcomes(settings: Settings, path: Path, *, crm: str = "auto",
                    mapping: Path | None = None, by: str, dry_run: bool = False
                    ) -> OutcomeImportReport:
    """Import a CRM's deals or activities export; see the module docstring."""
    config = load_crm_outcomes_config(settings.config_dir, mapping).value
    parsed = read_outcome_file(path, crm, config)
    now = datetime.now(UTC)
    secret = suppression_secret(settings)
    problems = list(parsed.problems)
    outcomes: list[dict[str, Any]] = []
    objecting: dict[str, str] = {}
    matched_by: Counter[str] = Counter()
    with open_warehouse(settings, write=False) as wh:
        matches = match_rows(wh, [_who(row) for row in parsed.rows])
        for row, match in zip(parsed.rows, matches, strict=True):
            if isinstance(match, NoMatch):
                problems.append((row.row, match.field, match.reason))
                continue
            matched_by[match.by] += 1
            if row.outcome is not None:
                outcomes.append(_outcome_row(row, match.lead_id, parsed.crm, path.name, by,
                                             now))
            if row.do_not_contact:
                for lead_id in match.lead_ids:
                    objecting[lead_id] = f"objection-crm-{_digest(parsed.crm, lead_id)}"
        stored = known_outcomes(wh, [o["outcome_id"] for o in outcomes])
        done = known_requests(wh, list(objecting.values())) | {
            e.request_id for e in pending_objections(settings.db_path)}
        entries: list[ObjectionEntry] = []
        for lead_id, request_id in sorted(objecting.items()):
            entity, records = lead_entity(wh, lead_id), member_records(wh, lead_id)
            if request_id in done or entity is None or not records:
                continue
            entries.append(objection_entry(
                secret, lead_id, entity, records, by=by, received=now, request_id=request_id,
                note=f"Nicht kontaktieren laut CRM ({parsed.crm}, {path.name})",
                received_via=f"CRM export ({parsed.crm})"))
    new_outcomes = len({o["outcome_id"] for o in outcomes} - stored)
    report = OutcomeImportReport(
        path.name, parsed.crm, parsed.rows_in, sum(matched_by.values()), len(problems),
        parsed.skipped, new_outcomes, len(outcomes) - new_outcomes, len(entries),
        len(objecting) - len(entries), dict(sorted(matched_by.items())), dry_run,
        sorted(problems, key=lambda p: p[0]))
    if dry_run:
        return report
    for entry in entries:  # in force for every export from now on, whatever the lock
        write_entry(settings.db_path, entry)
    batch = f"O{file_sha256(path)[:15]}"

    def job(wh: Warehouse, run_id: str) -> OutcomeImportReport:
        store_outcomes(wh, outcomes)
        if problems and not is_noted(wh, batch):
            note_problems(wh, batch, path.name, report.problems, now)
        return report

    with open_warehouse(settings, write=True, purpose=f"import outcomes {path.name}",
                        publish=True) as wh:  # opening for writing folds the objections in
        run_job(wh, "import-outcomes", {"path": str(path), "crm": parsed.crm}, job,
                counts=lambda r: r.as_dict())
    return report
