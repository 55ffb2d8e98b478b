"""The forecast's math on generated leads whose true win probabilities are known
(`bench/bench_forecast.world`): intervals around the mean, base rates while outcomes are few,
deal values and their fallbacks, and a calibrated model beating base rates."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest

from bench.bench_forecast import TODAY, World, world
from scoring.config import PredictiveConfig, load_scoring_config
from scoring.forecast import (
    Forecast,
    ForecastError,
    RecordedOutcome,
    _simulate,
    backtest,
    end_of,
    forecast,
)
from scoring.forecast_config import ForecastConfig, load_forecast_config
from scoring.forecast_texts import bar, forecast_markdown


@pytest.fixture(scope="module")
def cfg() -> ForecastConfig:
    return load_forecast_config().value


@pytest.fixture(scope="module")
def predictive() -> PredictiveConfig:
    return load_scoring_config().value.predictive


@pytest.fixture(scope="module")
def big() -> World:
    return world(3000, seed=11)


@pytest.fixture(scope="module")
def big_forecast(big: World, cfg: ForecastConfig, predictive: PredictiveConfig) -> Forecast:
    return forecast(big.leads, TODAY, 8, "segment", cfg, predictive)


def test_every_interval_contains_its_mean(big_forecast: Forecast) -> None:
    f = big_forecast
    assert f.method.name == "learned_model"
    for g in (*f.groups, f.total):
        assert g.conversions.low <= g.conversions.expected <= g.conversions.high, g
        assert g.revenue_eur.low <= g.revenue_eur.expected <= g.revenue_eur.high, g
        assert g.conversions.low < g.conversions.high
    assert sum(g.leads for g in f.groups) == f.total.leads == f.leads
    assert sum(g.conversions.expected for g in f.groups) == pytest.approx(
        f.total.conversions.expected, abs=0.2)
    assert sum(w.conversions.expected for w in f.by_week) == pytest.approx(
        f.total.conversions.expected, abs=0.5)
    # each segment has enough won deals: its own average, near the generator's
    values = {v.segment: v for v in f.deal_values}
    assert {v.basis for v in values.values()} == {"segment"}
    assert values["b2b · C"].mean_eur == pytest.approx(12_000, rel=0.15)


def test_few_outcomes_mean_base_rates_and_the_output_says_so(
        big: World, cfg: ForecastConfig, predictive: PredictiveConfig) -> None:
    few = big.leads[:150]
    f = forecast(few, TODAY, 8, "source", cfg, predictive)
    assert f.method.name == "base_rates"
    assert f"{f.method.closed_outcomes} leads with outcomes" in f.method.reason
    assert "a model needs at least 200 leads" in f.method.reason
    assert f.notes[0].startswith("Probabilities: base rates per funnel stage and source")


def test_without_any_history_the_configured_rates_are_used(
        big: World, cfg: ForecastConfig, predictive: PredictiveConfig) -> None:
    fresh = [replace(lead, first_seen=end_of(TODAY) - timedelta(days=1), outcomes=())
             for lead in big.leads[:200]]
    f = forecast(fresh, TODAY, 8, "source", cfg, predictive)
    assert f.method.name == "configured_rates"
    assert f.total.conversions.expected == pytest.approx(
        200 * cfg.base_rates.default_8_weeks["new"], abs=0.1)
    assert "Deal value" in f.notes[-1]
    assert "configured default" in f.notes[-1]
    assert f.timing.startswith("configured: exponential")
    assert f.by_week[0].conversions.expected > f.by_week[-1].conversions.expected


def test_deal_values_fall_back_to_all_won_deals(
        big: World, cfg: ForecastConfig, predictive: PredictiveConfig) -> None:
    rare = [replace(lead, outcomes=tuple(o for o in lead.outcomes if o.outcome != "won"))
            if lead.segment == "b2c · no WZ" else lead for lead in big.leads[:600]]
    f = forecast(rare, TODAY, 8, "segment", cfg, predictive)
    values = {v.segment: v for v in f.deal_values}
    assert values["b2c · no WZ"].basis == "all won deals"
    assert values["b2c · no WZ"].won_deals == 0
    assert any("b2c · no WZ" in note for note in f.notes)


def test_calibrated_model_beats_base_rates_on_known_probabilities(
        big: World, cfg: ForecastConfig, predictive: PredictiveConfig) -> None:
    result = backtest(big.leads, TODAY - timedelta(weeks=8), 8, cfg, predictive, TODAY)
    assert result.method.name == "learned_model"
    assert result.skill is not None
    assert result.skill > 0.05
    assert result.forecast.brier < result.base_rates.brier
    assert "better than base rates" in result.verdict
    assert "NOT" not in result.verdict
    top, bottom = result.forecast.deciles[-1], result.forecast.deciles[0]
    assert top.observed > 5 * bottom.observed
    assert abs(top.mean_predicted - top.observed) < 0.15


def test_a_backtest_needs_a_period_that_has_ended(
        big: World, cfg: ForecastConfig, predictive: PredictiveConfig) -> None:
    with pytest.raises(ForecastError, match="has not ended yet"):
        backtest(big.leads, TODAY - timedelta(weeks=2), 8, cfg, predictive, TODAY)


def test_markdown_has_the_method_and_bars(big_forecast: Forecast) -> None:
    text = forecast_markdown(big_forecast)
    assert "Method: **learned_model**" in text
    assert text.count("█") > 20
    assert [bar(1, 1, 3), bar(0.5, 1, 3), bar(0, 1)] == ["███", "█▌", ""]


def test_an_outcome_value_counts_only_once_won(cfg: ForecastConfig,
                                               predictive: PredictiveConfig,
                                               big: World) -> None:
    lead = big.leads[0]
    lost = replace(lead, outcomes=(RecordedOutcome("lost", end_of(TODAY) - timedelta(days=3),
                                                   9_999.0),))
    f = forecast([lost], TODAY, 4, "source", cfg, predictive)
    assert f.leads == 0
    assert f.total.conversions.expected == 0


def test_leads_alike_drawn_together_win_as_often_as_leads_drawn_one_by_one() -> None:
    """The simulation draws the wins of identical leads as one binomial; leads that differ
    by a hair are drawn one by one. Both must give the same distribution."""
    n, draws = 20_000, 2000
    alike = np.full(n, 0.02)
    apart = 0.02 + np.arange(n) * 1e-12
    mean, spread = np.full(n, 5000.0), np.full(n, 2000.0)
    group = np.arange(n) % 2
    runs = [_simulate(p, 0.3, mean, spread, [0.5, 0.5], group, 2, draws, seed)
            for p, seed in ((alike, 1), (apart, 2))]
    for measure in ("conversions", "revenue", "week_conversions"):
        together, one_by_one = (getattr(r, measure).sum(axis=1) for r in runs)
        assert together.mean() == pytest.approx(one_by_one.mean(), rel=0.03)
        assert np.quantile(together, [0.05, 0.95]) == pytest.approx(
            np.quantile(one_by_one, [0.05, 0.95]), rel=0.06)
    assert runs[0].conversions.sum(axis=0)[0] == pytest.approx(
        runs[0].conversions.sum(axis=0)[1], rel=0.03)  # the groups keep their leads
