"""Phone numbers: German and international notations, types, extensions, bad input."""

from __future__ import annotations

import pytest

from enrichment.phone import enrich_phone


@pytest.mark.parametrize(
    ("value", "region", "e164", "kind", "extension", "number_region"),
    [
        ("+49 (0) 89 / 123 456-0", "DE", "+49891234560", "fixed", None, "DE"),
        ("0 61 96 / 50 27-0", "DE", "+49619650270", "fixed", None, "DE"),
        ("089 1234560", "DE", "+49891234560", "fixed", None, "DE"),
        ("089 123456-12", "DE", "+498912345612", "fixed", None, "DE"),  # Durchwahl stays
        ("089 1234560 ext. 12", "DE", "+49891234560", "fixed", "12", "DE"),
        ("089 1234560 x 12", "DE", "+49891234560", "fixed", "12", "DE"),
        ("089 1234560, Durchwahl: 345", "DE", "+49891234560", "fixed", "345", "DE"),
        ("0171 1234567", "DE", "+491711234567", "mobile", None, "DE"),
        ("0800 1234567", "DE", "+498001234567", "toll_free", None, "DE"),
        ("0900 1234567", "DE", "+499001234567", "premium_rate", None, "DE"),
        ("01 234567", "AT", "+431234567", "fixed", None, "AT"),
        ("044 668 18 00", "CH", "+41446681800", "fixed", None, "CH"),
        ("+43 1 234567", "DE", "+431234567", "fixed", None, "AT"),
        ("tel:+4989 1234560", "DE", "+49891234560", "fixed", None, "DE"),
    ],
)
def test_parses_notations(value: str, region: str, e164: str, kind: str,
                          extension: str | None, number_region: str) -> None:
    result = enrich_phone(value, region)
    assert (result.e164, result.type, result.extension, result.region) == \
        (e164, kind, extension, number_region)
    assert result.valid is True
    assert result.input == value


def test_parsed_but_invalid_is_not_valid() -> None:
    result = enrich_phone("032 12345678")
    assert result.e164 == "+493212345678"
    assert result.valid is False
    assert result.status == "invalid"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0 89-ABC", "letters_in_number"),
        ("0800-FLOWERS", "letters_in_number"),
        ("089 123 ☎ 456", "unexpected_characters"),
        ("", "empty"),
        ("   ", "empty"),
        ("+", "parse_error"),
    ],
)
def test_bad_numbers_get_status_and_reason(value: str, reason: str) -> None:
    result = enrich_phone(value)
    assert result.e164 is None
    assert result.valid is False
    assert result.status == "unparseable"
    assert result.reasons[0].startswith(reason)


def test_none_is_missing() -> None:
    assert enrich_phone(None).reasons == ["missing"]
    assert enrich_phone(None).status is None
