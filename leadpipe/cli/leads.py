"""`leadpipe leads export|outcome|object`: lead lists for sales, and what sales reports back.

Only leads whose current decision on the channel is `allowed` (plus `review`, marked, with
`--include-review`), best score first. Every export is logged in `ops.exports`. Layouts
(`--layout`), German headers and `--per-address`: docs/exports.md; `--campaign` decides
§7(3) e-mail to existing customers for one campaign: docs/customers.md. Outcomes and objections
never wait for a running nightly: they are journaled (`stages.outcomes`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from foundation.vocabulary import Channel, Grade, Outcome
from leadpipe.cli.common import (
    DbOption,
    console,
    err_console,
    parse_day,
    print_json,
    settings_for,
    user_errors,
    user_failure,
    wants_json,
)

app = typer.Typer(help="Qualified lead lists for sales, and their outcomes and objections.",
                  no_args_is_help=True)


@app.command("export")
def export(
    channel: Annotated[Channel, typer.Option(
        help="The channel sales will use; only leads allowed on it are listed.")],
    out: Annotated[Path, typer.Option("--out", help="Output file.", dir_okay=False)],
    output_format: Annotated[Literal["csv", "xlsx", "json", "hubspot", "pipedrive",
                                     "centralstation"], typer.Option(
        "--format", help="csv, xlsx or json; or hubspot, pipedrive or centralstation: the "
                         "CRM's own import file (docs/exports.md).")] = "csv",
    min_grade: Annotated[Grade | None, typer.Option(
        help="Lowest grade to include [default: B; with --campaign D, every customer the "
             "campaign may reach].")] = None,
    region: Annotated[str | None, typer.Option(
        help="Postcode prefixes, comma-separated (e.g. 80,81).")] = None,
    industry: Annotated[str | None, typer.Option(
        help="WZ 2008 code prefixes or section letters, comma-separated (e.g. 62,28).")] = None,
    source: Annotated[str | None, typer.Option(
        help="web_form, purchased_list, crawl, customer or a vendor name; comma-separated.",
    )] = None,
    since: Annotated[str | None, typer.Option(
        help="Only leads first seen on or after this date (2026-11-20 or 20.11.2026).")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many leads.")] = None,
    include_review: Annotated[bool, typer.Option(
        "--include-review", help="Also list leads whose decision is review (marked).")] = False,
    excel_de: Annotated[bool, typer.Option(
        "--excel-de", help="CSV for German Excel: UTF-8 with BOM, semicolons.")] = False,
    layout: Annotated[Literal["standard", "serienbrief", "anrufliste"], typer.Option(
        help="standard (the channel's list), serienbrief (letters: --channel post) or "
             "anrufliste (call list: --channel phone); German headers, see docs/exports.md."
    )] = "standard",
    per_address: Annotated[bool, typer.Option(
        "--per-address", help="Post: one row per postal address, addressed to its "
                              "best-scored contact; every lead is logged.")] = False,
    new_only: Annotated[bool, typer.Option(
        "--new-only", help="Leave out leads the CRM knows: customers and everyone in the "
                           "last customer import.")] = False,
    customers_only: Annotated[bool, typer.Option(
        "--customers-only", help="Only existing customers (the warm list).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    by: Annotated[str | None, typer.Option(
        help="Who exports (logged; default $USER).")] = None,
    campaign: Annotated[str | None, typer.Option(
        help="E-mail for this campaign (`leadpipe campaign list`): existing customers who "
             "bought something similar are decided under §7(3) UWG for it.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Write the qualified leads for one channel, best first, and log the export."""
    from scoring.export_files import ExportPathExists
    from stages.export import BadExportRequest, ExportRequest, export_leads, split_list

    first_seen = parse_day(since, "--since") if since else None
    with user_errors():
        try:
            result = export_leads(settings_for(db), ExportRequest(
                channel=channel, out=out, fmt=output_format, min_grade=min_grade,
                regions=split_list(region), industries=split_list(industry),
                sources=split_list(source), since=first_seen, limit=limit,
                include_review=include_review, excel_de=excel_de, force=force, by=by,
                layout=layout, per_address=per_address, new_only=new_only,
                customers_only=customers_only, campaign=campaign))
        except (BadExportRequest, ExportPathExists) as exc:
            err_console.print(f"error: {exc}", highlight=False, markup=False)
            raise typer.Exit(2) from exc
    if result.leads == 0:
        err_console.print(f"No leads match these filters on channel {channel}; wrote {out} "
                          "with the header row only.", highlight=False)
    if wants_json(as_json):
        print_json(result)
        return
    if result.withheld:
        reasons = ", ".join(f"{n:,} {reason}" for reason, n in sorted(result.withheld.items()))
        err_console.print(f"Left out {sum(result.withheld.values()):,} leads whose decision "
                          f"predates an opt-out ({reasons}); the next run updates their "
                          "decisions.", highlight=False, markup=False)
    if result.left_out_by_crm:
        known = ("the CRM already knows" if result.filters.get("new_only")
                 else "that are no customers")
        err_console.print(f"Left out {result.left_out_by_crm:,} leads {known} (by the last "
                          "customer import).", highlight=False, markup=False)
    if result.campaign_decisions:
        _print_campaign(result.campaign_decisions, campaign)
    if result.leads == 0:
        return
    review = f" ({result.review:,} marked review)" if result.review else ""
    rows = f" in {result.rows:,} rows, one per address," if result.per_address else ""
    console.print(f"Exported {result.leads:,} leads for {channel}{review}{rows} to {out} "
                  f"(logged as {result.export_id}).", highlight=False)


