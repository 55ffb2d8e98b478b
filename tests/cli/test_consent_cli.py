"""`leadpipe consent`: evidence per person, tamper evidence, external events."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from tests.flows.inbox import FORM
from warehouse.db import open_warehouse

runner = CliRunner()


def _run(settings: Settings, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--db", str(settings.db_path), "--json"])
    return result.exit_code, result.output


def _ingest_form(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "forms.ndjson"
    path.write_text(json.dumps(FORM) + "\n", encoding="utf-8")
    assert _run(settings, "ingest", "forms", str(path))[0] == 0


def test_show_prints_the_consent_with_its_evidence(settings: Settings, tmp_path: Path) -> None:
    _ingest_form(settings, tmp_path)
    code, out = _run(settings, "consent", "show", "Erika.Beispiel@BEISPIEL.de")
    assert code == 0, out
    history = json.loads(out)
    assert history["ledger_intact"] is True
    consent = next(e for e in history["events"] if e["kind"] == "consent_given")
    assert consent["channels"] == ["email"]
    assert consent["attributes"]["method"] == "double_opt_in"
    assert consent["evidence"]["ip"] == "203.0.113.7"
    assert consent["evidence"]["consent_text"] == FORM["consent"]["consent_text"]


def test_a_tampered_ledger_is_reported(settings: Settings, tmp_path: Path) -> None:
    _ingest_form(settings, tmp_path)
    con = duckdb.connect(str(settings.db_path))
    con.execute("UPDATE core.consent_events SET channels = ['email', 'phone'] "
                "WHERE kind = 'consent_given'")
    con.close()
    code, out = _run(settings, "consent", "show", "erika.beispiel@beispiel.de")
    assert code == 4
    assert "altered" in out


def test_external_events_import_with_objection_and_a_bad_line(
    settings: Settings, tmp_path: Path
) -> None:
    _ingest_form(settings, tmp_path)
    events = tmp_path / "events.csv"
    events.write_text(
        "type;email;phone;last_name;postcode;at;note\n"
        "unsubscribe;erika.beispiel@beispiel.de;;;;2026-11-26T08:00:00;Abmelde-Link\n"
        "objection;;+49 30 7654321;Meier;10115;2026-11-26;Brief: keine Werbung mehr\n"
        "teleport;x@example.de;;;;2026-11-26;\n",
        encoding="utf-8",
    )
    code, out = _run(settings, "consent", "import", str(events))
    assert code == 0, out
    report = json.loads(out)
    assert (report["imported"], report["suppressed_people"]) == (2, 1)
    assert report["problems"] == [{"line": 4, "field": "type",
                                   "reason": report["problems"][0]["reason"]}]
    assert "teleport" in report["problems"][0]["reason"]

    history = json.loads(_run(settings, "consent", "show", "erika.beispiel@beispiel.de")[1])
    assert [e["kind"] for e in history["events"]][-1] == "consent_withdrawn"
    with open_warehouse(settings, write=False) as wh:
        assert wh.scalar("SELECT count(*) FROM core.suppression WHERE origin = 'objection'") >= 1

    again = json.loads(_run(settings, "consent", "import", str(events))[1])
    assert (again["imported"], again["already_known"]) == (0, 2)


def test_late_doi_confirmation_from_the_intake_service(settings: Settings, tmp_path: Path) -> None:
    unconfirmed = {**FORM, "consent": {**FORM["consent"], "doi_confirmed_at": None}}
    path = tmp_path / "forms.ndjson"
    path.write_text(json.dumps(unconfirmed) + "\n", encoding="utf-8")
    assert _run(settings, "ingest", "forms", str(path))[0] == 0
    late = tmp_path / "intake-doi.consent-events.ndjson"
    late.write_text(json.dumps({
        "type": "doi_confirmed", "email": FORM["email"], "channels": "email",
        "at": "2026-11-26T08:00:00+01:00", "consent_given_at": FORM["submitted_at"],
        "submission_id": FORM["submission_id"], "ip": "203.0.113.7", "user_agent": "Mozilla",
        "consent_text": "Ja, E-Mails bitte.", "consent_text_version": "v3",
        "pre_ticked": False, "names_controller": True, "doi_ip": "198.51.100.1",
        "doi_user_agent": "Thunderbird",
    }) + "\n", encoding="utf-8")
    code, out = _run(settings, "consent", "import", str(late))
    assert code == 0, out
    assert json.loads(out)["imported"] == 1

    history = json.loads(_run(settings, "consent", "show", FORM["email"])[1])
    doi = [e for e in history["events"] if e["attributes"].get("method") == "double_opt_in"]
    assert len(doi) == 1
    assert doi[0]["record_id"].endswith(":" + FORM["submission_id"])
    assert doi[0]["attributes"]["evidence_complete"] is True
    assert doi[0]["evidence"]["doi_user_agent"] == "Thunderbird"
