"""The nightly flow, run for real: ingest the inbox, move what was loaded, report what was not.

A rerun changes nothing; a list without its metadata file is rejected by name with the fix,
recorded in ops.runs, and the run ends Failed (so someone notices), while the other files
load; the operator's e-mail goes out through a real SMTP server when configured.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
import yaml

from flows.nightly import nightly
from flows.outcomes import NeedsAttention
from foundation.config import ConfigError
from foundation.settings import Settings
from stages.ingest import RejectedFile
from stages.nightly import NightlyReport
from tests.flows.inbox import LIST_CSV, make_inbox
from tests.smtp_sink import Smtp
from warehouse.db import open_warehouse
from warehouse.runs import recent_runs
from warehouse.status import table_counts

pytestmark = pytest.mark.flow


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data and a config directory of the test's own, as the flow's settings read them."""
    monkeypatch.setenv("LEADPIPE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LEADPIPE_CONFIG_DIR", str(tmp_path / "config"))
    (tmp_path / "config").mkdir()
    return tmp_path


def _run(inbox: Path, db: Path) -> tuple[str, NightlyReport]:
    state = nightly(inbox=str(inbox), db=str(db), crawl=False, return_state=True)
    result = state.result(raise_on_failure=False)
    report = result.detail if isinstance(result, NeedsAttention) else result
    assert isinstance(report, NightlyReport), result
    return state.type.value, report


def _counts(db: Path) -> dict[str, int]:
    settings = Settings(data_dir=db.parent, db_path=db)
    with open_warehouse(settings, write=False) as wh:
        return {c.table: c.rows for c in table_counts(wh) if c.table != "ops.runs"}


def test_nightly_ingests_the_inbox_and_a_rerun_changes_nothing(env: Path) -> None:
    inbox = make_inbox(env / "inbox")
    db = env / "data" / "leadpipe.duckdb"

    state, report = _run(inbox, db)
    assert state == "COMPLETED"
    first = {r.file_name: r for r in report.loaded}
    assert (first["testliste.csv"].rows_in, first["testliste.csv"].loaded,
            first["testliste.csv"].quarantined) == (3, 2, 1)
    assert first["export.ndjson"].loaded == 1
    assert [(q.file, q.rows) for q in report.quarantine] == [("testliste.csv", 1)]
    assert report.decide is not None
    assert report.decide.leads > 0
    done = sorted(p.name for p in (inbox / "lists" / "done").rglob("*") if p.is_file())
    assert done == ["testliste.csv", "testliste.csv.yaml"]  # loaded files left the inbox
    before = _counts(db)
    assert before["core.consent_events"] >= 1

    state, again = _run(inbox, db)
    assert (state, again.ingest) == ("COMPLETED", [])
    assert _counts(db) == before

    back = next((inbox / "lists" / "done").rglob("testliste.csv"))  # the same file once more
    back.replace(inbox / "lists" / "nochmal.csv")
    (inbox / "lists" / "nochmal.csv.yaml").write_text("vendor: V\nacquired_on: 20.11.2026\n",
                                                       encoding="utf-8")
    _, third = _run(inbox, db)
    assert [(r.file_name, r.status) for r in third.loaded] == [("nochmal.csv", "skipped")]
    assert "testliste.csv" in third.loaded[0].note
    assert _counts(db) == before


def test_a_list_without_metadata_is_rejected_with_the_fix_and_the_run_fails(env: Path) -> None:
    inbox = make_inbox(env / "inbox")
    (inbox / "lists" / "testliste.csv.yaml").unlink()
    (inbox / "lists" / "kammer.csv").write_bytes(LIST_CSV.replace("Müller", "Maier")
                                                 .encode("cp1252"))
    (inbox / "lists" / "kammer.csv.yaml").write_text(
        yaml.safe_dump({"vendor": "IHK", "acquired_on": "20.11.2026"}), encoding="utf-8")
    db = env / "data" / "leadpipe.duckdb"

    state, report = _run(inbox, db)
    assert state == "FAILED"
    (rejected,) = report.rejected
    assert isinstance(rejected, RejectedFile)
    assert rejected.file == "testliste.csv"
    assert "testliste.csv.yaml" in rejected.problem
    assert "acquired_on:" in rejected.problem
    assert "testliste.csv" in report.headline()
    loaded = {r.file_name: r.loaded for r in report.loaded}
    assert loaded == {"kammer.csv": 2, "export.ndjson": 1}  # the others still load
    assert (inbox / "lists" / "testliste.csv").exists()  # stays until fixed
    with open_warehouse(Settings(data_dir=db.parent, db_path=db), write=False) as wh:
        failed = [r for r in recent_runs(wh) if r.status == "failed"]
        acquired = wh.scalar("SELECT acquired_on::VARCHAR FROM raw.batches "
                             "WHERE file_name = 'kammer.csv'")
    assert [r.parameters["path"].endswith("testliste.csv") for r in failed] == [True]
    assert "testliste.csv.yaml" in (failed[0].error or "")
    assert acquired == "2026-11-20"  # a German date in the metadata file


