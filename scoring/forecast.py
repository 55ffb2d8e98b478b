"""The revenue forecast: expected wins and revenue of the open pipeline over the next weeks.

Pure: the stage hands over the qualified leads (`PipelineLead`: source, vendor, segment, rule
score, recorded outcomes); everything here is computed as of a start date from the outcomes
recorded before it, so the same code forecasts the future and, in the backtest, a past period
from the data before it.

- **Probability** that an open lead is won within the period. Past periods of the same
  length (`periods` of them, ending at the start) show which leads were open at their start
  and which of them were won within them. With enough closed outcomes the learned model
  (`scoring.predictive.train`, as `score --train` fits it) is refitted on the outcomes known
  at the start and calibrated on those periods (Platt scaling, with the lead's funnel stage
  beside the model's log-odds); otherwise base rates per funnel stage and source, shrunk
  towards the stage's rate and that towards the configured default.
- **Deal value** per segment from the won outcomes' `value_eur` (falling back to all won
  deals, then to the configured default), with its spread.
- **Timing**: how the past periods' wins fell over their weeks (fallback: exponential time
  to a win with the configured mean).
- **Interval**: the period simulated `draws` times (each lead won or not with its
  probability, in a week drawn from the timing, at a value drawn log-normally around its
  segment's mean); the interval is the middle `interval` share of the simulated totals.
"""

from __future__ import annotations

import functools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

import numpy as np
from sklearn.linear_model import LogisticRegression

from foundation.vocabulary import OUTCOME_LEVELS
from scoring.config import PredictiveConfig
from scoring.forecast_config import FUNNEL_STAGES, ForecastConfig, FunnelStage
from scoring.predictive import NotEnoughOutcomes, predict, train
from scoring.rules import LeadScore

CLOSED = frozenset({"won", "lost", "not_interested"})
"""A lead whose latest outcome is one of these is no longer in the pipeline."""
GROUPINGS = ("source", "vendor", "segment")
NO_VENDOR = "(no vendor)"
MethodName = Literal["learned_model", "base_rates", "configured_rates"]


class ForecastError(ValueError):
    """A forecast that cannot be made as asked (a backtest period that has not ended)."""


@dataclass(frozen=True)
class RecordedOutcome:
    outcome: str
    at: datetime
    value_eur: float | None


@dataclass(frozen=True)
class PipelineLead:
    lead_id: str
    first_seen: datetime
    source: str
    vendor: str            # '' when the lead is in no vendor's list
    segment: str
    score: LeadScore | None
    outcomes: tuple[RecordedOutcome, ...]   # oldest first


def primary_source(kinds: Sequence[str], priority: Sequence[str]) -> str:
    """The source kind a lead counts under: the first of `priority` it has, else its first."""
    ranked = sorted(kinds, key=lambda k: (priority.index(k) if k in priority else len(priority),
                                          k))
    return ranked[0] if ranked else "unknown"


def segment_of(audience: str | None, wz_section: str | None, size_class: str | None,
               segment_by: str) -> str:
    """'b2b · C' (audience and WZ section) or 'b2b · medium' (audience and size class)."""
    detail = (wz_section or "no WZ") if segment_by == "wz_section" else (size_class or "unknown")
    return f"{audience or 'unknown'} · {detail}"


def end_of(day: date) -> datetime:
    """The moment the day is over: what was recorded on the as-of day is known."""
    return datetime.combine(day + timedelta(days=1), time(0), UTC)


def closed_by(lead: PipelineLead, cut: datetime) -> str | None:
    """The outcome that closed the lead by `cut` (won, lost, not interested), or None."""
    known = [o.outcome for o in lead.outcomes if o.at <= cut]
    return known[-1] if known and known[-1] in CLOSED else None


