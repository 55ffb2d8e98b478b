"""The predictive option learns real signal, explains itself, and refuses too little data."""

from __future__ import annotations

import random
from datetime import date

import pytest

from scoring.config import load_scoring_config
from scoring.predictive import NotEnoughOutcomes, combined_total, predict, train
from scoring.rules import LeadFeatures, Request, score_lead

CFG = load_scoring_config().value
TODAY = date(2026, 11, 26)


def _population(n: int, seed: int = 7) -> tuple[list, list[bool]]:  # type: ignore[type-arg]
    """Leads whose chance of winning depends on demo requests and decision makers only."""
    rng = random.Random(seed)
    scores, won = [], []
    for i in range(n):
        demo = rng.random() < 0.4
        dm = rng.random() < 0.5
        features = LeadFeatures(
            lead_id=f"L{i}", decision_maker=dm, size_class=rng.choice(["small", "medium"]),
            postcode=rng.choice(["80331", "10115", "50667"]), audience="b2b",
            requests=(Request("demo" if demo else "newsletter", TODAY),),
        )
        chance = 0.08 + 0.45 * demo + 0.25 * dm
        scores.append(score_lead(features, CFG, TODAY))
        won.append(rng.random() < chance)
    return scores, won


def test_learns_signal_with_cross_validated_auc_and_calibration() -> None:
    scores, won = _population(600)
    model = train(scores, won, CFG.predictive)
    assert model.cv_auc > 0.7
    assert 0 < model.brier < 0.25
    assert len(model.calibration) >= 3
    assert model.coefficients["decision_maker"] > 0
    probability, parts = predict(model, scores[0])
    assert 0 < probability < 1
    assert parts


def test_refuses_too_few_outcomes() -> None:
    scores, won = _population(150)
    with pytest.raises(NotEnoughOutcomes, match="at least 200 leads"):
        train(scores, won, CFG.predictive)


def test_blend_and_replace() -> None:
    blend = CFG.predictive.model_copy(update={"mode": "blend", "blend_weight": 0.5})
    replace = CFG.predictive.model_copy(update={"mode": "replace"})
    assert combined_total(40.0, 0.8, blend) == 60.0
    assert combined_total(40.0, 0.8, replace) == 80.0
    assert combined_total(40.0, 0.8, CFG.predictive) == 40.0
