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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class Constraints:
    """Human decisions: record-id pairs that must (merge) or must not (split) share a cluster."""

    must_link: list[tuple[str, str]] = field(default_factory=list)
    cannot_link: list[tuple[str, str]] = field(default_factory=list)


class ConstraintConflict(ValueError):
    """A must-link chain joins two records that a cannot-link keeps apart."""


class _Clusters:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.members: dict[int, list[int]] = {k: [k] for k in range(n)}
        self.conflicts: dict[int, set[int]] = {}

    def find(self, k: int) -> int:
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def add_conflict(self, a: int, b: int) -> None:
        self.conflicts.setdefault(a, set()).add(b)
        self.conflicts.setdefault(b, set()).add(a)

    def conflicting(self, ra: int, rb: int) -> bool:
        small, big = (ra, rb) if len(self.members[ra]) <= len(self.members[rb]) else (rb, ra)
        return any(self.find(other) == big for k in self.members[small]
                   for other in self.conflicts.get(k, ()))

    def union(self, ra: int, rb: int) -> None:
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra].extend(self.members.pop(rb))


def cluster(
    record_ids: Sequence[str], edges: Iterable[tuple[int, int, float]],
    negatives: Iterable[tuple[int, int]] = (), constraints: Constraints | None = None,
) -> dict[str, str]:
    """record id -> cluster id (the smallest record id of its cluster).

    `edges` are match-band pairs (index, index, weight); `negatives` are compared pairs judged
    different. Every record appears in the result, singletons as their own cluster.
    """
    index = {rid: k for k, rid in enumerate(record_ids)}
    state = _Clusters(len(record_ids))
    cons = constraints or Constraints()
    for a, b in cons.cannot_link:
        if a in index and b in index:
            state.add_conflict(index[a], index[b])
    for a, b in cons.must_link:
        if a not in index or b not in index:
            continue
        ra, rb = state.find(index[a]), state.find(index[b])
        if ra == rb:
            continue
        if state.conflicting(ra, rb):
            raise ConstraintConflict(f"must-link {a}–{b} contradicts a cannot-link")
        state.union(ra, rb)
    for x, y in negatives:
        state.add_conflict(int(x), int(y))
    ordered = sorted(edges, key=lambda e: (-e[2], record_ids[e[0]], record_ids[e[1]]))
    for x, y, _ in ordered:
        ra, rb = state.find(int(x)), state.find(int(y))
        if ra != rb and not state.conflicting(ra, rb):
            state.union(ra, rb)
    out: dict[str, str] = {}
    for members in state.members.values():
        ids = [record_ids[k] for k in members]
        cid = min(ids)
        for rid in ids:
            out[rid] = cid
    return out


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
