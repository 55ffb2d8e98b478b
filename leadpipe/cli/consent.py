"""`leadpipe consent show|import`: a person's consent history; external events in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from leadpipe.cli.common import (
    DbOption,
    console,
    err_console,
    plain,
    print_json,
    settings_for,
    user_errors,
    wants_json,
)

app = typer.Typer(help="The consent ledger: evidence per person, external events.",
                  no_args_is_help=True)


@app.command("show")
def show(
    identifier: Annotated[str, typer.Argument(help="E-mail address or phone number.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print a person's consent history with its evidence (for a court or the BNetzA)."""
    from stages.consent import consent_history

    with user_errors():
        history = consent_history(settings_for(db), identifier)
    if wants_json(as_json):
        print_json(history)
    else:
        subject = history.subject.email or history.subject.phone or identifier
        table = Table(title=f"Consent history of {plain(subject)}", show_lines=True)
        for column in ("#", "when (UTC)", "event", "channels", "facts", "evidence"):
            table.add_column(column)
        for e in history.events:
            table.add_row(
                str(e["seq"]), str(e["occurred_at"]), plain(e["kind"]),
                plain(", ".join(e["channels"])),
                plain(json.dumps(e["attributes"], ensure_ascii=False, default=str)),
                plain(json.dumps(e["evidence"], ensure_ascii=False, default=str)),
            )
        console.print(table)
        if not history.events:
            console.print("No consent events are filed under this identifier.")
    if not history.ledger_intact:
        err_console.print("[red]The ledger's hash chain is broken:[/red]")
        for problem in history.ledger_problems:
            err_console.print(f"  {plain(problem)}")
        raise typer.Exit(4)


@app.command("import")
def import_events(
    path: Annotated[Path, typer.Argument(help="CSV or NDJSON of external events.",
                                         exists=True, dir_okay=False)],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Import unsubscribes, bounces, do-not-call notes and objections (see docs/compliance.md)."""
    from stages.consent import import_external_events

    with user_errors():
        report = import_external_events(settings_for(db), path)
    if wants_json(as_json):
        print_json(report)
        return
    console.print(f"{plain(report.file)}: {report.imported} new event(s), {report.already_known} "
                  f"already known, {report.suppressed_people} person(s) put on the suppression "
                  f"list, {len(report.problems)} problem line(s).")
    for line, field, reason in report.problems:
        where = f"{report.file}, line {line}" + (f", field {field!r}" if field else "")
        err_console.print(f"  {plain(where)}: {plain(reason)}")
