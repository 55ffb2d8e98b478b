"""The stages end to end on a small warehouse: ingest → enrich → match → decide.

Real parts throughout: files on disk, the DuckDB warehouse, the matching engine and the rule
engine. The trap of the domain is checked explicitly: a colleague at the same company, with
the same switchboard and address, must not inherit a person's e-mail consent.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from foundation.settings import Settings
from stages.decide import decide_all
from stages.enrich import enrich_new
from stages.ingest import ListOptions, ingest_form_file, ingest_list_file
from stages.match import match_all
from warehouse.db import open_warehouse

LIST = (
    "Firma;Anrede;Vorname;Nachname;Position;Straße;Hausnummer;PLZ;Ort;Telefon;E-Mail\n"
    "Müller Maschinenbau GmbH;Frau;Erika;Beispiel;Leiterin Einkauf;Hauptstraße;12;80331;"
    "München;089 1234560;erika.beispiel@mueller-maschinenbau.de\n"
    "Müller Maschinenbau GmbH;Herr;Hans;Kollege;Vertrieb;Hauptstraße;12;80331;München;"
    "089 1234560;hans.kollege@mueller-maschinenbau.de\n"
    "Müller Maschinenbau G.m.b.H.;Frau;Erika;Beispiel;Einkauf;Hauptstr.;12;80331;München;"
    "+49 89 123456-0;erika.beispiel@mueller-maschinenbau.de\n"
)
FORM = {
    "submission_id": "s-1", "form_id": "demo", "page_url": "https://example.de/demo",
    "submitted_at": "2026-11-20T10:00:00+01:00", "ip": "203.0.113.9", "user_agent": "Firefox",
    "request_type": "demo", "company": "Müller Maschinenbau GmbH", "first_name": "Erika",
    "last_name": "Beispiel", "email": "erika.beispiel@mueller-maschinenbau.de",
    "consent": {"channels": ["email"], "consent_text": "Ja, die Leadpipe GmbH darf mir "
                "E-Mails senden.", "consent_text_version": "v1", "pre_ticked": False,
                "names_controller": True, "doi_confirmed_at": "2026-11-20T10:05:00+01:00"},
}


@pytest.fixture
def warehouse(settings: Settings, tmp_path: Path) -> Settings:
    lst = tmp_path / "liste.csv"
    lst.write_bytes(LIST.encode("cp1252"))
    form = tmp_path / "forms.ndjson"
    form.write_text(json.dumps(FORM) + "\n", encoding="utf-8")
    ingest_list_file(settings, lst, ListOptions(vendor="V", acquired_on=date(2026, 11, 15),
                                                provenance_documented=True))
    ingest_form_file(settings, form)
    enrich_new(settings)
    match_all(settings)
    return settings


def _current(settings: Settings) -> dict[tuple[str, str], dict[str, object]]:
    with open_warehouse(settings, write=False) as wh:
        rows = wh.dicts(
            "SELECT g.value AS email, d.channel, d.decision, d.reason, d.rule "
            "FROM core.eligibility_decisions d JOIN core.leads l USING (lead_id) "
            "JOIN core.golden_records g ON g.lead_id = d.lead_id AND g.field = "
            "'email_normalized' WHERE d.is_current AND l.entity_type = 'contact'")
    return {(str(r["email"]), str(r["channel"])): r for r in rows}


def test_one_lead_per_person_and_colleagues_stay_apart(warehouse: Settings) -> None:
    with open_warehouse(warehouse, write=False) as wh:
        contacts = wh.fetchall("SELECT l.lead_id, count(*) FROM core.leads l JOIN "
                               "core.lead_members m USING (lead_id) WHERE l.entity_type = "
                               "'contact' GROUP BY 1 ORDER BY 2 DESC")
        companies = wh.scalar("SELECT count(*) FROM core.leads WHERE entity_type = 'company'")
    assert [n for _, n in contacts] == [3, 1]  # Erika: two list rows + the form; Hans alone
    assert companies == 1


def test_doi_consent_allows_email_for_that_person_only(warehouse: Settings) -> None:
    decide_all(warehouse, date(2026, 11, 26))
    current = _current(warehouse)
    erika = current[("erika.beispiel@mueller-maschinenbau.de", "email")]
    hans = current[("hans.kollege@mueller-maschinenbau.de", "email")]
    assert (erika["decision"], erika["reason"], erika["rule"]) == (
        "allowed", "consent_valid_doi", "E3")
    assert hans["decision"] == "blocked"
    assert hans["reason"] == "uwg7_2_2_no_consent"


def test_rerun_adds_no_history_but_time_does(warehouse: Settings) -> None:
    first = decide_all(warehouse, date(2026, 11, 26))
    assert first.decisions_changed > 0
    assert decide_all(warehouse, date(2026, 11, 26)).decisions_changed == 0
    # a month and more after the purchase, the list-only colleague becomes Art. 14 overdue
    later = decide_all(warehouse, date(2026, 12, 16))
    assert later.decisions_changed > 0
    hans = _current(warehouse)[("hans.kollege@mueller-maschinenbau.de", "post")]
    assert (hans["decision"], hans["rule"]) == ("blocked", "G4")
    with open_warehouse(warehouse, write=False) as wh:
        history = wh.scalar("SELECT count(*) FROM core.eligibility_decisions WHERE NOT "
                            "is_current")
    assert history > 0


def test_thresholds_come_from_configuration(warehouse: Settings, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "compliance").mkdir(parents=True, exist_ok=True)
    (config / "compliance" / "eligibility.yaml").write_text(
        "thresholds:\n  art14_deadline_months: 3\n",
                                             encoding="utf-8")
    decide_all(replace(warehouse, config_dir=config), date(2026, 12, 16))
    hans = _current(warehouse)[("hans.kollege@mueller-maschinenbau.de", "post")]
    assert hans["rule"] != "G4"


def test_batches_over_worker_processes_decide_as_one_batch_does(
        warehouse: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A million leads go in batches evaluated in two processes; the decisions, their inputs
    and the Robinson checks must be those of one batch in this process."""
    def decided() -> list[tuple[object, ...]]:
        with open_warehouse(warehouse, write=False) as wh:
            return wh.fetchall("SELECT lead_id, channel, decision, reason, rule, legal_basis, "
                               "inputs_hash, inputs FROM core.eligibility_decisions "
                               "WHERE is_current ORDER BY 1, 2")

    one = decide_all(warehouse, date(2026, 11, 26))
    expected = decided()
    with open_warehouse(warehouse, write=True) as wh:
        wh.execute("DELETE FROM core.eligibility_decisions")
    monkeypatch.setattr("stages.decide.BATCH_LEADS", 1)
    batched = decide_all(warehouse, date(2026, 11, 26))
    assert decided() == expected
    assert (batched.leads, batched.by_channel) == (one.leads, one.by_channel)
    assert batched.decisions_changed == one.decisions_changed
