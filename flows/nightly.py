"""The nightly run: every stage that exists, in order, on whatever is new.

Scheduled at 02:00 Europe/Berlin (prefect.yaml, or `python -m flows.serve`). New input files
are picked up from the inbox folder; files ingested before are skipped by their SHA-256, so a
re-run over the same inbox changes nothing.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from prefect import flow, get_run_logger
from prefect.states import State
from pydantic import Field

from flows.consent import hand_off_task, import_events_task
from flows.crawl import crawl_task
from flows.decide import decide_task
from flows.enrich import enrich_task
from flows.ingest import DbPath, ingest_forms_task, ingest_list_task
from flows.match import match_task
from flows.reporting import publish_counts
from flows.score import funnel_task, score_task
from leadpipe.stages.ingest import ListOptions, find_inbox_files, sidecar_for


def _each_file(
    paths: list[Path], what: str, on_error: Callable[[Path, BaseException], dict[str, Any]],
    run: Callable[[Path], State[Any]],
) -> list[dict[str, Any]]:
    """Run a task per file; one bad file is reported and must not stop the others."""
    results = []
    for path in paths:
        state = run(path)
        try:
            results.append(state.result())
        except Exception as exc:
            get_run_logger().error("%s %s not loaded: %s", what, path.name, exc)
            results.append(on_error(path, exc))
    return results


def _failed_row(path: Path, exc: BaseException) -> dict[str, Any]:
    return {"batch_id": None, "file": path.name, "status": "failed", "in": 0, "loaded": 0,
            "quarantined": 0, "skipped": 0, "note": str(exc)}


@flow(name="nightly", log_prints=True)
def nightly(
    inbox: Annotated[str, Field(description="folder with lists/ and forms/ to ingest")] = (
        "data/inbox"
    ),
    crawl: Annotated[bool, Field(description="crawl the leads' company websites")] = True,
    max_crawl_targets: Annotated[int | None, Field(
        description="crawl at most this many domains per night")] = None,
    db: DbPath = None,
) -> dict[str, Any]:
    """Hand-off from the form service, ingest the inbox, consent events, crawl the leads'
    websites, enrich, match, decide eligibility per channel, score, publish the funnel."""
    handoff = hand_off_task(inbox, db)
    files = find_inbox_files(Path(inbox))
    reports = [
        *_each_file(files.lists, "purchased list", _failed_row, lambda path: ingest_list_task(
            str(path), ListOptions(mapping_file=sidecar_for(path)), db, return_state=True)),
        *_each_file(files.forms, "form export", _failed_row,
                    lambda path: ingest_forms_task(str(path), db, return_state=True)),
    ]
    publish_counts("nightly-ingest", "Nightly ingest", reports)
    events = _each_file(files.events, "consent events",
                        lambda path, exc: {"file": path.name, "error": str(exc)},
                        lambda path: import_events_task(str(path), db, return_state=True))
    crawled = crawl_task(db, None, max_crawl_targets) if crawl else {"targets": 0}
    enriched = enrich_task(db)
    matched = match_task(db)
    decided = decide_task(db)
    scored = score_task(db)
    funnel_task(db)
    return {"handoff": handoff, "ingest": reports, "consent_events": events,
            "crawl": crawled, "enrich": enriched, "match": matched, "decide": decided,
            "score": scored}