def stage_at(lead: PipelineLead, cut: datetime) -> FunnelStage | None:
    """The lead's funnel stage from the outcomes recorded up to `cut`; None when closed."""
    if closed_by(lead, cut) is not None:
        return None
    known = [o for o in lead.outcomes if o.at <= cut]
    level = max((OUTCOME_LEVELS.get(o.outcome, 0) for o in known), default=0)  # type: ignore[call-overload]
    return FUNNEL_STAGES[min(level, len(FUNNEL_STAGES) - 1)]


def won_between(lead: PipelineLead, start: datetime, end: datetime) -> datetime | None:
    return next((o.at for o in lead.outcomes if o.outcome == "won" and start < o.at <= end),
                None)


@dataclass(frozen=True)
class _Observed:
    """A lead open at the start of a past period, and when (if) it was won within it."""
    lead: PipelineLead
    stage: FunnelStage
    start: datetime
    won_at: datetime | None


def _open_at(leads: Sequence[PipelineLead], cut: datetime
             ) -> list[tuple[PipelineLead, FunnelStage]]:
    found = []
    for lead in leads:
        if lead.first_seen <= cut and (stage := stage_at(lead, cut)) is not None:
            found.append((lead, stage))
    return found


def _past_periods(leads: Sequence[PipelineLead], cut: datetime, weeks: int, periods: int
                  ) -> list[_Observed]:
    span = timedelta(weeks=weeks)
    seen = []
    for k in range(1, periods + 1):
        start = cut - k * span
        seen += [_Observed(lead, stage, start, won_between(lead, start, start + span))
                 for lead, stage in _open_at(leads, start)]
    return seen


# --- probabilities --------------------------------------------------------------------------

@dataclass(frozen=True)
class Method:
    name: MethodName
    reason: str
    closed_outcomes: int
    """Leads whose latest outcome before the start is won, lost or not interested."""
    wins: int
    periods: int
    period_leads: int
    """Leads open at the start of a past period (a lead counts once per period)."""
    period_wins: int
    level_spread: float
    """Standard deviation of the log-odds shift shared by all leads that the interval allows
    for: the probabilities' level is estimated from `period_wins` wins, and past periods
    differed from their expectation by more than chance alone."""


@dataclass(frozen=True)
class _Rates:
    stage_source: dict[tuple[str, str], float]
    stage: dict[str, float]

    def rate(self, stage: str, source: str) -> float:
        return self.stage_source.get((stage, source), self.stage[stage])


def _base_rates(seen: Sequence[_Observed], weeks: int, cfg: ForecastConfig) -> _Rates:
    """Win rate within the period per stage and source, shrunk towards the stage's rate and
    that towards the configured default (scaled from 8 weeks to `weeks`)."""
    k = cfg.base_rates.prior_strength
    n: Counter[tuple[str, str]] = Counter()
    won: Counter[tuple[str, str]] = Counter()
    for o in seen:
        n[(o.stage, o.lead.source)] += 1
        won[(o.stage, o.lead.source)] += o.won_at is not None
    stage: dict[str, float] = {}
    for s in FUNNEL_STAGES:
        default = 1 - (1 - cfg.base_rates.default_8_weeks[s]) ** (weeks / 8)
        ns = sum(v for (st, _), v in n.items() if st == s)
        ws = sum(v for (st, _), v in won.items() if st == s)
        stage[s] = (ws + k * default) / (ns + k) if ns + k else default
    return _Rates({key: (won[key] + k * stage[key[0]]) / (count + k)
                   for key, count in n.items()}, stage)


