"""Phone numbers: German and international notations, types, extensions, bad input."""

from __future__ import annotations

import random

import phonenumbers
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


def _written(rng: random.Random) -> str:
    """A number as people write it: optional `+`/`(0)`/brackets, digits, random separators."""
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randrange(0, 18)))
    if rng.random() < 0.5:
        digits = rng.choice(["0", "00", "49", "0049", "43", "41", "39", "1", "44"]) + digits
    text = ""
    for ch in digits:
        if rng.random() < 0.3:
            text += rng.choice([" ", "/", "-", "–", ".", " / ", " - ", "(", ")"])
        text += ch
    if rng.random() < 0.2:
        text = text[:2] + " (0) " + text[2:]
    prefix = rng.choice(["", "", "+", "+", "(", "( +", "(+", "++", " + "])
    return prefix + text + rng.choice(["", "", " ", ")", "-"])


def _direct(text: str, region: str) -> tuple[object, ...]:
    """What phonenumbers itself says about the whole written text."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        return None, None, False, f"parse_error: {exc._msg}"
    return (phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
            phonenumbers.region_code_for_number(number), phonenumbers.is_valid_number(number),
            None)


REPAIRS = {"country_code_twice", "country_code_without_plus", "trunk_prefix_added"}


def test_plain_numbers_read_as_their_digits_give_what_phonenumbers_gives() -> None:
    """The digit-string fast path (and its cache shared between notations) changes nothing."""
    rng = random.Random(3)
    for _ in range(3000):
        text = _written(rng)
        region = rng.choice(["DE", "AT", "CH", "IT", "US", "GB", "FR"])
        result = enrich_phone(text, region)
        e164, number_region, valid, error = _direct(text, region)
        if (result.e164, result.valid) != (e164, valid):
            # only a repair differs, and only by making an invalid number valid
            assert REPAIRS & set(result.reasons), (text, region)
            assert not valid, (text, region)
            assert result.valid, (text, region)
            continue
        if error is None and e164 is not None:
            assert result.region == number_region, (text, region)
        if error is not None and result.status == "unparseable" and result.reasons[0] != "empty":
            assert result.reasons == [error], (text, region)


def test_notations_of_one_number_agree() -> None:
    written = ["089 1234560", "089/1234560", "(089) 123456-0", "0 89 / 12 34 56 - 0",
               "089.123.4560", "089 – 1234560"]
    results = {(r.e164, r.type, r.region, tuple(r.reasons))
               for r in (enrich_phone(w) for w in written)}
    assert results == {("+49891234560", "fixed", "DE", ("type: fixed",))}
    assert [enrich_phone(w).input for w in written] == written


@pytest.mark.parametrize(
    ("value", "region", "e164", "reason"),
    [
        ("4930901838210", "DE", "+4930901838210", None),       # number cell with its 49
        ("4930901838210.0", "DE", "+4930901838210", "decimal_artifact_removed"),
        ("30901838210", "DE", "+4930901838210", None),          # area code without its 0
        ("30901838210.0", "DE", "+4930901838210", "decimal_artifact_removed"),
        ("2.21123456E10", "DE", "+4922112345600", "scientific_notation_expanded"),
        ("0234 9388231", "DE", "+492349388231", None),          # joined area code + number
        ("241 6009-0", "DE", "+4924160090", None),
        ("+49 49 30 901838210", "DE", "+4930901838210", "country_code_twice"),
        ("0049 49 89 1234560", "DE", "+49891234560", "country_code_twice"),
        ("4316641234", "AT", "+4316641234", None),
        ("1 5320000", "AT", "+4315320000", None),
    ],
)
def test_numbers_from_spreadsheet_cells(value: str, region: str, e164: str,
                                        reason: str | None) -> None:
    result = enrich_phone(value, region)
    assert (result.e164, result.valid) == (e164, True), result.reasons
    if reason:
        assert reason in result.reasons


def test_a_decimal_artefact_never_becomes_digits() -> None:
    assert enrich_phone("221.0").e164 == "+49221"  # not +492210
    assert not enrich_phone("221.0").valid


@pytest.mark.parametrize(
    ("value", "e164", "count"),
    [("030 671289-14, 030 671289-15", "+493067128914", 2),
     ("0172 4295375; 0172 4308167", "+491724295375", 2),
     ("030 4441664 oder 0157 77927011", "+49304441664", 2)],
)
def test_first_of_several_numbers_in_one_cell(value: str, e164: str, count: int) -> None:
    result = enrich_phone(value)
    assert (result.e164, result.valid, result.input) == (e164, True, value)
    assert result.reasons[0] == f"several_numbers: {count}, first taken"


def test_a_guessed_area_code_is_marked() -> None:
    assert "area_code_without_trunk_prefix" in enrich_phone("241 6009-0").reasons
    assert "country_code_without_plus" in enrich_phone("4930901838210").reasons
    assert enrich_phone("0241 6009-0").reasons == ["type: fixed"]
