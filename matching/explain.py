"""Why two records match (or not), as plain data for `leadpipe explain-match A B`.

Each comparison reports both values as compared, the raw similarity, the level it landed
on, its log2 Bayes factor log2(m/u) and the term-frequency correction; the prior plus all
contributions is exactly the pair's match weight as the engine scores it. A strong key that
agrees, or a guard that vetoed the pair, is named; the band reflects both. A strong key with
`min_other_evidence` reports on its own comparison's field (`strong_key_check`) what the
other fields add up to and whether the key therefore decided or sent the pair to review.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from matching import fellegi_sunter as fs
from matching.columns import Columns
from matching.compare import NULL_LEVEL, compare_levels, encode_columns, similarity
from matching.settings import MatchSettings, StrongKey


def explain_pair(
    a: dict[str, Any], b: dict[str, Any], settings: MatchSettings, params: dict[str, Any],
    tf_tables: dict[str, dict[str, float]] | None = None,
) -> dict[str, Any]:
    """Per-field similarity, level and contribution, plus the total, probability and band."""
    prior = fs.prior_weight(params)
    fields: list[dict[str, Any]] = []
    total = prior
    encoded = encode_columns(Columns([a, b]), settings.comparisons)
    for comparison in settings.comparisons:
        column = encoded[comparison.name]
        left, right = column.value(0), column.value(1)
        level = int(compare_levels(comparison, column, np.array([0]), np.array([1]))[0])
        weight = tf = 0.0
        label = "null"
        if level != NULL_LEVEL:
            label = comparison.levels[level].label
            weight = float(fs.level_weights(params, comparison)[level])
            table = (tf_tables or {}).get(comparison.name)
            if table and level == 0 and comparison.levels[0].kind == "exact":
                share = table.get(str(left), comparison.tf_minimum)
                tf = float(fs.tf_adjustment(comparison, params, share))
        total += weight + tf
        fields.append({
            "comparison": comparison.name, "column": comparison.column,
            "left": a.get(comparison.column), "right": b.get(comparison.column),
            "similarity": similarity(comparison, left, right),
            "level": label, "log2_bayes_factor": weight, "tf_adjustment": tf,
            "contribution": weight + tf,
        })
    prob = float(fs.probability(np.array([total]))[0])
    band = "match" if prob >= settings.bands.match else \
        "review" if prob >= settings.bands.review else "non_match"
    agreeing = [key for key in settings.strong_keys if _strong(a, b, key)]
    strong = agreeing[0].name if agreeing else None
    if agreeing:
        key = agreeing[0]
        own = settings.key_comparisons(key)
        other = total - prior - sum(fields[k]["contribution"] for k in own)
        decides = key.min_other_evidence is None or other >= key.min_other_evidence
        for k in own:
            fields[k]["strong_key_check"] = {
                "strong_key": key.name, "other_evidence": other,
                "min_other_evidence": key.min_other_evidence, "decides": decides}
        band = "match" if decides or band == "match" else "review"
    levels = {f["comparison"]: f["level"] for f in fields}
    names = {key.name for key in agreeing}
    guard = next((g.comparison for g in settings.guards if levels[g.comparison] in g.levels
                  and not any(levels[c] in lv for c, lv in g.unless.items())
                  and not names & set(g.unless_strong_keys)), None)
    if guard:
        band = "non_match"
    return {"left_id": str(a.get(settings.id_column)), "right_id": str(b.get(settings.id_column)),
            "prior_log2_odds": prior, "fields": fields, "match_weight": total,
            "match_probability": prob, "strong_key": strong, "guard": guard, "band": band}


def _strong(a: dict[str, Any], b: dict[str, Any], key: StrongKey) -> bool:
    """Both records carry the key's value (and qualifiers), equal after case-folding, and
    neither is excluded."""
    for record in (a, b):
        for column, values in key.exclude.items():
            if str(record.get(column) or "").casefold() in {v.casefold() for v in values}:
                return False
    for column in (key.column, *key.qualifiers):
        va, vb = a.get(column), b.get(column)
        if va is None or vb is None or \
                not str(va).strip().casefold() == str(vb).strip().casefold() != "":
            return False
    return True