@dataclass(frozen=True)
class _Calibrated:
    """The learned model's log-odds, recalibrated to a win within the period per stage."""
    predict_raw: Callable[[LeadScore], float]
    intercept: float
    slope: float
    stage_effect: dict[str, float]

    def probability(self, score: LeadScore, stage: str) -> float:
        z = (self.intercept + self.slope * _logit(self.predict_raw(score))
             + self.stage_effect.get(stage, 0.0))
        return 1 / (1 + math.exp(-z))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _learned(leads: Sequence[PipelineLead], cut: datetime, seen: Sequence[_Observed],
             cfg: ForecastConfig, predictive: PredictiveConfig
             ) -> tuple[_Calibrated | None, str]:
    """The learned model refitted on the outcomes closed by `cut` and calibrated on the past
    periods, or None and why not."""
    closed = [(lead.score, outcome == "won") for lead in leads
              if lead.score is not None and (outcome := closed_by(lead, cut)) is not None]
    try:
        model = train([s for s, _ in closed], [w for _, w in closed], predictive)
    except NotEnoughOutcomes as exc:
        return None, str(exc).rstrip(".")
    rows = [o for o in seen if o.lead.score is not None]
    period_wins = sum(o.won_at is not None for o in rows)
    if period_wins < cfg.min_calibration_wins or period_wins == len(rows):
        return None, (f"the model could be trained, but its calibration needs at least "
                      f"{cfg.min_calibration_wins} wins within past periods of this length "
                      f"and found {period_wins}")

    @functools.cache
    def raw(score: LeadScore) -> float:   # a lead is in several periods: predicted once
        return predict(model, score)[0]

    stages = FUNNEL_STAGES[1:]
    x = np.array([[_logit(raw(o.lead.score)), *(float(o.stage == s) for s in stages)]
                  for o in rows if o.lead.score is not None])
    y = np.array([o.won_at is not None for o in rows], dtype=int)
    fit = LogisticRegression(max_iter=1000).fit(x, y)
    coef = [float(c) for c in fit.coef_[0]]
    return _Calibrated(raw, float(fit.intercept_[0]), coef[0],
                       dict(zip(stages, coef[1:], strict=True))), ""


@dataclass(frozen=True)
class _Estimate:
    method: Method
    leads: list[tuple[PipelineLead, FunnelStage]]   # open at the start
    probability: np.ndarray                          # the method's
    base_rate: np.ndarray                            # the base-rate forecast's
    base_spread: float                               # the base rates' level spread
    shares: tuple[float, ...]                        # of the wins per week
    timing: str


def _level_spread(seen: Sequence[_Observed], probability: Callable[[_Observed], float]
                  ) -> float:
    """How uncertain the level of the probabilities is, as a standard deviation of a shift
    of every lead's log-odds: the sampling error of a rate measured from W wins (1/W on
    that scale), plus the variance by which the past periods' wins strayed from what the
    probabilities expected beyond chance. Without any win observed it is 1 (a factor of
    about e either way): configured rates are a guess."""
    by_period: dict[datetime, list[_Observed]] = defaultdict(list)
    for o in seen:
        by_period[o.start].append(o)
    won = sum(o.won_at is not None for o in seen)
    excess, scale = 0.0, 0.0
    if len(by_period) >= 2:
        for period in by_period.values():
            p = np.array([probability(o) for o in period])
            w = sum(o.won_at is not None for o in period)
            excess += (w - p.sum()) ** 2 - float((p * (1 - p)).sum())
            scale += float(p.sum()) ** 2
    between = max(excess / scale, 0.0) if scale else 0.0
    return round(math.sqrt(between + 1 / max(won, 1)), 4)


