"""Golden records: one value per field per cluster, each naming its source record and rule.

For every field the members carrying a value compete under the settings' rules, in order:
`validated` (the field's validation column says valid), `source_trust` (web form > crawled
Impressum > purchased list, as configured), `recency` (newest first), `completeness` (the
record with more filled fields). The first rule that separates the winner from the runner-up
is named as the reason; one candidate is `only_value`; a full tie goes to the smallest record
id (`record_id_tiebreak`), so the result is deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from matching.settings import MatchSettings


class _Ranking:
    """The survivorship rules of one level, ready to rank records: the rules that do not
    depend on the field (trust, recency, completeness) are taken once per record, not once
    per record and field (a million records' golden records took 30 s)."""

    def __init__(self, settings: MatchSettings) -> None:
        self.settings = settings
        sv = settings.survivorship
        self._valid = {field: (check.column, {v.casefold() for v in check.values})
                       for field, check in sv.validated.items()}

    def standing(self, record: Mapping[str, Any]) -> dict[str, Any]:
        sv = self.settings.survivorship
        return {"source_trust": sv.source_trust.get(str(record.get(sv.source_column)), 0),
                "recency": str(record.get(sv.recency_column) or ""),
                "completeness": sum(1 for f in sv.fields if record.get(f) not in (None, ""))}

    def is_validated(self, field: str) -> bool:
        return field in self._valid

    def validated(self, record: Mapping[str, Any], field: str) -> int:
        check = self._valid.get(field)
        if check is None:
            return 0
        return int(str(record.get(check[0])).casefold() in check[1])


def golden_record(members: Sequence[dict[str, Any]], settings: MatchSettings,
                  ranking: _Ranking | None = None) -> dict[str, Any]:
    """{field: {"value", "source_record_id", "rule"}} for the configured fields of one cluster.

    The members are ranked once for all fields the `validated` rule does not concern (for
    them it ranks every record alike), and once more per validated field."""
    ranking = ranking or _Ranking(settings)
    sv = settings.survivorship
    by_id = sorted(members, key=lambda r: str(r[settings.id_column]))
    keys: dict[int, tuple[Any, ...]] = {}
    ordered: list[dict[str, Any]] = []
    if len(members) > 1:
        keys = {id(r): tuple(0 if rule == "validated" else standing[rule]
                             for rule in sv.rules)
                for r, standing in ((r, ranking.standing(r)) for r in members)}
        ordered = sorted(by_id, key=lambda r: keys[id(r)], reverse=True)
    out: dict[str, Any] = {}
    for field in sv.fields:
        ranks, ranked = keys, ordered or by_id
        if len(members) > 1 and ranking.is_validated(field):
            ranks = {id(r): tuple(ranking.validated(r, field) if rule == "validated"
                                  else keys[id(r)][k] for k, rule in enumerate(sv.rules))
                     for r in members}
            ranked = sorted(by_id, key=lambda r: ranks[id(r)], reverse=True)
        having = [r for r in ranked if r.get(field) not in (None, "")]
        if not having:
            continue
        winner = having[0]
        if len(having) == 1:
            rule = "only_value"
        else:
            a, b = ranks[id(winner)], ranks[id(having[1])]
            rule = next((sv.rules[k] for k in range(len(a)) if a[k] != b[k]),
                        "record_id_tiebreak")
        out[field] = {"value": winner[field], "source_record_id": str(winner[settings.id_column]),
                      "rule": rule}
    return out


def golden_records(
    records: Sequence[dict[str, Any]], clusters: Mapping[str, str], settings: MatchSettings,
) -> dict[str, dict[str, Any]]:
    """cluster id -> golden record, over all clusters in `clusters` (record id -> cluster id)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        rid = str(record[settings.id_column])
        groups.setdefault(clusters.get(rid, rid), []).append(record)
    ranking = _Ranking(settings)
    return {cid: golden_record(members, settings, ranking)
            for cid, members in sorted(groups.items())}
