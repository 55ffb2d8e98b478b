"""`leadpipe ingest list|customers|forms|batches|undo`: load one file now (without the Prefect
server), see the purchased-list and customer batches, take one out again."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

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
    from stages.customers import CustomerOptions
    from stages.ingest import RejectedFile, UndoReport
    from stages.preview import ListPreview
    from warehouse.load_lists import BatchReport
    from warehouse.undo import BatchListing

app = typer.Typer(help="Load purchased lists, customer exports and web-form exports into the "
                  "warehouse.",
                  no_args_is_help=True)


def _show(outcome: BatchReport | RejectedFile, as_json: bool, db: Path | None) -> None:
    """The file's counts and the next step; a rejected file is an error with its fix."""
    from leadpipe.cli.summary import print_ingest, print_next
    from stages.ingest import RejectedFile

    if isinstance(outcome, RejectedFile):
        err_console.print(f"[red]error:[/red] {plain(outcome.problem)}", highlight=False)
        raise typer.Exit(2)
    if wants_json(as_json):
        print_json(outcome)
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
    replace: Annotated[bool, typer.Option(
        "--replace", help="Load a corrected file or --mapping in place of the earlier batch of "
        "this file (same content, else same file name), in one transaction.")] = False,
    preview: Annotated[bool, typer.Option(
        "--preview", help="Show how the file would be read, mapped and loaded; write nothing.",
    )] = False,
    write_mapping: Annotated[Path | None, typer.Option(
        "--write-mapping", help="With the preview: save the proposed mapping as a mapping file "
        "to edit and load with --mapping.", dir_okay=False)] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Load a purchased address list (rows in = loaded + quarantined + skipped)."""
    if preview or write_mapping is not None:
        _preview(path, mapping, write_mapping, vendor, db, as_json)
        return
    from leadpipe.cli.progress import terminal_progress
    from stages.ingest import ListOptions, ingest_list_file, load_or_reject
    from stages.leftovers import sweep

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
            settings, path, options, terminal_progress(as_json), replace=replace))
    _show(outcome, as_json, db)


def _preview(path: Path, mapping: Path | None, write_to: Path | None, vendor: str | None,
             db: Path | None, as_json: bool) -> None:
    from stages.preview import preview_list

    _show_preview(lambda: preview_list(settings_for(db), path, mapping), write_to, vendor,
                  f"leadpipe ingest list {plain(str(path))} --mapping {plain(str(write_to))} "
                  "--vendor … --acquired-on …", as_json)


def _show_preview(run: Callable[[], ListPreview], write_to: Path | None, vendor: str | None,
                  load_command: str, as_json: bool, *, customers: bool = False) -> None:
    """Preview a file (nothing is written to the warehouse), optionally save its mapping
    (`customers`: a customer export's, with its keys instead of a list's)."""
    from leadpipe.cli.preview import print_preview

    if write_to is not None and write_to.exists():
        err_console.print(f"[red]error:[/red] {plain(str(write_to))} exists; choose another "
                          "name or delete it (it may hold your edits)", highlight=False)
        raise typer.Exit(2)
    with user_errors():
        result = run()
    if write_to is not None:
        write_to.write_text(result.proposal(vendor, customers=customers), encoding="utf-8")
    if wants_json(as_json):
        print_json(result)
        return
    print_preview(result, console)
    if write_to is not None:
        console.print(f"Mapping written to {plain(str(write_to))}: check it, then load with "
                      f"{load_command}", highlight=False)


CrmChoice = Literal["auto", "hubspot", "pipedrive", "centralstation", "generic"]


@app.command("customers")
def ingest_customers(
    path: Annotated[Path, typer.Argument(help="The CRM's or ERP's customer export (CSV or XLSX).",
                                         exists=True, dir_okay=False)],
    crm: Annotated[CrmChoice, typer.Option(
        help="Whose export it is; auto recognises HubSpot, Pipedrive and CentralStationCRM "
        "exports by their columns; generic: any other customer file.")] = "auto",
    mapping: Annotated[Path | None, typer.Option(
        help="Mapping YAML for columns the CRM export does not name (as for lists).",
        exists=True, dir_okay=False)] = None,
    collected_in_sale: Annotated[bool, typer.Option(
        "--collected-in-sale", help="Every address of the file was collected in connection "
        "with a sale (§7(3) no. 1 UWG); a column of the file wins for its row.")] = False,
    notice_at_collection: Annotated[bool, typer.Option(
        "--notice-at-collection", help="Every customer was told at collection that they may "
        "object to advertising e-mail (§7(3) no. 4 UWG); a column wins for its row.")] = False,
    preview: Annotated[bool, typer.Option(
        "--preview", help="Show how the export would be recognised, mapped and loaded; "
        "write nothing.")] = False,
    write_mapping: Annotated[Path | None, typer.Option(
        "--write-mapping", help="With the preview: save the mapping as a file to edit and "
        "load with --mapping.", dir_okay=False)] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Load a customer export of a CRM or ERP (rows in = loaded + quarantined + skipped).

    Next month's export updates the customers: unchanged rows are skipped, changed ones load
    as a new version of the same customer, purchases accumulate (docs/customers.md).
    """
    from leadpipe.cli.progress import terminal_progress
    from stages.customers import CustomerOptions, ingest_customer_file
    from stages.ingest import load_or_reject

    options = CustomerOptions(crm=crm, mapping_file=mapping,
                              collected_in_sale=True if collected_in_sale else None,
                              notice_at_collection=True if notice_at_collection else None)
    if preview or write_mapping is not None:
        _preview_customers(path, options, write_mapping, db, as_json)
        return
    settings = settings_for(db)
    with user_errors():
        outcome = load_or_reject(settings, path, "customer", lambda: ingest_customer_file(
            settings, path, options, terminal_progress(as_json)))
    _show(outcome, as_json, db)


