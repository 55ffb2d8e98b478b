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
    over 40 weeks and given outcomes by the same kind of known model over their real rule
    factors (the demo has no sales history), then the stage's own backtest and forecast
    (`stages.forecast`) run on the warehouse.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from foundation.settings import Settings
from scoring.config import load_scoring_config
from scoring.forecast import (
    Backtest,
    DecileRow,
    Forecast,
    PipelineLead,
    RecordedOutcome,
    backtest,
    brier,
    deciles,
    end_of,
)
from scoring.forecast_config import load_forecast_config
from scoring.rules import Contribution, LeadScore
from stages.forecast import backtest_forecast, compute_forecast, pipeline
from warehouse.db import open_warehouse

REPO = Path(__file__).resolve().parent.parent

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
    return 0.12 / (1 + np.exp(-(points - 45) / 9))


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


def _truth(w: World, result: Backtest) -> tuple[float, tuple[DecileRow, ...], float]:
    """Brier, deciles and expected wins of the true probabilities on the backtest's leads."""
    cut = end_of(result.as_of)
    ends = end_of(result.ends)
    open_leads = [lead for lead in w.leads if lead.first_seen <= cut and not any(
        o.at <= cut and o.outcome in ("won", "lost") for o in lead.outcomes)]
    p = np.array([true_probability(w.rate[lead.lead_id], result.weeks) for lead in open_leads])
    y = np.array([any(o.outcome == "won" and cut < o.at <= ends for o in lead.outcomes)
                  for lead in open_leads], dtype=float)
    assert len(p) == result.leads, (len(p), result.leads)
    return brier(p, y), deciles(p, y), float(p.sum())


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
            true_brier, true_deciles, true_wins = _truth(w, result)
            rows.append({"seed": seed, "k": k, "result": result, "true_brier": true_brier,
                         "true_deciles": true_deciles, "true_wins": true_wins,
                         "seconds": seconds})
    return {"rows": rows, "n": n, "worlds": worlds}


# --- (b) the demo warehouse -----------------------------------------------------------------

