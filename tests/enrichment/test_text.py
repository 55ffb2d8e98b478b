"""Value cleaning: spreadsheet error values and placeholders are empty cells."""

from __future__ import annotations

import pytest

from enrichment.text import clean_value, is_placeholder


@pytest.mark.parametrize("value", ["#WERT!", "#NV", "#N/A", "#DIV/0!", "#REF!", "#BEZUG!",
                                   "#NAME?", "#ZAHL!", "#NUM!", "#NULL!", "#VALUE!", " #n/a ",
                                   "null", "NULL", "n/a", "N/A", "-", "0", "none", "k.A."])
def test_errors_and_placeholders_are_empty(value: str) -> None:
    assert is_placeholder(value)
    assert clean_value(value) is None


@pytest.mark.parametrize("value", ["Nullstraße 3", "0711 123456", "Null GmbH", "-Firma",
                                   "#1 Pizza", "N/A GmbH", "00", "n"])
def test_real_values_stay(value: str) -> None:
    assert clean_value(value) == value


def test_zero_is_a_value_outside_text_columns() -> None:
    assert clean_value("0", text_column=False) == "0"
    assert clean_value("#WERT!", text_column=False) is None
