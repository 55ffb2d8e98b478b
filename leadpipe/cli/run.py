"""`leadpipe run nightly`: the scheduled pipeline, run now on this machine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leadpipe.cli.common import (
    DbOption,
    console,
    err_console,
    plain,
    print_json,
    user_errors,
    wants_json,
)

if TYPE_CHECKING:
    from stages.nightly import NightlyReport

app = typer.Typer(help="Run Prefect flows locally (a temporary Prefect server starts when "
                       "PREFECT_API_URL is not set).", no_args_is_help=True)


def run_nightly_flow(inbox: Path, db: Path | None, *, crawl: bool = True,
                     max_crawl_targets: int | None = None) -> NightlyReport:
    """Run the nightly flow in this process; its report, or exit 1 when a stage crashed."""
    # The temporary Prefect server would try to send usage data to the internet.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.nightly import nightly  # imported here: loading Prefect takes seconds
    from foundation.children import start_temporary_prefect_server
    from stages.nightly import NightlyReport

    start_temporary_prefect_server()  # so that it dies with this process, also on kill -9
    state = nightly(inbox=str(inbox), db=str(db) if db else "", crawl=crawl,
                    max_crawl_targets=max_crawl_targets, return_state=True)
    from flows.outcomes import NeedsAttention

    report = state.result(raise_on_failure=False)
    if isinstance(report, NeedsAttention):
        report = report.detail
    if not isinstance(report, NightlyReport):
        err_console.print(f"[red]The nightly run failed:[/red] {plain(report)}", highlight=False)
        raise typer.Exit(1)
    return report


@app.command("nightly")
def run_nightly(
    inbox: Annotated[Path, typer.Option(
        help="Folder with lists/ (each list with its <file>.yaml), forms/ and events/.")] = Path(
        "data/inbox"),
    crawl: Annotated[bool, typer.Option(
        "--crawl/--no-crawl", help="Crawl the leads' company websites.")] = True,
    max_crawl_targets: Annotated[int | None, typer.Option(
        min=1, help="Crawl at most this many websites.")] = None,
    dask_workers: Annotated[int | None, typer.Option(
        min=0, help="Enrich in partitions on a local Dask cluster of this many worker "
                    "processes (0: in this process); overrides flows/parallel.yaml.")] = None,
    dask_scheduler: Annotated[str | None, typer.Option(
        help="Enrich in partitions on the Dask scheduler at this address "
             "(tcp://host:8786); overrides flows/parallel.yaml.")] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run the nightly flow now: ingest the inbox, crawl, enrich, match, decide, score.

    Exits with 1 when a file was rejected or a stage stopped the run (the summary says which
    and how to fix it).
    """
    from unittest import mock  # here: at the top it costs every command ~35 ms

    from leadpipe.cli.summary import print_nightly

    # The flow reads its settings from the environment, as a deployment's worker does.
    parallel = {name: str(value) for name, value in (
        ("LEADPIPE_DASK_WORKERS", dask_workers), ("LEADPIPE_DASK_SCHEDULER", dask_scheduler))
        if value is not None}
    with user_errors(), mock.patch.dict(os.environ, parallel):
        if parallel:  # a wrong address is the user's to fix before the run starts
            from flows.parallel import parallel_config
            from foundation.settings import load_settings

            parallel_config(load_settings())
        report = run_nightly_flow(inbox, db, crawl=crawl, max_crawl_targets=max_crawl_targets)
    if wants_json(as_json):
        print_json(report)
    else:
        print_nightly(report, console)
    if report.needs_attention:
        raise typer.Exit(1)
