"""Fellegi–Sunter scoring with m/u estimated from the data.

- u (how often a level occurs among non-matches) comes from uniformly random pairs: almost
  all of them are non-matches.
- m (how often a level occurs among matches) comes from EM on the candidate pairs; EM also
  yields the share of matches among candidates, which times the number of candidates over
  the number of all possible pairs gives the prior λ that two random records match.
- The log2 Bayes factor of a level is log2(m/u); a pair's match weight is the prior log2
  odds log2(λ/(1-λ)) plus the sum over comparisons; null levels add nothing.
- Term-frequency adjustment: at an exact level of a comparison marked `term_frequency`,
  u is replaced by the share of records carrying that very value, so two "müller" agree
  for less evidence than two "wojciechowski" (the adjustment is log2(u / tf(value))).

Trained parameters are a plain dict (JSON-serialisable) so a nightly run reuses them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from matching.compare import NULL_LEVEL
from matching.settings import Comparison

_FLOOR = 1e-6


def default_m(levels: int) -> list[float]:
    """A neutral EM start: most mass on the most specific level, little on `else`."""
    if levels == 1:
        return [1.0]
    head = [0.6 * 0.5**k for k in range(levels - 1)]
    total = sum(head)
    return [0.95 * h / total for h in head] + [0.05]


def level_counts(column: np.ndarray, k: int, weights: np.ndarray | None = None) -> np.ndarray:
    """(Weighted) count of pairs per level 0..k-1 of one comparison; null pairs are left out."""
    shifted = column.astype(np.int64) + 1
    return np.bincount(shifted, weights=weights, minlength=k + 1)[1:].astype(np.float64)


def estimate_u(levels: np.ndarray, comparisons: Sequence[Comparison]) -> dict[str, list[float]]:
    """Level frequencies among random pairs, smoothed so no level has u = 0."""
    out = {}
    for c, comparison in enumerate(comparisons):
        counts = level_counts(levels[:, c], len(comparison.levels)) + 0.5
        out[comparison.name] = (counts / counts.sum()).tolist()
    return out


def patterns(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a level matrix and how often each occurs.

    Pairs with the same levels on every comparison are indistinguishable to Fellegi–Sunter,
    so EM over a few thousand weighted patterns is exact and replaces millions of rows.
    """
    if not len(levels):
        return levels, np.zeros(0)
    base = int(levels.max()) + 2
    if base ** levels.shape[1] >= 2**62:
        rows, counts = np.unique(levels, axis=0, return_counts=True)
        return rows, counts.astype(np.float64)
    keys = np.zeros(len(levels), dtype=np.int64)
    for c in range(levels.shape[1]):
        keys = keys * base + (levels[:, c] + 1)
    inverse, distinct = pd.factorize(keys)
    counts = np.bincount(inverse, minlength=len(distinct)).astype(np.float64)
    rows = np.empty((len(distinct), levels.shape[1]), dtype=levels.dtype)
    for c in reversed(range(levels.shape[1])):
        rows[:, c] = distinct % base - 1
        distinct = distinct // base
    return rows, counts


def _log_ratio(levels: np.ndarray, m: list[np.ndarray], u: list[np.ndarray]) -> np.ndarray:
    total = np.zeros(len(levels))
    for c in range(levels.shape[1]):
        table = np.log2(np.maximum(m[c], _FLOOR)) - np.log2(np.maximum(u[c], _FLOOR))
        col = levels[:, c].astype(np.int64)
        total += np.where(col == NULL_LEVEL, 0.0, table[np.maximum(col, 0)])
    return total


