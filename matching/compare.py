"""Vectorised comparison: one level index per comparison per pair, plus the raw similarity.

Values are prepared once per column (the comparison's `processor`: `lower` case-folds and
trims, `none` keeps the text; rapidfuzz itself does not lower-case, so its `processor=` is
passed as None explicitly on already-prepared strings). Levels are tried in order, most
specific first; each later level only scores the pairs no earlier level took, so the costly
fuzzy scorers run on the remainder only, through `rapidfuzz.process.cpdist`.

Level index -1 is the null level (a value missing on either side): it contributes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler, Levenshtein

from matching.settings import Comparison, Level

NULL_LEVEL = -1
_DIGITS = re.compile(r"\d+")
_SCORERS: dict[str, Any] = {
    "jaro_winkler": JaroWinkler.normalized_similarity,
    "token_set": fuzz.token_set_ratio,
    "ratio": fuzz.ratio,
    "levenshtein": Levenshtein.distance,
}
_SCALE = {"token_set": 0.01, "ratio": 0.01}


def prepare_column(records: Sequence[dict[str, Any]], column: str, processor: str) -> np.ndarray:
    """The column as an object array of prepared strings, None where missing."""
    out = np.empty(len(records), dtype=object)
    for k, record in enumerate(records):
        value = record.get(column)
        if value is None:
            out[k] = None
            continue
        text = str(value).strip()
        if processor == "lower":
            text = text.casefold()
        out[k] = text or None
    return out


def _house_number(value: str) -> str:
    found = _DIGITS.search(value)
    return found.group(0).lstrip("0") if found else value


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _part(value: str, local: bool) -> str:
    local_part, _, domain = value.partition("@")
    return local_part if local else domain


def score(kind: str, a: list[str], b: list[str], workers: int = 1) -> np.ndarray:
    """Pairwise scores of one fuzzy scorer, scaled to 0..1 (an edit distance stays a count)."""
    if not a:
        return np.zeros(0)
    values = process.cpdist(a, b, scorer=_SCORERS[kind], processor=None, workers=workers)
    return np.asarray(values, dtype=np.float64) * _SCALE.get(kind, 1.0)


def _level_mask(
    level: Level, a: list[str], b: list[str], workers: int,
    swap: tuple[list[str | None], list[str | None]] | None,
) -> np.ndarray:
    kind, t = level.kind, level.threshold
    if kind == "else":
        return np.ones(len(a), dtype=bool)
    if kind == "swapped":
        sa, sb = swap or ([None] * len(a), [None] * len(b))
        return np.fromiter((x == y2 and y == x2 for x, y, x2, y2 in zip(a, b, sa, sb, strict=True)),
                           bool, len(a))
    if kind == "exact":
        return np.equal(np.array(a, dtype=object), np.array(b, dtype=object)).astype(bool)
    if kind == "levenshtein":
        return score(kind, a, b, workers) <= float(t or 0)
    if kind in _SCORERS:
        return score(kind, a, b, workers) >= float(t or 0)
    derive = _DERIVED[kind](t)
    cache = {v: derive(v) for v in {*a, *b}}
    left = np.array([cache[x] for x in a], dtype=object)
    right = np.array([cache[y] for y in b], dtype=object)
    return np.equal(left, right).astype(bool)


_DERIVED: dict[str, Any] = {
    "prefix": lambda t: lambda v: v[: int(t)],
    "phone_suffix": lambda t: lambda v: _digits(v)[-int(t):],
    "house_number": lambda t: _house_number,
    "email_local": lambda t: lambda v: _part(v, True),
    "email_domain": lambda t: lambda v: _part(v, False),
}
"""Levels that compare a derived key: computed once per distinct value, then compared."""


def compare_levels(
    comparison: Comparison, left: np.ndarray, right: np.ndarray, workers: int = 1,
    left_swap: np.ndarray | None = None, right_swap: np.ndarray | None = None,
) -> np.ndarray:
    """Level index per pair (int8): 0 = first level, ..., -1 = null.

    `left_swap`/`right_swap` are the `swap_column` values, needed by a `swapped` level.
    """
    n = len(left)
    levels = np.full(n, NULL_LEVEL, dtype=np.int8)
    none = np.array(None, dtype=object)
    todo = (np.not_equal(left, none) & np.not_equal(right, none)).astype(bool)
    for index, level in enumerate(comparison.levels):
        rows = np.flatnonzero(todo)
        if not len(rows):
            break
        swap = None
        if left_swap is not None and right_swap is not None:
            swap = (list(left_swap[rows]), list(right_swap[rows]))
        hit = _level_mask(level, list(left[rows]), list(right[rows]), workers, swap)
        levels[rows[hit]] = index
        todo[rows[hit]] = False
    return levels


@dataclass
class ComparedPairs:
    """Level matrix (pairs × comparisons) and the prepared columns it came from."""

    levels: np.ndarray
    columns: dict[str, np.ndarray]


def prepare_columns(
    records: Sequence[dict[str, Any]], comparisons: Sequence[Comparison],
) -> dict[str, np.ndarray]:
    columns = {c.name: prepare_column(records, c.column, c.processor) for c in comparisons}
    for c in comparisons:
        if c.swap_column:
            columns[f"{c.name}:swap"] = prepare_column(records, c.swap_column, c.processor)
    return columns


def compare_pairs(
    columns: dict[str, np.ndarray], comparisons: Sequence[Comparison], i: np.ndarray,
    j: np.ndarray, workers: int = 1,
) -> np.ndarray:
    """Level matrix for pairs (i, j): one column per comparison, in settings order."""
    matrix = np.empty((len(i), len(comparisons)), dtype=np.int8)
    for c, comparison in enumerate(comparisons):
        values = columns[comparison.name]
        swap = columns.get(f"{comparison.name}:swap")
        matrix[:, c] = compare_levels(
            comparison, values[i], values[j], workers,
            None if swap is None else swap[i], None if swap is None else swap[j])
    return matrix


def similarity(comparison: Comparison, a: str | None, b: str | None) -> float | None:
    """The raw similarity shown in explanations: the first fuzzy scorer of the comparison."""
    if a is None or b is None:
        return None
    for level in comparison.levels:
        if level.kind in ("jaro_winkler", "token_set", "ratio"):
            return float(score(level.kind, [a], [b])[0])
        if level.kind == "levenshtein":
            return float(JaroWinkler.normalized_similarity(a, b))
    return 1.0 if a == b else 0.0
