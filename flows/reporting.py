"""Stage results as Prefect artifacts: what marketing ops and the operator read in the UI.

The markdown is written by pure functions (`nightly_markdown`, …) so that the same text goes
into the operator's e-mail and can be tested without a Prefect server.
"""

from __future__ import annotations

from collections.abc import Sequence

from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)

from foundation.settings import load_settings
from foundation.vocabulary import CHANNELS
from scoring.funnel import FunnelSource, funnel_markdown, funnel_table_rows, funnel_title
from spiders.config import skip_reasons
from spiders.skip_reasons import describe_skipped
from stages.consent import EventImportReport
from stages.crawl import CrawlResult
from stages.export import ExportResult
from stages.ingest import RejectedFile
from stages.nightly import NightlyReport
from warehouse.load_lists import BatchReport

DECISIONS = ("allowed", "review", "blocked")


def _cell(text: object) -> str:
    """A value inside a markdown table cell: no pipes or line breaks that would split it."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _one_line(text: str) -> str:
    """A multi-line message (a configuration error lists its keys) as one list item."""
    return "; ".join(part.strip() for part in text.splitlines() if part.strip())


def _table(header: Sequence[str], rows: Sequence[Sequence[object]],
           right: Sequence[bool] | None = None) -> list[str]:
    align = [("---:" if r else "---") for r in (right or [False] * len(header))]
    return ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|",
            *("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows), ""]


def ingest_lines(outcomes: Sequence[BatchReport | RejectedFile]) -> list[str]:
    """Per file: status and `in = loaded + quarantined + skipped`, rejected files first."""
    rejected = [o for o in outcomes if isinstance(o, RejectedFile)]
    read = [o for o in outcomes if isinstance(o, BatchReport)]
    lines: list[str] = []
    if rejected:
        lines += ["### Rejected files: action needed", "",
                  "These files were not loaded and stay in the inbox until they are fixed.", ""]
        lines += [f"- **{r.file}**: {_one_line(r.problem.removeprefix(f'{r.file}: '))}"
                  for r in rejected] + [""]
    if read:
        lines += _table(
            ["file", "status", "rows in", "loaded", "quarantined", "skipped"],
            [(r.file_name, r.status, f"{r.rows_in:,}", f"{r.loaded:,}", f"{r.quarantined:,}",
              f"{r.skipped:,}") for r in read],
            [False, False, True, True, True, True])
        totals = [sum(getattr(r, k) for r in read)
                  for k in ("rows_in", "loaded", "quarantined", "skipped")]
        lines += [f"**rows in = loaded + quarantined + skipped: {totals[0]:,} = {totals[1]:,} + "
                  f"{totals[2]:,} + {totals[3]:,}**", ""]
    if not outcomes:
        lines += ["No new files in the inbox.", ""]
    return lines


def crawl_lines(crawl: CrawlResult) -> list[str]:
    if not crawl.targets:
        return ["No website was due for a crawl.", ""]
    batch = crawl.batch
    lines = [f"{crawl.targets:,} site(s) crawled, {crawl.pages:,} page(s) fetched"
             + (f"; {batch.loaded:,} with company data loaded" if batch else "") + ".", ""]
    if crawl.skipped:
        lines += ["Not fetched or not used:", "",
                  *(f"- {line}" for line in describe_skipped(
                      crawl.skipped, skip_reasons(load_settings().config_dir).value)), ""]
    if crawl.timed_out:
        lines += ["**The crawl hit its time limit; the remaining sites follow tomorrow.**", ""]
    return lines


def nightly_markdown(report: NightlyReport) -> str:
    """The nightly summary: rejected files first, then every stage's counts."""
    lines = [f"## {report.headline()}", ""]
    lines += [f"> {note}" for note in report.notes] + ([""] if report.notes else [])
    lines += ["### Ingest", "", *ingest_lines(report.ingest)]
    if report.quarantine:
        lines += ["### Quarantined rows", "",
                  "Rows set aside with their reason (`leadpipe quarantine` lists each row).", ""]
        lines += _table(["file", "reason", "rows"],
                        [(q.file, q.reason, f"{q.rows:,}") for q in report.quarantine],
                        [False, False, True])
    if report.handoff.files or report.handoff.purged_unconfirmed:
        lines += [f"Form service hand-off: {len(report.handoff.files)} file(s); "
                  f"{report.handoff.purged_unconfirmed:,} unconfirmed request(s) deleted after "
                  "their retention period.", ""]
    if report.consent_events:
        lines += ["### Consent events", ""]
        for e in report.consent_events:
            if isinstance(e, EventImportReport):
                lines.append(f"- {e.file}: {e.imported:,} new, {e.already_known:,} known, "
                             f"{len(e.problems):,} line(s) with problems")
        lines.append("")
    if report.crawl is not None:
        lines += ["### Crawl", "", *crawl_lines(report.crawl)]
    if report.enrich is not None:
        en = report.enrich
        lines += ["### Enrich", "", f"{en.records_enriched:,} record(s) enriched, "
                  f"{en.values:,} value(s) with provenance, {en.dns_lookups:,} DNS lookup(s).",
                  ""]
    if report.match is not None:
        lines += ["### Match", ""]
        lines += _table(["level", "records", "leads", "new leads", "pairs to review", "mode"],
                        [(name, f"{lv.records:,}", f"{lv.leads:,}", f"{lv.new_leads:,}",
                          f"{lv.review_pairs:,}", lv.mode)
                         for name, lv in report.match.levels().items()],
                        [False, True, True, True, True, False])
    if report.decide is not None:
        d = report.decide
        lines += [f"### Eligibility of {d.leads:,} lead(s)", ""]
        lines += _table(["channel", *DECISIONS],
                        [(ch, *(f"{d.by_channel.get(ch, {}).get(k, 0):,}" for k in DECISIONS))
                         for ch in CHANNELS if ch in d.by_channel],
                        [False, True, True, True])
        lines += [f"{d.decisions_changed:,} decision(s) changed since the last run.", ""]
    if report.score is not None:
        s = report.score
        lines += ["### Grades", ""]
        lines += _table(["grade", "leads"], [(g, f"{n:,}") for g, n in s.all_grades.items()],
                        [False, True])
        lines += [f"{s.leads_scored:,} lead(s) scored anew, {s.unchanged:,} unchanged.", ""]
    return "\n".join(lines)


