"""The one entry point of matching, used by the nightly flow and by `dedupe-file` alike.

`dedupe` (one table), `link` (two tables) and `match_incremental` (a new batch against stored
records) all run the same steps: blocking → comparison → Fellegi–Sunter weights (trained
here unless `trained_params` are given) → strong keys and guards → bands → clustering.
Records are plain dicts of normalised fields; the settings say which fields matter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching import fellegi_sunter as fs
from matching.blocking import BlockingReport, Mode, candidate_pairs, random_pairs
from matching.cluster import Constraints, cluster
from matching.compare import compare_pairs, prepare_columns
from matching.settings import Blocking, BlockingRule, KeyPart, MatchSettings, StrongKey

BANDS = ("non_match", "review", "match")
_EM_SAMPLE = 2_000_000


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
    records: Sequence[dict[str, Any]], key: StrongKey, group: np.ndarray, mode: Mode,
    cap: int,
) -> np.ndarray:
    usable = [r if not any(str(r.get(col) or "").casefold() in {v.casefold() for v in vals}
                           for col, vals in key.exclude.items()) else {}
              for r in records]
    rule = BlockingRule(name=key.name, keys=[KeyPart(column=key.column)], max_block_size=cap)
    i, j, _ = candidate_pairs(usable, Blocking(rules=[rule], max_block_size=cap), group=group,
                              mode=mode)
    return i * len(records) + j


def train(
    records: Sequence[dict[str, Any]], settings: MatchSettings, levels: np.ndarray, *,
    group: np.ndarray, mode: Mode, columns: dict[str, np.ndarray],
) -> dict[str, Any]:
    """u from random pairs, then m and λ by EM on (a sample of) the candidate-pair levels."""
    tr = settings.training
    n = len(records)
    possible = n * (n - 1) // 2
    ri, rj = random_pairs(n, min(tr.u_sample_pairs, max(possible, 1)), group=group, mode=mode,
                          seed=tr.seed)
    u = fs.estimate_u(compare_pairs(columns, settings.comparisons, ri, rj, settings.workers),
                      settings.comparisons)
    sample = levels
    if len(levels) > _EM_SAMPLE:
        rng = np.random.default_rng(tr.seed)
        sample = levels[rng.choice(len(levels), _EM_SAMPLE, replace=False)]
    params = fs.expectation_maximisation(
        sample, settings.comparisons, u, lambda_init=tr.lambda_init,
        max_iterations=tr.em_max_iterations, tolerance=tr.em_tolerance)
    possible = int(np.count_nonzero(group == 0)) * int(np.count_nonzero(group == 1)) \
        if mode != "dedupe" else possible
    expected_matches = params["lambda_candidates"] * len(levels)
    params["lambda"] = float(min(max(expected_matches / max(possible, 1), 1e-9), 0.5))
    params["entity"] = settings.entity
    return params


def _run(
    records: Sequence[dict[str, Any]], settings: MatchSettings, group: np.ndarray, mode: Mode,
    trained_params: dict[str, Any] | None, constraints: Constraints | None,
) -> MatchResult:
    ids = [str(r[settings.id_column]) for r in records]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{settings.id_column} values must be unique")
    n = len(records)
    i, j, report = candidate_pairs(records, settings.blocking, group=group, mode=mode)
    codes = i * n + j
    strong_codes = {}
    for key in settings.strong_keys:
        strong_codes[key.name] = _strong_pairs(records, key, group, mode,
                                               settings.blocking.max_block_size)
    if strong_codes:
        codes = np.unique(np.concatenate([codes, *strong_codes.values()]))
        i, j = codes // n, codes % n
        report.candidate_pairs = len(codes)
    columns = prepare_columns(records, settings.comparisons)
    levels = compare_pairs(columns, settings.comparisons, i, j, settings.workers)
    params = trained_params or train(records, settings, levels, group=group, mode=mode,
                                     columns=columns)
    tf_tables = term_frequency_tables(columns, settings)
    left_values = {name: values[i] for name, values in columns.items()}
    weight = fs.score_pairs(levels, settings.comparisons, params, left_values, tf_tables)
    prob = fs.probability(weight)
    band = np.where(prob >= settings.bands.match, 2, np.where(prob >= settings.bands.review, 1, 0))
    strong = np.full(len(codes), "", dtype=object)
    for name, key_codes in strong_codes.items():
        hit = np.isin(codes, key_codes) & (strong == "")
        strong[hit] = name
    band = np.where(strong != "", 2, band)
    guarded = np.zeros(len(codes), dtype=bool)
    names = [c.name for c in settings.comparisons]
    for guard in settings.guards:
        c = names.index(guard.comparison)
        labels = [lv.label for lv in settings.comparisons[c].levels]
        bad = [labels.index(label) for label in guard.levels]
        guarded |= np.isin(levels[:, c], bad)
    band = np.where(guarded, 0, band).astype(np.int8)
    match_rows = np.flatnonzero(band == 2)
    edges = zip(i[match_rows].tolist(), j[match_rows].tolist(), weight[match_rows].tolist(),
                strict=True)
    negatives: list[tuple[int, int]] = []
    if settings.clustering.negative_evidence:
        neg = np.flatnonzero(band == 0)
        negatives = list(zip(i[neg].tolist(), j[neg].tolist(), strict=True))
    clusters = cluster(ids, edges, negatives, constraints)
    return MatchResult(ids, i, j, levels, weight, prob, band, strong, guarded, clusters, params,
                       report)


def term_frequency_tables(
    columns: dict[str, np.ndarray], settings: MatchSettings,
) -> dict[str, dict[str, float]]:
    """Value shares per TF comparison; pass to `explain_pair` to reproduce engine scores."""
    return {c.name: fs.term_frequencies(columns[c.name])
            for c in settings.comparisons if c.term_frequency}


def dedupe(
    records: Sequence[dict[str, Any]], settings: MatchSettings, *,
    trained_params: dict[str, Any] | None = None, constraints: Constraints | None = None,
) -> MatchResult:
    """Find duplicates within one table."""
    return _run(records, settings, np.zeros(len(records), dtype=np.int8), "dedupe",
                trained_params, constraints)


def link(
    left: Sequence[dict[str, Any]], right: Sequence[dict[str, Any]], settings: MatchSettings, *,
    trained_params: dict[str, Any] | None = None, constraints: Constraints | None = None,
) -> MatchResult:
    """Find the same entities across two tables (pairs always join left with right)."""
    group = np.concatenate([np.zeros(len(left), np.int8), np.ones(len(right), np.int8)])
    return _run([*left, *right], settings, group, "link", trained_params, constraints)


def match_incremental(
    new: Sequence[dict[str, Any]], existing: Sequence[dict[str, Any]], settings: MatchSettings,
    *, trained_params: dict[str, Any], previous_clusters: dict[str, str],
    constraints: Constraints | None = None,
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
    return _run([*existing, *new], settings, group, "incremental", trained_params, merged)
