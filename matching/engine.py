"""The one entry point of matching, used by the nightly flow and by `dedupe-file` alike.

`dedupe` (one table), `link` (two tables) and `match_incremental` (a new batch against stored
records) all run the same steps: blocking → comparison → Fellegi–Sunter weights (trained
here unless `trained_params` are given) → strong keys and guards → bands → clustering.
Records are plain dicts of normalised fields; the settings say which fields matter.
The level matrices (candidate pairs, training's random pairs) come from `compare`, by default
`compare_pairs` in this process; the nightly can pass one that spreads them over a cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

import numpy as np

from matching import fellegi_sunter as fs
from matching.blocking import BlockingReport, Mode, candidate_pairs, random_pairs
from matching.cluster import Constraints, cluster
from matching.columns import Columns, Records, encode, sorted_distinct
from matching.compare import (
    NULL_LEVEL,
    ComparePairs,
    EncodedColumn,
    compare_pairs,
    encode_columns,
)
from matching.settings import Blocking, BlockingRule, KeyPart, MatchSettings, StrongKey

BANDS = ("non_match", "review", "match")


@dataclass
class MatchResult:
    """Scored candidate pairs (index arrays into `record_ids`), clusters and the parameters."""

    record_ids: list[str]
    left: np.ndarray
    right: np.ndarray
    levels: np.ndarray
    weight: np.ndarray
    probability: np.ndarray
    band: np.ndarray
    strong_key: np.ndarray
    guarded: np.ndarray
    clusters: dict[str, str]
    params: dict[str, Any]
    blocking: BlockingReport
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall seconds per step: block (rules and strong keys), compare (comparison, training,
    scoring), cluster."""

    def pairs(self, bands: Sequence[str] = ("match", "review")) -> list[dict[str, Any]]:
        """The pairs in the given bands as plain dicts (for review queues and storage)."""
        codes = {BANDS.index(b) for b in bands}
        out = []
        for k in np.flatnonzero(np.isin(self.band, list(codes))):
            out.append({
                "left_id": self.record_ids[self.left[k]],
                "right_id": self.record_ids[self.right[k]],
                "match_weight": float(self.weight[k]),
                "match_probability": float(self.probability[k]),
                "band": BANDS[self.band[k]],
                "strong_key": self.strong_key[k] or None,
                "guarded": bool(self.guarded[k]),
            })
        return out


def _strong_pairs(
    columns: Columns, key: StrongKey, group: np.ndarray, mode: Mode, cap: int,
) -> np.ndarray:
    """Pair codes (i * n + j) of records sharing the key's value, excluded records left out."""
    values = columns[key.column].copy()
    for column, excluded in key.exclude.items():
        folded = {v.casefold() for v in excluded}
        (codes,), distinct = encode(columns, [column], _folded)
        hit = np.append(np.array([v in folded for v in distinct], dtype=bool), "" in folded)
        values[hit[codes]] = None
    names = [key.column, *key.qualifiers]
    rule = BlockingRule(name=key.name, keys=[KeyPart(column=c) for c in names],
                        max_block_size=cap)
    keys = Columns.of_arrays({key.column: values, **{c: columns[c] for c in key.qualifiers}})
    i, j, _ = candidate_pairs(keys, Blocking(rules=[rule], max_block_size=cap), group=group,
                              mode=mode)
    return i * columns.size + j


def _folded(value: Any) -> str:
    return str(value or "").casefold()


def train(
    encoded: dict[str, EncodedColumn], settings: MatchSettings, levels: np.ndarray, *,
    group: np.ndarray, mode: Mode, compare: ComparePairs = compare_pairs,
) -> dict[str, Any]:
    """u from random pairs, then m and λ by EM on the candidate-pair levels."""
    tr = settings.training
    n = len(group)
    possible = n * (n - 1) // 2
    ri, rj = random_pairs(n, min(tr.u_sample_pairs, max(possible, 1)), group=group, mode=mode,
                          seed=tr.seed)
    u = fs.estimate_u(compare(encoded, settings.comparisons, ri, rj, settings.workers),
                      settings.comparisons)
    params = fs.expectation_maximisation(
        levels, settings.comparisons, u, lambda_init=tr.lambda_init,
        max_iterations=tr.em_max_iterations, tolerance=tr.em_tolerance)
    possible = int(np.count_nonzero(group == 0)) * int(np.count_nonzero(group == 1)) \
        if mode != "dedupe" else possible
    expected_matches = params["lambda_candidates"] * len(levels)
    params["lambda"] = float(min(max(expected_matches / max(possible, 1), 1e-9), 0.5))
    params["entity"] = settings.entity
    return params


