"""The decide stage: per lead and channel, may we contact them, why, on which legal basis.

Every lead is evaluated every run, because the passing of time alone changes decisions
(consents go stale, Art. 14 deadlines pass); a new history row is written only when the
decision or the inputs it rests on changed. The inputs (the case the engine saw) are stored
with each decision, so any decision can be reproduced with `leadpipe eligibility check`.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, deque
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from compliance import facts, robinson
from compliance.case import case_from_dict
from compliance.engine import ChannelDecision, evaluate
from compliance.facts import build_case
from compliance.thresholds import EligibilityConfig, load_eligibility_config
from foundation.parallel import relaxed_gc, worker_pool
from foundation.progress import SILENT, Progress
from foundation.settings import Settings
from stages.lead_lists import refresh_lead_list
from warehouse.db import Warehouse, open_warehouse
from warehouse.decisions import (
    all_lead_ids,
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


class _CaseText:
    """One lead's case serialised once for all its channels: the inputs stored with a changed
    decision, and the digest of case, decision and rules (the same text `json.dumps([case
    without as_of + decision, rules_version], sort_keys=True)` gives, built from parts, so
    stored digests stay comparable). Serialising the case anew per channel was a third of
    the stage's evaluation time."""

    def __init__(self, case: dict[str, Any]) -> None:
        self._case = case
        items = {k: f"{json.dumps(k)}: {json.dumps(v, sort_keys=True, default=str)}"
                 for k, v in case.items() if k not in ("as_of", "decision")}
        keys = sorted([*items, "decision"])
        at = keys.index("decision")
        self._head = "[{" + "".join(items[k] + ", " for k in keys[:at]) + '"decision": '
        self._rest = "".join(", " + items[k] for k in keys[at + 1:]) + "}, "
        self.content = tuple(items[k] for k in keys if k not in ("decision", "id"))
        """What the decisions rest on: all of the case but the lead's id (and the day)."""

    @cached_property
    def inputs(self) -> str:
        """Only a changed decision stores its case: most leads' decisions stand."""
        return json.dumps(self._case, ensure_ascii=False, default=str)

    def digest(self, decision_json: str, rules_json: str) -> str:
        """Of the decision and the rules version, each given as its JSON text."""
        text = self._head + decision_json + self._rest + rules_json + "]"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class _Verdict:
    """One case's decisions with their JSON texts, shared by the leads whose cases differ
    only in the lead's id: leads of one list mostly do, and the engine then runs once."""

    rules_version: str
    rules_json: str
    channels: list[tuple[str, ChannelDecision, str]]
    """(channel, decision, the decision's JSON text)."""


def _verdict(raw_case: dict[str, Any], config: EligibilityConfig) -> _Verdict:
    case, _warnings = case_from_dict(raw_case)
    result = evaluate(case, config.thresholds, config.parameter_aliases)
    return _Verdict(result.rules_version, json.dumps(result.rules_version),
                    [(channel, decision, json.dumps(decision.to_dict(), sort_keys=True))
                     for channel, decision in result.channels.items()])


@dataclass(frozen=True)
class DecideResult:
    leads: int
    decisions_changed: int
    retired: int
    """Decisions of leads that no longer exist (merged away), closed."""
    by_channel: dict[str, dict[str, int]]
    """channel → decision (allowed, review, blocked) → leads."""


RECORD_FIELDS = facts.RECORD_FIELDS | robinson.RECORD_FIELDS
"""What a lead's case and its Robinson checks read of each of its records."""

BATCH_LEADS = 20_000
"""Leads read, evaluated and stored together: memory stays flat however many leads there are
(a million leads' cases at once held 13 GB)."""


@dataclass(frozen=True)
class _Batch:
    """What one batch of leads is evaluated on; plain data, so a worker process can take it."""

    fields: tuple[str, ...]
    """The fields of each record row."""
    leads: list[tuple[str, list[tuple[Any, ...]], list[dict[str, Any]], list[dict[str, Any]],
                      list[dict[str, Any]]]]
    """(lead id, record rows, ledger events, Robinson checks, purchases) per lead."""
    previous: dict[tuple[str, str], str]
    as_of: date
    config: EligibilityConfig


@dataclass(frozen=True)
class _Evaluated:
    leads: int
    tally: Counter[tuple[str, str]]
    """(channel, decision) → leads."""
    changed: list[dict[str, Any]]