def _estimate(leads: Sequence[PipelineLead], cut: datetime, weeks: int, cfg: ForecastConfig,
              predictive: PredictiveConfig) -> _Estimate:
    seen = _past_periods(leads, cut, weeks, cfg.periods)
    rates = _base_rates(seen, weeks, cfg)
    open_now = _open_at(leads, cut)
    base = np.array([rates.rate(stage, lead.source) for lead, stage in open_now])
    calibrated, why_not = _learned(leads, cut, seen, cfg, predictive)
    closed = [outcome for lead in leads if (outcome := closed_by(lead, cut)) is not None]
    wins = closed.count("won")
    period_wins = sum(o.won_at is not None for o in seen)
    counts = (len(closed), wins, cfg.periods, len(seen), period_wins)
    base_spread = _level_spread(seen, lambda o: rates.rate(o.stage, o.lead.source))
    scope = (f"{len(seen):,} leads open at the start of {cfg.periods} past periods of "
             f"{weeks} weeks, {period_wins:,} of them won within the period")
    if calibrated is not None:
        prob = np.array([calibrated.probability(lead.score, stage) if lead.score is not None
                         else rates.rate(stage, lead.source) for lead, stage in open_now])
        spread = _level_spread(seen, lambda o: calibrated.probability(o.lead.score, o.stage)
                               if o.lead.score is not None
                               else rates.rate(o.stage, o.lead.source))
        method = Method("learned_model",
                        f"learned model (logistic regression on the rule factors) refitted on "
                        f"{len(closed):,} closed outcomes ({wins:,} won) and calibrated with "
                        f"the funnel stage on {scope}", *counts, spread)
    elif seen:
        prob = base
        method = Method("base_rates",
                        f"base rates per funnel stage and source from {scope}, shrunk towards "
                        f"the configured rates; not the learned model: {why_not}", *counts,
                        base_spread)
    else:
        prob = base
        method = Method("configured_rates",
                        "configured rates per funnel stage (scoring/forecast.yaml): no lead was "
                        f"open at the start of a past period yet; not the learned model: "
                        f"{why_not}", *counts, base_spread)
    shares, timing = _weekly_shares(seen, weeks, cfg)
    return _Estimate(method, open_now, prob, base, base_spread, shares, timing)


def _weekly_shares(seen: Sequence[_Observed], weeks: int, cfg: ForecastConfig
                   ) -> tuple[tuple[float, ...], str]:
    """Share of a period's wins in each of its weeks, and where the shares come from."""
    counts = [0] * weeks
    for o in seen:
        if o.won_at is not None:
            week = math.ceil((o.won_at - o.start).total_seconds() / (7 * 86400))
            counts[min(max(week, 1), weeks) - 1] += 1
    total = sum(counts)
    if total >= cfg.timing.min_wins:
        return tuple(c / total for c in counts), (
            f"observed: when the {total:,} wins of the past periods fell")
    mean = cfg.timing.default_days_to_win / 7
    cdf = [1 - math.exp(-w / mean) for w in range(weeks + 1)]
    raw = [cdf[w + 1] - cdf[w] for w in range(weeks)]
    return tuple(r / sum(raw) for r in raw), (
        f"configured: exponential time to a win with a mean of "
        f"{cfg.timing.default_days_to_win:g} days ({total} wins observed, "
        f"{cfg.timing.min_wins} needed)")


# --- deal values ----------------------------------------------------------------------------

@dataclass(frozen=True)
class DealValue:
    segment: str
    won_deals: int
    """Won deals with a value in this segment."""
    mean_eur: float
    spread_eur: float
    basis: Literal["segment", "all won deals", "configured default"]


def deal_values(leads: Sequence[PipelineLead], cut: datetime, segments: Sequence[str],
                cfg: ForecastConfig) -> dict[str, DealValue]:
    """Average value and spread of a won deal per segment, from the wins recorded by `cut`."""
    values: dict[str, list[float]] = defaultdict(list)
    for lead in leads:
        values[lead.segment] += [o.value_eur for o in lead.outcomes
                                 if o.outcome == "won" and o.at <= cut and o.value_eur]
    every = [v for vs in values.values() for v in vs]
    need = cfg.deal_value.min_deals

    def spread(vs: list[float], mean: float) -> float:
        return float(np.std(vs, ddof=1)) if len(vs) >= 2 else mean * cfg.deal_value.default_spread

    found = {}
    for segment in sorted(set(segments)):
        own = values.get(segment, [])
        if len(own) >= need:
            mean = float(np.mean(own))
            found[segment] = DealValue(segment, len(own), mean, spread(own, mean), "segment")
        elif len(every) >= need:
            mean = float(np.mean(every))
            found[segment] = DealValue(segment, len(own), mean, spread(every, mean),
                                       "all won deals")
        else:
            mean = cfg.deal_value.default_eur
            found[segment] = DealValue(segment, len(own), mean,
                                       mean * cfg.deal_value.default_spread,
                                       "configured default")
    return found


