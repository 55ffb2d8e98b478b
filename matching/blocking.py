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

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from matching.columns import Columns, Records, encode, sorted_distinct
from matching.settings import Blocking, BlockingRule

Mode = Literal["dedupe", "link", "incremental"]


@dataclass
class BlockingReport:
    pairs_per_rule: dict[str, int] = field(default_factory=dict)
    skipped_blocks: list[dict[str, Any]] = field(default_factory=list)
    candidate_pairs: int = 0


def _key_text(value: Any) -> str | None:
    """Blocking keys are trimmed and lower-cased; an empty value is no key."""
    return str(value).strip().lower() or None


def _rule_codes(
    columns: Columns, rule: BlockingRule,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """One code per record for the rule's combined key (-1 when a part is missing).

    A rule with a swapped part (`KeyPart.swap_column`) codes every record twice, in one
    vocabulary: rows 0..n-1 by its columns, rows n..2n-1 with the swap column in place of the
    column, so a code shared across the halves is a pair whose names were exchanged.
    Also returns each part's text per row, to name an oversized block in the report.
    """
    swapped = any(part.swap_column for part in rule.keys)
    combined = np.zeros(columns.size * (2 if swapped else 1), dtype=np.int64)
    texts = []
    for part in rule.keys:
        names = [part.column, *([part.swap_column] if part.swap_column else [])]
        coded, distinct = encode(columns, names, _key_text)
        codes = np.concatenate(coded if part.swap_column else coded * 2) if swapped \
            else coded[0]
        if part.prefix:
            prefix = np.array([v[: part.prefix] for v in distinct], dtype=object)
            short, distinct = pd.factorize(prefix)
            codes = np.where(codes >= 0, np.append(short, -1)[codes], -1)
        texts.append(np.append(distinct, [None])[codes])
        width = len(distinct) + 1
        joined = np.where((combined >= 0) & (codes >= 0), combined * width + codes, -1)
        combined, _ = pd.factorize(joined)
        combined = np.where(joined >= 0, combined, -1).astype(np.int64)
    return combined, texts


def _pairs_within_groups(
    codes: np.ndarray, keep_group: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """All pairs of rows sharing a code, for the groups marked in `keep_group`, vectorised.

    Rows are sorted by code; for each offset d, a row pairs with the row d places later when
    both are in the same group. Work is proportional to the number of pairs produced.
    """
    rows = np.flatnonzero((codes >= 0) & keep_group[np.maximum(codes, 0)]) \
        if len(keep_group) else np.zeros(0, dtype=np.int64)
    if not len(rows):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy()
    order = rows[np.argsort(codes[rows], kind="stable")]
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    size_of = np.repeat(sizes, sizes)
    pos = np.arange(len(order)) - np.repeat(starts, sizes)
    out_i, out_j = [], []
    active = np.flatnonzero(size_of - pos > 1)
    d = 1
    while len(active):
        out_i.append(order[active])
        out_j.append(order[active + d])
        d += 1
        active = active[size_of[active] - pos[active] > d]
    return np.concatenate(out_i), np.concatenate(out_j)


def _allowed(i: np.ndarray, j: np.ndarray, group: np.ndarray, mode: Mode) -> np.ndarray:
    if mode == "dedupe":
        return np.ones(len(i), dtype=bool)
    if mode == "link":
        return group[i] != group[j]
    return (group[i] == 1) | (group[j] == 1)


def _ordered(i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.minimum(i, j), np.maximum(i, j)


def candidate_pairs(
    records: Records | Columns, blocking: Blocking, *, group: np.ndarray | None = None,
    mode: Mode = "dedupe",
) -> tuple[np.ndarray, np.ndarray, BlockingReport]:
    """Deduplicated candidate pairs (i < j) over all rules, and a report of what was done."""
    columns = records if isinstance(records, Columns) else Columns(records)
    try:
        return _candidate_pairs(columns, blocking, group, mode)
    finally:
        # Blocking keys are read only here; their encodings (codes and lower-cased texts)
        # would otherwise stay on `columns` through comparing, training and clustering:
        # ≈ 150 MB for 700,000 records.
        for key in [key for key in columns.encoded if key[1] is _key_text]:
            del columns.encoded[key]


def _candidate_pairs(columns: Columns, blocking: Blocking, group: np.ndarray | None,
                     mode: Mode) -> tuple[np.ndarray, np.ndarray, BlockingReport]:
    n = columns.size
    grp = np.zeros(n, dtype=np.int8) if group is None else np.asarray(group, dtype=np.int8)
    report = BlockingReport()
    chunks: list[np.ndarray] = []
    for rule in blocking.rules:
        cap = rule.max_block_size or blocking.max_block_size
        codes, texts = _rule_codes(columns, rule)
        counts = np.bincount(codes[codes >= 0], minlength=int(codes.max(initial=-1)) + 1)
        for big in np.flatnonzero(counts > cap).tolist():
            row = int(np.argmax(codes == big))
            report.skipped_blocks.append({"rule": rule.name, "key": "|".join(
                str(text[row]) for text in texts), "size": int(counts[big])})
        i, j = _pairs_within_groups(codes, (counts >= 2) & (counts <= cap))
        if len(codes) > n:  # a swapped rule: pairs across the halves, as record indices
            across = (i < n) != (j < n)
            i, j = i[across] % n, j[across] % n
        keep = (i != j) & _allowed(i, j, grp, mode)
        i, j = _ordered(i[keep], j[keep])
        chunks.append(i * n + j)
        report.pairs_per_rule[rule.name] = int(keep.sum())
    for sn in blocking.sorted_neighbourhood:
        (codes,), distinct = encode(columns, [sn.column], _key_text)
        rank = np.empty(len(distinct), dtype=np.int64)
        rank[np.argsort(distinct, kind="stable")] = np.arange(len(distinct))
        present = np.flatnonzero(codes >= 0)
        order = present[np.argsort(rank[codes[present]], kind="stable")]
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
    codes = sorted_distinct(np.concatenate(chunks))
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
