"""Value cleaning: spreadsheet error values and placeholders are empty cells."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrichment.text import clean_value, fold, is_placeholder


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


def _fold_every_character(text: str) -> str:
    """`fold` without its ASCII shortcut: every text through NFKD and the accent filter."""
    text = text.translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss",
                                         "Ä": "ae", "Ö": "oe", "Ü": "ue"})).lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


@given(st.text(max_size=30) | st.sampled_from(["Müller-Lüdenscheidt", "Łódź", "Ångström",
                                               "ﬁrma", "İstanbul", "Straße 1", "é", "ＡＢＣ"]))
def test_folding_skips_no_accent(text: str) -> None:
    assert fold.__wrapped__(text) == _fold_every_character(text)
