"""Clustering that does not chain: greedy constrained merging of match-band edges.

Plain connected components would join A and C through B when A~B is strong and B~C is one
weak link, even if A and C were compared and found different. Instead:

1. must-link pairs (a human's merge) are united first, unconditionally;
2. match-band edges are taken strongest first (ties by record ids, so the result is
   deterministic) and two clusters merge only if no pair across them is a cannot-link
   (a human's split) or — with `negative_evidence` on — a compared pair that landed in the
   non-match band (or was refused by a guard).

So a cluster never contains two records that a human or the model said are different people.
The cluster id is the smallest record id in the cluster; `assign_entity_ids` maps clusters
to the previous run's entity ids so lead ids stay stable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass
class Constraints:
    """Human decisions: record-id pairs that must (merge) or must not (split) share a cluster."""

    must_link: list[tuple[str, str]] = field(default_factory=list)
    cannot_link: list[tuple[str, str]] = field(default_factory=list)


class ConstraintConflict(ValueError):
    """A must-link chain joins two records that a cannot-link keeps apart."""


class _Clusters:
    """Union-find whose roots know their members (only clusters of two or more are stored)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.members: dict[int, list[int]] = {}
        self.conflicts: dict[int, set[int]] = {}

    def find(self, k: int) -> int:
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def of(self, root: int) -> list[int]:
        return self.members.get(root) or [root]

    def add_conflict(self, a: int, b: int) -> None:
        self.conflicts.setdefault(a, set()).add(b)
        self.conflicts.setdefault(b, set()).add(a)

    def conflicting(self, ra: int, rb: int) -> bool:
        if not self.conflicts:
            return False
        small, big = (ra, rb) if len(self.of(ra)) <= len(self.of(rb)) else (rb, ra)
        return any(self.find(other) == big for k in self.of(small)
                   for other in self.conflicts.get(k, ()))

    def union(self, ra: int, rb: int) -> None:
        if len(self.of(ra)) < len(self.of(rb)):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] = self.of(ra) + self.members.pop(rb, [rb])


def cluster(
    record_ids: Sequence[str], edges: ArrayLike, negatives: ArrayLike = (),
    constraints: Constraints | None = None,
) -> dict[str, str]:
    """record id -> cluster id (the smallest record id of its cluster).

    `edges` are match-band pairs as rows (index, index, weight); `negatives` are rows (index,
    index) of compared pairs judged different. Every record appears in the result, singletons
    as their own cluster.

    Clusters never cross the connected components of the edge and must-link graph, so only
    records in a component of two or more are clustered, and only conflicts inside one
    component are kept: the greedy pass touches a small part of a large table.
    """
    n = len(record_ids)
    edge = np.asarray(edges, dtype=np.float64).reshape(-1, 3)
    ei, ej, weight = edge[:, 0].astype(np.int64), edge[:, 1].astype(np.int64), edge[:, 2]
    cons = constraints or Constraints()
    index = {rid: k for k, rid in enumerate(record_ids)} if cons.must_link or cons.cannot_link \
        else {}
    must = _index_pairs(cons.must_link, index)
    links = np.concatenate([np.column_stack([ei, ej]), must])
    graph = coo_matrix((np.ones(len(links)), (links[:, 0], links[:, 1])), shape=(n, n))
    component = connected_components(graph, directed=False)[1]
    nodes = np.flatnonzero(np.bincount(component)[component] > 1)
    out = dict(zip(record_ids, record_ids, strict=True))
    if not len(nodes):
        return out
    local = np.full(n, -1, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    state = _Clusters(len(nodes))
    for a, b in _same_component(_index_pairs(cons.cannot_link, index), component, local):
        state.add_conflict(a, b)
    for x, y in must.tolist():
        ra, rb = state.find(int(local[x])), state.find(int(local[y]))
        if ra == rb:
            continue
        if state.conflicting(ra, rb):
            raise ConstraintConflict(
                f"must-link {record_ids[x]}–{record_ids[y]} contradicts a cannot-link")
        state.union(ra, rb)
    for a, b in _same_component(np.asarray(negatives, dtype=np.int64).reshape(-1, 2), component,
                                local):
        state.add_conflict(a, b)
    ids = np.array(record_ids, dtype=object)[nodes]
    rank = np.empty(len(nodes), dtype=np.int64)
    rank[np.argsort(ids, kind="stable")] = np.arange(len(nodes))
    li, lj = local[ei], local[ej]
    order = np.lexsort((rank[lj], rank[li], -weight))
    for x, y in zip(li[order].tolist(), lj[order].tolist(), strict=True):
        ra, rb = state.find(x), state.find(y)
        if ra != rb and not state.conflicting(ra, rb):
            state.union(ra, rb)
    for members in state.members.values():
        cid = min(ids[members])
        for member in ids[members]:
            out[member] = cid
    return out


def _index_pairs(pairs: Sequence[tuple[str, str]], index: Mapping[str, int]) -> np.ndarray:
    """Record-id pairs as index rows, dropping pairs naming records not in this run."""
    known = [(index[a], index[b]) for a, b in pairs if a in index and b in index]
    return np.array(known, dtype=np.int64).reshape(-1, 2)


def _same_component(
    pairs: np.ndarray, component: np.ndarray, local: np.ndarray,
) -> list[tuple[int, int]]:
    keep = component[pairs[:, 0]] == component[pairs[:, 1]]
    inside = local[pairs[keep]]
    return list(zip(inside[:, 0].tolist(), inside[:, 1].tolist(), strict=True))


def assign_entity_ids(
    clusters: Mapping[str, str], previous: Mapping[str, str],
    new_id: Callable[[str], str] = lambda cluster_id: cluster_id,
) -> dict[str, str]:
    """cluster id -> entity id, keeping the previous run's ids stable.

    `previous` maps record id -> entity id from the last run. Each cluster inherits the entity
    id most of its known records had (ties: the smaller id); an entity id goes to one cluster
    only — the one holding most of its records (a split keeps the id on the larger part).
    Clusters without history, or losing that contest, get `new_id(cluster_id)`.
    """
    votes: dict[str, dict[str, int]] = {}
    for rid, cid in clusters.items():
        old = previous.get(rid)
        if old is not None:
            votes.setdefault(cid, {}).setdefault(old, 0)
            votes[cid][old] += 1
    claims = sorted(
        ((count, old, cid) for cid, tally in votes.items() for old, count in tally.items()),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    result: dict[str, str] = {}
    taken: set[str] = set()
    for _, old, cid in claims:
        if cid not in result and old not in taken:
            result[cid] = old
            taken.add(old)
    used = set(previous.values())
    for cid in sorted(set(clusters.values())):
        if cid not in result:
            candidate = new_id(cid)
            suffix = 1
            while candidate in used or candidate in taken:
                candidate = f"{new_id(cid)}~{suffix}"
                suffix += 1
            result[cid] = candidate
            taken.add(candidate)
    return result