def expectation_maximisation(
    levels: np.ndarray, comparisons: Sequence[Comparison], u: dict[str, list[float]], *,
    lambda_init: float = 0.1, max_iterations: int = 40, tolerance: float = 1e-5,
) -> dict[str, Any]:
    """m per comparison and λ among candidates, by EM on candidate-pair levels.

    Candidate non-matches are not random pairs (each agrees on some blocking key), so EM
    fits its own non-match distribution for them; the random-pair `u` is what the scores use
    later. The returned `lambda_candidates` is the share of matches among the candidates.
    """
    rows, weight = patterns(levels)
    total = weight.sum()
    m = [np.array(c.m_init or default_m(len(c.levels)), dtype=np.float64) for c in comparisons]
    uc = []
    for c, comparison in enumerate(comparisons):
        counts = level_counts(rows[:, c], len(comparison.levels), weight) + 0.5
        uc.append(counts / counts.sum())
    lam = lambda_init
    iterations = 0
    converged = False
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - reported below
        odds = np.log2(lam / (1 - lam)) + _log_ratio(rows, m, uc)
        p = 1.0 / (1.0 + np.exp2(-np.clip(odds, -60, 60)))
        new_m, new_u = [], []
        for c, comparison in enumerate(comparisons):
            k = len(comparison.levels)
            pm = level_counts(rows[:, c], k, p * weight)
            pu = level_counts(rows[:, c], k, (1.0 - p) * weight)
            new_m.append(np.maximum(pm / pm.sum(), _FLOOR) if pm.sum() > 0 else m[c])
            new_u.append(np.maximum(pu / pu.sum(), _FLOOR) if pu.sum() > 0 else uc[c])
        new_lam = float(np.clip((p * weight).sum() / total, _FLOOR, 1 - _FLOOR)) if total \
            else lam
        change = max([abs(new_lam - lam)] + [float(np.abs(a - b).max()) for a, b in zip(
            new_m, m, strict=True)])
        m, uc, lam = new_m, new_u, new_lam
        if change < tolerance:
            converged = True
            break
    return {
        "lambda_candidates": lam,
        "comparisons": {c.name: {"labels": [lv.label for lv in c.levels], "m": m[k].tolist(),
                                 "u": u[c.name]} for k, c in enumerate(comparisons)},
        "em_iterations": iterations,
        "converged": converged,
    }


TF_MIN_VALUES = 1000
"""Below this many values, shares say more about the sample than about the name: in a
list of 20 records every value looks common. Term-frequency adjustment is then left out."""


def term_frequencies(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Share of non-null records carrying each distinct value (by code); empty when too few
    records carry a value to tell."""
    present = codes[codes >= 0]
    if len(present) < TF_MIN_VALUES:
        return np.zeros(0)
    return np.bincount(present, minlength=len(values)) / len(present)


def level_weights(params: dict[str, Any], comparison: Comparison) -> np.ndarray:
    """log2(m/u) per level of one comparison."""
    entry = params["comparisons"][comparison.name]
    m = np.maximum(np.array(entry["m"]), _FLOOR)
    u = np.maximum(np.array(entry["u"]), _FLOOR)
    return np.log2(m) - np.log2(u)


def tf_adjustment(
    comparison: Comparison, params: dict[str, Any], share: np.ndarray | float,
) -> np.ndarray:
    """The term-frequency correction for an exact agreement on values with these shares."""
    u_exact = max(params["comparisons"][comparison.name]["u"][0], _FLOOR)
    return math.log2(u_exact) - np.log2(np.maximum(share, comparison.tf_minimum))


def prior_weight(params: dict[str, Any]) -> float:
    lam = params["lambda"]
    return math.log2(lam / (1 - lam))


def score_pairs(
    levels: np.ndarray, comparisons: Sequence[Comparison], params: dict[str, Any],
    shares: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Match weight (log2 odds) per pair; TF-adjusted where `shares` gives, per comparison,
    the term frequency of each pair's (left) value."""
    total = np.full(len(levels), prior_weight(params))
    for c, comparison in enumerate(comparisons):
        table = level_weights(params, comparison)
        col = levels[:, c].astype(np.int64)
        total += np.where(col == NULL_LEVEL, 0.0, table[np.maximum(col, 0)])
        share = (shares or {}).get(comparison.name)
        if share is not None and comparison.levels[0].kind == "exact":
            rows = np.flatnonzero(col == 0)
            total[rows] += tf_adjustment(comparison, params, share[rows])
    return total


def probability(weight: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp2(-np.clip(np.asarray(weight, dtype=np.float64), -60, 60)))
