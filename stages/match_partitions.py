"""Matching's pair comparisons as partitions that run anywhere (docs/scaling.md).

Comparing record pairs is the part of matching that grows with the pairs (millions at a
million records) and needs nothing but the pairs and the encoded columns, so it splits: the
engine asks `PartitionedCompare` for a level matrix; it writes the encoded columns once, the
pairs in partitions of `per_partition`, runs `compare_partition` on each through
`run_partitions` (Prefect tasks on a Dask cluster) and reads the levels back in partition
order. Blocking, training's EM, scoring and clustering stay in the writer's process: each
needs every pair (or every record) at once, and costs a fraction of the comparisons.
"""

from __future__ import annotations

import itertools
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from matching.compare import EncodedColumn, compare_pairs
from matching.settings import Comparison
from warehouse.partitions import ColumnTypes, read_arrays, write_arrays

_PAIRS: ColumnTypes = (("i", "BIGINT"), ("j", "BIGINT"))
_VALUES: ColumnTypes = (("comparison", "INTEGER"), ("code", "BIGINT"), ("value", "VARCHAR"))


@dataclass(frozen=True)
class ComparePartition:
    """Some record pairs of one comparison call, as files in the shared partitions folder;
    the comparisons travel with it (pickled), so a worker needs no configuration."""

    index: int
    pairs: int
    comparisons: tuple[Comparison, ...]
    codes_file: Path
    """Every record's value codes per comparison: the same file for the call's partitions."""
    values_file: Path
    """The distinct prepared values the codes point to, per comparison."""
    pairs_file: Path
    levels_file: Path


@dataclass(frozen=True)
class CompareDone:
    """What one partition compared, and what it cost the worker that ran it."""

    index: int
    pairs: int
    cpu_s: float
    wall_s: float


RunComparePartitions = Callable[[list[ComparePartition]], list[CompareDone]]
"""Runs `compare_partition` on every partition (in this process, or as Prefect tasks on a
Dask cluster) and returns when all are done."""


def compare_partition(partition: ComparePartition) -> CompareDone:
    """Encoded columns and pairs → the pairs' level matrix, each a Parquet file; runs on a
    worker, one thread (the worker process is the unit of parallelism)."""
    started, cpu = time.perf_counter(), time.process_time()
    encoded = _read_encoded(partition.codes_file, partition.values_file,
                            partition.comparisons)
    pairs = read_arrays(partition.pairs_file)
    levels = compare_pairs(encoded, partition.comparisons, pairs["i"], pairs["j"])
    write_arrays(partition.levels_file, _levels_schema(len(partition.comparisons)),
                 {f"level_{c}": levels[:, c] for c in range(levels.shape[1])})
    return CompareDone(partition.index, len(levels), round(time.process_time() - cpu, 3),
                       round(time.perf_counter() - started, 3))


@dataclass
class PartitionedCompare:
    """A `matching.compare.ComparePairs` that spreads calls of more than `per_partition`
    pairs over `run_partitions`; smaller ones it compares in this process. Each call's files
    live in a subfolder of `folder` that goes when the call ends, failed or not."""

    run_partitions: RunComparePartitions
    folder: Path
    per_partition: int
    _calls: itertools.count[int] = field(default_factory=itertools.count, repr=False)

    def __call__(self, encoded: Mapping[str, EncodedColumn], comparisons: Sequence[Comparison],
                 i: np.ndarray, j: np.ndarray, workers: int = 1) -> np.ndarray:
        if len(i) <= self.per_partition:
            return compare_pairs(encoded, comparisons, i, j, workers)
        folder = self.folder / f"{next(self._calls):03d}"
        try:
            partitions = self._write(folder, encoded, tuple(comparisons), i, j)
            done = self.run_partitions(partitions)
            levels = np.concatenate([_read_levels(p.levels_file, len(comparisons))
                                     for p in partitions])
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if len(levels) != len(i) or sum(d.pairs for d in done) != len(i):
            raise RuntimeError(f"matching partitions returned the levels of {len(levels)} of "
                               f"{len(i)} pairs; nothing was stored, run the stage again")
        return levels

    def _write(self, folder: Path, encoded: Mapping[str, EncodedColumn],
               comparisons: tuple[Comparison, ...], i: np.ndarray,
               j: np.ndarray) -> list[ComparePartition]:
        codes_file, values_file = folder / "codes.parquet", folder / "values.parquet"
        _write_encoded(codes_file, values_file, encoded, comparisons)
        partitions = []
        for index, start in enumerate(range(0, len(i), self.per_partition)):
            end = start + self.per_partition
            partition = ComparePartition(
                index, len(i[start:end]), comparisons, codes_file, values_file,
                folder / f"{index:05d}.pairs.parquet", folder / f"{index:05d}.levels.parquet")
            write_arrays(partition.pairs_file, _PAIRS, {"i": i[start:end], "j": j[start:end]})
            partitions.append(partition)
        return partitions


def _write_encoded(codes_file: Path, values_file: Path, encoded: Mapping[str, EncodedColumn],
                   comparisons: Sequence[Comparison]) -> None:
    """Codes as one column per comparison (and per swap column); the distinct values as
    (comparison, code, value) rows, since their number differs by comparison."""
    codes: dict[str, np.ndarray] = {}
    for c, comparison in enumerate(comparisons):
        column = encoded[comparison.name]
        codes[f"codes_{c}"] = column.codes
        if column.swap_codes is not None:
            codes[f"swap_{c}"] = column.swap_codes
    write_arrays(codes_file, tuple((name, "BIGINT") for name in codes), codes)
    values = [encoded[comparison.name].values for comparison in comparisons]
    write_arrays(values_file, _VALUES, {
        "comparison": np.repeat(np.arange(len(values), dtype=np.int64),
                                [len(v) for v in values]),
        "code": np.concatenate([np.arange(len(v), dtype=np.int64) for v in values]),
        "value": np.concatenate([np.asarray(v, dtype=object) for v in values])})


def _read_encoded(codes_file: Path, values_file: Path,
                  comparisons: Sequence[Comparison]) -> dict[str, EncodedColumn]:
    codes = read_arrays(codes_file)
    rows = read_arrays(values_file)
    encoded = {}
    for c, comparison in enumerate(comparisons):
        mine = rows["comparison"] == c
        values = np.empty(int(np.count_nonzero(mine)), dtype=object)
        values[rows["code"][mine]] = rows["value"][mine]
        encoded[comparison.name] = EncodedColumn(codes[f"codes_{c}"], values,
                                                 codes.get(f"swap_{c}"))
    return encoded


def _levels_schema(comparisons: int) -> ColumnTypes:
    return tuple((f"level_{c}", "TINYINT") for c in range(comparisons))


def _read_levels(path: Path, comparisons: int) -> np.ndarray:
    columns = read_arrays(path)
    return np.column_stack([columns[f"level_{c}"] for c in range(comparisons)])
