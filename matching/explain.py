"""Why two records match (or not), as plain data for `leadpipe explain-match A B`.

Each comparison reports both values as compared, the raw similarity, the level it landed
on, its log2 Bayes factor log2(m/u) and the term-frequency correction; the prior plus all
contributions is exactly the pair's match weight as the engine scores it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from matching import fellegi_sunter as fs
from matching.compare import NULL_LEVEL, compare_levels, prepare_column, similarity
from matching.settings import MatchSettings


def explain_pair(
    a: dict[str, Any], b: dict[str, Any], settings: MatchSettings, params: dict[str, Any],
    tf_tables: dict[str, dict[str, float]] | None = None,
) -> dict[str, Any]:
    """Per-field similarity, level and contribution, plus the total, probability and band."""
    prior = fs.prior_weight(params)
    fields = []
    total = prior
    for comparison in settings.comparisons:
        values = prepare_column([a, b], comparison.column, comparison.processor)
        swap = prepare_column([a, b], comparison.swap_column, comparison.processor) \
            if comparison.swap_column else None
        level = int(compare_levels(comparison, values[:1], values[1:], settings.workers,
                                   None if swap is None else swap[:1],
                                   None if swap is None else swap[1:])[0])
        weight = tf = 0.0
        label = "null"
        if level != NULL_LEVEL:
            label = comparison.levels[level].label
            weight = float(fs.level_weights(params, comparison)[level])
            table = (tf_tables or {}).get(comparison.name)
            if table and level == 0 and comparison.levels[0].kind == "exact":
                tf = fs.tf_adjustment(comparison, params, table, values[0])
        total += weight + tf
        fields.append({
            "comparison": comparison.name, "column": comparison.column,
            "left": a.get(comparison.column), "right": b.get(comparison.column),
            "similarity": similarity(comparison, values[0], values[1]),
            "level": label, "log2_bayes_factor": weight, "tf_adjustment": tf,
            "contribution": weight + tf,
        })
    prob = float(fs.probability(np.array([total]))[0])
    band = "match" if prob >= settings.bands.match else \
        "review" if prob >= settings.bands.review else "non_match"
    return {"left_id": str(a.get(settings.id_column)), "right_id": str(b.get(settings.id_column)),
            "prior_log2_odds": prior, "fields": fields, "match_weight": total,
            "match_probability": prob, "band": band}