def demo_warehouse(work: Path) -> Path:
    """Run `leadpipe demo` in a scratch directory; its warehouse file."""
    data = work / "demo-data"
    env = {**os.environ, "LEADPIPE_DATA_DIR": str(data), "PYTHONPATH": str(REPO),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    subprocess.run([sys.executable, "-m", "leadpipe.cli", "demo"], cwd=work, env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return data / "leadpipe.duckdb"


def _points(lead: PipelineLead) -> float:
    return sum(c.points for c in lead.score.contributions) if lead.score else 0.0


def give_history(settings: Settings, today: date, span_weeks: int = 40, seed: int = 3
                 ) -> dict[str, float]:
    """Back-date the demo's records over `span_weeks` and record outcomes drawn from a known
    weekly win rate over each allowed lead's rule points; returns lead id → that rate."""
    with open_warehouse(settings, write=True) as wh:
        wh.execute("UPDATE raw.records SET ingested_at = ? - to_days(CAST(hash(record_id) % ? "
                   "AS INTEGER))", [end_of(today) - timedelta(days=1), span_weeks * 7])
    leads = pipeline(settings)
    points = np.array([_points(lead) for lead in leads])
    z = (points - points.mean()) / (points.std() or 1.0)
    rate = 0.08 / (1 + np.exp(-(1.5 * z - 0.5)))
    rng = np.random.default_rng(seed)
    event = rng.exponential(1 / (rate + LOSS_RATE))
    won = rng.random(len(leads)) < rate / (rate + LOSS_RATE)
    contacted = rng.exponential(1.0, len(leads))
    value = rng.lognormal(0, 0.5, len(leads))
    now = end_of(today) - timedelta(days=1)
    rows: list[tuple[object, ...]] = []
    for i, lead in enumerate(leads):
        at = lead.first_seen + timedelta(weeks=float(event[i]))
        base = 3000 + 1500 * (sum(map(ord, lead.segment)) % 5)   # known mean per segment
        if lead.first_seen + timedelta(weeks=float(contacted[i])) < min(at, now):
            rows.append((f"bench-c{i}", lead.lead_id, "contacted",
                         lead.first_seen + timedelta(weeks=float(contacted[i])), None))
        if at < now:
            rows.append((f"bench-o{i}", lead.lead_id, "won" if won[i] else "lost", at,
                         round(base * float(value[i]), 2) if won[i] else None))
    with open_warehouse(settings, write=True) as wh:
        wh.insert_columns("core.lead_outcomes", {
            "outcome_id": [r[0] for r in rows], "lead_id": [r[1] for r in rows],
            "outcome": [r[2] for r in rows], "recorded_at": [r[3] for r in rows],
            "recorded_by": ["bench"] * len(rows), "note": [None] * len(rows),
            "value_eur": [r[4] for r in rows], "source": ["bench"] * len(rows)})
    return {lead.lead_id: float(r) for lead, r in zip(leads, rate, strict=True)}


def demo(work: Path, source: Path | None, today: date) -> dict[str, object]:
    db = work / "demo.duckdb"
    t0 = time.perf_counter()
    shutil.copy(source or demo_warehouse(work), db)
    demo_s = time.perf_counter() - t0
    settings = Settings(data_dir=work, db_path=db, config_dir=work / "cfg")
    rates = give_history(settings, today)
    w = World(pipeline(settings), rates, today)
    backtests = []
    for k in (1, 2, 3):
        t0 = time.perf_counter()
        result = backtest_forecast(settings, WEEKS, today - timedelta(weeks=WEEKS * k), today)
        seconds = time.perf_counter() - t0
        true_brier, true_deciles, true_wins = _truth(w, result)
        backtests.append({"k": k, "result": result, "true_brier": true_brier,
                          "true_deciles": true_deciles, "true_wins": true_wins,
                          "seconds": seconds})
    t0 = time.perf_counter()
    ahead = compute_forecast(settings, WEEKS, "segment", today)
    return {"demo_s": demo_s, "leads": len(w.leads), "backtests": backtests,
            "forecast": ahead, "forecast_s": time.perf_counter() - t0}


# --- the report -----------------------------------------------------------------------------

def _decile_table(result: Backtest, true_deciles: tuple[DecileRow, ...]) -> list[str]:
    lines = ["| decile | leads | forecast predicted | observed | base-rate predicted | "
             "observed | true predicted | observed |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for f, b, t in zip(result.forecast.deciles, result.base_rates.deciles, true_deciles,
                       strict=True):
        lines.append(f"| {f.decile} | {f.leads:,} | {f.mean_predicted:.1%} | {f.observed:.1%} | "
                     f"{b.mean_predicted:.1%} | {b.observed:.1%} | {t.mean_predicted:.1%} | "
                     f"{t.observed:.1%} |")
    return lines


def _backtest_rows(rows: list[dict[str, object]], label: str) -> list[str]:
    lines = []
    for row in rows:
        r = row["result"]
        assert isinstance(r, Backtest)
        lines.append(
            f"| {label}{row.get('seed', '')} | {r.as_of} | {r.leads:,} | {r.won:,} | "
            f"{r.method.name} | {r.forecast.brier:.4f} | {r.base_rates.brier:.4f} | "
            f"{row['true_brier']:.4f} | {r.forecast.expected.expected:,.1f} "
            f"({r.forecast.expected.low:,.0f}–{r.forecast.expected.high:,.0f}) | "
            f"{row['true_wins']:,.1f} | {'yes' if r.forecast.inside_interval else 'no'} | "
            f"{row['seconds']:.1f} |")
    return lines


HEAD = ("| world | data up to | open leads | won in period | method | Brier forecast | "
        "Brier base rates | Brier true p | expected wins (80 %) | expected with true p | "
        "realised inside | s |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---|---:|")


def report(gen: dict[str, object], dem: dict[str, object] | None) -> str:
    rows = gen["rows"]
    assert isinstance(rows, list)
    results = [r["result"] for r in rows]
    learned = [r for r in results if r.method.name == "learned_model"]
    wins = sum(r.skill is not None and r.skill > 0 for r in learned)
    inside = sum(r.forecast.inside_interval for r in results)
    inside_base = sum(r.base_rates.inside_interval for r in results)
    mean = {k: float(np.mean(v)) for k, v in {
        "forecast": [r.forecast.brier for r in results],
        "base": [r.base_rates.brier for r in results],
        "true": [r["true_brier"] for r in rows]}.items()}
    lines = [
        "## Forecast backtest", "",
        "`.venv/bin/python bench/bench_forecast.py --report bench/report_forecast.md` on the "
        "shared 2-core machine. The backtest forecasts a past 8-week period from the data up "
        "to its start (`scoring.forecast.backtest`, the same code `leadpipe forecast "
        "--backtest` runs) and compares with the wins recorded within it. Brier score = mean "
        "squared difference between a lead's probability and 1 (won) or 0; lower is better.",
        "",
        f"### (a) Generated outcomes with known probabilities ({gen['worlds']} worlds × "
        f"{gen['n']:,} leads, 3 periods each)", "",
        "Leads arrive over 40 weeks; each has a known weekly win rate λ (logistic in its rule "
        "points: industry, size class, web-form request, valid e-mail) and loss rate μ = 3 % "
        "a week, exponential times: the true probability of a win within the 8 weeks after "
        "any day is λ/(λ+μ)·(1 − e^{−8(λ+μ)}).", "",
        f"- Mean Brier: forecast **{mean['forecast']:.4f}**, base rates {mean['base']:.4f}, "
        f"true probabilities {mean['true']:.4f} (the floor no forecast can beat on average).",
        f"- The forecast used the learned model in {len(learned)} of {len(results)} backtests "
        f"and beat the base rates in {wins} of them.",
        f"- 80 % interval coverage of the realised number of wins: forecast {inside} of "
        f"{len(results)} ({inside / len(results):.0%}), base rates {inside_base} of "
        f"{len(results)} ({inside_base / len(results):.0%}); with {len(results)} backtests "
        f"chance alone moves such a share by ±{math.sqrt(0.16 / len(results)):.0%}"
        + ("." if inside >= 0.8 * len(results) else
           ". The forecast's interval stays below the nominal 80 %: it allows for chance and "
           "for the uncertain level of all probabilities together, not for errors in how the "
           "model ranks and shapes them, which a history of a few periods leaves; the column "
           "`expected with true p` shows how far the forecast's own expectation was off. Read "
           "the interval as the least uncertainty there is."), "",
        *HEAD, *_backtest_rows(rows, "seed "), "",
        f"Deciles of the first backtest (world 0, data up to {results[0].as_of}):", "",
        *_decile_table(results[0], rows[0]["true_deciles"]), ""]
    if dem is not None:
        backtests = dem["backtests"]
        assert isinstance(backtests, list)
        f = dem["forecast"]
        assert isinstance(f, Forecast)
        first = backtests[0]["result"]
        lines += [
            "### (b) The demo warehouse", "",
            f"`leadpipe demo` ({dem['demo_s']:.0f} s), then its records back-dated over 40 "
            f"weeks and outcomes drawn for its {dem['leads']:,} allowed leads from a known "
            "weekly win rate over their real rule points (the demo has no sales history); "
            "then `stages.forecast.backtest_forecast` on the warehouse, three periods:", "",
            *HEAD, *_backtest_rows(backtests, "demo"), "",
            f"Method of the first: {first.method.reason}.", "",
            f"Verdict of the first: {first.verdict}", "",
            *_decile_table(first, backtests[0]["true_deciles"]), "",
            f"The forecast for the 8 weeks after {f.as_of} ({dem['forecast_s']:.1f} s): "
            f"{f.leads:,} open leads, {f.total.conversions.expected:,.1f} expected wins "
            f"({f.total.conversions.low:,.0f}–{f.total.conversions.high:,.0f}), "
            f"{f.total.revenue_eur.expected:,.0f} € ({f.total.revenue_eur.low:,.0f}–"
            f"{f.total.revenue_eur.high:,.0f} €), method {f.method.name}.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=10)
    parser.add_argument("--n", type=int, default=4000, help="leads per generated world")
    parser.add_argument("--demo", type=Path, help="a demo warehouse to start from (copied)")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()
    gen = generated(args.worlds, args.n)
    dem = None
    if not args.skip_demo:
        with tempfile.TemporaryDirectory() as tmp:
            dem = demo(Path(tmp), args.demo, date.today())
    text = report(gen, dem)
    print(text)
    if args.report:
        args.report.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
