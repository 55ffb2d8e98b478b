"""The predictive option: a logistic regression learned from won/lost outcomes.

It uses the same features as the rule score (the points of each rule factor), so its
explanations read the same way: each factor's contribution to the log-odds of winning. With
too few outcomes a model learns noise, so training refuses below the configured minimum of
leads and wins instead of producing a number that looks precise and is not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from scoring.config import PredictiveConfig
from scoring.rules import LeadScore

FEATURES = ("industry", "size_class", "region", "legal_form", "decision_maker", "audience",
            "request", "valid_email", "e164_phone", "complete_address", "impressum")
"""One feature per rule factor: its points in the rule score (0 when absent)."""


class NotEnoughOutcomes(ValueError):
    """Too few known outcomes to learn from; the message says how many more are needed."""


def feature_row(score: LeadScore) -> list[float]:
    values = dict.fromkeys(FEATURES, 0.0)
    for contribution in score.contributions:
        if contribution.factor in values:
            values[contribution.factor] += contribution.points
    return [values[name] for name in FEATURES]


@dataclass(frozen=True)
class LearnedModel:
    coefficients: dict[str, float]
    intercept: float
    leads: int
    wins: int
    cv_auc: float
    brier: float
    calibration: list[tuple[float, float]]   # (mean predicted, observed win rate) per bin

    def as_dict(self) -> dict[str, Any]:
        return {"coefficients": self.coefficients, "intercept": self.intercept,
                "leads": self.leads, "wins": self.wins, "cv_auc": self.cv_auc,
                "brier": self.brier, "calibration": self.calibration}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LearnedModel:
        return cls(data["coefficients"], data["intercept"], data["leads"], data["wins"],
                   data["cv_auc"], data["brier"], [tuple(p) for p in data["calibration"]])


def train(scores: Sequence[LeadScore], won: Sequence[bool], cfg: PredictiveConfig
          ) -> LearnedModel:
    """Fit on leads with known outcomes; report 5-fold cross-validated AUC and calibration."""
    wins = int(sum(won))
    if len(scores) < cfg.min_leads or wins < cfg.min_wins or len(scores) - wins < cfg.min_wins:
        raise NotEnoughOutcomes(
            f"{len(scores)} leads with outcomes ({wins} won, {len(scores) - wins} lost); "
            f"a model needs at least {cfg.min_leads} leads and {cfg.min_wins} won and lost "
            "each, or it would learn noise. Keep using the rule score until more outcomes "
            "are known."
        )
    x = np.array([feature_row(s) for s in scores])
    y = np.array(won, dtype=int)
    model = LogisticRegression(max_iter=1000)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    predicted = cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1]
    observed, mean_predicted = calibration_curve(y, predicted, n_bins=5, strategy="quantile")
    model.fit(x, y)
    return LearnedModel(
        coefficients={name: float(c) for name, c in zip(FEATURES, model.coef_[0], strict=True)},
        intercept=float(model.intercept_[0]), leads=len(y), wins=wins,
        cv_auc=float(roc_auc_score(y, predicted)), brier=float(brier_score_loss(y, predicted)),
        calibration=[(float(p), float(o)) for p, o in zip(mean_predicted, observed,
                                                          strict=True)],
    )


def predict(model: LearnedModel, score: LeadScore) -> tuple[float, list[tuple[str, float]]]:
    """Win probability and each feature's contribution to the log-odds (largest first)."""
    row = feature_row(score)
    parts = [(name, model.coefficients[name] * value) for name, value in zip(FEATURES, row,
                                                                             strict=True)]
    logit = model.intercept + sum(p for _, p in parts)
    probability = 1 / (1 + math.exp(-logit))
    return probability, sorted((p for p in parts if p[1]), key=lambda p: -abs(p[1]))


def combined_total(rule_total: float, probability: float, cfg: PredictiveConfig) -> float:
    """The total a lead is graded on under the configured mode."""
    if cfg.mode == "replace":
        return round(100 * probability, 1)
    if cfg.mode == "blend":
        return round((1 - cfg.blend_weight) * rule_total + cfg.blend_weight * 100 * probability,
                     1)
    return rule_total
