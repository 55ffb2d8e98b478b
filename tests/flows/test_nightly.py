"""The nightly flow, run for real: ingest the inbox, report counts, re-run changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.nightly import nightly
from leadpipe.settings import Settings
from tests.flows.inbox import make_inbox
from warehouse.db import open_warehouse
from warehouse.status import table_counts

pytestmark = pytest.mark.flow


def _counts(db: Path) -> dict[str, int]:
    settings = Settings(data_dir=db.parent, db_path=db)
    with open_warehouse(settings, write=False) as wh:
        return {c["table"]: c["rows"] for c in table_counts(wh) if c["table"] != "ops.runs"}


def test_nightly_ingests_the_inbox_and_a_rerun_changes_nothing(tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox")
    db = tmp_path / "data" / "leadpipe.duckdb"

    first = {r["file"]: r for r in nightly(inbox=str(inbox), db=str(db), crawl=False)["ingest"]}
    assert (first["testliste.csv"]["in"], first["testliste.csv"]["loaded"],
            first["testliste.csv"]["quarantined"]) == (3, 2, 1)
    assert first["export.ndjson"]["loaded"] == 1
    before = _counts(db)
    assert before["core.consent_events"] >= 1

    second = nightly(inbox=str(inbox), db=str(db), crawl=False)["ingest"]
    assert {r["status"] for r in second} == {"skipped"}
    assert all(r["in"] == r["skipped"] for r in second)
    assert _counts(db) == before


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox")
    (inbox / "lists" / "testliste.csv.yaml").unlink()  # no vendor, no acquisition date
    db = tmp_path / "data" / "leadpipe.duckdb"

    rows = {r["file"]: r for r in nightly(inbox=str(inbox), db=str(db), crawl=False)["ingest"]}
    assert rows["testliste.csv"]["status"] == "failed"
    assert "acquisition date" in rows["testliste.csv"]["note"]
    assert rows["export.ndjson"]["loaded"] == 1
