"""Background work started from a page (an upload's ingest): a thread, its row in `jobs`.

The page that starts a job answers at once with the job page, which follows the row in the
store; the thread writes the outcome there as JSON (the stage's report, or the problem in
the user's file, or the error that stopped it). A job runs in the server's process: when the
server stops while it runs, the next start marks its row failed (`abandon_running_jobs`;
the warehouse's own run log, `ops.runs`, shows the load as killed and rolled back).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable
from typing import Any

from workspace.store import Store


def new_job_id() -> str:
    return secrets.token_hex(8)


def start_job(store: Store, kind: str, started_by: str, title: str,
              work: Callable[[], tuple[bool, dict[str, Any]]]) -> str:
    """Run `work` in a thread; it returns (succeeded, report), stored as the job's message."""
    job_id = new_job_id()
    store.start_job(job_id, kind, started_by, title)

    def run() -> None:
        try:
            ok, report = work()
        except Exception as exc:  # the job page shows it; the server keeps running
            ok, report = False, {"error": f"{type(exc).__name__}: {exc}"}
        store.finish_job(job_id, "done" if ok else "failed",
                         json.dumps(report, ensure_ascii=False, default=str))

    threading.Thread(target=run, name=f"job-{job_id}", daemon=True).start()
    return job_id


def job_report(message: str) -> dict[str, Any]:
    """The stored report of a finished job ({} while it runs)."""
    try:
        loaded = json.loads(message) if message else {}
    except ValueError:
        return {"error": message}
    return loaded if isinstance(loaded, dict) else {"error": message}


ABANDONED = json.dumps({"error": "Der Server wurde neu gestartet, während die Aufgabe lief. Ein "
                                 "abgebrochenes Laden ändert das Warehouse nicht: bitte die "
                                 "Liste erneut laden."}, ensure_ascii=False)
