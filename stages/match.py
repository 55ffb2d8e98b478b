"""The match stage: enriched records → companies, contacts and consumers with stable ids.

Each level runs the same engine (`matching.engine`). The first run, or a run after the
settings changed, trains the Fellegi–Sunter parameters on all records; later runs match only
the new records against the existing ones with the stored parameters, and earlier leads keep
their ids. Levels with too few records to train on use the parameters shipped with leadpipe.
Human merge and split decisions are passed to clustering as constraints.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from foundation.parallel import relaxed_gc
from foundation.progress import SILENT, Progress
from foundation.settings import Settings
from foundation.vocabulary import ENTITY_LEVELS
from matching.cluster import assign_entity_ids
from matching.compare import ComparePairs, compare_pairs
from matching.engine import dedupe, match_incremental
from matching.golden import golden_records
from matching.priors import MIN_TRAINING_RECORDS, shipped_params
from matching.settings import load_match_settings
from stages.leftovers import partitions_run_folder
from stages.match_partitions import PartitionedCompare, RunComparePartitions
from warehouse import leads as store
from warehouse.contact_companies import link_contacts_to_companies
from warehouse.db import Warehouse, open_warehouse
from warehouse.runs import run_job


def _new_lead_id(entity_type: str) -> Any:
    def make(cluster_id: str) -> str:
        return f"{entity_type}-{hashlib.sha256(cluster_id.encode()).hexdigest()[:12]}"
    return make


@dataclass(frozen=True)
class LevelResult:
    """One entity level: how many records became how many leads, and how."""

    records: int
    leads: int
    mode: str  # none | unchanged | incremental | shipped_parameters | trained
    new_records: int = 0
    new_leads: int = 0
    merged_away: int = 0
    review_pairs: int = 0


@dataclass(frozen=True)
class MatchResult:
    company: LevelResult
    contact: LevelResult
    consumer: LevelResult
    contacts_linked: int

    def levels(self) -> dict[str, LevelResult]:
        return {"company": self.company, "contact": self.contact, "consumer": self.consumer}


def match_level(wh: Warehouse, settings: Settings, entity_type: str,
                compare: ComparePairs = compare_pairs) -> LevelResult:
    """Match one entity level and store its leads; return counts. `compare` computes the
    level matrices (in this process, or in partitions on a cluster)."""
    loaded = load_match_settings(entity_type, settings.config_dir)
    config = loaded.value
    records = store.match_inputs(wh, entity_type, config.record_columns())
    previous = store.assignments(wh, entity_type)
    if not records:
        return LevelResult(0, 0, "none")
    params = store.stored_params(wh, entity_type, loaded.version)
    fresh = [r for r in records if r["record_id"] not in previous]
    constraints = store.constraints(wh, entity_type)
    if params is not None and previous and len(fresh) < len(records):
        if not fresh and not constraints.must_link and not constraints.cannot_link:
            return LevelResult(len(records), len(set(previous.values())), "unchanged")
        existing = [r for r in records if r["record_id"] in previous]
        result = match_incremental(fresh, existing, config, trained_params=params,
                                   previous_clusters=previous, constraints=constraints,
                                   compare=compare)
        mode = "incremental"
    elif len(records) < MIN_TRAINING_RECORDS and shipped_params(entity_type, config):
        result = dedupe(records, config, constraints=constraints,
                        trained_params=shipped_params(entity_type, config), compare=compare)
        mode = "shipped_parameters"
    else:
        result = dedupe(records, config, constraints=constraints, compare=compare)
        store.save_params(wh, entity_type, loaded.version, result.params)
        mode = "trained"
    ids = assign_entity_ids(result.clusters, previous, _new_lead_id(entity_type))
    members = {rid: ids[cid] for rid, cid in result.clusters.items()}
    golden = {ids[cid]: fields for cid, fields in
              golden_records(records, result.clusters, config).items()}
    counts = store.store_level(wh, entity_type, members, golden, result.pairs())
    return LevelResult(len(records), counts["leads"], mode, new_records=len(fresh),
                       new_leads=counts["new_leads"], merged_away=counts["merged_away"],
                       review_pairs=counts["review_pairs"])


def match_pending(wh: Warehouse, settings: Settings, progress: Progress = SILENT,
                  compare: ComparePairs = compare_pairs) -> MatchResult:
    """All levels, inside the caller's transaction."""
    levels: dict[str, LevelResult] = {}
    with progress.track("match", total=len(ENTITY_LEVELS), unit="levels") as step, \
            relaxed_gc():
        for level in ENTITY_LEVELS:
            levels[level] = match_level(wh, settings, level, compare)
            step.advance()
    return MatchResult(**levels, contacts_linked=link_contacts_to_companies(wh))


def rebuild_golden(wh: Warehouse, settings: Settings, leads: dict[str, list[str]]) -> int:
    """Choose the golden records of these leads (entity type → lead ids) anew from the
    members they have now, e.g. after an undone batch took some away; return how many leads.

    Membership stays as it is: the next match run keeps these leads (it matches only new
    records), so without this their golden fields would still show the removed records.
    """
    rebuilt = 0
    for entity_type, lead_ids in leads.items():
        if not lead_ids:
            continue
        config = load_match_settings(entity_type, settings.config_dir).value
        records, members = store.member_inputs(wh, entity_type, lead_ids,
                                               config.record_columns())
        golden = golden_records(records, members, config)
        store.replace_golden(wh, lead_ids, golden)
        rebuilt += len(lead_ids)
    return rebuilt


def match_all(settings: Settings, progress: Progress = SILENT) -> MatchResult:
    with open_warehouse(settings, write=True, purpose="match", publish=True) as wh:
        _, result = run_job(wh, "match", {},
                            lambda wh, run_id: match_pending(wh, settings, progress))
    return result


def match_partitioned(settings: Settings, run_partitions: RunComparePartitions, folder: Path,
                      per_partition: int, progress: Progress = SILENT) -> MatchResult:
    """The match stage with its pair comparisons in partitions of `per_partition` pairs that
    `run_partitions` runs anywhere (stages/match_partitions.py); everything else, and every
    write, stays in this process as in `match_all`."""
    with open_warehouse(settings, write=True, purpose="match", publish=True) as wh:
        _, result = run_job(wh, "match", {}, lambda wh, run_id: _match_in_partitions(
            wh, settings, PartitionedCompare(
                run_partitions, partitions_run_folder(folder, "match", run_id), per_partition),
            progress))
    return result


def _match_in_partitions(wh: Warehouse, settings: Settings, compare: PartitionedCompare,
                         progress: Progress) -> MatchResult:
    try:
        return match_pending(wh, settings, progress, compare)
    finally:
        shutil.rmtree(compare.folder, ignore_errors=True)
