"""`leadpipe score`: rescore changed leads, or train the learned model from outcomes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from leadpipe.cli.common import (
    DbOption,
    console,
    err_console,
    parse_day,
    print_json,
    settings_for,
    user_errors,
    wants_json,
)


def score(
    train: Annotated[Path | None, typer.Option(
        "--train", help="CSV of lead_id (or email) and outcome won/lost: train the learned "
                        "model instead of scoring.", dir_okay=False)] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Score as of this date (default today).")] = None,
    by: Annotated[str | None, typer.Option(help="Who trains (default $USER).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Score the leads whose data, configuration or engagement date changed (or, with
    --train, learn a model from won/lost outcomes)."""
    day = None if as_of is None else parse_day(as_of, "--as-of")
    if train is None:
        _score(day, db, as_json)
        return
    from stages.score import train_from_outcomes

    with user_errors():
        result = train_from_outcomes(settings_for(db), train, by)
    model = result.model
    if model is None:
        err_console.print(f"error: {result.refused} (outcomes stored: {result.matched}; "
                          f"not matched to a lead: {result.unmatched})",
                          highlight=False, markup=False)
        raise typer.Exit(2)
    if wants_json(as_json):
        print_json(result)
        return
    console.print(f"Trained {model.model_id} on {result.scored:,} leads: "
                  f"cross-validated AUC {model.cv_auc:.3f}, Brier {model.brier:.4f}; "
                  f"used as configured (predictive.mode = {model.mode}).",
                  highlight=False)
    for predicted, observed in model.calibration:
        console.print(f"  predicted {predicted:6.1%}  observed {observed:6.1%}",
                      highlight=False)


def _score(day: date | None, db: Path | None, as_json: bool) -> None:
    from leadpipe.cli.progress import terminal_progress
    from leadpipe.cli.summary import print_score, show_stage
    from stages.score import score_all

    with user_errors():
        result = score_all(settings_for(db), day, terminal_progress(as_json))
    show_stage("score", result, print_score, as_json, db)
