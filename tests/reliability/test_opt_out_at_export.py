"""Objections, withdrawals and erasures act on the very next export, with no run in between;
an export during a nightly run starts at once from the published snapshot and is still logged.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from foundation.settings import Settings
from stages.decide import decide_all
from stages.enrich import enrich_new
from stages.match import match_all
from stages.score import score_all
from tests.cli.test_gdpr_cli import FORM, _load, _run
from warehouse.db import open_warehouse

CHANNELS = ("email", "phone", "post")
SCHMIDT = "p.schmidt@mueller.example"


@pytest.fixture
def decided(settings: Settings, tmp_path: Path) -> Settings:
    """The colleagues of tests/cli/test_gdpr_cli, one of them with a valid e-mail consent."""
    return decide_colleagues(settings, tmp_path)


def decide_colleagues(settings: Settings, tmp_path: Path) -> Settings:
    """Load the colleagues (Jürgen with a valid e-mail consent), enrich, match, decide, score."""
    consent = {**FORM["consent"], "names_controller": True,  # type: ignore[dict-item]
               "consent_text": "Ja, die Müller GmbH darf mir E-Mails senden.",
               "consent_text_version": "v1"}
    (tmp_path / "forms.ndjson").write_text(json.dumps({**FORM, "consent": consent}) + "\n",
                                           encoding="utf-8")
    _run(settings, "ingest", "forms", str(tmp_path / "forms.ndjson"))
    _load(settings, tmp_path)
    for stage in (enrich_new, match_all, decide_all, score_all):
        stage(settings)
    return settings


def _export(settings: Settings, tmp_path: Path, channel: str) -> tuple[list[str], str]:
    out = tmp_path / f"{channel}-{time.monotonic_ns()}.csv"
    code, output = _run(settings, "leads", "export", "--channel", channel, "--min-grade", "D",
                        "--include-review", "--out", str(out))
    assert code == 0, output
    with open(out, encoding="utf-8", newline="") as fh:
        return [row["name"] for row in csv.DictReader(fh)], output


def _names_by_channel(settings: Settings, tmp_path: Path) -> dict[str, list[str]]:
    return {c: _export(settings, tmp_path, c)[0] for c in CHANNELS}


def test_objection_reaches_the_next_export_on_every_channel(
    decided: Settings, tmp_path: Path
) -> None:
    before = _names_by_channel(decided, tmp_path)
    assert any("Petra Schmidt" in names for names in before.values()), before

    code, out = _run(decided, "gdpr", "object", SCHMIDT)
    assert code == 0, out
    after = _names_by_channel(decided, tmp_path)
    for channel in CHANNELS:
        assert "Petra Schmidt" not in after[channel], channel
        # the colleague on the same switchboard and address is not affected
        assert [n for n in before[channel] if n != "Petra Schmidt"] == after[channel]


def test_unsubscribe_blocks_only_its_channel_at_once(decided: Settings, tmp_path: Path) -> None:
    before = _names_by_channel(decided, tmp_path)
    assert "Jürgen Müllerschön" in before["email"], before
    events = tmp_path / "unsubscribes.csv"
    events.write_text("type,email,at\nunsubscribe,j.muellerschoen@mueller.example,"
                      "2026-12-01T10:00:00\n", encoding="utf-8")
    code, out = _run(decided, "consent", "import", str(events))
    assert code == 0, out
    after = _names_by_channel(decided, tmp_path)
    assert "Jürgen Müllerschön" not in after["email"]
    for channel in ("phone", "post"):
        assert after[channel] == before[channel]


def test_erasure_and_objection_by_phone_and_name_reach_the_export(
    decided: Settings, tmp_path: Path
) -> None:
    code, out = _run(decided, "gdpr", "object", "089 1234560", "--name", "Petra Schmidt")
    assert code == 0, out
    code, out = _run(decided, "gdpr", "erase", "j.muellerschoen@mueller.example")
    assert code == 0, out
    after = _names_by_channel(decided, tmp_path)
    for channel in CHANNELS:
        assert not {"Petra Schmidt", "Jürgen Müllerschön"} & set(after[channel]), channel


HOLD_WRITER = """
import sys, time
from pathlib import Path
from foundation.settings import Settings
from warehouse.db import open_warehouse
db = Path(sys.argv[1])
release = Path(sys.argv[3]) if len(sys.argv) > 3 else None
settings = Settings(data_dir=db.parent, db_path=db, config_dir=db.parent / "config")
with open_warehouse(settings, write=True, purpose="nightly (test)"):
    print("holding", flush=True)
    deadline = time.monotonic() + float(sys.argv[2])
    while time.monotonic() < deadline and not (release and release.exists()):
        time.sleep(0.05)
