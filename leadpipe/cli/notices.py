"""`leadpipe robinson import` and `leadpipe art14 mark-sent|overdue`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from foundation.vocabulary import Channel
from leadpipe.cli.common import (
    DbOption,
    console,
    parse_day,
    plain,
    print_json,
    settings_for,
    user_errors,
    wants_json,
)

robinson_app = typer.Typer(help="Robinson lists (DDV, I.D.I.): import per channel.",
                           no_args_is_help=True)
art14_app = typer.Typer(help="GDPR Art. 14 notices for purchased and crawled data.",
                        no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@robinson_app.command("import")
def robinson_import(
    path: Annotated[Path, typer.Argument(help="CSV of entries (plain or hashed).",
                                         exists=True, dir_okay=False)],
    list_name: Annotated[str, typer.Option("--list", help="e.g. 'DDV Robinsonliste'.")],
    channel: Annotated[Channel, typer.Option(help="The channel the list covers.")],
    list_date: Annotated[str, typer.Option(
        help="Version date of the list (2026-11-20 or 20.11.2026).")],
    hashed: Annotated[bool, typer.Option(help="Entries are SHA-256 hashes (column 'hash').")]
    = False,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Import one version of a Robinson list; leads are checked against it nightly."""
    from stages.notices import import_robinson

    with user_errors():
        result = import_robinson(settings_for(db), path, list_name=list_name, channel=channel,
                                 list_date=parse_day(list_date, "--list-date"), hashed=hashed)
    if wants_json(as_json):
        print_json(result)
    else:
        console.print(f"{result.list_name} ({result.channel}): {result.entries} entries, "
                      f"{result.status}")


@art14_app.command("mark-sent")
def art14_mark_sent(
    path: Annotated[Path, typer.Argument(
        help="File with one record id, e-mail or phone per line (first column).",
        exists=True, dir_okay=False)],
    channel: Annotated[Channel, typer.Option(help="How the notice went out.")] = "post",
    sent_on: Annotated[str, typer.Option(
        help="Date of the mailing (2026-11-20 or 20.11.2026).")] = "",
    notice_version: Annotated[str, typer.Option(help="Version of the Art. 14 text.")] = "v1",
    advertising: Annotated[bool, typer.Option(
        help="The mailing also advertised (it then counts as the first communication).")]
    = True,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Record that a mailing carried the Art. 14 information to these records."""
    from stages.notices import mark_art14_sent

    day = parse_day(sent_on, "--sent-on") if sent_on else date.today()
    with user_errors():
        result = mark_art14_sent(settings_for(db), path, channel=channel, sent_on=day,
                                 notice_version=notice_version, advertising=advertising)
    if wants_json(as_json):
        print_json(result)
    else:
        console.print(f"{result.records} record(s) marked, {result.events} event(s) "
                      f"recorded; not found: {', '.join(result.unknown) or 'none'}")


@art14_app.command("overdue")
def art14_overdue_cmd(
    as_of: Annotated[str, typer.Option(help="Date to check (default today).")]
    = "",
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Purchased and crawled records whose Art. 14 deadline passed without a notice."""
    from stages.notices import art14_overdue

    day = parse_day(as_of, "--as-of") if as_of else date.today()
    with user_errors():
        rows = art14_overdue(settings_for(db), day)
    if wants_json(as_json):
        print_json(rows)
        return
    table = Table(title=f"Art. 14 overdue as of {day}: {len(rows)} record(s)")
    for column in ("record_id", "source_kind", "vendor", "acquired_on", "deadline",
                   "days_overdue"):
        table.add_column(column)
    for row in rows[:200]:
        table.add_row(plain(row.record_id), plain(row.source_kind), plain(row.vendor),
                      plain(row.acquired_on), plain(row.deadline), plain(row.days_overdue))
    console.print(table)
