"""Hand-off to the nightly run (export, late confirmations, the warehouse) and retention."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from foundation.settings import Settings
from ingest.forms import read_form_export
from intake.config import load_intake_config
from intake.handoff import erase_submissions, export_pending, purge_unconfirmed
from intake.store import NewSubmission, Store
from intake.submit import Visitor, build_record
from stages.ingest import ingest_form_file
from warehouse.db import open_warehouse

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _submit(store: Store, settings: Settings, sid: str, at: datetime, *, email_consent: bool,
            doi: bool = False) -> dict[str, Any]:
    form = load_intake_config(settings).value.forms[0]  # the demo form of the defaults
    data = {"consent_email": email_consent, "consent_phone": True}
    fields = {"email": f"{sid}@firma.example", "first_name": "Eva", "last_name": "Probe",
              "company": "Probe AG", "phone": "+49 89 1234560", "message": None}
    record = build_record(form, data, fields, Visitor("192.0.2.10", "Mozilla/5.0", None),
                          sid, at)
    store.add_submission(NewSubmission(sid, form.id, at, record,
                                       at + timedelta(days=7) if doi else None))
    return record


def _count(path: Path, sql: str) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


def test_export_is_idempotent_and_late_confirmations_become_consent_events(
        settings: Settings, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    store = Store(state)
    _submit(store, settings, "s-early", NOW, email_consent=True, doi=True)
    _submit(store, settings, "s-late", NOW, email_consent=True, doi=True)
    _submit(store, settings, "s-phone", NOW, email_consent=False)
    store.confirm(store.doi_token("s-early"), NOW + timedelta(minutes=5), "192.0.2.10", "Mail/1")

    first = export_pending(state, tmp_path / "forms", now=NOW + timedelta(hours=1))
    assert [p.name.startswith("intake-forms-") for p in first] == [True]
    export = read_form_export(first[0])
    assert sorted(s.submission_id for s in export.submissions) == ["s-early", "s-late",
                                                                   "s-phone"]
    methods = {s.submission_id: sorted(e["method"] for e in s.consent_events
                                       if e["kind"] == "consent_given")
               for s in export.submissions}
    assert methods == {"s-early": ["checkbox_single_opt_in", "double_opt_in"],
                       "s-late": ["checkbox_single_opt_in"],
                       "s-phone": ["checkbox_single_opt_in"]}
    assert export_pending(state, tmp_path / "forms") == []

    store.confirm(store.doi_token("s-late"), NOW + timedelta(hours=3), "192.0.2.11", "Mail/2")
    [events] = export_pending(state, tmp_path / "forms", events_dir=tmp_path / "events",
                              now=NOW + timedelta(days=1))
    assert events.parent == tmp_path / "events"
    assert events.name.endswith(".consent-events.ndjson")
    [line] = [json.loads(x) for x in events.read_text(encoding="utf-8").splitlines()]
    assert line["type"] == "doi_confirmed"
    assert (line["submission_id"], line["email"], line["channels"]) == (
        "s-late", "s-late@firma.example", "email")
    assert line["at"] == "2026-11-26T15:00:00+00:00"
    assert line["consent_given_at"] == "2026-11-26T12:00:00+00:00"
    assert (line["doi_ip"], line["doi_user_agent"]) == ("192.0.2.11", "Mail/2")
    assert "E-Mail" in line["consent_text"]
    assert export_pending(state, tmp_path / "forms") == []
    store.close()


def test_exported_file_loads_into_the_warehouse_with_the_doi_consent(
        settings: Settings, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    store = Store(state)
    _submit(store, settings, "s-1", NOW, email_consent=True, doi=True)
    store.confirm(store.doi_token("s-1"), NOW + timedelta(minutes=2), "192.0.2.10", "Mail/1")
    store.close()
    [path] = export_pending(state, tmp_path / "forms")

    report = ingest_form_file(settings, path)
    assert (report.loaded, report.quarantined) == (1, 0)
    with open_warehouse(settings, write=False) as wh:
        rows = wh.dicts(
            "SELECT subject_email, channels, attributes, evidence FROM core.consent_events "
            "WHERE kind = 'consent_given' ORDER BY seq")
    doi = [r for r in rows if json.loads(r["attributes"])["method"] == "double_opt_in"]
    assert len(doi) == 1
    assert list(doi[0]["channels"]) == ["email"]
    assert doi[0]["subject_email"] == "s-1@firma.example"
    assert json.loads(doi[0]["attributes"])["confirmed_at"].startswith("2026-11-26T12:02:00")
    evidence = json.loads(doi[0]["evidence"])
    assert (evidence["ip"], evidence["doi_ip"], evidence["form_id"]) == (
        "192.0.2.10", "192.0.2.10", "demo")
    assert ingest_form_file(settings, path).loaded == 0  # the same file again adds nothing


def test_purge_deletes_unconfirmed_requests_and_settled_exported_copies(
        settings: Settings, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    store = Store(state)
    old = NOW - timedelta(days=31)
    _submit(store, settings, "old-unconfirmed", old, email_consent=True, doi=True)
    _submit(store, settings, "old-confirmed", old, email_consent=True, doi=True)
    _submit(store, settings, "new-unconfirmed", NOW - timedelta(days=29), email_consent=True,
            doi=True)
    _submit(store, settings, "old-phone-only", old, email_consent=False)
    store.confirm(store.doi_token("old-confirmed"), old + timedelta(hours=1), "192.0.2.1", "UA")
    store.close()
    export_pending(state, tmp_path / "forms", now=old + timedelta(hours=2))
    store = Store(state)
    _submit(store, settings, "old-not-exported", old, email_consent=False)
    store.close()

    report = purge_unconfirmed(state, NOW)
    assert report.unconfirmed == 1
    assert report.unconfirmed_exported_ids == ["old-unconfirmed"]
    assert report.exported == 2  # old-confirmed, old-phone-only
    left = {r[0] for r in sqlite3.connect(state).execute("SELECT submission_id FROM submissions")}
    assert left == {"new-unconfirmed", "old-not-exported"}
    assert _count(state, "SELECT count(*) FROM doi_tokens") == 1
    assert _count(state, "SELECT count(*) FROM outbox") == 1
    assert _count(state, "SELECT count(*) FROM confirmations") == 0
    assert _count(state, "SELECT count(*) FROM purges") == 1
    assert purge_unconfirmed(state, NOW).unconfirmed == 0


def test_erasure_reaches_the_spool(settings: Settings, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    store = Store(state)
    _submit(store, settings, "s-erase", NOW, email_consent=True, doi=True)
    _submit(store, settings, "s-keep", NOW, email_consent=False)
    store.close()
    assert erase_submissions(state, "s-erase@firma.example", None) == 1
    assert _count(state, "SELECT count(*) FROM submissions") == 1
    assert _count(state, "SELECT count(*) FROM doi_tokens") == 0
