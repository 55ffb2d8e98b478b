"""Matching's pair comparisons in partitions give the level matrix `compare_pairs` gives, and
leave no files; the run on Dask is in tests/flows/test_dask_partitions.py."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from matching.columns import Columns
from matching.compare import compare_pairs, encode_columns
from matching.settings import load_match_settings
from stages.match_partitions import (
    CompareDone,
    ComparePartition,
    PartitionedCompare,
    compare_partition,
)


def _people(n: int = 160) -> list[dict[str, object]]:
    """Varied names (some swapped, some umlauts), addresses and phones; no e-mail at all, so
    one comparison has no values."""
    firsts = ["anna", "Jähn", "jaehn", "bernd", "Clara", "müller", "dieter", None]
    lasts = ["müller", "mueller", "schmidt", "anna", "bernd", "Meier", None]
    return [{"record_id": f"r{k}", "first_name": firsts[k % len(firsts)],
             "last_name": lasts[k % len(lasts)], "match_street": f"strasse {k % 9}",
             "house_number": str(k % 5 + 1) if k % 11 else None, "postcode": f"{10115 + k % 4}",
             "phone_e164": f"+4930{k % 13:07d}", "email_normalized": None}
            for k in range(n)]


def _in_process(partitions: list[ComparePartition]) -> list[CompareDone]:
    """As Dask runs them: each partition pickled to another process and back."""
    return [compare_partition(pickle.loads(pickle.dumps(p))) for p in partitions]


def test_partitions_give_exactly_the_level_matrix_and_leave_no_files(tmp_path: Path) -> None:
    comparisons = load_match_settings("consumer").value.comparisons
    encoded = encode_columns(Columns(_people()), comparisons)
    i, j = np.triu_indices(160, k=1)
    ran: list[int] = []

    def run(partitions: list[ComparePartition]) -> list[CompareDone]:
        ran.append(len(partitions))
        return _in_process(partitions)

    compare = PartitionedCompare(run, tmp_path / "match-run", per_partition=1000)
    levels = compare(encoded, comparisons, i, j, workers=2)

    assert ran == [13]  # 12,720 pairs
    assert levels.dtype == np.int8
    assert np.array_equal(levels, compare_pairs(encoded, comparisons, i, j))
    assert len(np.unique(levels, axis=0)) > 10, "the pairs reach many levels"
    assert not list(tmp_path.rglob("*.*")), "partition files left behind"

    few = compare(encoded, comparisons, i[:1000], j[:1000])
    assert ran == [13], "one partition's worth is compared in this process"
    assert np.array_equal(few, compare_pairs(encoded, comparisons, i[:1000], j[:1000]))


def test_a_failed_partition_leaves_no_files(tmp_path: Path) -> None:
    comparisons = load_match_settings("consumer").value.comparisons
    encoded = encode_columns(Columns(_people()), comparisons)
    i, j = np.triu_indices(160, k=1)

    def failing(partitions: list[ComparePartition]) -> list[CompareDone]:
        assert partitions[0].codes_file.exists()
        raise RuntimeError("worker lost")

    with pytest.raises(RuntimeError, match="worker lost"):
        PartitionedCompare(failing, tmp_path, per_partition=5000)(encoded, comparisons, i, j)
    assert not list(tmp_path.rglob("*.*"))
