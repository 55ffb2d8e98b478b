"""The decide stage: per lead and channel, may we contact them, why, on which legal basis.

Every lead is evaluated every run, because the passing of time alone changes decisions
(consents go stale, Art. 14 deadlines pass); a new history row is written only when the
decision or the inputs it rests on changed. The inputs (the case the engine saw) are stored
with each decision, so any decision can be reproduced with `leadpipe eligibility check`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from compliance.case import case_from_dict
from compliance.engine import evaluate
from compliance.facts import build_case
from compliance.thresholds import load_eligibility_config
from foundation.progress import SILENT, Progress
from foundation.settings import Settings
from stages.lead_lists import refresh_lead_list
from warehouse.db import Warehouse, open_warehouse
from warehouse.decisions import (
    current_hashes,
    latest_robinson_checks,
    lead_events,
    lead_purchases,
    lead_records,
    retire_orphans,
    store_decisions,
)
from warehouse.robinson import check_records
from warehouse.runs import run_job


def _inputs_hash(case: dict[str, Any], rules_version: str) -> str:
    stable = {k: v for k, v in case.items() if k != "as_of"}
    text = json.dumps([stable, rules_version], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class DecideResult:
    leads: int
    decisions_changed: int
    retired: int
    """Decisions of leads that no longer exist (merged away), closed."""
    by_channel: dict[str, dict[str, int]]
    """channel → decision (allowed, review, blocked) → leads."""


def decide_pending(wh: Warehouse, settings: Settings, as_of: date,
                   progress: Progress = SILENT) -> DecideResult:
    """Evaluate every lead inside the caller's transaction; store what changed."""
    config = load_eligibility_config(settings.config_dir)
    records = lead_records(wh)
    unique_records = {r["record_id"]: r for rows in records.values() for r in rows}
    check_records(wh, unique_records.values())
    robinson = latest_robinson_checks(wh)
    events = lead_events(wh)
    purchases = lead_purchases(wh)
    previous = current_hashes(wh)
    changed: list[dict[str, Any]] = []
    tally: dict[str, dict[str, int]] = {}
    with progress.track("decide", total=len(records), unit="leads") as step:
        for lead_id, rows in records.items():
            checks = [c for r in rows for c in robinson.get(r["record_id"], [])]
            raw_case = build_case(lead_id, rows, events.get(lead_id, []), checks, as_of,
                                  purchases=purchases.get(lead_id, ()))
            case, _warnings = case_from_dict(raw_case)
            result = evaluate(case, config.thresholds, config.parameter_aliases)
            for channel, decision in result.channels.items():
                tally.setdefault(channel, {}).setdefault(decision.decision, 0)
                tally[channel][decision.decision] += 1
                digest = _inputs_hash({**raw_case, "decision": decision.to_dict()},
                                      result.rules_version)
                if previous.get((lead_id, channel)) == digest:
                    continue
                changed.append({
                    "lead_id": lead_id, "channel": channel, "decision": decision.decision,
                    "reason": decision.reason, "rule": decision.rule,
                    "legal_basis": decision.legal_basis, "rules_version": result.rules_version,
                    "as_of": as_of, "inputs_hash": digest,
                    "inputs": json.dumps(raw_case, ensure_ascii=False, default=str),
                })
            step.advance()
    stored = store_decisions(wh, changed)
    return DecideResult(len(records), stored, retire_orphans(wh), tally)


def decide_all(settings: Settings, as_of: date | None = None,
               progress: Progress = SILENT) -> DecideResult:
    day = as_of or date.today()
    with open_warehouse(settings, write=True, purpose="eligibility", publish=True) as wh:
        _, result = run_job(wh, "eligibility", {"as_of": day.isoformat()},
                            lambda wh, run_id: decide_pending(wh, settings, day, progress))
        with wh.transaction():
            refresh_lead_list(wh, settings, "decide")
    return result
