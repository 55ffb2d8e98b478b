"""The export flow marketing ops trigger from the Prefect UI, and the funnel artifact."""

# No `from __future__ import annotations` in flow modules: Prefect builds the parameter
# schema from the annotations at run time, and string annotations break that when a
# deployment loads the flow from its entrypoint.

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from pydantic import Field

from leadpipe.settings import load_settings
from leadpipe.stages.export import ExportRequest, export_leads, split_list
from scoring.funnel import FunnelSource


@task(task_run_name="export {channel} leads to {out}")
def export_task(channel: str, out: str, request: ExportRequest,
                db: str | None = None) -> dict[str, Any]:
    return export_leads(load_settings().with_db(db), request)


@flow(name="export-leads", log_prints=True)
def export_leads_flow(
    channel: Annotated[Literal["phone", "email", "post", "sms", "fax"], Field(
        description="channel sales will use; only leads allowed on it are listed")],
    out: Annotated[str, Field(description="output file (on the worker's file system)")],
    format: Annotated[Literal["csv", "xlsx", "json"], Field(
        description="file format")] = "csv",
    min_grade: Annotated[Literal["A", "B", "C", "D"], Field(
        description="lowest grade to include")] = "B",
    region: Annotated[str | None, Field(
        description="postcode prefixes, comma-separated, e.g. 80,81")] = None,
    industry: Annotated[str | None, Field(
        description="WZ 2008 code prefixes or section letters, comma-separated")] = None,
    source: Annotated[str | None, Field(
        description="web_form, purchased_list, crawl or a vendor; comma-separated")] = None,
    since: Annotated[date | None, Field(
        description="only leads first seen on or after this date")] = None,
    limit: Annotated[int | None, Field(description="at most this many leads", ge=1)] = None,
    include_review: Annotated[bool, Field(
        description="also list leads whose decision is review (marked)")] = False,
    excel_de: Annotated[bool, Field(
        description="CSV for German Excel (UTF-8 with BOM, semicolons)")] = False,
    force: Annotated[bool, Field(description="replace an existing file")] = False,
    by: Annotated[str | None, Field(description="who exports (logged)")] = None,
    db: Annotated[str | None, Field(
        description="warehouse file (default ./data/leadpipe.duckdb)")] = None,
) -> dict[str, Any]:
    """Write the qualified leads for one channel, best first, and log the export."""
    request = ExportRequest(
        channel=channel, out=Path(out), fmt=format, min_grade=min_grade,
        regions=split_list(region), industries=split_list(industry),
        sources=split_list(source), since=since, limit=limit, include_review=include_review,
        excel_de=excel_de, force=force, by=by or "prefect")
    result = export_task(channel, out, request, db)
    print(f"exported {result['leads']} {channel} leads to {out} ({result['export_id']})")
    return result


def publish_funnel_artifact(funnel: list[FunnelSource]) -> None:
    """The funnel as a Prefect table (one row per source and stage) and a markdown summary."""
    rows = [{"source": source.label, "stage": step.stage, "count": step.count,
             "rate": None if step.rate is None else f"{step.rate:.1%}"}
            for source in funnel for step in source.steps]
    create_table_artifact(key="funnel", table=rows, description="Funnel per source and stage")
    lines = ["## Funnel", "", "| stage | " + " | ".join(s.label for s in funnel) + " |",
             "|---|" + "---:|" * len(funnel)]
    for i, step in enumerate(funnel[0].steps if funnel else ()):
        cells = [f"{s.steps[i].count}" + (f" ({s.steps[i].rate:.0%})"
                                          if s.steps[i].rate is not None else "")
                 for s in funnel]
        lines.append(f"| {step.stage} | " + " | ".join(cells) + " |")
    create_markdown_artifact(key="funnel-summary", markdown="\n".join(lines) + "\n",
                             description="Funnel per source")