@app.command("outcome")
def outcome(
    lead_id: Annotated[str, typer.Argument(help="The lead (column lead_id of an export).")],
    result: Annotated[Outcome, typer.Argument(
        metavar="OUTCOME", help="contacted, reached, not_interested, appointment, won or lost.")],
    note: Annotated[str | None, typer.Option(help="What happened, in a sentence.")] = None,
    value: Annotated[str | None, typer.Option(
        "--value", help="Deal value in euros (e.g. 1500 or 1500,50).")] = None,
    by: Annotated[str | None, typer.Option(help="Who records it (default $USER).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the receipt as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Record what sales achieved with a lead; the latest outcome counts (funnel, --train).

    Never waits for a running nightly: the outcome is journaled and stored when it ends.
    """
    from stages.outcomes import BadOutcome, UnknownLead, record_outcome

    with user_errors():
        try:
            receipt = record_outcome(settings_for(db), lead_id, result, by=_who(by),
                                     note=note, value_eur=value)
        except (BadOutcome, UnknownLead) as exc:
            raise user_failure(str(exc)) from exc
    if wants_json(as_json):
        print_json(receipt)
        return
    console.print(f"Recorded {receipt.outcome} for {receipt.lead_id} ({receipt.outcome_id})"
                  f"{_pending(receipt.status)}.", highlight=False, markup=False)


@app.command("object")
def object_(
    lead_id: Annotated[str, typer.Argument(help="The lead (column lead_id of an export).")],
    note: Annotated[str | None, typer.Option(
        help="What was said, e.g. 'keine Werbung mehr'.")] = None,
    by: Annotated[str | None, typer.Option(help="Who records it (default $USER).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the receipt as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Record that the lead wants no more advertising (Art. 21): every channel, at once.

    For a person known only by e-mail or phone, use `leadpipe gdpr object` instead.
    """
    from stages.outcomes import BadOutcome, UnknownLead, record_objection

    with user_errors():
        try:
            receipt = record_objection(settings_for(db), lead_id, by=_who(by), note=note)
        except (BadOutcome, UnknownLead) as exc:
            raise user_failure(str(exc)) from exc
    if wants_json(as_json):
        print_json(receipt)
        return
    console.print(f"Objection recorded for {receipt.lead_id} ({receipt.request_id}): every "
                  f"channel blocked from now on; {receipt.events} ledger event(s), "
                  f"{receipt.suppression_entries} suppression entr"
                  f"{'y' if receipt.suppression_entries == 1 else 'ies'}"
                  f"{_pending(receipt.status)}.", highlight=False, markup=False)


def _print_campaign(decisions: dict[str, int], campaign: str | None) -> None:
    """How §7(3) was decided for the campaign: who is mailed, and why the others are not."""
    reasons = ", ".join(f"{n:,} {reason}" for reason, n in sorted(decisions.items()))
    err_console.print(f"Campaign {campaign}: §7(3) UWG decided for {sum(decisions.values()):,} "
                      f"leads ({reasons}); uwg7_3_existing_customer is exported, a review "
                      "reason only with --include-review, the others not.",
                      highlight=False, markup=False)


def _who(by: str | None) -> str:
    import getpass
    import os

    return by or os.environ.get("USER") or getpass.getuser()


def _pending(status: str) -> str:
    return ("" if status == "stored" else
            " — a run is writing the warehouse; it is journaled and stored when that run ends "
            "(exports leave the lead out already)")
