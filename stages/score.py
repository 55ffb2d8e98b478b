"""The score stage: (re)score the leads whose inputs changed, and train the learned model.

A lead is scored again when the hash of its features differs from its current score's, when
the scoring configuration (or the learned model in use) changed, and — for leads with web-form
requests, whose engagement decays with time — once per as-of day. Each new score becomes the
current row of `core.lead_scores`; the rows it replaces stay as history.
"""

from __future__ import annotations

import csv
import getpass
import io
import json
import os
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from foundation.progress import SILENT, Progress
from foundation.settings import Settings
from ingest.errors import InputFileError
from scoring.config import ScoringConfig, load_scoring_config
from scoring.features import lead_features
from scoring.predictive import LearnedModel, NotEnoughOutcomes, combined_total, predict, train
from scoring.rules import Contribution, LeadFeatures, LeadScore, grade_for, score_lead
from stages.lead_lists import refresh_lead_list
from warehouse.db import Warehouse, open_warehouse
from warehouse.marts import (
    current_grades,
    current_model,
    feature_sets,
    resolve_leads,
    stage_features,
    store_model,
    store_outcomes,
    store_scores,
    stored_explanations,
)
from warehouse.outcomes import latest_outcomes
from warehouse.runs import run_job
from warehouse.status import leads_by_type

_Scored = tuple[float, float, float, float, str, str, list[str]]


def _score(features: LeadFeatures, cfg: ScoringConfig, as_of: date,
           model: LearnedModel | None) -> _Scored:
    """(fit, engagement, quality, total, grade, explanation JSON, top reasons)."""
    rule = score_lead(features, cfg, as_of)
    explanation = [{"part": c.part, "factor": c.factor, "detail": c.detail,
                    "points": round(c.points, 2)} for c in rule.contributions]
    reasons = rule.top_reasons()
    total, grade = rule.total, rule.grade
    if model is not None:
        probability, parts = predict(model, rule)
        total = combined_total(rule.total, probability, cfg.predictive)
        grade = grade_for(total, cfg)
        explanation += [{"part": "learned", "factor": name,
                         "detail": f"learned weight of {name}", "points": round(logit, 3)}
                        for name, logit in parts]
        explanation.append({"part": "learned", "factor": "win_probability",
                            "detail": f"learned win probability {probability:.0%} "
                                      f"({cfg.predictive.mode})",
                            "points": round(probability, 4)})
        reasons = [*reasons, f"learned win probability {probability:.0%}"]
    return (rule.fit, rule.engagement, rule.quality, total, grade,
            json.dumps(explanation, ensure_ascii=False), reasons)


@dataclass(frozen=True)
class ScoreResult:
    leads_scored: int
    unchanged: int
    feature_sets: int
    """Distinct feature combinations scored in Python (each shared by many leads)."""
    retired: int
    grades: dict[str, int]
    """Grades of the leads scored in this run."""
    config_version: str
    predictive: str
    all_grades: dict[str, int] = field(default_factory=dict)
    """Grades of every lead after this run."""


def score_pending(wh: Warehouse, settings: Settings, as_of: date,
                  progress: Progress = SILENT) -> ScoreResult:
    """Score what changed inside the caller's transaction; return counts.

    Features are computed in SQL; leads with equal features (the postcode counting only by
    the configured region it falls in) are scored once in Python and the result is given to
    all of them, so the Python work grows with the variety of leads, not their number.
    """
    loaded = load_scoring_config(settings.config_dir)
    cfg = loaded.value
    stored = current_model(wh) if cfg.predictive.mode != "off" else None
    model = LearnedModel.from_dict(stored[1]) if stored else None
    version = loaded.version + (f"+model:{stored[0]}" if stored else "")
    total_leads = sum(leads_by_type(wh).values())
    stale = stage_features(wh, as_of=as_of, region_prefixes=list(cfg.fit.regions),
                           config_version=version)
    columns: dict[str, list[Any]] = defaultdict(list)
    grades: dict[str, int] = defaultdict(int)
    sets = feature_sets(wh)
    with progress.track("score", total=stale, unit="leads") as step:
        for row in sets:
            scored = _score(lead_features(row, lead_id="", postcode=row["region"]), cfg,
                            as_of, model)
            columns["set_key"].append(row["set_key"])
            for name, value in zip(("fit", "engagement", "quality", "total", "grade",
                                    "explanation", "top_reasons"), scored, strict=True):
                columns[name].append(value)
            grades[scored[4]] += row["leads"]
            step.advance(row["leads"])
    stored_counts = store_scores(wh, columns, version, datetime.now(UTC))
    return ScoreResult(stored_counts["inserted"], total_leads - stale, len(sets),
                       stored_counts["retired"], dict(sorted(grades.items())), version,
                       cfg.predictive.mode if model else "off", current_grades(wh))