def _evaluate(batch: _Batch) -> _Evaluated:
    """Decide every lead of the batch; keep the decisions whose inputs changed. Pure."""
    tally: Counter[tuple[str, str]] = Counter()
    changed: list[dict[str, Any]] = []
    verdicts: dict[tuple[str, ...], _Verdict] = {}
    for lead_id, rows, events, checks, purchases in batch.leads:
        records = [dict(zip(batch.fields, row, strict=True)) for row in rows]
        raw_case = build_case(lead_id, records, events, checks, batch.as_of,
                              purchases=purchases)
        text = _CaseText(raw_case)
        verdict = verdicts.get(text.content)
        if verdict is None:
            verdict = verdicts[text.content] = _verdict(raw_case, batch.config)
        for channel, decision, decision_json in verdict.channels:
            tally[channel, decision.decision] += 1
            digest = text.digest(decision_json, verdict.rules_json)
            if batch.previous.get((lead_id, channel)) == digest:
                continue
            changed.append({
                "lead_id": lead_id, "channel": channel, "decision": decision.decision,
                "reason": decision.reason, "rule": decision.rule,
                "legal_basis": decision.legal_basis, "rules_version": verdict.rules_version,
                "as_of": batch.as_of, "inputs_hash": digest,
                "inputs": text.inputs,
            })
    return _Evaluated(len(batch.leads), tally, changed)


def _read_batch(wh: Warehouse, lead_ids: list[str], checked: set[str], as_of: date,
                config: EligibilityConfig) -> _Batch:
    """One batch's inputs; its records are checked against the Robinson lists first (once
    per run: a record that belongs to a contact and a company lead is checked once)."""
    records = lead_records(wh, lead_ids, RECORD_FIELDS)
    record_id = records.fields.index("record_id")
    unchecked = {row[record_id]: row for rows in records.rows.values() for row in rows
                 if row[record_id] not in checked}
    check_records(wh, (dict(zip(records.fields, row, strict=True))
                       for row in unchecked.values()))
    checked.update(unchecked)
    robinson = latest_robinson_checks(wh, lead_ids)
    events = lead_events(wh, lead_ids)
    purchases = lead_purchases(wh, lead_ids)
    return _Batch(
        records.fields,
        [(lead_id, rows, events.get(lead_id, []),
          [c for row in rows for c in robinson.get(row[record_id], [])],
          purchases.get(lead_id, [])) for lead_id, rows in records.rows.items()],
        current_hashes(wh, lead_ids), as_of, config)


def decide_pending(wh: Warehouse, settings: Settings, as_of: date,
                   progress: Progress = SILENT, workers: int = 2) -> DecideResult:
    """Evaluate every lead inside the caller's transaction; store what changed.

    The leads go in batches; each batch's evaluation (pure) runs in `workers` processes while
    this process reads the next batch and stores the last one: the warehouse has one writer.
    """
    config = load_eligibility_config(settings.config_dir)
    lead_ids = all_lead_ids(wh)
    checked: set[str] = set()
    tally: dict[str, dict[str, int]] = {}
    stored = 0
    pending: deque[Future[_Evaluated]] = deque()

    def store(evaluated: _Evaluated) -> int:
        for (channel, decision), leads in evaluated.tally.items():
            tally.setdefault(channel, {}).setdefault(decision, 0)
            tally[channel][decision] += leads
        step.advance(evaluated.leads)
        return store_decisions(wh, evaluated.changed)

    with progress.track("decide", total=len(lead_ids), unit="leads") as step, \
            worker_pool(min(workers, -(-len(lead_ids) // BATCH_LEADS))) as pool, relaxed_gc():
        for start in range(0, len(lead_ids), BATCH_LEADS):
            batch = _read_batch(wh, lead_ids[start:start + BATCH_LEADS], checked, as_of, config)
            pending.append(pool.submit(_evaluate, batch))
            if len(pending) > workers:
                stored += store(pending.popleft().result())
        while pending:
            stored += store(pending.popleft().result())
    return DecideResult(len(lead_ids), stored, retire_orphans(wh), tally)


def decide_all(settings: Settings, as_of: date | None = None,
               progress: Progress = SILENT) -> DecideResult:
    day = as_of or date.today()
    with open_warehouse(settings, write=True, purpose="eligibility", publish=True) as wh:
        _, result = run_job(wh, "eligibility", {"as_of": day.isoformat()},
                            lambda wh, run_id: decide_pending(wh, settings, day, progress))
        with wh.transaction():
            refresh_lead_list(wh, settings, "decide")
    return result
