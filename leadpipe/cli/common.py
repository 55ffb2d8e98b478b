"""What every command shares: settings from options, and clear errors instead of tracebacks.

Every command module imports this one, so it imports nothing beyond typer, rich and the
standard library at module level: `leadpipe --help` must not load DuckDB or pydantic.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

if TYPE_CHECKING:
    from foundation.settings import Settings

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 controls but TAB and LF, DEL, and C1 controls (ESC and CSI start terminal sequences)."""


def clean(value: object) -> str:
    """`value` as text without control characters, which would reach the terminal raw."""
    return _CONTROL.sub("", str(value))


def plain(value: object) -> str:
    """A data value for a Rich markup string: controls removed, `[...]` escaped.

    Lead data, file names and error messages come from purchased lists and web forms;
    printed as markup, `[bold]` would style the line, `[/]` would abort the print, and an
    ESC sequence could rewrite the terminal.
    """
    return escape(clean(value))


class _DataSafeConsole(Console):
    """A console that strips control characters from every string it renders.

    The net under `plain`: our own markup has no control characters, so removing them from
    every string (table cells and titles included) only ever removes data.
    """

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(clean(text), **kwargs)


console = _DataSafeConsole()
err_console = _DataSafeConsole(stderr=True, soft_wrap=True)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Warehouse file (default ./data/leadpipe.duckdb or $LEADPIPE_DB).",
                 show_default=False),
]


def settings_for(db: Path | None) -> Settings:
    from foundation.settings import load_settings

    return load_settings().with_db(db)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can fix into a message and an exit status, not a traceback."""
    try:
        yield
    except Exception as exc:
        # Imported only when something went wrong: warehouse.db loads DuckDB and NumPy,
        # which commands that never open the warehouse should not pay for.
        from foundation.config import ConfigError
        from foundation.outputs import OutputPathRefused
        from ingest.errors import InputFileError
        from warehouse.db import WarehouseMissing
        from warehouse.lock import WarehouseBusy

        if isinstance(exc, (InputFileError, ConfigError, OutputPathRefused)):
            err_console.print(f"[red]error:[/red] {plain(exc)}", highlight=False, markup=True)
            raise typer.Exit(2) from exc
        if isinstance(exc, (WarehouseBusy, WarehouseMissing)):
            err_console.print(f"[yellow]{plain(exc)}[/yellow]", highlight=False)
            raise typer.Exit(3) from exc
        raise


def user_failure(message: str) -> typer.Exit:
    """An error the user can fix, printed plainly on stderr; raise the returned exit (2)."""
    err_console.print(f"error: {message}", highlight=False, markup=False)
    return typer.Exit(2)


def parse_day(value: str, option: str) -> date:
    """A date option value (2026-11-20 or 20.11.2026), or a usage error naming the option."""
    from ingest import dates  # loads pydantic

    try:
        return dates.parse_day(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from exc


def db_hint(db: Path | None) -> str:
    """` --db FILE` to repeat in a suggested next command, when the user gave one."""
    return f" --db {db}" if db is not None else ""


def wants_json(flag: bool) -> bool:
    """JSON when asked for, or when the output goes to a pipe or file."""
    return flag or not sys.stdout.isatty()


def print_json(data: Any) -> None:
    """JSON on stdout; stage reports as their JSON (`stages.reports`)."""
    from stages.reports import report_json

    typer.echo(json.dumps(report_json(data), ensure_ascii=False, indent=2, default=str))
