"""Addresses: street/number split, whole lines, PO boxes, postcodes, countries."""

from __future__ import annotations

import pytest

from enrichment.address import country_code, enrich_address, match_street


@pytest.mark.parametrize(
    ("value", "street", "number"),
    [
        ("Hauptstr. 12a", "Hauptstr.", "12a"),
        ("Hauptstraße 12 a", "Hauptstraße", "12a"),
        ("Am Markt 3-5", "Am Markt", "3-5"),
        ("Am Markt 3 - 5", "Am Markt", "3-5"),
        ("Straße des 17. Juni 135", "Straße des 17. Juni", "135"),
        ("Haupt-Straße 7/1", "Haupt-Straße", "7/1"),
        ("Q 7, 12", "Q 7", "12"),
        ("Postfach 1234", "Postfach 1234", None),
        ("Postfach 12 34", "Postfach 1234", None),
        ("Lindenallee", "Lindenallee", None),
    ],
)
def test_street_split(value: str, street: str, number: str | None) -> None:
    result = enrich_address(value)
    assert (result.street, result.house_number) == (street, number)


def test_po_box_flag_and_missing_number_reason() -> None:
    assert enrich_address("Postfach 1234").po_box is True
    assert "house_number_missing" in enrich_address("Lindenallee").reasons


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Hauptstr. 12a, 80331 München",
         ("Hauptstr.", "12a", "80331", "München", "DE")),
        ("Bahnhofstrasse 1, 8001 Zürich, Schweiz",
         ("Bahnhofstrasse", "1", "8001", "Zürich", "CH")),
        ("Mariahilfer Str. 1, A-1060 Wien",
         ("Mariahilfer Str.", "1", "1060", "Wien", "AT")),
    ],
)
def test_whole_lines(value: str, expected: tuple[str, ...]) -> None:
    r = enrich_address(value)
    assert (r.street, r.house_number, r.postcode, r.city, r.country) == expected
    assert r.reasons == []


@pytest.mark.parametrize(
    ("postcode", "country", "ok"),
    [("80331", "DE", True), ("803", "DE", False), ("1060", "AT", True),
     ("10600", "AT", False), ("8001", "Schweiz", True), ("8033A", None, False)],
)
def test_postcode_check(postcode: str, country: str | None, ok: bool) -> None:
    r = enrich_address(street="Weg 1", postcode=postcode, country=country)
    assert (not any(x.startswith("postcode_invalid") for x in r.reasons)) is ok


@pytest.mark.parametrize(
    ("name", "iso"),
    [("Deutschland", "DE"), ("germany", "DE"), ("D", "DE"), ("Österreich", "AT"),
     ("Schweiz", "CH"), ("Suisse", "CH"), ("UK", "GB"), ("Atlantis", None), ("", None)],
)
def test_country_codes(name: str, iso: str | None) -> None:
    assert country_code(name) == iso


def test_unknown_country_is_a_reason_and_default_used() -> None:
    r = enrich_address(street="Weg 1", country="Atlantis", default_country="DE")
    assert r.country == "DE"
    assert "country_unknown: Atlantis" in r.reasons


@pytest.mark.parametrize(
    "variant", ["Hauptstraße", "Hauptstr.", "Haupt-Straße", "HAUPTSTRASSE", "Hauptstr"]
)
def test_match_street_folds_variants(variant: str) -> None:
    assert match_street(variant) == "hauptstrasse"


def test_match_street_keeps_separate_words() -> None:
    assert match_street("Am Markt") == "am markt"
    assert match_street("Berliner Str.") == "berlinerstrasse"
    assert match_street("Berliner Straße") == match_street("Berliner Str.")


@pytest.mark.parametrize(("kwargs", "reason"), [({}, "missing"), ({"street": ""}, "empty")])
def test_empty_vs_missing(kwargs: dict[str, str], reason: str) -> None:
    assert enrich_address(**kwargs).reasons == [reason]


@pytest.mark.parametrize(
    ("postcode", "country", "expected", "padded"),
    [("1067", "DE", "01067", True), ("1067", None, "01067", True), ("4109.0", "DE", "04109", True),
     ("99084", "DE", "99084", False), ("1010", "AT", "1010", False),
     ("8001", "CH", "8001", False), ("9490", "LI", "9490", False), ("0815", "DE", "0815", False)],
)
def test_lost_leading_zero_is_restored_in_germany_only(
    postcode: str, country: str | None, expected: str, padded: bool,
) -> None:
    r = enrich_address(street="Weg 1", postcode=postcode, country=country)
    assert r.postcode == expected
    assert ("postcode_padded" in r.reasons) is padded


@pytest.mark.parametrize("value", ["#WERT!", "null", "-", "0", "#NV"])
def test_placeholder_address_values_are_empty(value: str) -> None:
    r = enrich_address(street=value, postcode="80331", city=value)
    assert (r.street, r.city, r.postcode) == (None, None, "80331")
