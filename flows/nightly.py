"""The nightly run: every stage, in order, on whatever is new.

Scheduled at 02:00 Europe/Berlin (prefect.yaml, or `python -m flows.serve`; use one of the
two, docs/operations.md). New files are picked up from the inbox; what was loaded moves to
`done/<day>/`, what was rejected stays with its fix in the summary, and the run then ends
Failed so that someone looks (and, when configured, gets an e-mail).
"""

# No `from __future__ import annotations` in flow modules: Prefect builds the parameter
# schema from the annotations at run time.

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

from prefect import flow, get_run_logger, task
from prefect.states import State
from pydantic import Field

from flows import run_names
from flows.consent import hand_off_task, import_events_task
from flows.crawl import crawl_step
from flows.decide import decide_task
from flows.enrich import enrich_step
from flows.forecast import forecast_task
from flows.ingest import ingest_forms_task, ingest_inbox_customers_task, ingest_inbox_list_task
from flows.match import match_step
from flows.notify import notify_task
from flows.outcomes import USER_ERRORS, needs_attention
from flows.parallel import parallel_config
from flows.reporting import publish_nightly
from flows.schedules import active_nightly_schedules, twice_scheduled_note
from flows.score import funnel_task, score_task
from foundation.config import ConfigError
from foundation.settings import load_settings
from stages.gdpr import finish_pending_erasure
from stages.ingest import RejectedFile, find_inbox_files, move_to_done
from stages.leftovers import sweep
from stages.nightly import NightlyReport, QuarantineCount, quarantine_counts
from warehouse.compact import CompactResult

R = TypeVar("R")


def _per_file(paths: list[Path], kind: str,
              run: Callable[[Path], State[R]]) -> list[tuple[Path, R | RejectedFile]]:
    """Run a task per file; a file whose task broke is reported and the others go on."""
    outcomes: list[tuple[Path, R | RejectedFile]] = []
    for path in paths:
        state = run(path)
        try:
            outcomes.append((path, state.result()))
        except Exception as exc:
            get_run_logger().error("%s %s not loaded: %s", kind, path.name, exc)
            outcomes.append((path, RejectedFile(path.name, kind, f"{type(exc).__name__}: {exc}")))
    return outcomes


@task(task_run_name="move processed files to done/")
def archive_task(paths: list[str]) -> list[str]:
    day = datetime.now(run_names.BERLIN).date()
    return [str(move_to_done(Path(p), day)) for p in paths]


@task(task_run_name="finish an interrupted erasure")
def finish_erasure_task(db: str | None = None) -> CompactResult | None:
    return finish_pending_erasure(load_settings().with_db(db))


@task(task_run_name="clean up after killed runs")
def sweep_task(db: str | None = None) -> list[str]:
    settings = load_settings().with_db(db)
    try:
        partitions = parallel_config(settings).partitions_folder(settings)
    except ConfigError:  # the crawl or enrich step stops the run with what to fix
        partitions = None
    return sweep(settings, partitions)


@task(task_run_name="count quarantined rows")
def quarantine_task(batch_ids: list[str], db: str | None = None) -> list[QuarantineCount]:
    return quarantine_counts(load_settings().with_db(db), batch_ids)


@flow(name="nightly", flow_run_name=run_names.nightly, log_prints=True)
def nightly(
    inbox: str = "data/inbox",
    crawl: bool = True,
    max_crawl_targets: Annotated[int | None, Field(ge=1)] = None,
    db: str = "",
) -> NightlyReport | State[Any]:
    """Hand-off from the form service, ingest the inbox, consent events, crawl the leads'
    websites, enrich, match, decide eligibility per channel, score, publish the funnel and
    the forecast.

    Args:
        inbox: The folder with lists/ (each list with its <file>.yaml), customers/ (CRM
            customer exports), forms/ and events/;
            relative paths start in the checkout the flow runs in.
        crawl: Crawl the leads' company websites (Impressum, contact pages) tonight.
        max_crawl_targets: Crawl at most this many websites tonight; empty means all due.
        db: The warehouse file; empty means ./data/leadpipe.duckdb.
    """
    db_file = db or None
    report = NightlyReport(run_date=datetime.now(run_names.BERLIN).date(), inbox=inbox)
    twice = twice_scheduled_note(active_nightly_schedules())
    if twice:
        get_run_logger().warning(twice)
        report.notes.append(twice)
    for cleaned in sweep_task(db_file):
        get_run_logger().warning(cleaned)
        report.notes.append(f"Cleaned up: {cleaned}.")
    try:
        rewritten = finish_erasure_task(db_file)
        if rewritten is not None:
            report.notes.append(f"Finished an interrupted erasure: rewrote {rewritten.path} "
                                f"in {rewritten.seconds} s.")
        _ingest(report, Path(inbox), db_file)
        if not load_settings().with_db(db_file).db_path.exists():
            report.notes.append("There is no warehouse yet and nothing was loaded: put purchased "
                                "lists (each with its <file>.yaml) into "
                                f"{Path(inbox) / 'lists'} or web-form exports into "
                                f"{Path(inbox) / 'forms'}.")
            return _finish(report, db_file)
        report.crawl = crawl_step(db_file, None, max_crawl_targets) if crawl else None
        report.enrich = enrich_step(db_file)
        report.match = match_step(db_file)
        report.decide = decide_task(db_file)
        report.score = score_task(db_file)
        funnel_task(db_file)
        forecast_task(db_file)
    except USER_ERRORS as exc:  # a configuration to fix: the summary says which and how
        report.stopped_by = str(exc)
    except Exception as exc:
        report.stopped_by = f"{type(exc).__name__}: {exc}"
        _finish(report, db_file)
        raise
    return _finish(report, db_file)


def _ingest(report: NightlyReport, inbox: Path, db: str | None) -> None:
    """Hand-off, lists, customer exports, form exports and consent events; loaded files
    move to done/."""
    report.handoff = hand_off_task(str(inbox), db)
    files = find_inbox_files(inbox)
    lists = _per_file(files.lists, "purchased_list",
                      lambda p: ingest_inbox_list_task(str(p), db, return_state=True))
    customers = _per_file(files.customers, "customer",
                          lambda p: ingest_inbox_customers_task(str(p), db, return_state=True))
    forms = _per_file(files.forms, "web_form",
                      lambda p: ingest_forms_task(str(p), db, return_state=True))
    events = _per_file(files.events, "consent_events",
                       lambda p: import_events_task(str(p), db, return_state=True))
    report.ingest = [outcome for _, outcome in (*lists, *customers, *forms)]
    report.consent_events = [outcome for _, outcome in events]
    done = [str(p) for p, outcome in (*lists, *customers, *forms, *events)
            if not isinstance(outcome, RejectedFile)]
    if done:
        archive_task(done)
    batch_ids = [r.batch_id for r in report.loaded if r.quarantined]
    if batch_ids:
        report.quarantine = quarantine_task(batch_ids, db)


def _finish(report: NightlyReport, db: str | None) -> NightlyReport | State[Any]:
    """Publish the summary, notify when asked to; Failed when a file needs a person."""
    publish_nightly(report)
    notify_task(report, db)
    print(report.headline())
    if report.needs_attention:
        return needs_attention(report.headline(), report)
    return report
