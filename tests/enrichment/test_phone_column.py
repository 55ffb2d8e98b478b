"""`enrichment.phone.e164_column` gives, value for value, the E.164 `enrich_phone` gives: the
whole-column path through RE2 may settle a value only where it reads it exactly as Python."""

from __future__ import annotations

import random
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate_leads import generate
from enrichment.phone import e164_column, enrich_phone

REGIONS = ("DE", "DE", "DE", "AT", "CH", "FR")


def _per_value(values: Sequence[str | None], regions: Sequence[str]) -> list[str | None]:
    return [None if v is None else enrich_phone(v, r).e164
            for v, r in zip(values, regions, strict=True)]


NOTATIONS = [
    "089 1234560", "+49 (0) 89 / 123 456-0", "(089) 123456-0", "0049 89 1234560",
    "+490891234560", "0171/1234567", "0171/1234567 x12", "Tel.: 030 12345678",
    "030 671289-14, 030 671289-15", "221.0", "2.21123456E10", "4930901838210",
    "30901838210", "+49 49 30 901838210", " 030  12345678 ", "030\t1234 5678",
    "\x0b030 12345678", "030\xa012345678", "030\u200312345678", "030 – 1234567",
    "0800 1234567", "0900 1234567", "0180 5 123456", "032 123456789", "0700 12345678",
    "+43 1 5123456", "+41 44 668 18 00", "0043 1 5123456", "01", "12", "+", "", " ",
    "0163-7017691 (Anruf, SMS)", "#WERT!", "0301234", "+49301234567890123", "0 61 96 / 50 27-0",
    "(+49) 30 1234567", "((030)) 1234567", "+ 49 30 1234567", "++49 30 1234567",
    "030/1234567/8", "030.1234.567", "٠٣٠١٢٣٤٥٦٧", "030 1234567 ", "0049 (0)30 1234567",
    # not valid German numbers (as a tenth of a generated list's are): parse keeps them +49
    "0457/6858908-41", "0978 354987520", "(079) 8966533", "+49 31 10257070", "+49601894167",
    "0049 978 739324462", "+49 (0) 469 / 45 65 37-79", "07 59 / 5 87 30 74-0", "01234",
    "0 1234", "+49 1234", "012345678901234", "+49 12345678901234", "+49 0 1234",
    # the country code twice, or a national number starting 49: repaired only where valid
    "+49 49 30 901838210", "0049 49 89 1234560", "+49 4912345", "0049 491 234", "049 1234567",
]


def test_notations_seen_in_lists_read_as_one_value_at_a_time() -> None:
    for region in ("DE", "AT"):
        regions = [region] * len(NOTATIONS)
        assert e164_column(NOTATIONS, regions) == _per_value(NOTATIONS, regions)


def test_a_generated_list_and_random_digit_strings() -> None:
    rng = random.Random(18)
    values: list[str | None] = [g.row["phone"] or None for g in generate(3000, seed=5)]
    for _ in range(4000):
        digits = "".join(rng.choice("0123456789 /-()") for _ in range(rng.randint(3, 18)))
        values.append(rng.choice(("0", "+49 ", "+49 (0)", "0049", "00", "+43", "")) + digits)
    regions = [rng.choice(REGIONS) for _ in values]
    assert e164_column(values, regions) == _per_value(values, regions)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="0123456789 +()/.-–\t\xa0e,Ex", max_size=24)),
                max_size=30), st.sampled_from(REGIONS))
def test_any_text_of_number_characters(values: list[str | None], region: str) -> None:
    regions = [region] * len(values)
    assert e164_column(values, regions) == _per_value(values, regions)


def test_a_column_without_numbers_is_all_missing() -> None:
    """A list without mobile or fax numbers: nothing to read, for any region."""
    assert e164_column([None, None, None], ["DE", "AT", "DE"]) == [None, None, None]
    assert e164_column([], []) == []
