"""`leadpipe status`, `quarantine` and `sql`: look into the warehouse (read-only)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from foundation.vocabulary import ENTITY_LEVELS
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

if TYPE_CHECKING:
    from warehouse.runs import RunRow

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _table(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title)
    for column in rows[0] if rows else []:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if v is None else plain(v) for v in row.values()))
    return table


RUN_WORDS = {
    "ingest-purchased-list": ("loaded", "rows loaded"), "ingest-web-forms": ("loaded",
                                                                            "submissions loaded"),
    "crawl": ("loaded", "pages with company data"), "enrich": ("records_enriched",
                                                               "records enriched"),
    "eligibility": ("leads", "leads decided"), "score": ("leads_scored", "leads scored"),
    "export-leads": ("leads", "leads exported"),
    "import-consent-events": ("imported", "consent events"),
    "ingest-undo": ("rows_loaded", "list rows undone"),
}
"""The one count that says what a run of each flow did, in words."""


def run_counts(run: RunRow) -> str:
    """`400 rows loaded`: a run's main count, or its error when it failed."""
    if run.status != "succeeded":
        return (run.error or run.status).splitlines()[0][:90]
    counts = run.counts
    if run.flow == "match":
        return ", ".join(f"{counts[level]['leads']:,} {level}" for level in
                         ENTITY_LEVELS if level in counts) + " leads"
    key, words = RUN_WORDS.get(run.flow, ("", ""))
    return f"{counts[key]:,} {words}" if isinstance(counts.get(key), int) else ""


def _when(value: Any) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""


def status(
    db: DbOption = None,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Also every table's rows and the recent batches.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """The warehouse at a glance: leads, recent runs with their counts, what needs a person."""
    from stages.status import warehouse_status

    with user_errors():
        state = warehouse_status(settings_for(db), runs=20 if verbose else 8,
                                 details=verbose or wants_json(as_json))
    if wants_json(as_json):
        print_json(state)
        return
    snapshot = " (the published snapshot: a run is writing)" if state.snapshot else ""
    leads = ", ".join(f"{n:,} {kind}" for kind, n in state.leads.items()) or "none yet"
    allowed = ", ".join(f"{ch} {n:,}" for ch, n in state.allowed.items() if n) or "none"
    console.print(f"[bold]{plain(state.path)}[/bold]{snapshot}, {state.size_bytes / 1e6:,.1f} MB",
                  highlight=False)
    console.print(f"Leads: {leads}. Allowed per channel: {allowed}.", highlight=False)
    if state.failures or state.review_pairs_open:
        console.print("[bold yellow]Needs attention[/bold yellow]")
    for failure in state.failures[:10]:
        what = (failure.error or failure.status).splitlines()[0]
        console.print(f"  [yellow]![/yellow] {_when(failure.started_at)} "
                      f"{plain(failure.flow)}: {plain(what)}",
                      highlight=False)
    if state.review_pairs_open:
        console.print(f"  [yellow]![/yellow] {state.review_pairs_open:,} uncertain duplicate "
                      "pair(s) to decide: leadpipe review export --out review.xlsx",
                      highlight=False)
    runs = Table(title="Recent runs", title_justify="left")
    for column in ("started", "run", "status", "what it did"):
        runs.add_column(column)
    for run in state.runs:
        colour = {"succeeded": "green", "failed": "red", "killed": "red"}.get(run.status, "")
        runs.add_row(_when(run.started_at), plain(run.flow),
                     f"[{colour}]{run.status}[/{colour}]" if colour else run.status,
                     plain(run_counts(run)))
    console.print(runs)
    if verbose:
        console.print(_table("Recent batches", [asdict(b) for b in state.batches]))
        console.print(_table("Tables", [asdict(t) for t in state.tables]))
    else:
        console.print("More: leadpipe status --verbose", style="dim")


def quarantine(
    batch: Annotated[str | None, typer.Option(help="Only this batch id.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 100,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Rows that were not loaded: file, row, field and reason."""
    from warehouse import status as wh_status
    from warehouse.db import open_warehouse

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
    """Run a read-only SQL query over the warehouse's tables; no file or network access.

    The query may come from anyone allowed to run leadpipe, so it must not read or write
    other files (`COPY … TO`, `read_text`, `ATTACH`) nor switch that off again (`SET`).
    """
    import duckdb

    from warehouse import status as wh_status
    from warehouse.db import open_warehouse

    with user_errors(), open_warehouse(settings_for(db), write=False, sandboxed=True) as wh:
        try:
            columns, rows = wh_status.run_sql(wh, query)
        except duckdb.Error as exc:
            refused = isinstance(exc, duckdb.PermissionException | duckdb.InvalidInputException)
            hint = ("\n`leadpipe sql` only reads the warehouse's tables; files, the network and "
                    "settings are off (docs/warehouse.md). For a file of leads use `leadpipe "
                    "leads export`." if refused else "")
            err_console.print(f"[red]error:[/red] {plain(exc)}{plain(hint)}", highlight=False)
            raise typer.Exit(2) from exc
    records = [dict(zip(columns, r, strict=True)) for r in rows]
    if wants_json(as_json):
        print_json(records)
    else:
        console.print(_table(f"{len(records)} row(s)", records))
