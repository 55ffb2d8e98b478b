"""`leadpipe match`, `review export|import`, `explain-match`, `dedupe-file`."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.table import Table

from foundation.vocabulary import EntityLevel
from leadpipe.cli.common import (
    DbOption,
    console,
    plain,
    print_json,
    settings_for,
    user_errors,
    wants_json,
)

if TYPE_CHECKING:
    from scoring.export_files import ExportPathExists

review_app = typer.Typer(help="Review uncertain matches: export them side by side, import "
                              "the decisions.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Force = Annotated[bool, typer.Option("--force", help="Replace an existing output file.")]


def _refuse_existing(exc: ExportPathExists) -> typer.Exit:
    console.print(f"[red]error:[/red] {plain(exc)}")
    return typer.Exit(2)


def match(db: DbOption = None, as_json: JsonFlag = False) -> None:
    """Match enriched records into companies, contacts and consumers now."""
    from leadpipe.cli.progress import terminal_progress
    from leadpipe.cli.summary import print_match, show_stage
    from stages.match import match_all

    with user_errors():
        result = match_all(settings_for(db), terminal_progress(as_json))
    show_stage("match", result, print_match, as_json, db)


@review_app.command("export")
def review_export(
    out: Annotated[Path, typer.Option("--out", help="CSV or XLSX file to write.")],
    level: Annotated[EntityLevel | None, typer.Option(help="Only this entity level.")] = None,
    force: Force = False,
    db: DbOption = None,
) -> None:
    """Write the review queue: both records side by side with per-field similarities.

    Fill the `decision` column with `merge` or `split` and load it with `review import`.
    """
    from scoring.export_files import ExportPathExists
    from stages import review as review_stage

    fmt: Literal["csv", "xlsx"] = "xlsx" if out.suffix.lower() == ".xlsx" else "csv"
    with user_errors():
        try:
            count = review_stage.export_review(settings_for(db), out, fmt, force, level)
        except ExportPathExists as exc:
            raise _refuse_existing(exc) from exc
    console.print(f"{count} pair(s) to review written to {out}")


@review_app.command("import")
def review_import(
    path: Annotated[Path, typer.Argument(help="The filled-in review file.", exists=True,
                                         dir_okay=False)],
    by: Annotated[str | None, typer.Option(help="Who decided (default: your user).")] = None,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Apply merge/split decisions; they are kept and respected by every later run."""
    from stages import review as review_stage

    with user_errors():
        counts = review_stage.import_review(settings_for(db), path, by or getpass.getuser())
    if wants_json(as_json):
        print_json(counts)
    else:
        console.print(f"{counts.decisions} decision(s) stored; leads re-matched.")


def explain_match(
    left: Annotated[str, typer.Argument(help="Record id A (see core.lead_members).")],
    right: Annotated[str, typer.Argument(help="Record id B.")],
    level: Annotated[EntityLevel | None, typer.Option(help="Entity level (default: found).")]
    = None,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Each field's similarity and its contribution to the match score of two records."""
    from stages import review as review_stage

    with user_errors():
        result = review_stage.explain(settings_for(db), left, right, level)
    if wants_json(as_json):
        print_json(result)
        return
    table = Table(title=f"{plain(left)} vs {plain(right)} ({result.level})")
    for column in ("field", "left", "right", "similarity", "level", "contribution"):
        table.add_column(column)
    for f in result.fields:
        sim = "" if f["similarity"] is None else f"{float(f['similarity']):.3f}"
        table.add_row(f["comparison"], plain(f["left"] or ""), plain(f["right"] or ""), sim,
                      f["level"], f"{f['contribution']:+.2f}")
    console.print(table)
    console.print(f"prior {result.prior_log2_odds:+.2f} → match weight "
                  f"{result.match_weight:+.2f}, probability "
                  f"{result.match_probability:.3f}: [bold]{result.band}[/bold]"
                  + _strong_key_note(result.strong_key, result.fields)
                  + (f" (vetoed by {result.guard})" if result.guard else ""))


def _strong_key_note(strong_key: str | None, fields: list[dict[str, Any]]) -> str:
    """Which strong key agrees and, if it has a floor, whether the other fields let it decide."""
    if not strong_key:
        return ""
    check = next((f["strong_key_check"] for f in fields if "strong_key_check" in f), None)
    if check is None:
        return f" (strong key {strong_key})"
    verdict = "decides" if check["decides"] else "contradicted, so review"
    return (f" (strong key {strong_key}: other fields {check['other_evidence']:+.2f} vs "
            f"floor {check['min_other_evidence']:+.2f}, {verdict})")


def dedupe_file(
    path: Annotated[Path, typer.Argument(help="A list file (CSV/TSV/XLSX).", exists=True,
                                         dir_okay=False)],
    out: Annotated[Path, typer.Option("--out", help="CSV or XLSX to write.")],
    mapping: Annotated[Path | None, typer.Option(help="Vendor mapping YAML.", exists=True,
                                                 dir_okay=False)] = None,
    force: Force = False,
    as_json: JsonFlag = False,
) -> None:
    """Check a list before importing it: every row with its cluster_id and match_score."""
    from scoring.export_files import ExportPathExists
    from stages import review as review_stage

    with user_errors():
        try:
            result = review_stage.dedupe_file(settings_for(None), path, out, mapping, force)
        except ExportPathExists as exc:
            raise _refuse_existing(exc) from exc
    if wants_json(as_json):
        print_json(result)
    else:
        console.print(f"{result.rows} row(s): {result.clusters} cluster(s), "
                      f"{result.duplicates} duplicate row(s); written to {result.out}")
