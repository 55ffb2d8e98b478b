"""The nightly run: every stage that exists, in order, on whatever is new.

Scheduled at 02:00 Europe/Berlin (prefect.yaml, or `python -m flows.serve`). New input files
are picked up from the inbox folder; files ingested before are skipped by their SHA-256, so a
re-run over the same inbox changes nothing.
"""

from pathlib import Path
from typing import Annotated, Any

from prefect import flow, get_run_logger
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
    logger = get_run_logger()
    handoff = hand_off_task(inbox, db)
    files = find_inbox_files(Path(inbox))
    reports: list[dict[str, Any]] = []
    for path in files.lists:
        state = ingest_list_task(
            str(path), ListOptions(mapping_file=sidecar_for(path)), db, return_state=True
        )
        try:
            reports.append(state.result())
        except Exception as exc:  # one bad file must not stop the others
            logger.error("purchased list %s not ingested: %s", path.name, exc)
            reports.append(_failed_row(path, exc))
    for path in files.forms:
        state = ingest_forms_task(str(path), db, return_state=True)
        try:
            reports.append(state.result())
        except Exception as exc:
            logger.error("form export %s not ingested: %s", path.name, exc)
            reports.append(_failed_row(path, exc))
    publish_counts("nightly-ingest", "Nightly ingest", reports)
    events = []
    for path in files.events:
        state = import_events_task(str(path), db, return_state=True)
        try:
            events.append(state.result())
        except Exception as exc:
            logger.error("consent events %s not imported: %s", path.name, exc)
            events.append({"file": path.name, "error": str(exc)})
    crawled = crawl_task(db, None, max_crawl_targets) if crawl else {"targets": 0}
    enriched = enrich_task(db)
    matched = match_task(db)
    decided = decide_task(db)
    scored = score_task(db)
    funnel_task(db)
    return {"handoff": handoff, "ingest": reports, "consent_events": events,
            "crawl": crawled, "enrich": enriched, "match": matched, "decide": decided,
            "score": scored}
