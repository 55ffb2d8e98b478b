"""The German fast path of `enrichment.phone._number` reads every number as phonenumbers.parse
does: same E.164, status, type, region and reasons."""

from __future__ import annotations

import random

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from bench.generate_leads import generate
from enrichment import phone


def _parsed(text: str, region: str) -> phone._Parsed:
    """`_number` as it was: phonenumbers.parse for every number."""
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        return None, "unparseable", None, None, (f"parse_error: {exc._msg}",)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    number_region = phonenumbers.region_code_for_number(number)
    raw_type = phonenumbers.number_type(number)
    if number_region is None or raw_type == PhoneNumberType.UNKNOWN:
        reason = "invalid_number"
        if not phonenumbers.is_possible_number(number):
            reason = "impossible_length"
        return e164, "invalid", "unknown", number_region, (reason,)
    kind = phone._TYPES.get(raw_type, "unknown")
    if kind == "unknown":
        return e164, "valid", kind, number_region,\
            (f"type_unmapped: {phone._type_name(raw_type)}",)
    return e164, "valid", kind, number_region, (f"type: {kind}",)


def test_german_numbers_read_as_phonenumbers_reads_them() -> None:
    rng = random.Random(18)
    texts = {"".join(c for c in g.row["phone"] if c.isdigit() or c == "+")
             for g in generate(3000, seed=18, dup_rate=0.2)}
    for _ in range(6_000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 15)))
        texts.add(rng.choice(("0", "0", "+49", "+490", "0049", "00490", "00", "+43", ""))
                  + digits)
    texts |= {"01711234567", "+4915112345678", "0800123456", "0900123456", "032123456789",
              "0180512345", "0301234", "+49301234567890123", "089123456"}
    fast = [t for t in texts if phone._GERMAN.fullmatch(t)]
    assert len(fast) > 3_000
    for text in sorted(texts):
        assert phone._number.__wrapped__(text, "DE") == _parsed(text, "DE"), text
    for text in sorted(fast)[:1000]:  # dialled from elsewhere: no fast path
        assert phone._number.__wrapped__(text, "AT") == _parsed(text, "AT"), text


def test_german_type_is_phonenumbers_number_type() -> None:
    """The type check over Germany's precompiled metadata says what number_type says, for
    every number type Germany has (fixed, mobile, 0800, 0900, 0180, 032, 0700 …)."""
    rng = random.Random(7)
    nationals = {str(rng.choice("123456789")) + "".join(rng.choice("0123456789")
                                                         for _ in range(rng.randint(1, 14)))
                 for _ in range(20_000)}
    nationals |= {p + "".join(rng.choice("0123456789") for _ in range(n))
                  for p in ("15", "16", "17", "180", "32", "700", "800", "900", "1371", "118")
                  for n in range(2, 12) for _ in range(30)}
    kinds = set()
    for national in sorted(nationals):
        expected = phonenumbers.number_type(
            phonenumbers.PhoneNumber(country_code=49, national_number=int(national)))
        assert phone._german_type(national) == expected, national
        kinds.add(expected)
    assert len(kinds) >= 6
