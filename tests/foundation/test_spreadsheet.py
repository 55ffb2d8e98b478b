"""Reading back what an export neutralised: the exact inverse, and nothing else touched."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from enrichment.record import enrich_record
from foundation.spreadsheet import without_text_marker
from scoring.export_files import neutralize


@given(st.text())
def test_reading_undoes_exactly_what_the_export_did(value: str) -> None:
    assert without_text_marker(neutralize(value)) == value


def test_an_apostrophe_that_protects_no_formula_stays() -> None:
    for value in ("'t Hooft", "O'Brien", "'", "''", "'0171 1234567"):
        assert without_text_marker(value) == value


def test_a_neutralised_phone_number_is_read_as_the_number() -> None:
    enriched = enrich_record({"phone": "'+49 (0) 30 / 9 01 82-0", "last_name": "O'Brien",
                              "company": "'@home Hausverwaltung GmbH"},
                             record_id="r1", source_kind="purchased_list")
    assert enriched.value("phone_e164") == "+4930901820"
    assert enriched.value("last_name") == "O'Brien"
    assert enriched.value("company_name").startswith("@home Hausverwaltung")