def score_all(settings: Settings, as_of: date | None = None,
              progress: Progress = SILENT) -> ScoreResult:
    """Open the warehouse and run the score stage as one job."""
    day = as_of or date.today()
    with open_warehouse(settings, write=True, purpose="score", publish=True) as wh:
        _, result = run_job(wh, "score", {"as_of": day.isoformat()},
                            lambda wh, run_id: score_pending(wh, settings, day, progress))
        with wh.transaction():
            refresh_lead_list(wh, settings, "score")
    return result


def read_outcomes(path: Path) -> dict[str, str]:
    """key (lead id or e-mail) → won|lost from a CSV with `lead_id` or `email` and `outcome`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(path, None, None, f"cannot read: {exc}") from exc
    dialect = ";" if text[:2000].count(";") > text[:2000].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=dialect)
    fields = {f.strip().lower(): f for f in reader.fieldnames or []}
    key_field = fields.get("lead_id") or fields.get("email")
    if key_field is None or "outcome" not in fields:
        raise InputFileError(path, 1, None, "needs a `lead_id` (or `email`) column and an "
                                            "`outcome` column (won/lost)")
    outcomes: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        key = (row.get(key_field) or "").strip()
        outcome = (row.get(fields["outcome"]) or "").strip().lower()
        if not key:
            continue
        if outcome not in ("won", "lost"):
            raise InputFileError(path, line, "outcome", f"must be won or lost, got {outcome!r}")
        outcomes[key] = outcome
    return outcomes


def _rule_score(lead_id: str, explanation: list[dict[str, Any]]) -> LeadScore:
    contributions = tuple(Contribution(e["part"], e["factor"], e["detail"], e["points"])
                          for e in explanation if e["part"] != "learned")
    return LeadScore(lead_id, 0, 0, 0, 0, "", contributions)


@dataclass(frozen=True)
class TrainedModel:
    model_id: str
    cv_auc: float
    brier: float
    calibration: list[tuple[float, float]]
    """(mean predicted, observed win rate) per bin."""
    coefficients: dict[str, float]
    mode: str
    """How scoring uses it (`predictive.mode`)."""


@dataclass(frozen=True)
class TrainReport:
    outcomes: int
    matched: int
    unmatched: int
    scored: int
    """Matched leads with a current rule explanation: the training set."""
    model: TrainedModel | None = None
    refused: str | None = None
    """Why no model was trained (too few outcomes); the outcomes are stored all the same."""

    def as_dict(self) -> dict[str, Any]:
        """The JSON of `score --train` and of `ops.runs`: the model's fields at the top."""
        data: dict[str, Any] = {"outcomes": self.outcomes, "matched": self.matched,
                                "unmatched": self.unmatched, "scored": self.scored}
        if self.refused is not None:
            data["refused"] = self.refused
        return data | (asdict(self.model) if self.model is not None else {})


TRAIN_OUTCOMES = ("won", "lost", "not_interested")
"""Closed outcomes: a win against a loss or a refusal. Leads still open do not train."""


def train_from_outcomes(settings: Settings, path: Path | None = None, by: str | None = None
                        ) -> TrainReport:
    """Train on the leads' current rule explanations and store the model.

    With a CRM file (`path`), its won/lost outcomes are stored first and are the training
    set; without, the outcomes recorded in the warehouse are (the workspace's and earlier
    files'): leads whose latest outcome is won against lost or not interested. Too few
    outcomes: the report carries `refused` with the reason instead of a model (a file's
    outcomes are kept all the same: the funnel counts them).
    """
    raw = read_outcomes(path) if path is not None else None
    cfg = load_scoring_config(settings.config_dir)
    who = by or os.environ.get("USER") or getpass.getuser()

    def job(wh: Warehouse, run_id: str) -> TrainReport:
        now = datetime.now(UTC)
        if raw is None or path is None:
            outcomes = latest_outcomes(wh, TRAIN_OUTCOMES)
            counts_in = len(outcomes)
        else:
            ids = resolve_leads(wh, list(raw))
            outcomes = {ids[k]: v for k, v in raw.items() if k in ids}
            store_outcomes(wh, outcomes, now, path.name, who)
            counts_in = len(raw)
        explained = stored_explanations(wh, list(outcomes))
        scored = [(_rule_score(lead, explained[lead]), outcomes[lead] == "won")
                  for lead in outcomes if lead in explained]
        counts = (counts_in, len(outcomes), counts_in - len(outcomes), len(scored))
        try:
            model = train([s for s, _ in scored], [w for _, w in scored], cfg.value.predictive)
        except NotEnoughOutcomes as exc:
            return TrainReport(*counts, refused=str(exc))
        model_id = f"model-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        store_model(wh, model_id=model_id, trained_at=now, trained_by=who,
                    config_version=cfg.version, model=model.as_dict(),
                    source_file=path.name if path is not None else None)
        return TrainReport(*counts, model=TrainedModel(
            model_id, round(model.cv_auc, 3), round(model.brier, 4), model.calibration,
            model.coefficients, cfg.value.predictive.mode))

    with open_warehouse(settings, write=True, purpose="score train", publish=True) as wh:
        _, report = run_job(wh, "score-train",
                            {"path": str(path) if path is not None else "recorded outcomes"},
                            job, TrainReport.as_dict)
    return report
