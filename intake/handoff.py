"""Hand-off to the nightly run, and retention of the spool. Called by the nightly flow.

`export_pending` writes the submissions not yet exported as one NDJSON file in the web-form
export format `ingest.forms.read_form_export` reads, then marks them exported. A DOI that is
confirmed after its submission was exported cannot travel the same way (the warehouse skips
submission ids it knows), so it is written as an external consent event line for
`leadpipe consent import` (type `doi_confirmed`) in a second file.

Files are written (mode 0600) to a temporary name, fsync'd and renamed, recorded in
`handoff_files` for erasure, and only then marked exported:
a crash in between exports the same submissions again next time, which the warehouse skips
by submission id — nothing is lost and nothing counted twice.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from compliance.subjects import email_key, phone_key
from foundation.private import write_atomic
from intake.store import connect, iso, transaction

FORMS_PREFIX = "intake-forms-"
EVENTS_SUFFIX = ".consent-events.ndjson"


def _write_atomic(path: Path, lines: list[dict[str, Any]]) -> None:
    """Write NDJSON atomically (mode 0600: the lines are personal data)."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    write_atomic(path, "".join(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n"
                               for line in lines).encode("utf-8"))


_ROWS = """
SELECT s.submission_id, s.record, s.doi_status, s.exported_at, s.exported_confirmed,
       c.confirmed_at, c.ip AS doi_ip, c.user_agent AS doi_user_agent,
       (SELECT max(o.sent_at) FROM outbox o WHERE o.submission_id = s.submission_id)
           AS doi_requested_at
FROM submissions s LEFT JOIN confirmations c USING (submission_id)
"""


def _with_doi(row: Any) -> dict[str, Any]:
    record = json.loads(row["record"])
    consent = record["consent"]
    if row["doi_requested_at"]:
        consent["doi_requested_at"] = row["doi_requested_at"]
    if row["confirmed_at"]:
        consent["doi_confirmed_at"] = row["confirmed_at"]
        consent["doi_ip"] = row["doi_ip"]
        consent["doi_user_agent"] = row["doi_user_agent"]
    return record


def doi_event(record: dict[str, Any]) -> dict[str, Any]:
    """A late DOI confirmation as an external event line (proposed type `doi_confirmed`)."""
    consent = record["consent"]
    return {
        "type": "doi_confirmed",
        "email": record["email"],
        "channels": "email",
        "at": consent["doi_confirmed_at"],
        "consent_given_at": record["submitted_at"],
        "submission_id": record["submission_id"],
        "form_id": record["form_id"],
        "page_url": record["page_url"],
        "ip": record["ip"],
        "user_agent": record["user_agent"],
        "consent_text": consent["text"],
        "consent_text_version": consent["text_version"],
        "privacy_notice_version": consent["privacy_notice_version"],
        "pre_ticked": consent["pre_ticked"],
        "names_controller": consent["names_controller"],
        "doi_requested_at": consent.get("doi_requested_at"),
        "doi_ip": consent["doi_ip"],
        "doi_user_agent": consent["doi_user_agent"],
        "source": "leadpipe intake",
        "reference": record["submission_id"],
    }


def export_pending(state_db_path: Path, out_dir: Path, *, events_dir: Path | None = None,
                   now: datetime | None = None) -> list[Path]:
    """Write new submissions (and late DOI confirmations) for the nightly run.

    Returns the files written: `intake-forms-<time>.ndjson` in `out_dir` for
    `leadpipe ingest forms`, and `intake-doi-<time>.consent-events.ndjson` in `events_dir`
    (default `out_dir`) for `leadpipe consent import`. Nothing new: no files.
    """
    moment = now or datetime.now(UTC)
    stamp = moment.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    con = connect(state_db_path)
    written: list[Path] = []
    try:
        fresh = con.execute(_ROWS + "WHERE s.exported_at IS NULL ORDER BY s.received_at, "
                            "s.submission_id").fetchall()
        late = con.execute(_ROWS + "WHERE s.exported_at IS NOT NULL AND s.exported_confirmed = 0 "
                           "AND s.doi_status = 'confirmed' AND s.confirmation_exported_at IS NULL "
                           "ORDER BY c.confirmed_at").fetchall()
        if fresh:
            path = out_dir / f"{FORMS_PREFIX}{stamp}.ndjson"
            _write_atomic(path, [_with_doi(r) for r in fresh])
            written.append(path)
        if late:
            path = (events_dir or out_dir) / f"intake-doi-{stamp}{EVENTS_SUFFIX}"
            _write_atomic(path, [doi_event(_with_doi(r)) for r in late])
            written.append(path)
        with transaction(con):
            con.executemany("INSERT OR IGNORE INTO handoff_files VALUES (?, ?)",
                            [(str(p.resolve()), iso(moment)) for p in written])
            con.executemany(
                "UPDATE submissions SET exported_at = ?, exported_confirmed = ? "
                "WHERE submission_id = ?",
                [(iso(moment), int(r["confirmed_at"] is not None), r["submission_id"])
                 for r in fresh])
            con.executemany(
                "UPDATE submissions SET confirmation_exported_at = ? WHERE submission_id = ?",
                [(iso(moment), r["submission_id"]) for r in late])
    finally:
        con.close()
    return written


