"""Vectorised comparison: one level index per comparison per pair, plus the raw similarity.

Values are prepared once per distinct value (the comparison's `processor`: `lower`
case-folds and trims, `fold` also spells out umlauts, `none` keeps the text; rapidfuzz
itself does not lower-case, so its `processor=` is passed as None explicitly on
already-prepared strings) and held as integer codes, so exact and derived levels are
integer comparisons. Levels are tried in order, most specific first; each later level only
scores the pairs no earlier level took, and a fuzzy scorer runs once per distinct pair of
values, through `rapidfuzz.process.cpdist`.

Level index -1 is the null level (a value missing on either side): it contributes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler, Levenshtein

from matching.columns import Columns, encode
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


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def prepare_value(value: Any, processor: str) -> str | None:
    """The comparison value: trimmed, case-folded with the `lower` processor, and umlauts
    spelled out with `fold` ("Jähn" and "Jaehn" are one name in German lists); "" is
    missing."""
    if value is None:
        return None
    text = str(value).strip()
    if processor in ("lower", "fold"):
        text = text.casefold()
    if processor == "fold":
        text = text.translate(_UMLAUTS)
    return text or None


@dataclass(frozen=True)
class EncodedColumn:
    """A comparison's prepared values as codes into `values` (-1 = missing).

    `swap_codes` are the `swap_column` values coded in the same vocabulary, so that "first
    name equals the other's last name" is an integer comparison.
    """

    codes: np.ndarray
    values: np.ndarray
    swap_codes: np.ndarray | None = None

    def value(self, k: int) -> str | None:
        code = int(self.codes[k])
        return None if code < 0 else str(self.values[code])


_PREPARE = {processor: partial(prepare_value, processor=processor)
            for processor in ("lower", "fold", "none")}


def encode_column(columns: Columns, comparison: Comparison) -> EncodedColumn:
    names = [comparison.column, *([comparison.swap_column] if comparison.swap_column else [])]
    codes, distinct = encode(columns, names, _PREPARE[comparison.processor])
    return EncodedColumn(codes[0], distinct, codes[1] if len(codes) > 1 else None)


def _house_number(value: str) -> str:
    found = _DIGITS.search(value)
    return found.group(0).lstrip("0") if found else value


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _part(value: str, local: bool) -> str:
    local_part, _, domain = value.partition("@")
    return local_part if local else domain


def score(kind: str, a: list[str], b: list[str]) -> np.ndarray:
    """Pairwise scores of one fuzzy scorer, scaled to 0..1 (an edit distance stays a count)."""
    if not a:
        return np.zeros(0)
    values = process.cpdist(a, b, scorer=_SCORERS[kind], processor=None)
    return np.asarray(values, dtype=np.float64) * _SCALE.get(kind, 1.0)


def _fuzzy_hit(
    level: Level, column: EncodedColumn, a: np.ndarray, b: np.ndarray,
) -> np.ndarray:
    """Score each distinct value pair once (all scorers here are symmetric), then spread."""
    width = len(column.values)
    inverse, keys = pd.factorize(np.minimum(a, b) * width + np.maximum(a, b))
    scores = score(level.kind, column.values[keys // width].tolist(),
                   column.values[keys % width].tolist())
    t = float(level.threshold or 0)
    hit = scores <= t if level.kind == "levenshtein" else scores >= t
    return hit[inverse]


def _level_hit(
    level: Level, column: EncodedColumn, a: np.ndarray, b: np.ndarray,
    swap: tuple[np.ndarray, np.ndarray] | None,
) -> np.ndarray:
    """Which pairs (value codes a[k], b[k]) this level takes."""
    kind = level.kind
    if kind == "else":
        return np.ones(len(a), dtype=bool)
    if kind == "exact":
        return np.asarray(a == b)
    if kind == "swapped":
        if swap is None:
            return np.zeros(len(a), dtype=bool)
        sa, sb = swap
        hit = np.asarray((a == sb) & (b == sa))
        if level.threshold is None:
            return hit
        similar = Level(kind="jaro_winkler", label=level.label, threshold=level.threshold)
        rows = np.flatnonzero(~hit & (sa >= 0) & (sb >= 0))
        rows = rows[_fuzzy_hit(similar, column, a[rows], sb[rows])]
        rows = rows[_fuzzy_hit(similar, column, b[rows], sa[rows])]
        hit[rows] = True
        return hit
    if kind in _SCORERS:
        return _fuzzy_hit(level, column, a, b)
    derive = _DERIVED[kind](level.threshold)
    inverse, used = pd.factorize(np.concatenate([a, b]))
    derived, _ = pd.factorize(np.array([derive(v) for v in column.values[used]], dtype=object))
    keys = derived[inverse]
    return np.asarray(keys[: len(a)] == keys[len(a):])


_DERIVED: dict[str, Any] = {
    "prefix": lambda t: lambda v: v[: int(t)],
    "phone_suffix": lambda t: lambda v: _digits(v)[-int(t):],
    "house_number": lambda t: _house_number,
    "email_local": lambda t: lambda v: _part(v, True),
    "email_domain": lambda t: lambda v: _part(v, False),
}
"""Levels that compare a derived key: computed once per distinct value, then compared."""


def compare_levels(
    comparison: Comparison, column: EncodedColumn, i: np.ndarray, j: np.ndarray,
) -> np.ndarray:
    """Level index per pair (i[k], j[k]) (int8): 0 = first level, ..., -1 = null."""
    levels = np.full(len(i), NULL_LEVEL, dtype=np.int8)
    a, b = column.codes[i], column.codes[j]
    rows = np.flatnonzero((a >= 0) & (b >= 0))
    a, b = a[rows], b[rows]
    swap = None if column.swap_codes is None else \
        (column.swap_codes[i[rows]], column.swap_codes[j[rows]])
    for index, level in enumerate(comparison.levels):
        if not len(rows):
            break
        hit = _level_hit(level, column, a, b, swap)
        levels[rows[hit]] = index
        rest = ~hit
        rows, a, b = rows[rest], a[rest], b[rest]
        swap = None if swap is None else (swap[0][rest], swap[1][rest])
    return levels


def encode_columns(
    columns: Columns, comparisons: Sequence[Comparison],
) -> dict[str, EncodedColumn]:
    """Every comparison's column encoded once for the whole run."""
    return {c.name: encode_column(columns, c) for c in comparisons}