def publish_nightly(report: NightlyReport) -> None:
    create_markdown_artifact(key="nightly-summary", markdown=nightly_markdown(report),
                             description=report.headline())


def publish_ingest(key: str, title: str,
                   outcomes: Sequence[BatchReport | RejectedFile]) -> None:
    """One markdown artifact: the file's counts, or why it was rejected and the fix."""
    create_markdown_artifact(key=f"{key}-summary",
                             markdown="\n".join([f"## {title}", "", *ingest_lines(outcomes)]),
                             description=title)


def publish_crawl(crawl: CrawlResult) -> None:
    create_markdown_artifact(key="crawl-summary",
                             markdown="\n".join(["## Crawl", "", *crawl_lines(crawl)]),
                             description="Crawl of company websites")


def _value(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, tuple | list) else str(value)


def _campaign_lines(result: ExportResult) -> list[str]:
    campaign = result.filters.get("campaign")
    if not isinstance(campaign, dict):
        return []
    reasons = ", ".join(f"{n:,} {reason}" for reason, n in
                        sorted(result.campaign_decisions.items())) or "no existing customers"
    return [f"Campaign `{campaign['name']}` ({campaign['product_category']}): §7(3) UWG "
            f"decided for it: {reasons}.", ""]


def export_markdown(result: ExportResult) -> str:
    filters = ", ".join(f"{k}: {_value(v)}" for k, v in result.filters.items()
                        if v not in (None, (), [], False) and k != "campaign")
    return "\n".join([
        f"## Export {result.export_id}", "",
        f"**{result.leads:,} {result.channel} lead(s)** written to `{result.path}` "
        f"({result.format}, layout {result.layout}) on {result.host}"
        + (f", {result.rows:,} rows: one per postal address" if result.per_address else "")
        + (f", {result.review:,} of them marked review" if result.review else "") + ".", "",
        f"Filters: {filters or 'none'}.", "", *_campaign_lines(result),
        f"Logged in `ops.exports` as `{result.export_id}` by {result.exported_by}.", ""])


def publish_export(result: ExportResult, link: str | None) -> None:
    create_markdown_artifact(key="export-leads", markdown=export_markdown(result),
                             description=f"Export {result.export_id}")
    if link:
        create_link_artifact(key="export-file", link=link, link_text=result.path,
                             description=f"The file of export {result.export_id}")


def publish_funnel(funnel: list[FunnelSource], min_grade: str = "B") -> None:
    """The funnel as a Prefect table (a row per stage, a column per source) and markdown."""
    create_table_artifact(key="funnel", table=funnel_table_rows(funnel),
                          description=funnel_title(min_grade))
    create_markdown_artifact(key="funnel-summary", markdown=funnel_markdown(funnel, min_grade),
                             description=funnel_title(min_grade))
