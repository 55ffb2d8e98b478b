"""Ingest flows that marketing ops trigger with parameters (Prefect UI or CLI)."""

# No `from __future__ import annotations` in flow modules: Prefect builds the parameter
# schema from the annotations at run time, and string annotations break that when a
# deployment loads the flow from its entrypoint.

from datetime import date
from pathlib import Path
from typing import Annotated, Any

from prefect import flow, task
from prefect.client.schemas.objects import TaskRun
from prefect.states import State
from prefect.tasks import Task
from pydantic import Field

from flows.reporting import publish_counts
from ingest.errors import InputFileError
from leadpipe.settings import load_settings
from leadpipe.stages.ingest import ListOptions, ingest_form_file, ingest_list_file


def _retry_io_only(task: Task[..., Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry on I/O trouble (a share that hiccups), never on a file that is simply bad."""
    try:
        state.result()
    except InputFileError:
        return False
    except Exception:
        return True
    return False


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=_retry_io_only,
      task_run_name="ingest list {path}")
def ingest_list_task(path: str, options: ListOptions, db: str | None = None) -> dict[str, Any]:
    return ingest_list_file(load_settings().with_db(db), Path(path), options).as_dict()


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=_retry_io_only,
      task_run_name="ingest forms {path}")
def ingest_forms_task(path: str, db: str | None = None) -> dict[str, Any]:
    return ingest_form_file(load_settings().with_db(db), Path(path)).as_dict()


DbPath = Annotated[
    str | None, Field(description="warehouse file (default ./data/leadpipe.duckdb)")
]


@flow(name="ingest-purchased-list", log_prints=True)
def ingest_purchased_list(
    path: Annotated[str, Field(description="CSV/TSV/XLSX file of the purchased list")],
    vendor: Annotated[str | None, Field(description="who sold the list")] = None,
    acquired_on: Annotated[date | None, Field(description="date the list was bought")] = None,
    mapping: Annotated[str | None, Field(description="vendor mapping YAML")] = None,
    licence_end: Annotated[date | None, Field(description="end of the permitted use")] = None,
    permitted_use: Annotated[str | None, Field(description="what the licence allows")] = None,
    provenance_documented: Annotated[
        bool | None, Field(description="the vendor documents where the addresses come from")
    ] = None,
    db: DbPath = None,
) -> dict[str, Any]:
    """Load one purchased address list into the warehouse."""
    options = ListOptions(
        vendor=vendor, acquired_on=acquired_on, mapping_file=Path(mapping) if mapping else None,
        licence_end=licence_end, permitted_use=permitted_use,
        provenance_documented=provenance_documented,
    )
    report = ingest_list_task(path, options, db)
    publish_counts("ingest-purchased-list", f"Purchased list {Path(path).name}", [report])
    return report


@flow(name="ingest-web-forms", log_prints=True)
def ingest_web_forms(
    path: Annotated[str, Field(description="NDJSON/JSON/CSV export of a form tool")],
    db: DbPath = None,
) -> dict[str, Any]:
    """Load one web-form export (submissions and their consent evidence)."""
    report = ingest_forms_task(path, db)
    publish_counts("ingest-web-forms", f"Web-form export {Path(path).name}", [report])
    return report