def _preview_customers(path: Path, options: CustomerOptions, write_to: Path | None,
                       db: Path | None, as_json: bool) -> None:
    from stages.customers import preview_customers

    _show_preview(lambda: preview_customers(settings_for(db), path, options), write_to, None,
                  f"leadpipe ingest customers {plain(str(path))} --mapping "
                  f"{plain(str(write_to))}", as_json, customers=True)


@app.command("forms")
def ingest_forms(
    path: Annotated[Path, typer.Argument(help="NDJSON, JSON or CSV export of a form tool.",
                                         exists=True, dir_okay=False)],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Load web-form submissions and their consent evidence."""
    from stages.ingest import ingest_form_file, load_or_reject

    settings = settings_for(db)
    with user_errors():
        outcome = load_or_reject(settings, path, "web_form",
                                 lambda: ingest_form_file(settings, path))
    _show(outcome, as_json, db)


@app.command("batches")
def batches(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Purchased-list and customer batches, loaded and undone: the ids `leadpipe ingest undo`
    takes."""
    from stages.ingest import list_batches

    with user_errors():
        listing = list_batches(settings_for(db))
    if wants_json(as_json):
        print_json([dataclasses.asdict(b) for b in listing])
        return
    _print_batches(listing)


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""


def _print_batches(listing: list[BatchListing]) -> None:
    from rich.table import Table

    if not listing:
        console.print("No purchased list loaded yet: leadpipe ingest list FILE --vendor … "
                      "--acquired-on …", highlight=False)
        return
    table = Table(title="Purchased-list and customer batches")
    for column in ("batch", "file", "vendor", "in", "loaded", "quar.", "ingested", "state"):
        table.add_column(column, justify="right" if column in ("in", "loaded", "quar.")
                         else "left", no_wrap=column in ("batch", "ingested", "state"),
                         overflow="fold")
    for b in listing:
        table.add_row(b.batch_id, plain(b.file_name), plain(b.vendor or ""), f"{b.rows_in:,}",
                      f"{b.rows_loaded:,}", f"{b.rows_quarantined:,}", _when(b.ingested_at),
                      b.state)
    console.print(table)
    for b in listing:
        if b.state != "loaded":
            why = f": {b.reason}" if b.reason else ""
            console.print(f"{b.batch_id} ({plain(b.file_name)}) {b.state} "
                          f"{_when(b.undone_at)} by {plain(b.undone_by)}{plain(why)}",
                          highlight=False)


@app.command("undo")
def undo(
    batch: Annotated[str, typer.Argument(help="The batch id (`leadpipe ingest batches`).")],
    reason: Annotated[str | None, typer.Option(help="Why, for the log (ops.batch_undos).")]
    = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show what would be removed; change nothing.")] = False,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Take a purchased-list batch out again, with everything derived from it.

    Removes its raw, staging, quarantine and suppressed rows, enrichment, Robinson checks,
    lead memberships and match pairs, and the leads made only of its records. Never removes
    suppressions, objections, erasures, consent events, GDPR requests or the export log.
    """
    from stages.ingest import undo_list_batch
    from warehouse.undo import UnknownBatch

    with user_errors():
        try:
            report = undo_list_batch(settings_for(db), batch, reason=reason, dry_run=dry_run)
        except UnknownBatch as exc:
            where = "leadpipe ingest batches"
            err_console.print(f"[red]error:[/red] "
                              f"{plain(str(exc).replace(where, where + db_hint(db)))}",
                              highlight=False)
            raise typer.Exit(2) from exc
    if wants_json(as_json):
        print_json(report)
        return
    _print_undo(report, db)


_REMOVED_WORDS = (
    ("raw_records", "raw records (raw.records)"),
    ("staging_rows", "staging rows"),
    ("customer_rows", "customer records (customer exports)"),
    ("customer_export_rows", "rows of the export's customer listing"),
    ("customer_purchases", "customer purchases (core.customer_purchases)"),
    ("quarantine_rows", "quarantined rows (ops.quarantine)"),
    ("suppressed_rows", "suppressed-row notes (ops.suppressed_rows)"),
    ("enriched_records", "enriched records"),
    ("field_provenance", "field provenance rows"),
    ("robinson_checks", "Robinson-list checks"),
    ("lead_members", "lead memberships"),
    ("match_pairs", "match pairs"),
    ("leads", "leads made only of its records"),
    ("golden_records", "golden-record fields of those leads"),
    ("decisions", "eligibility decisions of those leads"),
    ("scores", "scores of those leads"),
)


def _print_undo(report: UndoReport, db: Path | None) -> None:
    from rich.table import Table

    r = report.removed
    head = "Would undo" if report.dry_run else "Undone"
    console.print(f"{head}: batch {report.batch_id} ({plain(report.file)}, vendor "
                  f"{plain(report.vendor or '-')}, loaded {_when(report.ingested_at)}, "
                  f"{report.rows_loaded:,} row(s) loaded)", highlight=False)
    table = Table(title="Rows that would go" if report.dry_run else "Rows removed")
    table.add_column("what")
    table.add_column("rows", justify="right")
    for name, words in _REMOVED_WORDS:
        table.add_row(words, f"{getattr(r, name):,}")
    console.print(table)
    if r.leads_kept:
        verb = "would keep" if report.dry_run else "kept"
        console.print(
            f"{r.leads_kept:,} lead(s) {verb} (they have records from other sources too): "
            "golden records chosen anew from those; their current decisions "
            f"({r.decisions_retired:,}) and scores ({r.scores_retired:,}) are retired, so "
            "they are out of marts.qualified_leads until the next `leadpipe decide` and "
            f"`leadpipe score`{plain(db_hint(db))} (or the nightly run).", highlight=False)
    console.print("Not touched: the suppression list, objections and erasures, the consent "
                  "ledger, GDPR requests, the export log.", highlight=False)
    if report.dry_run:
        console.print(f"Nothing was changed. To undo: leadpipe ingest undo {report.batch_id} "
                      f"--reason \"…\"{plain(db_hint(db))}", highlight=False)
    else:
        console.print(f"Logged as {report.undo_id} (ops.batch_undos) for {plain(report.undone_by)}"
                      + (f": {plain(report.reason)}" if report.reason else "")
                      + f". See: leadpipe ingest batches{plain(db_hint(db))}", highlight=False)
