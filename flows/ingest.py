"""Ingest flows that marketing ops start with parameters (Prefect UI or CLI), and their tasks.

A file the user must fix (no acquisition date, an unreadable date, a binary file) is not an
exception: the task returns a `RejectedFile` with the fix, the flow run ends Failed with that
message, and no retry or traceback hides it. Only I/O trouble (a network share that hiccups)
is retried.
"""

# No `from __future__ import annotations` in flow modules: Prefect builds the parameter
# schema from the annotations at run time.

from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.client.schemas.objects import TaskRun
from prefect.states import State
from prefect.tasks import Task

from flows import run_names
from flows.outcomes import needs_attention
from flows.reporting import publish_ingest
from foundation.settings import load_settings
from ingest.dates import DayText, day_or_none
from stages.customers import load_inbox_customers
from stages.ingest import (
    ListOptions,
    RejectedFile,
    ingest_form_file,
    ingest_list_file,
    load_inbox_list,
    load_or_reject,
)
from warehouse.load_lists import BatchReport

_NOT_TRANSIENT = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)


def retry_io_only(task: Task[..., Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry on I/O trouble only; a missing file or a bug does not get better by waiting."""
    try:
        state.result()
    except _NOT_TRANSIENT:
        return False
    except OSError:
        return True
    except Exception:
        return False
    return False


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=retry_io_only,
      task_run_name="ingest list {path}")
def ingest_list_task(path: str, options: ListOptions, db: str | None = None,
                     replace: bool = False) -> BatchReport | RejectedFile:
    settings = load_settings().with_db(db)
    return load_or_reject(settings, Path(path), "purchased_list",
                          lambda: ingest_list_file(settings, Path(path), options,
                                                   replace=replace))


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=retry_io_only,
      task_run_name="ingest inbox list {path}")
def ingest_inbox_list_task(path: str, db: str | None = None) -> BatchReport | RejectedFile:
    return load_inbox_list(load_settings().with_db(db), Path(path))


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=retry_io_only,
      task_run_name="ingest inbox customers {path}")
def ingest_inbox_customers_task(path: str, db: str | None = None) -> BatchReport | RejectedFile:
    return load_inbox_customers(load_settings().with_db(db), Path(path))


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=retry_io_only,
      task_run_name="ingest forms {path}")
def ingest_forms_task(path: str, db: str | None = None) -> BatchReport | RejectedFile:
    settings = load_settings().with_db(db)
    return load_or_reject(settings, Path(path), "web_form",
                          lambda: ingest_form_file(settings, Path(path)))


def _finish(outcome: BatchReport | RejectedFile) -> BatchReport | State[Any]:
    """The flow's end: the report, or a Failed state whose message is the fix."""
    if isinstance(outcome, RejectedFile):
        return needs_attention(outcome.problem, outcome)
    print(f"{outcome.file_name}: {outcome.rows_in:,} rows in = {outcome.loaded:,} loaded + "
          f"{outcome.quarantined:,} quarantined + {outcome.skipped:,} skipped")
    return outcome


@flow(name="ingest-purchased-list", flow_run_name=run_names.ingest, log_prints=True)
def ingest_purchased_list(
    path: str,
    vendor: str = "",
    acquired_on: DayText = "",
    mapping: str = "",
    licence_end: DayText = "",
    permitted_use: str = "",
    provenance_documented: bool | None = None,
    db: str = "",
    replace: bool = False,
) -> BatchReport | State[Any]:
    """Load one purchased address list into the warehouse.

    Args:
        path: The list file on the worker's machine: CSV, TSV, semicolon CSV or XLSX, e.g.
            /srv/leads/kammer_2026-11.csv.
        vendor: Who sold the list, e.g. "IHK Export" (required here or in the mapping file).
        acquired_on: The day the list was bought, 2026-11-20 or 20.11.2026; the GDPR Art. 14
            deadline runs from it (required here or in the mapping file).
        mapping: A vendor mapping YAML with column names and list metadata (optional).
        licence_end: The last day the licence allows use of the list.
        permitted_use: What the licence allows, e.g. "postal and telephone marketing, B2B".
        provenance_documented: Whether the vendor documents where the addresses come from
            (empty: as the mapping file says).
        db: The warehouse file; empty means ./data/leadpipe.duckdb.
        replace: Load a corrected file or mapping in place of the earlier batch of the same
            file (same content, else same file name): the old batch is undone and the new
            one loaded in one transaction (docs/ingest.md, "Undo and replace").
    """
    options = ListOptions(
        vendor=vendor or None, acquired_on=day_or_none(acquired_on),
        mapping_file=Path(mapping) if mapping else None, licence_end=day_or_none(licence_end),
        permitted_use=permitted_use or None, provenance_documented=provenance_documented,
    )
    outcome = ingest_list_task(path, options, db or None, replace)
    publish_ingest("ingest-purchased-list", f"Purchased list {Path(path).name}", [outcome])
    return _finish(outcome)


@flow(name="ingest-web-forms", flow_run_name=run_names.ingest, log_prints=True)
def ingest_web_forms(path: str, db: str = "") -> BatchReport | State[Any]:
    """Load one web-form export: the submissions and their consent evidence.

    Args:
        path: The export file on the worker's machine: NDJSON, JSON or CSV of a form tool.
        db: The warehouse file; empty means ./data/leadpipe.duckdb.
    """
    outcome = ingest_forms_task(path, db or None)
    publish_ingest("ingest-web-forms", f"Web-form export {Path(path).name}", [outcome])
    return _finish(outcome)