@dataclass(frozen=True)
class PurgeReport:
    unconfirmed: int
    """Unconfirmed DOI requests deleted with their data, tokens and mails."""
    exported: int
    """Spool copies of exported, settled submissions deleted (the warehouse holds them)."""
    unconfirmed_exported_ids: list[str] = field(default_factory=list)
    """Deleted unconfirmed requests that had reached the warehouse: the nightly run should
    apply its own retention to them."""


def purge_unconfirmed(state_db_path: Path, now: datetime, *, unconfirmed_days: float = 30,
                      exported_days: float = 30) -> PurgeReport:
    """Delete what the spool may no longer keep (spec 7.9): unconfirmed DOI requests after
    `unconfirmed_days`, and exported submissions whose DOI is settled after `exported_days`.
    Deleted content is overwritten (secure_delete) and the WAL checkpointed, not just
    unlinked; a reader holding an old snapshot can delay the checkpoint until the next run."""
    con = connect(state_db_path)
    try:
        unconfirmed_before = iso(now - timedelta(days=unconfirmed_days))
        exported_before = iso(now - timedelta(days=exported_days))
        with transaction(con):
            stale = con.execute(
                "SELECT submission_id, exported_at FROM submissions WHERE doi_status = 'pending' "
                "AND received_at < ?", (unconfirmed_before,)).fetchall()
            con.executemany("DELETE FROM submissions WHERE submission_id = ?",
                            [(r["submission_id"],) for r in stale])
            settled = con.execute(
                "DELETE FROM submissions WHERE exported_at IS NOT NULL AND exported_at < ? AND "
                "(doi_status = 'not_needed' OR (doi_status = 'confirmed' AND "
                "(exported_confirmed = 1 OR confirmation_exported_at IS NOT NULL)))",
                (exported_before,)).rowcount
            con.execute("INSERT INTO purges VALUES (?, ?, ?)", (iso(now), len(stale), settled))
        # the WAL still holds the old pages until they are copied back: do that now
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    return PurgeReport(len(stale), settled,
                       [r["submission_id"] for r in stale if r["exported_at"] is not None])


def _is_person(line: dict[str, Any], email: str | None, phone: str | None) -> bool:
    return bool((email and email_key(line.get("email")) == email)
                or (phone and phone_key(line.get("phone")) == phone))


def _scrub(path: Path, email: str | None, phone: str | None) -> bool:
    """Rewrite one hand-off file without the person's lines (atomically, mode 0600); a file
    left with no lines is removed. True if the file changed."""
    kept: list[dict[str, Any]] = []
    dropped = 0
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        line = json.loads(raw)
        if _is_person(line, email, phone):
            dropped += 1
        else:
            kept.append(line)
    if not dropped:
        return False
    if kept:
        _write_atomic(path, kept)
    else:
        path.unlink()
    return True


def _handoff_copies(con: sqlite3.Connection) -> list[Path]:
    """The hand-off files still on disk: where they were written, or moved below that folder
    by the nightly run (`done/<day>/`, perhaps with a numbered suffix)."""
    found: dict[Path, None] = {}
    for (written,) in con.execute("SELECT path FROM handoff_files"):
        path = Path(written)
        if path.parent.is_dir():
            found.update(dict.fromkeys(path.parent.rglob(f"{path.stem}*{path.suffix}")))
    return [p for p in found if p.is_file()]


def erase_submissions(state_db_path: Path, email: str | None, phone: str | None) -> int:
    """Delete a person's submissions (and tokens, confirmations, mails) from the spool and
    their lines from the hand-off files the service wrote; returns the submissions erased.

    GDPR erasure must reach every file leadpipe wrote and leave no bytes behind: rows are
    overwritten on delete (secure_delete), the file is rebuilt (VACUUM) and the WAL copied
    back and truncated. Matched by the normalised e-mail address or E.164 phone.
    """
    if not state_db_path.exists() or not (email or phone):
        return 0
    con = connect(state_db_path)
    try:
        doomed = [submission_id for submission_id, record in con.execute(
            "SELECT submission_id, record FROM submissions")
            if _is_person(json.loads(record), email, phone)]
        with transaction(con):
            con.executemany("DELETE FROM submissions WHERE submission_id = ?",
                            [(s,) for s in doomed])
        for path in _handoff_copies(con):
            _scrub(path, email, phone)
        con.execute("VACUUM")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return len(doomed)
    finally:
        con.close()
