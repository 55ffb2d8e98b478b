"""Country inference from postcode shape, phone prefix, TLD and city when no column says it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichment.config import country_config
from enrichment.country import (
    infer_countries,
    infer_country,
    phone_countries,
    phone_country,
    postcode_countries,
    tld_country,
)
from foundation.config import ConfigError


@pytest.mark.parametrize(
    ("postcode", "phones", "domains", "city", "country", "source"),
    [
        ("1067", (), (), None, "DE", "default"),           # Dresden without its zero
        ("1067", (), (), "Dresden", "DE", "default"),
        ("04109", ("0341 1234567",), (), None, "DE", "default"),
        ("1010", ("+43 1 5320000",), (), None, "AT", "inferred: postcode+phone"),
        ("1010", ("0043 1 5320000",), (), None, "AT", "inferred: postcode+phone"),
        ("5020", (), ("office@almhof.at",), None, "AT", "inferred: postcode+tld"),
        ("8005", (), ("www.zuerich-beispiel.ch",), None, "CH", "inferred: postcode+tld"),
        ("3011", ("+41 31 3110000",), ("info@baern.ch",), None, "CH",
         "inferred: postcode+phone+tld"),
        ("4020", (), (), "Linz", "AT", "inferred: postcode+city"),
        ("9490", ("+423 2361234",), (), "Vaduz", "LI", "inferred: postcode+phone+city"),
        ("2511 CV", (), (), None, "NL", "inferred: postcode"),
        ("00-950", (), (), None, "PL", "inferred: postcode"),
        (None, ("+43 664 1234567",), (), None, "AT", "inferred: phone"),
        (None, (), ("info@firma.de",), None, "DE", "inferred: tld"),
        (None, (), ("info@firma.com",), None, "DE", "default"),
        (None, (), (), None, "DE", "default"),
        # The postcode belongs to the address: a German one with an Austrian mobile stays DE.
        ("80331", ("+43 664 1234567",), (), None, "DE", "default"),
        ("80331", ("+43 664 1234567",), ("a@b.de",), None, "DE", "inferred: postcode+tld"),
        # A German number and a .de address speak for DE over a 4-digit postcode.
        ("1067", ("+49 351 1234567",), (), None, "DE", "inferred: postcode+phone"),
    ],
)
def test_infer(postcode: str | None, phones: tuple[str, ...], domains: tuple[str, ...],
               city: str | None, country: str, source: str) -> None:
    guess = infer_country(postcode, phones, domains, city)
    assert (guess.country, guess.source) == (country, source)


def test_many_records_at_once_as_one_at_a_time() -> None:
    """`infer_countries` (the matching path) guesses what `infer_country` guesses."""
    cases: list[tuple[str | None, tuple[str, ...], tuple[str, ...], str | None]] = [
        (postcode, phones, domains, city)
        for postcode in ("1067", "1010", "80331", "2511 CV", " ", None)
        for phones in ((), ("+43 1 5320000",), ("030 1234", "0041 44 123"),
                       ("+49 351 1234567", "+423 2361234", "+٤٣ 1 234"))
        for domains in ((), ("office@almhof.at",), ("a@b.de", "www.x.ch"))
        for city in (None, "Linz", "Dresden")]
    postcodes, phones, domains, cities = zip(*cases, strict=True)
    guesses = infer_countries(postcodes, phones, domains, cities)
    assert guesses == [infer_country(*case) for case in cases]
    assert {g.country for g in guesses} >= {"DE", "AT", "CH", "NL"}


NUMBERS = ["+43 1 234", "0041 44 123", "+423 236 1234", "030 1234", " (+41) 44", "((0043",
           "+", "00", "+ 1 212", "00 7 495", "+4", "+\t43", "+\u200343 1", "+٤٣ 1", "0043–1",
           "+49x30", "", "  +352 12"]


def test_phone_prefixes_of_a_column_as_of_one_number() -> None:
    assert phone_countries(NUMBERS) == [phone_country(n) for n in NUMBERS]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789 +()/.-–\t\xa0٤x", max_size=14), max_size=30))
def test_phone_prefixes_of_any_text(numbers: list[str]) -> None:
    assert phone_countries(numbers) == [phone_country(n) for n in numbers]


def test_evidence_helpers() -> None:
    assert phone_country("+43 1 234") == "AT"
    assert phone_country("0041 44 123") == "CH"
    assert phone_country("+423 236 1234") == "LI"
    assert phone_country("030 1234") is None
    assert tld_country("kontakt@verein.ch") == "CH"
    assert tld_country("https://www.beispiel.co.at/impressum") == "AT"
    assert tld_country("firma.eu") is None
    assert "DE" in postcode_countries("1067")
    assert "AT" in postcode_countries("1067")
    assert "DE" not in postcode_countries("0815")  # a lost zero leaves 1000-9999 only


def test_invalid_override_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "enrichment").mkdir(parents=True, exist_ok=True)
    (tmp_path / "enrichment" / "country.yaml").write_text(
        "countries:\n  AT:\n    postcode: ['[0-9']\n    phone_prefixes: ['43']\n"
        "    tlds: [at]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="postcode"):
        country_config(tmp_path)


def test_unknown_default_is_refused(tmp_path: Path) -> None:
    (tmp_path / "enrichment").mkdir(parents=True, exist_ok=True)
    (tmp_path / "enrichment" / "country.yaml").write_text("default: XX\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="XX"):
        country_config(tmp_path)
