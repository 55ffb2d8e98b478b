"""`leadpipe score`: rescore changed leads, or train the learned model from outcomes."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from leadpipe.cli.common import (
    DbOption,
    console,
    err_console,
    print_json,
    settings_for,
    user_errors,
    wants_json,
)
from leadpipe.stages.score import score_all, train_from_outcomes


def score(
    train: Annotated[Path | None, typer.Option(
        "--train", help="CSV of lead_id (or email) and outcome won/lost: train the learned "
                        "model instead of scoring.", dir_okay=False)] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Score as of this date (YYYY-MM-DD; default today).")] = None,
    by: Annotated[str | None, typer.Option(help="Who trains (default $USER).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Score the leads whose data, configuration or engagement date changed."""
    day = None
    if as_of is not None:
        try:
            day = datetime.strptime(as_of, "%Y-%m-%d").date()
        except ValueError as exc:
            err_console.print(f"error: --as-of must be YYYY-MM-DD, got {as_of!r}",
                              highlight=False, markup=False)
            raise typer.Exit(2) from exc
    with user_errors():
        if train is not None:
            result = train_from_outcomes(settings_for(db), train, by)
        else:
            result = score_all(settings_for(db), day or date.today())
    if train is not None and "refused" in result:
        err_console.print(f"error: {result['refused']} (outcomes stored: {result['matched']}; "
                          f"not matched to a lead: {result['unmatched']})",
                          highlight=False, markup=False)
        raise typer.Exit(2)
    if wants_json(as_json):
        print_json(result)
        return
    if train is not None:
        console.print(f"Trained {result['model_id']} on {result['scored']} leads: "
                      f"cross-validated AUC {result['cv_auc']:.3f}, Brier {result['brier']:.4f}; "
                      f"used as configured (predictive.mode = {result['mode']}).",
                      highlight=False)
        for predicted, observed in result["calibration"]:
            console.print(f"  predicted {predicted:6.1%}  observed {observed:6.1%}",
                          highlight=False)
        return
    console.print(f"Scored {result['leads_scored']} leads ({result['unchanged']} unchanged); "
                  f"grades {result['grades']}; configuration {result['config_version']}.",
                  highlight=False)