def test_an_empty_inbox_without_warehouse_says_so_and_creates_nothing(env: Path) -> None:
    db = env / "data" / "leadpipe.duckdb"
    state, report = _run(env / "inbox", db)
    assert state == "COMPLETED"
    assert report.notes
    assert "no warehouse yet" in report.notes[0]
    assert not db.exists()


def _mail_config(config: Path, smtp: Smtp, **email: object) -> None:
    (config / "flows").mkdir(parents=True, exist_ok=True)
    (config / "flows" / "notify.yaml").write_text(yaml.safe_dump({"email": {
        "enabled": True, "to": ["ops@beispiel.de"], **email}}), encoding="utf-8")
    (config / "intake-forms.yaml").write_text(yaml.safe_dump({"smtp": {
        "host": "127.0.0.1", "port": smtp.port, "sender": "leadpipe <noreply@beispiel.de>"}}),
        encoding="utf-8")


def test_the_operator_gets_an_e_mail_when_a_run_needs_attention(env: Path, smtp: Smtp) -> None:
    inbox = make_inbox(env / "inbox")
    (inbox / "lists" / "testliste.csv.yaml").unlink()
    db = env / "data" / "leadpipe.duckdb"
    _run(inbox, db)
    assert smtp.inbox.messages == []  # off by default

    _mail_config(env / "config", smtp)
    _run(inbox, db)
    (mail,) = smtp.inbox.messages
    assert mail["To"] == "ops@beispiel.de"
    assert "ACTION NEEDED" in mail["Subject"]
    assert "testliste.csv" in mail["Subject"]
    body = mail.get_content()
    assert "testliste.csv.yaml" in body
    assert "### Ingest" in body


def test_a_green_run_mails_only_when_asked_to(env: Path, smtp: Smtp) -> None:
    inbox = make_inbox(env / "inbox")
    db = env / "data" / "leadpipe.duckdb"
    _mail_config(env / "config", smtp)
    _run(inbox, db)
    assert smtp.inbox.messages == []  # when: needs_attention
    _mail_config(env / "config", smtp, when="always")
    make_inbox(env / "inbox2")
    _run(env / "inbox2", db)
    (mail,) = smtp.inbox.messages
    assert "ACTION NEEDED" not in mail["Subject"]
    assert "Eligibility" in mail.get_content()


def test_a_broken_configuration_stops_the_run_with_its_file_and_key(env: Path) -> None:
    inbox = make_inbox(env / "inbox")
    (env / "config" / "compliance").mkdir(parents=True, exist_ok=True)
    (env / "config" / "compliance" / "eligibility.yaml").write_text(
        "no_such_key: 1\n", encoding="utf-8")
    state, report = _run(inbox, env / "data" / "leadpipe.duckdb")
    assert state == "FAILED"
    assert report.stopped_by is not None
    assert "eligibility.yaml" in report.stopped_by
    assert "no_such_key" in report.stopped_by
    assert report.match is not None  # the stages before it ran
    assert report.decide is None


def test_user_errors_are_logged_without_a_traceback() -> None:
    try:
        raise ConfigError(
            "config/compliance/eligibility.yaml: invalid configuration\n  no_such_key: …")
    except ConfigError:
        record = logging.LogRecord("prefect.task_runs", logging.ERROR, __file__, 1,
                                   "Task run failed with exception", None, sys.exc_info())
    assert logging.getLogger("prefect.task_runs").filter(record)
    assert record.exc_info is None
    assert "eligibility.yaml" in record.getMessage()
