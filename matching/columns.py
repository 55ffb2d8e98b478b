"""Records as columns: the engine reads each field once into an array, never dict by dict.

Callers hand the engine plain dicts (the warehouse, tests, explanations) or a pandas
DataFrame (a list file, the benchmark); both become `Columns`, object arrays with `None`
for a missing value, built on first use. Blocking keys and comparison values are then
encoded as integer codes into the distinct values (`encode`), so that everything per pair is
integer arithmetic and string work happens once per distinct value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

Records: TypeAlias = Sequence[Mapping[str, Any]] | pd.DataFrame


class Columns(Mapping[str, np.ndarray]):
    """Column name -> object array over the records (None where missing or absent)."""

    def __init__(self, *parts: Records) -> None:
        self._parts = parts
        self.size = sum(len(p) for p in parts)
        self._cache: dict[str, np.ndarray] = {}
        self._factorized: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.encoded: dict[tuple[Any, ...], tuple[list[np.ndarray], np.ndarray]] = {}

    @classmethod
    def of_arrays(cls, arrays: Mapping[str, np.ndarray]) -> Columns:
        """Columns that already are arrays of equal length (e.g. a masked key column)."""
        out = cls()
        out._cache.update(arrays)
        out.size = len(next(iter(arrays.values()))) if arrays else 0
        return out

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._cache:
            arrays = [_column(part, name) for part in self._parts]
            self._cache[name] = np.concatenate(arrays) if arrays else np.empty(0, object)
        return self._cache[name]

    def factorized(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, distinct raw values) of a column, -1 where missing; computed once."""
        if name not in self._factorized:
            codes, uniques = pd.factorize(self[name], use_na_sentinel=True)
            self._factorized[name] = (np.asarray(codes, dtype=np.int64),
                                      np.asarray(uniques, dtype=object))
        return self._factorized[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._cache)

    def __len__(self) -> int:
        return len(self._cache)


def _column(part: Records, name: str) -> np.ndarray:
    out = np.empty(len(part), dtype=object)
    if isinstance(part, pd.DataFrame):
        if name in part.columns:
            series = part[name]
            out[:] = series.astype(object).where(series.notna(), None).to_numpy()
    else:
        out[:] = [record.get(name) for record in part]
    return out


def encode(
    columns: Columns, names: Sequence[str], prepare: Callable[[Any], str | None],
) -> tuple[list[np.ndarray], np.ndarray]:
    """Codes per column into one shared list of distinct prepared values; -1 = missing.

    `distinct[codes[c][k]] == prepare(columns[names[c]][k])`. `prepare` runs once per
    distinct raw value and may return None (no value) or map two raw values to one (then
    they share a code). Results are cached per (columns, prepare) on the `Columns`.
    """
    key = (tuple(names), prepare)
    if key not in columns.encoded:
        raw = [columns.factorized(name) for name in names]
        prepared = np.empty(sum(len(uniques) for _, uniques in raw), dtype=object)
        prepared[:] = [prepare(v) for _, uniques in raw for v in uniques]
        joint, distinct = pd.factorize(prepared, use_na_sentinel=True)
        out, offset = [], 0
        for codes, uniques in raw:
            lookup = np.append(joint[offset: offset + len(uniques)], -1).astype(np.int64)
            out.append(lookup[codes])
            offset += len(uniques)
        columns.encoded[key] = (out, np.asarray(distinct, dtype=object))
    return columns.encoded[key]


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """np.unique for integer arrays by sorting (NumPy 2's hash-based unique is far slower
    on millions of pair codes)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered
