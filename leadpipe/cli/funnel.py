"""`leadpipe funnel`: where leads come from and where they get lost, per source."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from leadpipe.cli.common import (
    DbOption,
    console,
    err_console,
    print_json,
    settings_for,
    user_errors,
)
from leadpipe.stages.funnel import compute_funnel, write_chart


def funnel(
    as_json: Annotated[bool, typer.Option("--json", help="Print the funnel as JSON.")] = False,
    chart: Annotated[Path | None, typer.Option(
        help="Also write a chart: .png, .svg or .html.", dir_okay=False)] = None,
    min_grade: Annotated[Literal["A", "B", "C", "D"], typer.Option(
        help="Lowest grade that counts as qualified.")] = "B",
    db: DbOption = None,
) -> None:
    """Counts and conversion rates: ingested → unique → enriched → eligible → qualified →
    exported → won."""
    if chart is not None and chart.suffix.lower() not in (".png", ".svg", ".html"):
        err_console.print(f"error: --chart must end in .png, .svg or .html, got {chart.name}",
                          highlight=False, markup=False)
        raise typer.Exit(2)
    with user_errors():
        result = compute_funnel(settings_for(db), min_grade)
    if chart is not None:
        write_chart(result, chart)
    if as_json:
        print_json([f.as_dict() for f in result])
        return
    table = Table(title=f"Funnel (qualified = grade {min_grade} or better)")
    table.add_column("stage")
    for source in result:
        table.add_column(source.label, justify="right")
    for i, step in enumerate(result[0].steps if result else ()):
        cells = []
        for source in result:
            s = source.steps[i]
            cells.append(f"{s.count}" + (f" ({s.rate:.0%})" if s.rate is not None else ""))
        table.add_row(step.stage, *cells)
    console.print(table)
    if chart is not None:
        console.print(f"Chart written to {chart}.", highlight=False)
