"""`leadpipe ingest list|forms`: load one file now, without the Prefect server."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from leadpipe.cli.common import (
    DbOption,
    console,
    parse_day,
    print_json,
    settings_for,
    user_errors,
    wants_json,
)
from leadpipe.stages.ingest import ListOptions, ingest_form_file, ingest_list_file
from warehouse.load_lists import BatchReport

app = typer.Typer(help="Load purchased lists and web-form exports into the warehouse.",
                  no_args_is_help=True)


def _show(report: BatchReport, as_json: bool) -> None:
    if wants_json(as_json):
        print_json(report.as_dict())
        return
    table = Table(title=f"{report.file_name}: {report.status}")
    for name in ("in", "loaded", "quarantined", "skipped"):
        table.add_column(name, justify="right")
    table.add_row(str(report.rows_in), str(report.loaded), str(report.quarantined),
                  str(report.skipped))
    console.print(table)
    if report.note:
        console.print(report.note)
    if report.quarantined:
        console.print(f"See the reasons with: leadpipe quarantine --batch {report.batch_id}")


def _date(value: str | None, option: str) -> date | None:
    return None if value is None else parse_day(value, option)


@app.command("list")
def ingest_list(
    path: Annotated[Path, typer.Argument(help="CSV/TSV/semicolon CSV or XLSX file.",
                                         exists=True, dir_okay=False)],
    vendor: Annotated[str | None, typer.Option(help="Who sold the list.")] = None,
    acquired_on: Annotated[str | None, typer.Option(help="Purchase date, YYYY-MM-DD.")] = None,
    mapping: Annotated[Path | None, typer.Option(
        help="Vendor mapping YAML (columns and list metadata).", exists=True, dir_okay=False,
    )] = None,
    licence_end: Annotated[str | None, typer.Option(help="End of permitted use.")] = None,
    permitted_use: Annotated[str | None, typer.Option(help="What the licence allows.")] = None,
    provenance_documented: Annotated[bool | None, typer.Option(
        "--provenance-documented/--provenance-unknown",
        help="Whether the vendor documents the source of the addresses.",
    )] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Load a purchased address list (rows in = loaded + quarantined + skipped)."""
    options = ListOptions(
        vendor=vendor, acquired_on=_date(acquired_on, "--acquired-on"), mapping_file=mapping,
        licence_end=_date(licence_end, "--licence-end"), permitted_use=permitted_use,
        provenance_documented=provenance_documented,
    )
    with user_errors():
        _show(ingest_list_file(settings_for(db), path, options), as_json)


@app.command("forms")
def ingest_forms(
    path: Annotated[Path, typer.Argument(help="NDJSON, JSON or CSV export of a form tool.",
                                         exists=True, dir_okay=False)],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Load web-form submissions and their consent evidence."""
    with user_errors():
        _show(ingest_form_file(settings_for(db), path), as_json)