"""
"""Holds the write lock as a nightly run does, for argv[2] seconds or until the file argv[3]
(if given) exists."""


def test_export_during_a_nightly_reads_the_snapshot_and_is_logged(
    decided: Settings, tmp_path: Path
) -> None:
    code, out = _run(decided, "gdpr", "object", SCHMIDT)  # publishes the snapshot
    assert code == 0, out
    release = tmp_path / "nightly-done"
    writer = subprocess.Popen([sys.executable, "-c", HOLD_WRITER, str(decided.db_path), "8",
                               str(release)], stdout=subprocess.PIPE, text=True, cwd=Path.cwd())
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "holding"
        started = time.monotonic()
        names, output = _export(decided, tmp_path, "post")
        assert time.monotonic() - started < 2.0
        assert "snapshot" in output
        assert "Petra Schmidt" not in names
        assert "Jürgen Müllerschön" in names
    finally:
        release.touch()  # the nightly ends now rather than after its 8 s
        writer.wait(timeout=30)
    with open_warehouse(decided, write=True) as wh:  # the next writer folds the log entry
        logged = wh.fetchall("SELECT channel, lead_count FROM ops.exports")
    assert ("post", len(names)) in logged
    assert not list(decided.db_path.parent.glob("*.export-log/*.json"))


def test_export_result_says_what_was_withheld(decided: Settings, tmp_path: Path) -> None:
    _run(decided, "gdpr", "object", SCHMIDT)
    out = tmp_path / "post.json"
    code, output = _run(decided, "leads", "export", "--channel", "post", "--min-grade", "D",
                        "--include-review", "--out", str(out), "--json")
    assert code == 0, output
    result = json.loads(output[output.index("{"):])
    assert sum(result["withheld"].values()) == 1
    assert set(result["withheld"]) <= {"objection_art21", "suppression_objection"}


@pytest.mark.flow
def test_the_prefect_export_checks_opt_outs_too(decided: Settings,
                                               monkeypatch: pytest.MonkeyPatch,
                                               prefect_harness: None) -> None:
    from flows.export import export_leads_flow

    monkeypatch.setenv("LEADPIPE_DATA_DIR", str(decided.data_dir))
    monkeypatch.setenv("LEADPIPE_CONFIG_DIR", str(decided.config_dir))
    code, out = _run(decided, "gdpr", "object", SCHMIDT)
    assert code == 0, out
    result = export_leads_flow(channel="post", file_name="post.csv", min_grade="D",
                               include_review=True, db=str(decided.db_path))
    with open(result.path, encoding="utf-8", newline="") as fh:
        names = [row["name"] for row in csv.DictReader(fh)]
    assert "Jürgen Müllerschön" in names
    assert "Petra Schmidt" not in names
    assert sum(result.withheld.values()) == 1


def test_a_limit_is_filled_with_leads_that_may_be_contacted(decided: Settings,
                                                            tmp_path: Path) -> None:
    before, _ = _export(decided, tmp_path, "post")
    _run(decided, "gdpr", "object", SCHMIDT)
    out = tmp_path / "limited.csv"
    code, output = _run(decided, "leads", "export", "--channel", "post", "--min-grade", "D",
                        "--include-review", "--limit", str(len(before) - 1), "--out", str(out))
    assert code == 0, output
    with open(out, encoding="utf-8", newline="") as fh:
        names = [row["name"] for row in csv.DictReader(fh)]
    assert sorted(names) == sorted(n for n in before if n != "Petra Schmidt")