def compare_pairs(
    encoded: Mapping[str, EncodedColumn], comparisons: Sequence[Comparison], i: np.ndarray,
    j: np.ndarray, workers: int = 1,
) -> np.ndarray:
    """Level matrix for pairs (i, j): one column per comparison, in settings order.

    With `workers` > 1 the comparisons run in threads: NumPy, pandas and rapidfuzz release
    the GIL for the array work, so both cores are used.
    """
    matrix = np.empty((len(i), len(comparisons)), dtype=np.int8)

    def fill(c: int) -> None:
        comparison = comparisons[c]
        matrix[:, c] = compare_levels(comparison, encoded[comparison.name], i, j)

    if workers > 1 and len(i) > 10_000:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(fill, range(len(comparisons))))
    else:
        for c in range(len(comparisons)):
            fill(c)
    return matrix


class ComparePairs(Protocol):
    """What computes a level matrix: `compare_pairs` in this process, or a caller's comparer
    that spreads the pairs over other processes (stages/match_partitions.py). The result must
    be exactly `compare_pairs`'s; `workers` is the level's thread count for work done here."""

    def __call__(
        self, encoded: Mapping[str, EncodedColumn], comparisons: Sequence[Comparison],
        i: np.ndarray, j: np.ndarray, workers: int = 1,
    ) -> np.ndarray: ...


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
