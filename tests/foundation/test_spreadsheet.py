"""Reading back what an export neutralised: the exact inverse, and nothing else touched."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from enrichment.record import enrich_record
from foundation.spreadsheet import starts_like_formula, without_text_marker
from scoring.export_files import neutralize


@given(st.text())
def test_reading_undoes_exactly_what_the_export_did(value: str) -> None:
    assert without_text_marker(neutralize(value)) == value


@given(st.text())
def test_a_cell_read_and_written_again_is_unchanged_or_protected(cell: str) -> None:
    """A list's cell read as its value and exported again (what `dedupe-file` does to every
    cell it passes through): the same cell, or an unprotected formula now protected."""
    again = neutralize(without_text_marker(cell))
    assert again == cell or (starts_like_formula(cell) and again == "'" + cell)


def test_a_text_that_reads_as_neutralised_is_marked_once_more() -> None:
    """`'=` written as it is would come back as `=`: the export marks it again, and Excel,
    which hides one leading apostrophe, shows the text as it was."""
    for value in ("'=", "'+49 30 123456", "''=1+1", "'＝A1"):
        assert neutralize(value) == "'" + value
        assert without_text_marker(neutralize(value)) == value
    assert without_text_marker("''=1+1") == "'=1+1"


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
