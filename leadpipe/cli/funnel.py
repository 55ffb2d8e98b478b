"""`leadpipe funnel`: where leads come from and where they get lost, per source."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from foundation.vocabulary import Grade
from leadpipe.cli.common import (
    DbOption,
    console,
    err_console,
    print_json,
    settings_for,
    user_errors,
)

if TYPE_CHECKING:
    from scoring.funnel import FunnelSource


def funnel(
    as_json: Annotated[bool, typer.Option("--json", help="Print the funnel as JSON.")] = False,
    chart: Annotated[Path | None, typer.Option(
        help="Also write a chart: .png, .svg or .html.", dir_okay=False)] = None,
    min_grade: Annotated[Grade, typer.Option(
        help="Lowest grade that counts as qualified.")] = "B",
    db: DbOption = None,
) -> None:
    """Counts and rates per source, top to bottom: records → leads → enriched → per channel
    allowed → qualified → exported; won or lost → won."""
    from scoring.funnel import funnel_notes
    from stages.funnel import compute_funnel, write_chart

    if chart is not None and chart.suffix.lower() not in (".png", ".svg", ".html"):
        err_console.print(f"error: --chart must end in .png, .svg or .html, got {chart.name}",
                          highlight=False, markup=False)
        raise typer.Exit(2)
    with user_errors():
        result = compute_funnel(settings_for(db), min_grade)
    if chart is not None:
        write_chart(result, chart, min_grade)
    if as_json:
        print_json(result)
        return
    console.print(_table(result, min_grade, two_line=_one_line_width(result) > console.width))
    for note in funnel_notes(result):
        console.print(note, highlight=False, markup=False)
    if chart is not None:
        console.print(f"Chart written to {chart}.", highlight=False)


def _table(funnel: Sequence[FunnelSource], min_grade: str, *, two_line: bool) -> Table:
    """Stages top to bottom, a column per source; with `two_line` each stage's basis
    ('% of allowed') goes on a line of its own, so that a narrow terminal keeps the counts."""
    from scoring.funnel import funnel_title

    table = Table(title=funnel_title(min_grade))
    table.add_column("stage", no_wrap=True)
    for source in funnel:
        table.add_column(source.title, justify="right")
    for i, step in enumerate(funnel[0].steps if funnel else ()):
        if step.empty_channel:
            continue
        label = (Text(step.words).append(f"\n{step.basis}", "dim")
                 if two_line and step.basis else step.label)
        table.add_row(label, *(source.steps[i].cell for source in funnel))
    return table


def _one_line_width(funnel: Sequence[FunnelSource]) -> int:
    """Columns the table needs with every label and cell on one line (headers may wrap)."""
    steps = [s for s in funnel[0].steps if not s.empty_channel] if funnel else []
    widths = [max((len(s.label) for s in steps), default=5)]
    widths += [max([*(len(w) for w in source.title.split()),
                    *(len(s.cell) for s in source.steps if not s.empty_channel)])
               for source in funnel]
    return sum(widths) + 3 * len(widths) + 1
