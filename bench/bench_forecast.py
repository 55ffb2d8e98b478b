"""Benchmark: the forecast's backtest on outcomes with known probabilities, and on the demo.

    .venv/bin/python bench/bench_forecast.py --report bench/report_forecast.md
    .venv/bin/python bench/bench_forecast.py --worlds 5 --skip-demo

(a) Generated worlds (`world`): several thousand leads arrive over 40 weeks; each has a
    known weekly rate of being won (a logistic function of its rule factors: industry, size,
    web-form request, valid e-mail) and of being lost (3 % a week); the time to either is
    exponential, so the true probability that a lead open at any day is won within the
    next H weeks is known exactly: λ/(λ+μ)·(1 − e^{−(λ+μ)H}). Each world is backtested at
    the starts of its last three 8-week periods: Brier of the forecast (learned model or
    base rates, whichever it chose), of the base rates and of the true probabilities; the
    decile table; and how often the realised wins fall inside the 80 % interval.
(b) The demo warehouse (`leadpipe demo` in a scratch directory): its leads are back-dated
    over 30 weeks and given outcomes by the same kind of known model over their real rule
    factors (the demo has no sales history), then the stage's own backtest and forecast
    (`stages.forecast`) run on the warehouse.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scoring.config import load_scoring_config
from scoring.forecast import (
    Backtest,
    PipelineLead,
    RecordedOutcome,
    backtest,
    brier,
    deciles,
    end_of,
)
from scoring.forecast_config import load_forecast_config
from scoring.rules import Contribution, LeadScore

TODAY = date(2026, 12, 7)
WEEKS = 8
LOSS_RATE = 0.03
"""μ: a lead open today is lost (or refuses) within a week with this probability rate."""
_INDUSTRY = (0.0, 8.0, 15.0, 20.0)
_SIZE = (0.0, 2.0, 10.0, 15.0)
_REQUEST = (0.0, 10.0, 20.0, 40.0)
_SEGMENT_VALUE = {"b2b · C": 12_000.0, "b2b · J": 8_000.0, "b2c · no WZ": 1_500.0}


def win_rate(points: np.ndarray) -> np.ndarray:
    """λ: the known weekly rate of a win from the summed rule points (0 … 80)."""
    return 0.25 / (1 + np.exp(-(points - 45) / 9))


def true_probability(rate: float, weeks: int = WEEKS) -> float:
    """P(won within `weeks` | open now) for a lead with weekly win rate `rate`."""
    total = rate + LOSS_RATE
    return rate / total * (1 - math.exp(-total * weeks))


@dataclass(frozen=True)
class World:
    leads: list[PipelineLead]
    rate: dict[str, float]   # lead id → λ
    today: date


def world(n: int, seed: int, span_weeks: int = 40, today: date = TODAY) -> World:
    """`n` leads arriving over `span_weeks` before `today`, outcomes drawn from the known
    model and recorded up to `today` (later events are not known yet)."""
    rng = np.random.default_rng(seed)
    industry = rng.choice(_INDUSTRY, n)
    size = rng.choice(_SIZE, n)
    request = rng.choice(_REQUEST, n, p=(0.55, 0.15, 0.15, 0.15))
    email = rng.choice((0.0, 5.0), n)
    rate = win_rate(industry + size + request + email)
    start = end_of(today) - timedelta(days=1) - timedelta(weeks=span_weeks)
    arrival = rng.uniform(0, span_weeks, n)
    event = arrival + rng.exponential(1 / (rate + LOSS_RATE))
    won = rng.random(n) < rate / (rate + LOSS_RATE)
    contacted = arrival + rng.exponential(1.0, n)
    leads, rates = [], {}
    for i in range(n):
        lead_id = f"G{seed}-{i}"
        segment = ("b2c · no WZ" if i % 5 == 0 else "b2b · C" if industry[i] >= 15
                   else "b2b · J")
        outcomes = []
        if contacted[i] < min(event[i], span_weeks):
            outcomes.append(RecordedOutcome("contacted", start + timedelta(weeks=contacted[i]),
                                            None))
        if event[i] < span_weeks:
            value = float(rng.lognormal(math.log(_SEGMENT_VALUE[segment]) - 0.125, 0.5))
            outcomes.append(RecordedOutcome("won" if won[i] else "lost",
                                            start + timedelta(weeks=event[i]),
                                            round(value, 2) if won[i] else None))
        points = {"industry": industry[i], "size_class": size[i], "request": request[i],
                  "valid_email": email[i]}
        score = LeadScore(lead_id, 0, 0, 0, 0, "", tuple(
            Contribution("fit", name, name, float(v)) for name, v in points.items() if v))
        source = "web_form" if request[i] else "purchased_list"
        vendor = "" if request[i] else ("Adressverlag Nord" if i % 2 else "B2B Data GmbH")
        leads.append(PipelineLead(lead_id, start + timedelta(weeks=arrival[i]), source, vendor,
                                  segment, score, tuple(outcomes)))
        rates[lead_id] = float(rate[i])
    return World(leads, rates, today)


def _truth(w: World, result: Backtest) -> tuple[float, tuple[object, ...]]:
    """Brier and deciles of the true probabilities on the backtest's leads."""
    cut = end_of(result.as_of)
    ends = end_of(result.ends)
    open_leads = [lead for lead in w.leads if lead.first_seen <= cut and not any(
        o.at <= cut and o.outcome in ("won", "lost") for o in lead.outcomes)]
    p = np.array([true_probability(w.rate[lead.lead_id], result.weeks) for lead in open_leads])
    y = np.array([any(o.outcome == "won" and cut < o.at <= ends for o in lead.outcomes)
                  for lead in open_leads], dtype=float)
    assert len(p) == result.leads, (len(p), result.leads)
    return brier(p, y), deciles(p, y)


def generated(worlds: int, n: int) -> dict[str, object]:
    cfg = load_forecast_config().value
    predictive = load_scoring_config().value.predictive
    rows = []
    for seed in range(worlds):
        w = world(n, seed)
        for k in (1, 2, 3):
            t0 = time.perf_counter()
            result = backtest(w.leads, w.today - timedelta(weeks=WEEKS * k), WEEKS, cfg,
                              predictive, w.today)
            seconds = time.perf_counter() - t0
            true_brier, true_deciles = _truth(w, result)
            rows.append({"seed": seed, "k": k, "result": result, "true_brier": true_brier,
                         "true_deciles": true_deciles, "seconds": seconds})
    return {"rows": rows, "n": n, "worlds": worlds}
