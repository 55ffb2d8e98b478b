"""Printing stage results for a person at a terminal, and the step that comes next.

Each stage command prints its counts (thousands separated) and then the command to run
next, so the path from a new list to a sales export needs no other documentation:
ingest → enrich → match → decide → score → leads export.

Stage result types are imported for annotations only (a class that `isinstance` needs, inside
the function), so that a stage command loads its own stage and not all of them: the score
stage alone brings scikit-learn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rich.table import Table

from foundation.vocabulary import CHANNELS
from leadpipe.cli.common import plain

if TYPE_CHECKING:
    from rich.console import Console

    from stages.crawl import CrawlResult
    from stages.decide import DecideResult
    from stages.enrich import EnrichResult
    from stages.ingest import RejectedFile
    from stages.match import MatchResult
    from stages.nightly import NightlyReport
    from stages.score import ScoreResult
    from warehouse.load_lists import BatchReport

R = TypeVar("R")

NEXT_STEP = {
    "ingest": "leadpipe enrich",
    "crawl": "leadpipe enrich",
    "enrich": "leadpipe match",
    "match": "leadpipe decide",
    "decide": "leadpipe score",
    "score": "leadpipe leads export --channel email --min-grade B --out leads.csv",
}
"""The command after each stage on the CLI path from a new list to a sales export."""

DECISIONS = ("allowed", "review", "blocked")


def print_next(stage: str, console: Console, db_option: str = "") -> None:
    console.print(f"Next: [bold]{NEXT_STEP[stage]}{db_option}[/bold]", highlight=False,
                  soft_wrap=True)


def show_stage(stage: str, result: R, printer: Callable[[R, Console], None], as_json: bool,
               db: Path | None) -> None:
    """A stage command's output: JSON when asked for (or piped), else its counts and the
    command that comes next."""
    from leadpipe.cli.common import console, db_hint, print_json, wants_json

    if wants_json(as_json):
        print_json(result)
        return
    printer(result, console)
    print_next(stage, console, db_hint(db))


def print_ingest(outcomes: Sequence[BatchReport | RejectedFile], console: Console) -> None:
    from stages.ingest import RejectedFile
    from warehouse.load_lists import BatchReport

    read = [o for o in outcomes if isinstance(o, BatchReport)]
    for rejected in (o for o in outcomes if isinstance(o, RejectedFile)):
        console.print(f"[red]rejected:[/red] {plain(rejected.problem)}", highlight=False)
    if not read:
        return
    table = Table(title="Ingest")
    for column in ("file", "status", "rows in", "loaded", "quarantined", "skipped"):
        table.add_column(column, justify="left" if column in ("file", "status") else "right")
    for r in read:
        table.add_row(plain(r.file_name), r.status, f"{r.rows_in:,}", f"{r.loaded:,}",
                      f"{r.quarantined:,}", f"{r.skipped:,}")
    console.print(table)
    total = [sum(getattr(r, k) for r in read) for k in ("rows_in", "loaded", "quarantined",
                                                         "skipped")]
    console.print(f"rows in = loaded + quarantined + skipped: {total[0]:,} = {total[1]:,} + "
                  f"{total[2]:,} + {total[3]:,}", highlight=False)
    for r in read:
        if r.note:
            console.print(f"{plain(r.file_name)}: {plain(r.note)}", highlight=False)
        if r.unmapped:
            console.print(f"{plain(r.file_name)}: {len(r.unmapped)} column(s) not mapped, kept "
                          f"in the raw rows: {plain(', '.join(r.unmapped))}", highlight=False)
        for warning in r.warnings:
            console.print(f"[yellow]warning:[/yellow] {plain(r.file_name)}: {plain(warning)}",
                          highlight=False)
        if r.quarantined:
            console.print(f"See why rows were set aside: leadpipe quarantine --batch "
                          f"{r.batch_id}", highlight=False)


def print_crawl(result: CrawlResult, console: Console) -> None:
    from foundation.settings import load_settings
    from spiders.config import skip_reasons
    from spiders.skip_reasons import describe_skipped

    if not result.targets:
        console.print("Crawl: no website was due.")
        return
    loaded = f"; {result.batch.loaded:,} with company data loaded" if result.batch else ""
    console.print(f"Crawl: {result.targets:,} site(s), {result.pages:,} page(s){loaded}.",
                  highlight=False)
    for line in describe_skipped(result.skipped,
                                 skip_reasons(load_settings().config_dir).value):
        console.print(f"  not fetched: {plain(line)}", highlight=False)


def print_enrich(result: EnrichResult, console: Console) -> None:
    console.print(f"Enrich: {result.records_enriched:,} record(s) enriched, {result.values:,} "
                  f"value(s) with provenance, {result.dns_lookups:,} DNS lookup(s).",
                  highlight=False)


def print_match(result: MatchResult, console: Console) -> None:
    table = Table(title="Match")
    for column in ("level", "records", "leads", "new leads", "pairs to review", "mode"):
        table.add_column(column, justify="left" if column in ("level", "mode") else "right")
    for name, level in result.levels().items():
        table.add_row(name, f"{level.records:,}", f"{level.leads:,}", f"{level.new_leads:,}",
                      f"{level.review_pairs:,}", level.mode)
    console.print(table)
    if any(level.review_pairs for level in result.levels().values()):
        console.print("Decide the uncertain pairs: leadpipe review export --out review.xlsx",
                      highlight=False)


def print_decide(result: DecideResult, console: Console) -> None:
    table = Table(title=f"Eligibility of {result.leads:,} lead(s)")
    table.add_column("channel")
    for decision in DECISIONS:
        table.add_column(decision, justify="right")
    for channel in (c for c in CHANNELS if c in result.by_channel):  # the report's order
        counts = result.by_channel[channel]
        table.add_row(channel, *(f"{counts.get(k, 0):,}" for k in DECISIONS))
    console.print(table)
    console.print(f"{result.decisions_changed:,} decision(s) changed.", highlight=False)


def print_score(result: ScoreResult, console: Console) -> None:
    grades = ", ".join(f"{g}: {n:,}" for g, n in result.all_grades.items()) or "none"
    console.print(f"Score: {result.leads_scored:,} lead(s) scored anew, {result.unchanged:,} "
                  f"unchanged; leads per grade now {grades}.", highlight=False)


def print_nightly(report: NightlyReport, console: Console) -> None:
    """One section per stage that ran; rejected files and a stop first and in red."""
    from stages.consent import EventImportReport
    from stages.ingest import RejectedFile

    for note in report.notes:
        console.print(plain(note), highlight=False)
    print_ingest(report.ingest, console)
    for e in report.consent_events:
        if isinstance(e, RejectedFile):
            console.print(f"[red]rejected:[/red] {plain(e.problem)}", highlight=False)
        elif isinstance(e, EventImportReport):
            console.print(f"Consent events {plain(e.file)}: {e.imported:,} new, "
                          f"{len(e.problems):,} problem line(s)", highlight=False)
    if report.crawl is not None:
        print_crawl(report.crawl, console)
    if report.enrich is not None:
        print_enrich(report.enrich, console)
    if report.match is not None:
        print_match(report.match, console)
    if report.decide is not None:
        print_decide(report.decide, console)
    if report.score is not None:
        print_score(report.score, console)
    if report.needs_attention:
        console.print(f"[red]{plain(report.headline())}[/red]", highlight=False)
