"""Candidate pairs from blocking keys and sorted neighbourhoods, near-linear in the data.

Records live in one index space. `group` marks each record's side: in dedupe mode all
records are group 0; in link mode the left table is 0 and the right 1; in incremental mode
existing records are 0 and new ones 1. Link mode keeps pairs across sides only; incremental
mode keeps every pair that involves a new record (new vs existing and new vs new).

A block bigger than the cap (a common key such as a city's main postcode with a short name
prefix) is skipped and reported instead of exploding quadratically; the other rules and the
sorted neighbourhood still see those records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from matching.settings import Blocking, BlockingRule

Mode = Literal["dedupe", "link", "incremental"]


@dataclass
class BlockingReport:
    pairs_per_rule: dict[str, int] = field(default_factory=dict)
    skipped_blocks: list[dict[str, Any]] = field(default_factory=list)
    candidate_pairs: int = 0


def _norm(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    return text or None


def rule_key(record: dict[str, Any], rule: BlockingRule) -> str | None:
    """The blocking key of one record under one rule; None when any part is missing."""
    parts = []
    for part in rule.keys:
        value = _norm(record.get(part.column))
        if value is None:
            return None
        parts.append(value[: part.prefix] if part.prefix else value)
    return "\x1f".join(parts)


def _allowed(i: np.ndarray, j: np.ndarray, group: np.ndarray, mode: Mode) -> np.ndarray:
    if mode == "dedupe":
        return np.ones(len(i), dtype=bool)
    if mode == "link":
        return group[i] != group[j]
    return (group[i] == 1) | (group[j] == 1)


def _ordered(i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.minimum(i, j), np.maximum(i, j)


def _block_pairs(members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.triu_indices(len(members), k=1)
    return members[a], members[b]


def candidate_pairs(
    records: Sequence[dict[str, Any]], blocking: Blocking, *, group: np.ndarray | None = None,
    mode: Mode = "dedupe",
) -> tuple[np.ndarray, np.ndarray, BlockingReport]:
    """Deduplicated candidate pairs (i < j) over all rules, and a report of what was done."""
    n = len(records)
    grp = np.zeros(n, dtype=np.int8) if group is None else np.asarray(group, dtype=np.int8)
    report = BlockingReport()
    chunks: list[np.ndarray] = []
    for rule in blocking.rules:
        cap = rule.max_block_size or blocking.max_block_size
        blocks: dict[str, list[int]] = defaultdict(list)
        for idx, record in enumerate(records):
            key = rule_key(record, rule)
            if key is not None:
                blocks[key].append(idx)
        rule_i: list[np.ndarray] = []
        rule_j: list[np.ndarray] = []
        for key, members in blocks.items():
            if len(members) < 2:
                continue
            if len(members) > cap:
                report.skipped_blocks.append(
                    {"rule": rule.name, "key": key.replace("\x1f", "|"), "size": len(members)})
                continue
            bi, bj = _block_pairs(np.asarray(members, dtype=np.int64))
            rule_i.append(bi)
            rule_j.append(bj)
        if rule_i:
            i, j = np.concatenate(rule_i), np.concatenate(rule_j)
            keep = _allowed(i, j, grp, mode)
            i, j = _ordered(i[keep], j[keep])
            chunks.append(i * n + j)
            report.pairs_per_rule[rule.name] = int(keep.sum())
        else:
            report.pairs_per_rule[rule.name] = 0
    for sn in blocking.sorted_neighbourhood:
        values = [_norm(r.get(sn.column)) for r in records]
        present = np.array([k for k, v in enumerate(values) if v is not None], dtype=np.int64)
        order = present[np.argsort(np.array([values[k] for k in present], dtype=object),
                                   kind="stable")] if len(present) else present
        sn_chunks = []
        for offset in range(1, sn.window):
            if len(order) <= offset:
                break
            i, j = order[:-offset], order[offset:]
            keep = _allowed(i, j, grp, mode)
            i, j = _ordered(i[keep], j[keep])
            sn_chunks.append(i * n + j)
        if sn_chunks:
            codes = np.concatenate(sn_chunks)
            chunks.append(codes)
            report.pairs_per_rule[sn.name] = len(codes)
    if not chunks:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), report
    codes = np.unique(np.concatenate(chunks))
    report.candidate_pairs = len(codes)
    return codes // n, codes % n, report


def random_pairs(
    n: int, count: int, *, group: np.ndarray | None = None, mode: Mode = "dedupe", seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Uniformly random distinct pairs allowed by the mode, for estimating u probabilities."""
    rng = np.random.default_rng(seed)
    grp = np.zeros(n, dtype=np.int8) if group is None else np.asarray(group, dtype=np.int8)
    if n < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy()
    i = rng.integers(0, n, size=count * 2)
    j = rng.integers(0, n, size=count * 2)
    keep = (i != j) & _allowed(i, j, grp, mode)
    i, j = _ordered(i[keep], j[keep])
    return i[:count], j[:count]
