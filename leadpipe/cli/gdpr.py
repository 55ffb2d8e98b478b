"""`leadpipe gdpr access|erase|object`: data-subject requests under the GDPR."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated

import typer

from leadpipe.cli.common import DbOption, err_console, plain, print_json, settings_for, user_errors

app = typer.Typer(help="Data-subject requests: access (Art. 15), erase (Art. 17), object "
                       "(Art. 21).", no_args_is_help=True)

Identifier = Annotated[str, typer.Argument(help="The person's e-mail address or phone number.")]
Name = Annotated[str | None, typer.Option(
    help="The person's name, when the identifier is shared (switchboard, household).")]


@contextlib.contextmanager
def _request_errors() -> Iterator[None]:
    from warehouse.subjects import AmbiguousSubject

    with user_errors():
        try:
            yield
        except (AmbiguousSubject, ValueError) as exc:
            err_console.print(f"[red]error:[/red] {plain(exc)}")
            raise typer.Exit(2) from exc


@app.command("access")
def access(identifier: Identifier, name: Name = None, db: DbOption = None) -> None:
    """Print everything held on the person as JSON (Art. 15)."""
    from stages import gdpr

    with _request_errors():
        print_json(gdpr.access(settings_for(db), identifier, name))


@app.command("erase")
def erase(
    identifier: Identifier, name: Name = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show what would be erased, change nothing.")] = False,
    include: Annotated[str | None, typer.Option(
        help="Record ids (comma-separated) from the dry run's 'ambiguous' list that are this "
             "person too.")] = None,
    db: DbOption = None,
) -> None:
    """Remove the person's data from every table and file leadpipe keeps (Art. 17).

    Only suppression hashes and an audit row without plaintext stay. Run with --dry-run
    first: it lists every record found (and how), and records with the same name and nothing
    else in common, which are erased only when named with --include.
    """
    from stages import gdpr

    with _request_errors():
        ids = [p.strip() for p in (include or "").split(",") if p.strip()]
        print_json(gdpr.erase(settings_for(db), identifier, name, include=ids,
                              dry_run=dry_run))


@app.command("object")
def object_(identifier: Identifier, name: Name = None, db: DbOption = None) -> None:
    """Record an objection to direct marketing: every channel blocked at once (Art. 21)."""
    from stages import gdpr

    with _request_errors():
        print_json(gdpr.object_to_marketing(settings_for(db), identifier, name))
