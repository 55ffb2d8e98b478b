"""`leadpipe run nightly`: the scheduled pipeline, run now on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leadpipe.cli.common import DbOption, console, print_json, user_errors, wants_json
from leadpipe.cli.summary import print_run_summary

app = typer.Typer(help="Run Prefect flows locally (a temporary Prefect server starts when "
                       "PREFECT_API_URL is not set).", no_args_is_help=True)


@app.command("nightly")
def run_nightly(
    inbox: Annotated[Path, typer.Option(help="Folder with lists/ and forms/ to ingest.")] = Path(
        "data/inbox"
    ),
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run the nightly flow now, with the embedded defaults."""
    from flows.nightly import nightly  # imported here: loading Prefect takes seconds

    with user_errors():
        result = nightly(inbox=str(inbox), db=str(db) if db else None)
    if wants_json(as_json):
        print_json(result)
    else:
        print_run_summary(result, console)
