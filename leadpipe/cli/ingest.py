"""`leadpipe ingest list|forms`: load one file now, without the Prefect server."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leadpipe.cli.common import (
    DbOption,
    console,
    db_hint,
    err_console,
    parse_day,
    plain,
    print_json,
    settings_for,
    user_errors,
    wants_json,
)

if TYPE_CHECKING:
    from leadpipe.stages.ingest import RejectedFile
    from warehouse.load_lists import BatchReport

app = typer.Typer(help="Load purchased lists and web-form exports into the warehouse.",
                  no_args_is_help=True)


def _show(outcome: BatchReport | RejectedFile, as_json: bool, db: Path | None) -> None:
    """The file's counts and the next step; a rejected file is an error with its fix."""
    from leadpipe.cli.summary import print_ingest, print_next
    from leadpipe.stages.ingest import RejectedFile

    if isinstance(outcome, RejectedFile):
        err_console.print(f"[red]error:[/red] {plain(outcome.problem)}", highlight=False)
        raise typer.Exit(2)
    if wants_json(as_json):
        print_json(outcome.as_dict())
        return
    print_ingest([outcome], console)
    print_next("ingest", console, db_hint(db))


def _date(value: str | None, option: str) -> date | None:
    return None if value is None else parse_day(value, option)


@app.command("list")
def ingest_list(
    path: Annotated[Path, typer.Argument(help="CSV/TSV/semicolon CSV or XLSX file.",
                                         exists=True, dir_okay=False)],
    vendor: Annotated[str | None, typer.Option(help="Who sold the list.")] = None,
    acquired_on: Annotated[str | None, typer.Option(
        help="Purchase date (2026-11-20 or 20.11.2026); the Art. 14 deadline runs from it.")]
    = None,
    mapping: Annotated[Path | None, typer.Option(
        help="Vendor mapping YAML (columns and list metadata).", exists=True, dir_okay=False,
    )] = None,
    licence_end: Annotated[str | None, typer.Option(help="End of permitted use (a date).")] = None,
    permitted_use: Annotated[str | None, typer.Option(help="What the licence allows.")] = None,
    provenance_documented: Annotated[bool | None, typer.Option(
        "--provenance-documented/--provenance-unknown",
        help="Whether the vendor documents the source of the addresses.",
    )] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Load a purchased address list (rows in = loaded + quarantined + skipped)."""
    from leadpipe.cli.progress import terminal_progress
    from leadpipe.leftovers import sweep
    from leadpipe.stages.ingest import ListOptions, ingest_list_file, load_or_reject

    options = ListOptions(
        vendor=vendor, acquired_on=_date(acquired_on, "--acquired-on"), mapping_file=mapping,
        licence_end=_date(licence_end, "--licence-end"), permitted_use=permitted_use,
        provenance_documented=provenance_documented,
    )
    settings = settings_for(db)
    for cleaned in sweep(settings):
        err_console.print(f"leadpipe: {cleaned}", highlight=False, markup=False)
    with user_errors():
        outcome = load_or_reject(settings, path, "purchased_list", lambda: ingest_list_file(
            settings, path, options, terminal_progress(as_json)))
    _show(outcome, as_json, db)


@app.command("forms")
def ingest_forms(
    path: Annotated[Path, typer.Argument(help="NDJSON, JSON or CSV export of a form tool.",
                                         exists=True, dir_okay=False)],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Load web-form submissions and their consent evidence."""
    from leadpipe.stages.ingest import ingest_form_file, load_or_reject

    settings = settings_for(db)
    with user_errors():
        outcome = load_or_reject(settings, path, "web_form",
                                 lambda: ingest_form_file(settings, path))
    _show(outcome, as_json, db)
