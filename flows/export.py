"""The export flow marketing ops start from the Prefect UI: a qualified list for sales."""

# No `from __future__ import annotations` in flow modules: Prefect builds the parameter
# schema from the annotations at run time.

from typing import Annotated, Literal

from prefect import flow, task
from pydantic import Field

from flows import run_names
from flows.reporting import publish_export
from foundation.outputs import export_file
from foundation.settings import load_settings
from foundation.vocabulary import Channel, Grade
from ingest.dates import DayText, day_or_none
from stages.export import ExportRequest, ExportResult, export_leads, split_list


@task(task_run_name="export {request.channel} leads")
def export_task(request: ExportRequest, db: str | None = None) -> ExportResult:
    return export_leads(load_settings().with_db(db), request)


@flow(name="export-leads", flow_run_name=run_names.export, log_prints=True)
def export_leads_flow(
    channel: Channel,
    file_name: str,
    format: Literal["csv", "xlsx", "json", "hubspot", "pipedrive", "centralstation"] = "csv",
    min_grade: Grade = "B",
    region: str = "",
    industry: str = "",
    source: str = "",
    since: DayText = "",
    limit: Annotated[int | None, Field(ge=1)] = None,
    include_review: bool = False,
    excel_de: bool = False,
    layout: Literal["standard", "serienbrief", "anrufliste"] = "standard",
    per_address: bool = False,
    new_only: bool = False,
    customers_only: bool = False,
    campaign: str = "",
    by: str = "",
    db: str = "",
) -> ExportResult:
    """Write the qualified leads for one channel, best first, and log the export.

    Args:
        channel: The channel sales will use; only leads allowed on it are listed.
        file_name: The file's name only, e.g. anrufe.xlsx; it is written to the exports
            directory on the worker's machine (LEADPIPE_EXPORTS_DIR, default data/exports).
            An existing file is never replaced: choose a new name.
        format: csv, xlsx or json; or hubspot, pipedrive or centralstation, the CRM's own
            import file (docs/exports.md, "Into the CRM").
        min_grade: The lowest grade to include (A is best); for a campaign choose D, so
            that every customer §7(3) lets it reach is listed.
        region: Postcode prefixes, comma-separated, e.g. 80,81.
        industry: WZ 2008 code prefixes or section letters, comma-separated, e.g. 62,C.
        source: web_form, purchased_list, crawl, customer or a vendor's name; comma-separated.
        since: Only leads first seen on or after this day (2026-11-20 or 20.11.2026).
        limit: At most this many leads.
        include_review: Also list leads whose decision waits for a person (marked review).
        excel_de: CSV for German Excel (UTF-8 with BOM, semicolons, decimal commas).
        layout: standard (the channel's list), serienbrief (letters; channel post) or
            anrufliste (call list; channel phone). XLSX and the letter and call layouts
            have German headers (docs/exports.md).
        per_address: Post only: one row per postal address, to its best-scored contact;
            every lead of the address is logged.
        new_only: Leave out leads the CRM knows: customers and everyone in the last
            customer import.
        customers_only: Only existing customers (the warm list); not with new_only.
        campaign: E-mail for this campaign (config/campaigns/<name>.yaml, `leadpipe campaign
            list`): existing customers who bought something similar are decided under
            §7(3) UWG for it; empty means no campaign.
        by: Who exports (kept in the export log).
        db: The warehouse file; empty means ./data/leadpipe.duckdb.
    """
    settings = load_settings().with_db(db or None)
    out = export_file(file_name, settings)
    request = ExportRequest(
        channel=channel, out=out, fmt=format, min_grade=min_grade,
        regions=split_list(region), industries=split_list(industry),
        sources=split_list(source), since=day_or_none(since), limit=limit,
        include_review=include_review, excel_de=excel_de, by=by or "prefect",
        layout=layout, per_address=per_address, new_only=new_only,
        customers_only=customers_only, campaign=campaign or None)
    result = export_task(request, db or None)
    publish_export(result, settings.export_link(out))
    rows = f" in {result.rows:,} rows (one per address)" if per_address else ""
    print(f"exported {result.leads:,} {channel} leads{rows} to {out} ({result.export_id})")
    return result
