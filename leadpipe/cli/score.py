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
    user_failure,
    wants_json,
)


def score(
    outcomes_file: Annotated[Path | None, typer.Argument(
        metavar="[OUTCOMES.csv]", show_default=False, dir_okay=False,
        help="With --train: a CSV of lead_id (or email) and outcome won/lost to store and "
             "train on; without it, --train uses the outcomes recorded in the warehouse.")
    ] = None,
    train: Annotated[bool, typer.Option(
        "--train", help="Train the learned model instead of scoring: on the file given, or "
                        "on the recorded outcomes (won against lost or not interested).")
    ] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Score as of this date (default today).")] = None,
    by: Annotated[str | None, typer.Option(help="Who trains (default $USER).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Score the leads whose data, configuration or engagement date changed (or, with
    --train, learn a model from won/lost outcomes: a CSV file, or those recorded)."""
    day = None if as_of is None else parse_day(as_of, "--as-of")
    if not train:
        if outcomes_file is not None:
            raise user_failure(f"{outcomes_file} is an outcomes file: train on it with "
                               f"`leadpipe score --train {outcomes_file}`")
        _score(day, db, as_json)
        return
    from stages.score import train_from_outcomes

    with user_errors():
        result = train_from_outcomes(settings_for(db), outcomes_file, by)
    model = result.model
    if model is None:
        counts = (f"outcomes stored: {result.matched}; not matched to a lead: "
                  f"{result.unmatched}" if outcomes_file is not None else
                  f"leads whose latest recorded outcome is won, lost or not interested: "
                  f"{result.matched}")
        err_console.print(f"error: {result.refused} ({counts})", highlight=False, markup=False)
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
