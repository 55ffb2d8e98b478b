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


def _rank(record: dict[str, Any], field: str, rule: str, settings: MatchSettings) -> Any:
    sv = settings.survivorship
    if rule == "validated":
        check = sv.validated.get(field)
        if check is None:
            return 0
        return int(str(record.get(check.column)).casefold() in {v.casefold() for v in check.values})
    if rule == "source_trust":
        return sv.source_trust.get(str(record.get(sv.source_column)), 0)
    if rule == "recency":
        return str(record.get(sv.recency_column) or "")
    return sum(1 for f in sv.fields if record.get(f) not in (None, ""))


def golden_record(members: Sequence[dict[str, Any]], settings: MatchSettings) -> dict[str, Any]:
    """{field: {"value", "source_record_id", "rule"}} for the configured fields of one cluster."""
    sv = settings.survivorship
    out: dict[str, Any] = {}
    for field in sv.fields:
        having = [r for r in members if r.get(field) not in (None, "")]
        if not having:
            continue
        keys = {id(r): tuple(_rank(r, field, rule, settings) for rule in sv.rules) for r in having}
        ordered = sorted(having, key=lambda r: str(r[settings.id_column]))
        ordered.sort(key=lambda r: keys[id(r)], reverse=True)
        winner = ordered[0]
        if len(ordered) == 1:
            rule = "only_value"
        else:
            a, b = keys[id(winner)], keys[id(ordered[1])]
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
    return {cid: golden_record(members, settings) for cid, members in sorted(groups.items())}