def _run(
    columns: Columns, settings: MatchSettings, group: np.ndarray, mode: Mode,
    trained_params: dict[str, Any] | None, constraints: Constraints | None,
    compare: ComparePairs,
) -> MatchResult:
    ids = [str(v) for v in columns[settings.id_column]]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{settings.id_column} values must be unique")
    n = len(ids)
    started = perf_counter()
    i, j, report = candidate_pairs(columns, settings.blocking, group=group, mode=mode)
    codes = i * n + j
    strong_codes = {}
    for key in settings.strong_keys:
        strong_codes[key.name] = _strong_pairs(columns, key, group, mode,
                                               settings.blocking.max_block_size)
    if strong_codes:
        codes = sorted_distinct(np.concatenate([codes, *strong_codes.values()]))
        i, j = codes // n, codes % n
        report.candidate_pairs = len(codes)
    blocked = perf_counter()
    encoded = encode_columns(columns, settings.comparisons)
    levels = compare(encoded, settings.comparisons, i, j, settings.workers)
    params = trained_params or train(encoded, settings, levels, group=group, mode=mode,
                                     compare=compare)
    shares = {name: share[encoded[name].codes[i]]
              for name, share in term_frequency_shares(encoded, settings).items()}
    weight = fs.score_pairs(levels, settings.comparisons, params, shares)
    prob = fs.probability(weight)
    band = np.where(prob >= settings.bands.match, 2, np.where(prob >= settings.bands.review, 1, 0))
    strong = np.full(len(codes), "", dtype=object)
    key_hits: dict[str, np.ndarray] = {}
    decides = np.zeros(len(codes), dtype=bool)
    for key in settings.strong_keys:
        hit = np.zeros(len(codes), dtype=bool)
        hit[np.searchsorted(codes, strong_codes[key.name])] = True  # codes hold key_codes
        key_hits[key.name] = hit
        strong[hit & (strong == "")] = key.name
        rows = np.flatnonzero(hit)
        if key.min_other_evidence is not None and len(rows):
            other = other_evidence(levels[rows], settings, key, params,
                                   {name: share[rows] for name, share in shares.items()})
            rows = rows[other >= key.min_other_evidence]
        decides[rows] = True
    # a strong key decides when nothing contradicts it; contradicted, the pair is reviewed
    band = np.where(decides, 2, np.where(strong != "", np.maximum(band, 1), band))
    guarded = _guarded(levels, settings, key_hits)
    band = np.where(guarded, 0, band).astype(np.int8)
    edge = band == 2
    negative = np.flatnonzero(band == 0) if settings.clustering.negative_evidence \
        else np.zeros(0, dtype=np.int64)
    compared = perf_counter()
    clusters = cluster(ids, np.column_stack([i[edge], j[edge], weight[edge]]),
                       np.column_stack([i[negative], j[negative]]), constraints)
    seconds = {"block": blocked - started, "compare": compared - blocked,
               "cluster": perf_counter() - compared}
    return MatchResult(ids, i, j, levels, weight, prob, band, strong, guarded, clusters, params,
                       report, seconds)


def other_evidence(
    levels: np.ndarray, settings: MatchSettings, key: StrongKey, params: dict[str, Any],
    shares: dict[str, np.ndarray],
) -> np.ndarray:
    """log2 Bayes factor of the comparisons off the key's own columns, prior left out: what
    the rest of each record says about a pair the key would decide."""
    masked = levels.copy()
    masked[:, settings.key_comparisons(key)] = NULL_LEVEL
    return fs.score_pairs(masked, settings.comparisons, params, shares) - fs.prior_weight(params)


