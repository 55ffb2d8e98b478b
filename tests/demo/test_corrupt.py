"""Corruption keeps meaning: every phone notation parses back to the same number."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from leadpipe.demo.corrupt import (
    ascii_umlauts,
    legal_form_variant,
    phone_notation,
    street_variant,
    typo,
)


@pytest.mark.parametrize(("area", "subscriber", "ext", "e164"), [
    ("089", "123456", "0", "+49891234560"),
    ("06196", "5027", "0", "+496196 50270".replace(" ", "")),
    ("030", "2345678", "", "+49302345678"),
    ("0171", "2345678", "", "+491712345678"),
])
def test_every_phone_notation_parses_to_the_same_number(area: str, subscriber: str, ext: str,
                                                        e164: str) -> None:
    rng = random.Random(3)
    seen = set()
    for _ in range(200):
        text = phone_notation("49", area, subscriber, ext, rng)
        seen.add(text)
        parsed = phonenumbers.parse(text, "DE")
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == e164, \
            text
    assert len(seen) >= 8


def test_legal_form_street_and_umlaut_variants() -> None:
    rng = random.Random(1)
    forms = {legal_form_variant("Müller Logistik GmbH", rng) for _ in range(50)}
    assert "Müller Logistik G.m.b.H." in forms
    assert "Müller Logistik Gesellschaft mit beschränkter Haftung" in forms
    assert legal_form_variant("Müller GmbH & Co. KG", random.Random(2)).startswith("Müller GmbH")
    assert "GmbH & Co. KG" not in legal_form_variant("Müller GmbH & Co. KG", random.Random(2))
    streets = {street_variant("Goethestraße", rng) for _ in range(50)}
    assert {"Goethestr.", "Goethestrasse"} <= streets
    assert ascii_umlauts("Größe Müßig Ärger") == "Groesse Muessig Aerger"
    assert typo("Schneider", random.Random(5)) != "Schneider"
