"""`leadpipe forecast`: expected wins and revenue of the open pipeline, or its backtest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table

from leadpipe.cli.common import (
    DbOption,
    console,
    parse_day,
    print_json,
    settings_for,
    user_errors,
    user_failure,
)

if TYPE_CHECKING:
    from scoring.forecast import Backtest, Forecast, Range


def forecast(
    weeks: Annotated[int, typer.Option(min=1, max=52, help="Length of the period in weeks.")
                     ] = 8,
    by: Annotated[Literal["source", "vendor", "segment"], typer.Option(
        help="Break the forecast down by source kind, vendor, or segment (audience × WZ "
             "section or size class).")] = "source",
    backtest: Annotated[bool, typer.Option(
        "--backtest", help="Forecast a past period from the data before it and compare with "
                           "what happened (Brier score, deciles, against base rates).")
    ] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="The last day of data: the period is the weeks after it (default "
                        "today; with --backtest the latest day whose period has ended).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Expected wins and revenue for the next weeks from the open qualified leads, with an
    interval, per source, vendor or segment; says which method it used and why."""
    from scoring.forecast import ForecastError
    from stages.forecast import backtest_forecast, compute_forecast

    day = None if as_of is None else parse_day(as_of, "--as-of")
    settings = settings_for(db)
    try:
        with user_errors():
            result: Forecast | Backtest = (backtest_forecast(settings, weeks, day) if backtest
                                           else compute_forecast(settings, weeks, by, day))
    except ForecastError as exc:
        raise user_failure(str(exc)) from exc
    if as_json:
        print_json(result)
    elif backtest:
        _print_backtest(result)  # type: ignore[arg-type]
    else:
        _print_forecast(result)  # type: ignore[arg-type]


def _cell(r: Range, unit: str = "") -> str:
    mean = f"{r.expected:,.0f}" if unit else f"{r.expected:,.1f}"
    return f"{mean}{unit} ({r.low:,.0f}–{r.high:,.0f})"


def _print_forecast(f: Forecast) -> None:
    share = f"{f.interval:.0%}"
    console.print(f"Forecast for the {f.weeks} weeks after {f.as_of}: {f.leads:,} open qualified "
                  f"leads, method: {f.method.name}.", highlight=False)
    table = Table(title=f"By {f.by} (expected, {share} interval)")
    for name in (f.by, "leads", "wins", "revenue"):
        table.add_column(name, justify="left" if name == f.by else "right")
    for g in (*f.groups, f.total):
        table.add_row(g.key, f"{g.leads:,}", _cell(g.conversions), _cell(g.revenue_eur, " €"))
    console.print(table)
    weeks = Table(title="By week")
    for name in ("week", "starts", "wins", "revenue"):
        weeks.add_column(name, justify="right")
    for w in f.by_week:
        weeks.add_row(str(w.week), str(w.starts), _cell(w.conversions),
                      _cell(w.revenue_eur, " €"))
    console.print(weeks)
    for note in f.notes:
        console.print(note, highlight=False, markup=False)


def _print_backtest(b: Backtest) -> None:
    console.print(f"Backtest of the {b.weeks} weeks after {b.as_of} (to {b.ends}): "
                  f"{b.leads:,} leads open at the start, {b.won:,} won within the period.",
                  highlight=False)
    console.print(f"Method the forecast used: {b.method.reason}.", highlight=False,
                  markup=False)
    table = Table(title="Calibration")
    for name in ("forecast", "Brier", "expected wins", "realised inside"):
        table.add_column(name, justify="left" if name == "forecast" else "right")
    sets = [b.forecast, b.base_rates] if b.forecast is not b.base_rates else [b.base_rates]
    for c in sets:
        table.add_row(c.method, f"{c.brier:.4f}", _cell(c.expected),
                      "yes" if c.inside_interval else "no")
    console.print(table)
    deciles = Table(title="Predicted vs observed per decile (the forecast's)")
    for name in ("decile", "leads", "predicted", "observed"):
        deciles.add_column(name, justify="right")
    for d in b.forecast.deciles:
        deciles.add_row(str(d.decile), f"{d.leads:,}", f"{d.mean_predicted:.1%}",
                        f"{d.observed:.1%}")
    console.print(deciles)
    console.print(b.verdict, highlight=False, markup=False)