# --- the simulation -------------------------------------------------------------------------

@dataclass(frozen=True)
class Range:
    expected: float
    low: float
    high: float


@dataclass(frozen=True)
class GroupForecast:
    key: str
    leads: int
    conversions: Range
    revenue_eur: Range


@dataclass(frozen=True)
class WeekForecast:
    week: int
    starts: date
    conversions: Range
    revenue_eur: Range


@dataclass(frozen=True)
class _Draws:
    conversions: np.ndarray      # draws × groups
    revenue: np.ndarray          # draws × groups
    week_conversions: np.ndarray  # draws × weeks
    week_revenue: np.ndarray      # draws × weeks


def _simulate(p: np.ndarray, level: float, mean: np.ndarray, spread: np.ndarray,
              shares: Sequence[float], group: np.ndarray, groups: int, draws: int, seed: int
              ) -> _Draws:
    """Per draw, every lead's log-odds shifted by one normal draw with sd `level` (the
    uncertain level of all probabilities), then each lead won or not, in a week drawn from
    `shares`, for a log-normal value with its mean and spread; summed per group and week.

    Leads alike in probability, deal value and group are drawn together: their wins in a
    draw are one binomial instead of one Bernoulli each. A nightly pipeline of a million
    leads holds a few hundred such kinds, so a draw costs per kind, not per lead."""
    rng = np.random.default_rng(seed)
    clipped = np.clip(p, 1e-9, 1 - 1e-9)
    kinds, count = np.unique(
        np.column_stack([np.log(clipped / (1 - clipped)), mean, spread, group]), axis=0,
        return_counts=True)
    single = np.argsort(count == 1, kind="stable")  # kinds of one lead last: see `_wins`
    kinds, count = kinds[single], count[single]
    log_odds, mean, spread, group = kinds.T
    group = group.astype(np.int64)
    shift = rng.normal(0.0, level, draws)[:, None]
    weeks = len(shares)
    conv = np.zeros((draws, groups))
    rev = np.zeros((draws, groups))
    wconv = np.zeros((draws, weeks))
    wrev = np.zeros((draws, weeks))
    sigma2 = np.log1p((spread / np.maximum(mean, 1e-9)) ** 2)
    mu = np.log(np.maximum(mean, 1e-9)) - sigma2 / 2
    cumulative = np.cumsum(shares)
    chunk = max(1, 2_000_000 // draws)
    for lo in range(0, len(kinds), chunk):
        hi = min(lo + chunk, len(kinds))
        chance = 1 / (1 + np.exp(-(log_odds[lo:hi] + shift)))
        wins = _wins(rng, count[lo:hi], chance)
        draw, kind = np.nonzero(wins)
        times = wins[draw, kind]
        # values and weeks are drawn per win: few of all draws
        draw, kind = np.repeat(draw, times), np.repeat(kind + lo, times)
        value = np.exp(mu[kind] + np.sqrt(sigma2[kind]) * rng.standard_normal(len(kind)))
        week = np.minimum(np.searchsorted(cumulative, rng.random(len(kind))), weeks - 1)
        by_group = draw * groups + group[kind]
        conv += np.bincount(by_group, None, draws * groups).reshape(draws, groups)
        rev += np.bincount(by_group, value, draws * groups).reshape(draws, groups)
        by_week = draw * weeks + week
        wconv += np.bincount(by_week, None, draws * weeks).reshape(draws, weeks)
        wrev += np.bincount(by_week, value, draws * weeks).reshape(draws, weeks)
    return _Draws(conv, rev, wconv, wrev)


def _wins(rng: np.random.Generator, count: np.ndarray, chance: np.ndarray) -> np.ndarray:
    """Wins per draw of kinds with `count` leads: binomial, or (as fast again) a Bernoulli
    when every kind in the chunk is one lead."""
    if count.max() == 1:
        return (rng.random(chance.shape) < chance).astype(np.int64)
    return rng.binomial(count, chance)


def _range(expected: float, draws: np.ndarray, interval: float, digits: int) -> Range:
    low, high = np.quantile(draws, [(1 - interval) / 2, (1 + interval) / 2],
                            method="inverted_cdf")
    return Range(round(float(expected), digits), round(float(low), digits),
                 round(float(high), digits))


# --- the forecast ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Forecast:
    as_of: date
    """The last day whose data the forecast uses; the period is the weeks after it."""
    weeks: int
    interval: float
    by: str
    leads: int
    """Open qualified leads: allowed on a channel, not won, lost or not interested."""
    method: Method
    total: GroupForecast
    groups: tuple[GroupForecast, ...]
    by_week: tuple[WeekForecast, ...]
    deal_values: tuple[DealValue, ...]
    timing: str
    notes: tuple[str, ...]
    config_version: str


def group_key(lead: PipelineLead, by: str) -> str:
    if by == "source":
        return lead.source
    if by == "vendor":
        return lead.vendor or NO_VENDOR
    return lead.segment


def forecast(leads: Sequence[PipelineLead], as_of: date, weeks: int, by: str,
             cfg: ForecastConfig, predictive: PredictiveConfig, config_version: str = ""
             ) -> Forecast:
    """Expected wins and revenue of the leads open at the end of `as_of` over the `weeks`
    after it."""
    if by not in GROUPINGS:
        raise ForecastError(f"--by must be one of {', '.join(GROUPINGS)}, got {by!r}")
    cut = end_of(as_of)
    est = _estimate(leads, cut, weeks, cfg, predictive)
    open_leads = [lead for lead, _ in est.leads]
    values = deal_values(leads, cut, [lead.segment for lead in open_leads], cfg)
    mean = np.array([values[lead.segment].mean_eur for lead in open_leads])
    spread = np.array([values[lead.segment].spread_eur for lead in open_leads])
    keys = sorted({group_key(lead, by) for lead in open_leads})
    index = np.array([keys.index(group_key(lead, by)) for lead in open_leads], dtype=int)
    p = est.probability
    sim = _simulate(p, est.method.level_spread, mean, spread, est.shares, index, len(keys),
                    cfg.simulation.draws, cfg.simulation.seed)
    share = cfg.interval
    groups = tuple(GroupForecast(
        key, int((index == g).sum()),
        _range(p[index == g].sum(), sim.conversions[:, g], share, 1),
        _range((p * mean)[index == g].sum(), sim.revenue[:, g], share, 0))
        for g, key in enumerate(keys))
    total = GroupForecast("all", len(open_leads),
                          _range(p.sum(), sim.conversions.sum(axis=1), share, 1),
                          _range((p * mean).sum(), sim.revenue.sum(axis=1), share, 0))
    by_week = tuple(WeekForecast(
        w + 1, as_of + timedelta(days=1, weeks=w),
        _range(p.sum() * est.shares[w], sim.week_conversions[:, w], share, 1),
        _range((p * mean).sum() * est.shares[w], sim.week_revenue[:, w], share, 0))
        for w in range(weeks))
    notes = [f"Probabilities: {est.method.reason}.", f"Timing: {est.timing}."]
    fallback = sorted(v.segment for v in values.values() if v.basis != "segment")
    if fallback:
        basis = {v.basis for v in values.values() if v.basis != "segment"}
        notes.append(f"Deal value: {len(fallback)} segment(s) with fewer than "
                     f"{cfg.deal_value.min_deals} won deals with a value use "
                     f"{' / '.join(sorted(basis))} ({', '.join(fallback)}).")
    return Forecast(as_of, weeks, share, by, len(open_leads), est.method, total, groups,
                    by_week, tuple(values.values()), est.timing, tuple(notes), config_version)


# --- the backtest ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DecileRow:
    decile: int
    leads: int
    mean_predicted: float
    observed: float


@dataclass(frozen=True)
class Calibration:
    """How one set of probabilities fared against what happened."""
    method: str
    brier: float
    expected: Range
    """Expected wins within the period and the interval."""
    inside_interval: bool
    deciles: tuple[DecileRow, ...]


@dataclass(frozen=True)
class Backtest:
    as_of: date
    """The last day of the data the forecast was made from."""
    ends: date
    """The last day of the period forecast."""
    weeks: int
    leads: int
    """Leads open at the start (with their current qualification)."""
    won: int
    """Of them, won within the period: what happened."""
    method: Method
    """What the forecast would have used on the data before the start."""
    forecast: Calibration
    base_rates: Calibration
    skill: float | None
    """1 − Brier(forecast) / Brier(base rates): above 0 the forecast is better."""
    verdict: str


def brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2)) if len(p) else 0.0