def _guarded(levels: np.ndarray, settings: MatchSettings, key_hits: dict[str, np.ndarray]
             ) -> np.ndarray:
    """Pairs a guard vetoes: its comparison on a vetoing level and none of its exceptions."""
    guarded = np.zeros(len(levels), dtype=bool)
    names = [c.name for c in settings.comparisons]
    for guard in settings.guards:
        fires = np.isin(levels[:, names.index(guard.comparison)],
                        _level_codes(settings, guard.comparison, guard.levels))
        for comparison, labels in guard.unless.items():
            fires &= ~np.isin(levels[:, names.index(comparison)],
                              _level_codes(settings, comparison, labels))
        for name in guard.unless_strong_keys:
            fires &= ~key_hits[name]
        guarded |= fires
    return guarded


def _level_codes(settings: MatchSettings, comparison: str, labels: list[str]) -> list[int]:
    levels = next(c.levels for c in settings.comparisons if c.name == comparison)
    return [[lv.label for lv in levels].index(label) for label in labels]


def term_frequency_shares(
    encoded: dict[str, EncodedColumn], settings: MatchSettings,
) -> dict[str, np.ndarray]:
    """Per TF comparison, the share of records carrying each value (indexed by value code)."""
    out = {}
    for c in settings.comparisons:
        if c.term_frequency:
            share = fs.term_frequencies(encoded[c.name].codes, encoded[c.name].values)
            if len(share):
                out[c.name] = share
    return out


def term_frequency_tables(records: Records, settings: MatchSettings) -> dict[str, dict[str, float]]:
    """Value shares per TF comparison by value; pass to `explain_pair` to reproduce scores."""
    encoded = encode_columns(Columns(records), settings.comparisons)
    return {name: dict(zip(encoded[name].values.tolist(), share.tolist(), strict=True))
            for name, share in term_frequency_shares(encoded, settings).items()}


def dedupe(
    records: Records, settings: MatchSettings, *,
    trained_params: dict[str, Any] | None = None, constraints: Constraints | None = None,
    compare: ComparePairs = compare_pairs,
) -> MatchResult:
    """Find duplicates within one table (dicts or a DataFrame)."""
    return _run(Columns(records), settings, np.zeros(len(records), dtype=np.int8), "dedupe",
                trained_params, constraints, compare)


def link(
    left: Records, right: Records, settings: MatchSettings, *,
    trained_params: dict[str, Any] | None = None, constraints: Constraints | None = None,
    compare: ComparePairs = compare_pairs,
) -> MatchResult:
    """Find the same entities across two tables (pairs always join left with right)."""
    group = np.concatenate([np.zeros(len(left), np.int8), np.ones(len(right), np.int8)])
    return _run(Columns(left, right), settings, group, "link", trained_params, constraints,
                compare)


def match_incremental(
    new: Records, existing: Sequence[dict[str, Any]], settings: MatchSettings,
    *, trained_params: dict[str, Any], previous_clusters: dict[str, str],
    constraints: Constraints | None = None, compare: ComparePairs = compare_pairs,
) -> MatchResult:
    """A nightly batch: new vs existing and new vs new only, with the stored parameters.

    Existing records keep their clusters (passed as must-links from `previous_clusters`,
    record id -> entity id); map the resulting clusters back with `assign_entity_ids`.
    """
    group = np.concatenate([np.zeros(len(existing), np.int8), np.ones(len(new), np.int8)])
    by_entity: dict[str, list[str]] = {}
    for record in existing:
        rid = str(record[settings.id_column])
        if rid in previous_clusters:
            by_entity.setdefault(previous_clusters[rid], []).append(rid)
    cons = constraints or Constraints()
    must = list(cons.must_link)
    for members in by_entity.values():
        must.extend((members[0], other) for other in members[1:])
    merged = Constraints(must_link=must, cannot_link=list(cons.cannot_link))
    return _run(Columns(existing, new), settings, group, "incremental", trained_params, merged,
                compare)
