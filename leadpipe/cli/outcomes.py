"""`leadpipe outcomes import` and `leadpipe engagement import`: what comes back from the CRM
and the newsletter tool (docs/outcomes.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from leadpipe.cli.common import (
    DbOption,
    console,
    plain,
    print_json,
    settings_for,
    user_errors,
    wants_json,
)

outcomes_app = typer.Typer(help="Outcomes back from the CRM.", no_args_is_help=True)
engagement_app = typer.Typer(help="Opens and clicks back from the newsletter tool.",
                             no_args_is_help=True)

FileArgument = Annotated[Path, typer.Argument(help="The export (CSV or XLSX).",
                                              dir_okay=False, show_default=False)]
MappingOption = Annotated[Path | None, typer.Option(
    "--mapping", dir_okay=False,
    help="A YAML file merged over the shipped formats: your headers and stage words "
         "(docs/outcomes.md).")]


def _problems(problems: list[tuple[int, str | None, str]], file: str) -> None:
    for row, field, reason in problems[:20]:
        where = f"row {row}" + (f", field {field!r}" if field else "")
        console.print(f"  {plain(file)}, {plain(where)}: {plain(reason)}", highlight=False)
    if len(problems) > 20:
        console.print(f"  … and {len(problems) - 20} more: leadpipe quarantine",
                      highlight=False)


@outcomes_app.command("import")
def import_outcomes(
    file: FileArgument,
    crm: Annotated[Literal["hubspot", "pipedrive", "centralstation", "generic", "auto"],
                   typer.Option(help="The CRM the export comes from (auto: by its headers).")
                   ] = "auto",
    mapping: MappingOption = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Say what the import would do; write nothing.")] = False,
    by: Annotated[str | None, typer.Option(help="Who imports (default $USER).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Read a CRM deals/activities export: outcomes for the funnel and `score --train`,
    do-not-contact flags as objections (every channel, at once)."""
    from leadpipe.cli.leads import _who
    from stages.crm_outcomes import import_outcomes as run

    with user_errors():
        report = run(settings_for(db), file, crm=crm, mapping=mapping, by=_who(by),
                     dry_run=dry_run)
    if wants_json(as_json):
        print_json(report)
        return
    verb = "Would import" if dry_run else "Imported"
    console.print(
        f"{verb} {plain(report.file)} ({report.crm}): {report.rows_in} rows in = "
        f"{report.loaded} loaded + {report.quarantined} quarantined + {report.skipped} "
        f"skipped; outcomes {report.outcomes_new} new, {report.outcomes_known} known; "
        f"objections {report.objections_new} new, {report.objections_known} known.",
        highlight=False)
    if report.matched_by:
        console.print("  matched by " + ", ".join(f"{k} {v}" for k, v in
                                                  report.matched_by.items()), highlight=False)
    _problems(report.problems, report.file)


@engagement_app.command("import")
def import_engagement(
    file: FileArgument,
    tool: Annotated[Literal["cleverreach", "brevo", "mailchimp", "generic", "auto"],
                    typer.Option(help="The newsletter tool (auto: by the headers).")
                    ] = "auto",
    mapping: MappingOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Read a campaign report's opens and clicks; a clicker gets a category B reason for a
    B2B call (review on the next decide)."""
    from stages.engagement import import_engagement as run

    with user_errors():
        report = run(settings_for(db), file, tool=tool, mapping=mapping)
    if wants_json(as_json):
        print_json(report)
        return
    console.print(
        f"Imported {plain(report.file)} ({report.tool}): {report.rows_in} rows in = "
        f"{report.loaded} loaded + {report.quarantined} quarantined + {report.skipped} "
        f"skipped; {report.engagement_new} new; {report.call_reasons_new} ledger event(s) "
        "from clicks: a reason for a B2B call (phone to review after the next decide).",
        highlight=False)
    _problems(report.problems, report.file)
