"""Outcomes and objections from the workspace: journaled, never lost, effective at once.

On the colleagues of tests/cli/test_gdpr_cli (Müller GmbH, Jürgen Müllerschön and Petra
Schmidt on one switchboard), decided and scored. A "nightly run" is a second process that
holds the write lock.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foundation.settings import Settings
from foundation.vocabulary import Channel
from leadpipe.cli.main import app
from stages.decide import decide_all
from stages.funnel import compute_funnel
from stages.outcomes import (
    BadOutcome,
    UnknownLead,
    journaled_outcomes,
    objected_leads,
    record_objection,
    record_outcome,
)
from stages.score import score_all, train_from_outcomes
from tests.cli.test_gdpr_cli import _run
from tests.reliability.test_opt_out_at_export import HOLD_WRITER, _export, decide_colleagues
from tests.scoring.test_stage_predictive import _population
from warehouse.db import open_warehouse
from warehouse.workspace_journal import journal_dir

runner = CliRunner()
CHANNELS: tuple[Channel, ...] = ("email", "phone", "post")
"""The channels some lead of the colleagues is allowed on."""


@pytest.fixture
def decided(settings: Settings, tmp_path: Path) -> Settings:
    """The colleagues, Jürgen with a valid e-mail consent, enriched, matched, decided, scored."""
    return decide_colleagues(settings, tmp_path)


def _lead(settings: Settings, entity: str, last_name: str | None = None) -> str:
    with open_warehouse(settings, write=False) as wh:
        return str(wh.scalar(
            "SELECT DISTINCT m.lead_id FROM core.lead_members m JOIN core.leads l "
            "USING (lead_id) JOIN core.enriched_records e USING (record_id) "
            "WHERE l.entity_type = ? AND (? IS NULL OR e.last_name = ?)",
            [entity, last_name, last_name]))


def _decisions(settings: Settings, lead_id: str) -> dict[str, tuple[str, str]]:
    with open_warehouse(settings, write=False) as wh:
        return {c: (d, r) for c, d, r in wh.fetchall(
            "SELECT channel, decision, reason FROM core.eligibility_decisions "
            "WHERE is_current AND lead_id = ?", [lead_id])}


@contextmanager
def nightly(settings: Settings, seconds: float = 30) -> Iterator[None]:
    """Another process holds the write lock (as the nightly run does) until the block ends."""
    writer = subprocess.Popen([sys.executable, "-c", HOLD_WRITER, str(settings.db_path),
                               str(seconds)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "holding"
        yield
    finally:
        writer.kill()
        writer.wait(timeout=30)


def test_an_objection_while_the_nightly_holds_the_lock_acts_at_once_and_is_never_lost(
        decided: Settings, tmp_path: Path) -> None:
    petra = _lead(decided, "contact", "Schmidt")
    juergen = _lead(decided, "contact", "Müllerschön")
    before = {c: _export(decided, tmp_path, c)[0] for c in CHANNELS}
    assert any("Petra Schmidt" in names for names in before.values())
    allowed_before = _decisions(decided, juergen)

    with nightly(decided):
        started = time.monotonic()
        receipt = record_objection(decided, petra, by="rita", note="keine Werbung mehr")
        assert time.monotonic() - started < 5          # the rep does not wait for the run
        assert receipt.status == "pending"
        assert receipt.events >= 1
        assert receipt.suppression_entries >= 1
        assert list(journal_dir(decided.db_path).glob("*.json"))    # on disk, not in memory
        # (a) the next export leaves her out at once, on every channel; her colleague stays
        for channel in CHANNELS:
            names, output = _export(decided, tmp_path, channel)
            assert "snapshot" in output
            assert "Petra Schmidt" not in names, channel
            assert [n for n in before[channel] if n != "Petra Schmidt"] == names
        opted = objected_leads(decided)
        assert all(petra in opted.on(c) for c in CHANNELS)
        assert juergen not in opted.anywhere

    # (b) the next writer folds it into the ledger, the suppression list and the audit
    with open_warehouse(decided, write=True) as wh:
        events = wh.dicts("SELECT record_id, channels, attributes FROM core.consent_events "
                          "WHERE kind = 'objection_art21'")
        assert len(events) == receipt.events
        assert all(e["channels"] == ["all"] for e in events)
        assert {json.loads(e["attributes"])["lead_id"] for e in events} == {petra}
        assert wh.scalar("SELECT count(*) FROM core.suppression WHERE reference = ?",
                         [receipt.request_id]) == receipt.suppression_entries
        assert wh.scalar("SELECT kind FROM ops.gdpr_requests WHERE request_id = ?",
                         [receipt.request_id]) == "objection"
    assert not list(journal_dir(decided.db_path).glob("*.json"))

    # (c) the next decide blocks every channel (G2); the colleague keeps his decisions
    decide_all(decided)
    assert _decisions(decided, petra) == dict.fromkeys(
        (*CHANNELS, "sms", "fax"), ("blocked", "gdpr21_objection"))
    assert _decisions(decided, juergen) == allowed_before
    assert objected_leads(decided).anywhere == frozenset()   # decided now, nothing overtaken


def test_an_objection_recorded_with_nobody_writing_is_stored_at_once(
        decided: Settings, tmp_path: Path) -> None:
    petra = _lead(decided, "contact", "Schmidt")
    receipt = record_objection(decided, petra, by="rita")
    assert receipt.status == "stored"
    with open_warehouse(decided, write=False) as wh:
        assert wh.scalar("SELECT count(*) FROM core.consent_events WHERE kind = "
                         "'objection_art21'") == receipt.events
    # the stored decision predates it: lists leave her out until decide runs
    opted = objected_leads(decided)
    assert petra in opted.on("post")
    assert "Petra Schmidt" not in _export(decided, tmp_path, "post")[0]


def test_folding_an_entry_twice_changes_nothing(decided: Settings) -> None:
    petra = _lead(decided, "contact", "Schmidt")
    objection = record_objection(decided, petra, by="rita")
    outcome = record_outcome(decided, petra, "reached", by="rita")
    journal = journal_dir(decided.db_path)

    def counts() -> tuple[int, ...]:
        with open_warehouse(decided, write=True) as wh:
            return tuple(wh.scalar(f"SELECT count(*) FROM {table}") for table in (
                "core.consent_events", "core.suppression", "ops.gdpr_requests",
                "core.lead_outcomes"))

    once = counts()
    for entry_id in (objection.request_id, outcome.outcome_id):  # a fold that died midway
        shutil.copy(journal / "folded" / f"{entry_id}.json", journal / f"{entry_id}.json")
    assert counts() == once
    assert once[3] == 1


def test_a_company_objection_blocks_the_company_not_its_people(decided: Settings) -> None:
    company = _lead(decided, "company")
    people = [_lead(decided, "contact", n) for n in ("Schmidt", "Müllerschön")]
    people_before = [_decisions(decided, p) for p in people]
    receipt = record_objection(decided, company, by="rita", note="Zentrale: keine Werbung")
    assert receipt.entity_type == "company"
    decide_all(decided)
    assert {d for d, _ in _decisions(decided, company).values()} == {"blocked"}
    assert {r for _, r in _decisions(decided, company).values()} == {"gdpr21_objection"}
    assert [_decisions(decided, p) for p in people] == people_before


def test_an_outcome_recorded_during_the_nightly_is_stored_when_it_ends(
        decided: Settings) -> None:
    petra = _lead(decided, "contact", "Schmidt")
    with nightly(decided):
        receipt = record_outcome(decided, petra, "won", by="rita", note="Vertrag unterschrieben",
                                 value_eur="12.500,00".replace(".", ""))
        assert receipt.status == "pending"
        assert receipt.value_eur == Decimal("12500.00")
        [shown] = journaled_outcomes(decided, petra)     # the lead page can show it now
        assert (shown.outcome_id, shown.status) == (receipt.outcome_id, "pending")
    with open_warehouse(decided, write=True) as wh:
        rows = wh.dicts("SELECT lead_id, outcome, recorded_by, note, value_eur, source "
                        "FROM core.lead_outcomes")
    assert rows == [{"lead_id": petra, "outcome": "won", "recorded_by": "rita",
                     "note": "Vertrag unterschrieben", "value_eur": Decimal("12500.00"),
                     "source": "workspace"}]
    assert [o.status for o in journaled_outcomes(decided, petra)] == ["stored"]


def test_bad_input_is_refused_with_what_to_do(decided: Settings) -> None:
    petra = _lead(decided, "contact", "Schmidt")
    with pytest.raises(UnknownLead, match=r"no lead 'L-404'.*lead_id"):
        record_outcome(decided, "L-404", "won", by="rita")
    with pytest.raises(UnknownLead):
        record_objection(decided, "L-404", by="rita")
    with pytest.raises(BadOutcome, match="unknown outcome 'sold'; use one of contacted"):
        record_outcome(decided, petra, "sold", by="rita")
    with pytest.raises(BadOutcome, match="deal value"):
        record_outcome(decided, petra, "won", by="rita", value_eur="viel")
    with pytest.raises(BadOutcome, match="who records"):
        record_outcome(decided, petra, "won", by=" ")
    assert not list(journal_dir(decided.db_path).glob("*.json"))  # nothing half-recorded


def test_the_cli_records_outcomes_and_objections(decided: Settings) -> None:
    petra = _lead(decided, "contact", "Schmidt")
    db = ["--db", str(decided.db_path)]
    result = runner.invoke(app, ["leads", "outcome", petra, "appointment", "--note",
                                 "Termin am 12.12.", "--by", "rita", "--json", *db])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) | {"outcome": "appointment", "status": "stored",
                                        "recorded_by": "rita"} == json.loads(result.output)
    result = runner.invoke(app, ["leads", "object", petra, "--note", "keine Werbung mehr",
                                 "--by", "rita", *db])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status"] == "stored"     # JSON when not a terminal
    for args in (["leads", "outcome", "L-404", "won"], ["leads", "object", "L-404"]):
        result = runner.invoke(app, [*args, *db])
        assert result.exit_code == 2
        assert "no lead 'L-404'" in result.output
        assert "Traceback" not in result.output
    result = runner.invoke(app, ["leads", "outcome", petra, "sold", *db])
    assert result.exit_code == 2


def test_the_funnel_counts_recorded_outcomes(decided: Settings) -> None:
    petra = _lead(decided, "contact", "Schmidt")
    juergen = _lead(decided, "contact", "Müllerschön")
    for outcome in ("contacted", "reached", "appointment", "won"):
        record_outcome(decided, petra, outcome, by="rita")
    record_outcome(decided, juergen, "not_interested", by="rita")
    steps = {s.stage: (s.count, s.rate) for s in compute_funnel(decided, "D")[0].steps}
    assert steps["contacted"][0] == 2
    assert steps["reached"] == (2, 1.0)
    assert steps["appointment"] == (1, 0.5)
    assert steps["won"] == (1, 1.0)
    assert steps["not_interested"] == (1, 0.5)
    assert steps["lost"] == (0, 0.0)


def test_score_train_without_a_file_learns_from_recorded_outcomes(settings: Settings) -> None:
    _population(settings, 300)
    score_all(settings, date(2026, 11, 20))
    with open_warehouse(settings, write=True) as wh:  # as if folded from the workspace
        wh.execute(
            "INSERT INTO core.lead_outcomes SELECT 'o-' || i || '-' || step, 'P' || i, "
            "CASE WHEN step = 0 THEN 'reached' WHEN (i % 3 = 0 AND i % 4 <> 1) OR i % 17 = 0 "
            "THEN 'won' WHEN i % 2 = 0 THEN 'not_interested' ELSE 'lost' END, "
            "TIMESTAMPTZ '2026-11-01' + step * INTERVAL 1 DAY, 'rita', NULL, NULL, 'workspace' "
            "FROM range(300) t(i), range(2) s(step)")
        wh.execute("INSERT INTO core.lead_outcomes VALUES ('o-open', 'P1', 'appointment', "
                   "TIMESTAMPTZ '2026-11-05', 'rita', NULL, NULL, 'workspace')")
    result = train_from_outcomes(settings, by="ops")
    assert result.model is not None, result.refused
    assert result.scored == 299           # P1's latest outcome is an appointment: still open
    assert 0.5 < result.model.cv_auc <= 1
    cli = runner.invoke(app, ["score", "--train", "--db", str(settings.db_path), "--json"])
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.output)["scored"] == 299
    with open_warehouse(settings, write=False) as wh:
        assert wh.scalar("SELECT count(*) FROM core.lead_outcomes") == 601   # nothing added
        assert wh.scalar("SELECT source_file FROM core.scoring_models WHERE is_current") is None


def test_erasing_the_person_takes_the_outcomes_of_their_lead(decided: Settings) -> None:
    petra = _lead(decided, "contact", "Schmidt")
    juergen = _lead(decided, "contact", "Müllerschön")
    record_outcome(decided, petra, "reached", by="rita", note="Frau Schmidt ruft zurück")
    record_outcome(decided, juergen, "reached", by="rita")
    code, out = _run(decided, "gdpr", "erase", "p.schmidt@mueller.example")
    assert code == 0, out
    with open_warehouse(decided, write=False) as wh:
        assert wh.fetchall("SELECT lead_id FROM core.lead_outcomes") == [(juergen,)]
    leftovers = list(journal_dir(decided.db_path).rglob("*.json"))
    assert not [p for p in leftovers if "Schmidt" in p.read_text(encoding="utf-8")]


def test_objected_leads_sees_opt_outs_from_every_door_until_decide(
        decided: Settings, tmp_path: Path) -> None:
    """`gdpr object` (by record) and an imported unsubscribe (by e-mail address alone) are in
    the ledger only, not the journal; each blocks what it names until decide has run."""
    petra = _lead(decided, "contact", "Schmidt")
    assert objected_leads(decided).anywhere == frozenset()
    code, out = _run(decided, "gdpr", "object", "p.schmidt@mueller.example")
    assert code == 0, out
    events = tmp_path / "unsubscribes.csv"
    events.write_text("type,email,at\nunsubscribe,j.muellerschoen@mueller.example,"
                      "2026-12-01T10:00:00\n", encoding="utf-8")
    code, out = _run(decided, "consent", "import", str(events))
    assert code == 0, out
    with open_warehouse(decided, write=False) as wh:
        allowed = {(lead, channel) for lead, channel in wh.fetchall(
            "SELECT lead_id, channel FROM core.eligibility_decisions WHERE is_current "
            "AND decision = 'allowed'")}
        his = {r[0] for r in wh.fetchall(
            "SELECT m.lead_id FROM core.lead_members m JOIN core.enriched_records e "
            "USING (record_id) WHERE e.email_normalized = 'j.muellerschoen@mueller.example'")}
    opted = objected_leads(decided)
    assert opted.pending == frozenset()
    assert {(lead, c) for c in CHANNELS for lead in opted.on(c)} == {
        (lead, c) for lead, c in allowed if lead == petra or (lead in his and c == "email")}
    assert "email" in {c for lead, c in allowed if lead in his}     # the case is tested
    decide_all(decided)
    assert objected_leads(decided).anywhere == frozenset()