def deciles(p: np.ndarray, y: np.ndarray) -> tuple[DecileRow, ...]:
    """Leads ranked by predicted probability in ten equal groups: mean predicted vs observed."""
    order = np.argsort(p, kind="stable")
    return tuple(DecileRow(i + 1, len(part), round(float(p[part].mean()), 4),
                           round(float(y[part].mean()), 4))
                 for i, part in enumerate(np.array_split(order, 10)) if len(part))


def _calibration(method: str, p: np.ndarray, level: float, y: np.ndarray, cfg: ForecastConfig
                 ) -> Calibration:
    sim = _simulate(p, level, np.ones_like(p), np.zeros_like(p), (1.0,),
                    np.zeros(len(p), dtype=int), 1, cfg.simulation.draws, cfg.simulation.seed)
    expected = _range(p.sum(), sim.conversions[:, 0], cfg.interval, 1)
    won = int(y.sum())
    return Calibration(method, round(brier(p, y), 5), expected,
                       expected.low <= won <= expected.high, deciles(p, y))


def backtest(leads: Sequence[PipelineLead], as_of: date, weeks: int, cfg: ForecastConfig,
             predictive: PredictiveConfig, today: date) -> Backtest:
    """Forecast the `weeks` after `as_of` from the data recorded up to it; compare with the
    wins recorded within them."""
    ends = as_of + timedelta(weeks=weeks)
    if ends > today:
        raise ForecastError(f"the backtest period {as_of + timedelta(days=1)} – {ends} has not "
                            f"ended yet: give --as-of {today - timedelta(weeks=weeks)} or "
                            "earlier")
    cut = end_of(as_of)
    est = _estimate(leads, cut, weeks, cfg, predictive)
    y = np.array([won_between(lead, cut, end_of(ends)) is not None for lead, _ in est.leads],
                 dtype=float)
    base = _calibration("base_rates", est.base_rate, est.base_spread, y, cfg)
    own = (_calibration(est.method.name, est.probability, est.method.level_spread, y, cfg)
           if est.method.name == "learned_model" else base)
    skill = (round(1 - own.brier / base.brier, 4)
             if est.method.name == "learned_model" and base.brier > 0 else None)
    if skill is None:
        verdict = (f"The forecast used base rates ({est.method.name}): the learned model could "
                   "not be used on the data before this period, so there is nothing to compare.")
    elif skill > 0:
        verdict = (f"The learned model's forecast is better than base rates: Brier "
                   f"{own.brier:.4f} against {base.brier:.4f} (skill {skill:+.1%}).")
    else:
        verdict = (f"The learned model's forecast is NOT better than base rates: Brier "
                   f"{own.brier:.4f} against {base.brier:.4f} (skill {skill:+.1%}); trust the "
                   "base rates until more outcomes are known.")
    return Backtest(as_of, ends, weeks, len(est.leads), int(y.sum()), est.method, own, base,
                    skill, verdict)
