"""`leadpipe status`, `quarantine` and `sql`: look into the warehouse (read-only)."""

from __future__ import annotations

from typing import Annotated, Any

import duckdb
import typer
from rich.table import Table

from leadpipe.cli.common import (
    DbOption,
    console,
    err_console,
    print_json,
    settings_for,
    user_errors,
    wants_json,
)
from warehouse import status as wh_status
from warehouse.db import open_warehouse
from warehouse.runs import recent_runs

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _table(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title)
    for column in rows[0] if rows else []:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    return table


def status(db: DbOption = None, as_json: JsonFlag = False) -> None:
    """Recent runs, batches and row counts per table."""
    with user_errors(), open_warehouse(settings_for(db), write=False) as wh:
        runs, batches = recent_runs(wh, 10), wh_status.batches(wh, 10)
        tables, snapshot = wh_status.table_counts(wh), wh.is_snapshot
    if wants_json(as_json):
        print_json({"runs": runs, "batches": batches, "tables": tables, "snapshot": snapshot})
        return
    console.print(_table("Recent runs", runs))
    console.print(_table("Recent batches", batches))
    console.print(_table("Tables", tables))


def quarantine(
    batch: Annotated[str | None, typer.Option(help="Only this batch id.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 100,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Rows that were not loaded: file, row, field and reason."""
    with user_errors(), open_warehouse(settings_for(db), write=False) as wh:
        rows = wh_status.quarantine(wh, batch, limit)
    if wants_json(as_json):
        print_json(rows)
    else:
        console.print(_table("Quarantine", rows))


def sql(
    query: Annotated[str, typer.Argument(help="A SELECT over the warehouse tables.")],
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Run a read-only SQL query (the warehouse is opened read-only)."""
    with user_errors(), open_warehouse(settings_for(db), write=False) as wh:
        try:
            columns, rows = wh_status.run_sql(wh, query)
        except duckdb.Error as exc:
            err_console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
    records = [dict(zip(columns, r, strict=True)) for r in rows]
    if wants_json(as_json):
        print_json(records)
    else:
        console.print(_table(f"{len(records)} row(s)", records))
