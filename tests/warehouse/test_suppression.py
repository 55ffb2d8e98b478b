"""The suppression list keeps people who objected or were erased out of every new batch."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from compliance.suppression import entry_hashes
from foundation.settings import Settings, suppression_secret
from stages.ingest import ListOptions, ingest_form_file, ingest_list_file
from tests.flows.inbox import FORM
from warehouse.db import open_warehouse
from warehouse.suppression import add_entries

OBJECTOR = {"first_name": "Jürgen", "last_name": "Müller", "email": "J.Mueller@Example.de",
            "phone": "089 1234560", "street": "Hauptstraße", "house_number": "12a",
            "postcode": "80331"}

LIST = (
    "Firma;Vorname;Nachname;Straße;Hausnummer;PLZ;Telefon;E-Mail\n"
    # the objector, spelled differently: found by e-mail, phone+name and postal identity
    "Müller GmbH;Juergen;MÜLLER;Hauptstr.;12a;80331;+49 89 1234560;j.mueller@example.de\n"
    # a colleague at the same switchboard and address: must not be suppressed
    "Müller GmbH;Petra;Schmidt;Hauptstraße;12a;80331;089 1234560;p.schmidt@example.de\n"
)


def _object(settings: Settings, origin: str) -> None:
    secret = suppression_secret(settings)
    with open_warehouse(settings, write=True, create=True) as wh:
        add_entries(wh, entry_hashes(secret, OBJECTOR), origin=origin, reference="test")


def test_objector_is_not_reimported_but_colleague_is(settings: Settings, tmp_path: Path) -> None:
    _object(settings, "objection")
    path = tmp_path / "liste.csv"
    path.write_bytes(LIST.encode("cp1252"))

    report = ingest_list_file(settings, path,
                              ListOptions(vendor="V", acquired_on=date(2026, 11, 20)))

    assert (report.rows_in, report.loaded, report.skipped) == (2, 1, 1)
    with open_warehouse(settings, write=False) as wh:
        names = [r[0] for r in wh.fetchall(
            "SELECT last_name FROM staging.stg_purchased_list__records")]
        payloads = " ".join(r[0] for r in wh.fetchall("SELECT payload::VARCHAR FROM raw.records"))
        kind, origin = wh.fetchone(  # type: ignore[misc]
            "SELECT kind, origin FROM ops.suppressed_rows")
    assert names == ["Schmidt"]
    assert "MÜLLER" not in payloads
    assert origin == "objection"
    assert kind in {"email", "phone_person", "postal"}


def test_suppressed_form_submission_is_kept_with_a_match_event(
    settings: Settings, tmp_path: Path
) -> None:
    """After an objection a person may consent again (G2a): the submission loads, and the
    match event lets the rules see the objection. (An erased person's earlier submission does
    not load at all: tests/reliability/test_erasure_residue.py.)"""
    _object(settings, "objection")
    path = tmp_path / "forms.ndjson"
    path.write_text(json.dumps({**FORM, "email": "j.mueller@example.de"}) + "\n",
                    encoding="utf-8")

    report = ingest_form_file(settings, path)

    assert report.loaded == 1
    with open_warehouse(settings, write=False) as wh:
        events = wh.dicts("SELECT kind, channels, attributes FROM core.consent_events "
                          "WHERE kind = 'suppression_list_match'")
    assert len(events) == 1
    assert json.loads(events[0]["attributes"])["origin"] == "objection"
    assert events[0]["channels"] == ["all"]
