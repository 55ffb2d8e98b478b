"""Phone numbers with phonenumbers: E.164, type, validity, extension; the original is kept.

German lists write numbers in every notation (`+49 (0) 89 / 123 456-0`, `0 61 96 / 50 27-0`);
phonenumbers handles the "(0)" trunk prefix and the hyphenated Durchwahl, which stays part of
the number. Only explicit markers (`ext.`, `x`, `Durchwahl:`) make an extension. Letters are
refused rather than read as a vanity keypad: in a lead list they are a data error.

Most numbers are plain: digits, spaces and `()/.-–`, at most one leading `+`. phonenumbers reads
such a text exactly as it reads its digits alone (it drops the punctuation before anything
else), so plain numbers are parsed as that digit string, which is faster and lets every
notation of one number (`089 123456-0`, `(089) 1234560`) share one cached result.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Literal

import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import (
    NumberParseException,
    PhoneNumberType,
    enable_pattern_cache,
)

enable_pattern_cache()
"""phonenumbers re-compiles its metadata patterns through `re`'s cache of 512 entries, which
German numbers alone overflow; its own unbounded cache (bounded by the metadata) saves ~6 %
of the enrichment's CPU."""

PhoneType = Literal["fixed", "mobile", "toll_free", "premium_rate", "voip", "unknown"]
PhoneStatus = Literal["valid", "invalid", "unparseable"]
_Parsed = tuple[str | None, PhoneStatus, PhoneType | None, str | None, tuple[str, ...]]
"""(E.164, status, type, region, reasons) of a number as phonenumbers reads it."""

_EXTENSION = re.compile(
    r"\s*(?:,|;)?\s*(?:ext\.?|extension|x|durchwahl\s*:|dw\.?\s*:?|app\.?|nebenstelle\s*:?)"
    r"\s*(\d{1,6})\s*$",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"^(?:Tel(?:efon)?(?:\.?\s?-?\s?(?:Nr|Nummer)|nummer)?|Telephone|Phone|Fon|Ruf|T|P|"
    r"Handy|Mobil(?:funk|telefon|nummer)?|Mobile|Mob|Cell|Festnetz|Zentrale|Büro|Office|"
    r"Hotline|Durchwahl|Direkt(?:wahl)?|(?:Tele)?[Ff]ax)\s*[.:]*\s*(?=[+(\d])",
    re.IGNORECASE,
)
"""A label written before the number in the same cell (`Tel.: 030 …`, `T +49 …`, `Handy: 0171
…`): taken off with a reason, since the digits alone are the number."""
_LETTERS = re.compile(r"[^\W\d_]")
_ALLOWED = re.compile(r"^[\d\s+()/.\-–]+$")
_PLAIN = re.compile(r"[( ]*(\+?)([0-9][0-9 ()/.\-–]{0,39})")
"""A plain written number: (optional opening bracket) optional `+`, then digits and the
separators phonenumbers ignores. No extension marker, letters or second `+` can occur in it."""
_PUNCTUATION = str.maketrans("", "", " ()/.-–")
_PLAIN_MIN_DIGITS = 3
"""phonenumbers takes two bare digits as a number but not two digits with a separator between
them; from three digits on, separators make no difference."""
_TYPES: dict[int, PhoneType] = {
    PhoneNumberType.FIXED_LINE: "fixed",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.VOIP: "voip",
}


@dataclass(frozen=True)
class PhoneResult:
    input: str | None
    e164: str | None = None
    valid: bool = False
    status: PhoneStatus | None = None
    type: PhoneType | None = None
    region: str | None = None
    extension: str | None = None
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"input": self.input, "e164": self.e164, "valid": self.valid,
                "status": self.status, "type": self.type, "region": self.region,
                "extension": self.extension, "reasons": list(self.reasons)}


def enrich_phone(value: str | None, region: str | None = "DE") -> PhoneResult:
    """Parse one number; `region` (ISO code) is where a number without +CC is dialled."""
    if value is None:
        return PhoneResult(input=None, reasons=["missing"])
    return _enrich(value, (region or "DE").upper())


_DECIMAL_CELL = re.compile(r"(\d+)\.0+")
_SCIENTIFIC_CELL = re.compile(r"\d(?:[.,]\d+)?[eE]\+?\d{1,2}")


def _spreadsheet_number(text: str) -> tuple[str, tuple[str, ...]]:
    """A number cell as a spreadsheet wrote it (`221.0`, `2.21123456E10`) back to its digits."""
    decimal = _DECIMAL_CELL.fullmatch(text)
    if decimal:
        return decimal.group(1), ("decimal_artifact_removed",)
    if _SCIENTIFIC_CELL.fullmatch(text):
        number = Decimal(text.replace(",", "."))
        if number == number.to_integral_value():
            return str(int(number)), ("scientific_notation_expanded",)
    return text, ()


@lru_cache(maxsize=65536)
def _enrich(value: str, region: str) -> PhoneResult:
    text = " ".join(value.split())
    if not text:
        return PhoneResult(input=value, status="unparseable", reasons=["empty"])
    label = _LABEL.match(text)
    if label:
        text = text[label.end():]
        labelled = _enrich(text, region)
        return PhoneResult(**{**labelled.__dict__, "input": value,
                              "reasons": ["label_removed", *labelled.reasons]})
    text, cell_reasons = _spreadsheet_number(text)
    plain = _PLAIN.fullmatch(text)
    if plain:
        digits = plain.group(2).translate(_PUNCTUATION)
        if len(digits) >= _PLAIN_MIN_DIGITS:
            return _result(value, None, _repaired(plain.group(1) + digits, region),
                           cell_reasons)
    several = _SEVERAL.split(text)
    if len(several) > 1 and all(_ALLOWED.match(p) and len(_NON_DIGIT.sub("", p)) >= 6
                                for p in several):
        # "030 671289-14, 030 671289-15": a cell with several numbers; the first is the one
        first = _enrich(several[0], region)
        return PhoneResult(**{**first.__dict__, "input": value,
                              "reasons": [f"several_numbers: {len(several)}, first taken",
                                          *first.reasons]})
    extension = None
    match = _EXTENSION.search(text)
    if match:
        extension = match.group(1)
        text = text[: match.start()].strip()
    if text.lower().startswith("tel:"):
        text = text[4:].strip()
    if _LETTERS.search(text):
        found = _number_in_text(text, region)
        if found is not None:
            return PhoneResult(**{**found.__dict__, "input": value,
                                  "reasons": ["number_taken_from_text", *found.reasons]})
        return PhoneResult(input=value, status="unparseable", extension=extension,
                           reasons=["letters_in_number"])
    if not _ALLOWED.match(text):
        return PhoneResult(input=value, status="unparseable", extension=extension,
                           reasons=["unexpected_characters"])
    return _result(value, extension, _repaired(text, region), cell_reasons)


def _number_in_text(text: str, region: str) -> PhoneResult | None:
    """The one valid number in a cell that also holds words (`0163-7017691 (Anruf, SMS)`,
    `info@x.de +49 178 4047432`), found by phonenumbers' own matcher; None when the cell holds
    no number or several, which stays a data error for the user to see."""
    matches = list(phonenumbers.PhoneNumberMatcher(text, region))
    if len(matches) != 1:
        return None
    return _enrich(matches[0].raw_string, region)


def _result(value: str, extension: str | None, parsed: _Parsed,
            extra: tuple[str, ...] = ()) -> PhoneResult:
    e164, status, kind, number_region, reasons = parsed
    return PhoneResult(input=value, e164=e164, valid=status == "valid", status=status,
                       type=kind, region=number_region, extension=extension,
                       reasons=[*extra, *reasons])


_NON_DIGIT = re.compile(r"\D")
_SEVERAL = re.compile(r"\s*(?:[,;|]|\s(?:oder|od\.|und|or)\s)\s*", re.IGNORECASE)


@lru_cache(maxsize=65536)
def _repaired(text: str, region: str) -> _Parsed:
    """`_number`, and where that is not a valid number, the readings a spreadsheet or a
    column mapping make likely, taken only if valid:

    - the country code without `+`/`00` (a number cell `4930901838210`);
    - the trunk prefix lost (`30901838210`, `241 6009-0` from joined area-code and number
      columns): a German or Austrian area code dialled nationally always starts with 0;
    - the country code twice (`+49 49 30 ...`).
    """
    parsed = _number(text, region)
    digits = _NON_DIGIT.sub("", text)
    international = text.lstrip("( ").startswith(("+", "00"))
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    trunk = metadata.national_prefix if metadata else None
    if parsed[1] == "valid":
        if trunk and digits and not international and not digits.startswith(trunk):
            # phonenumbers reads the first digits as the area code; right for a joined
            # area-code column ("241 6009-0"), a guess for a local number without one
            reason = "country_code_without_plus" if parsed[0] == "+" + digits else \
                "area_code_without_trunk_prefix"
            return (*parsed[:4], (reason, *parsed[4]))
        return parsed
    if not digits:
        return parsed
    candidates: list[tuple[str, str]] = []
    code = str(phonenumbers.country_code_for_region(region))
    if international:
        body = digits[2:] if digits.startswith("00") else digits
        for cc in _calling_code_prefixes(body):
            if body[len(cc):].startswith(cc):
                candidates.append(("+" + body[len(cc):], "country_code_twice"))
    else:
        if code != "0" and digits.startswith(code):
            candidates.append(("+" + digits, "country_code_without_plus"))
        if trunk and not digits.startswith(trunk):
            candidates.append((trunk + digits, "trunk_prefix_added"))
    for candidate, reason in candidates:
        fixed = _number(candidate, region)
        if fixed[1] == "valid":
            return (*fixed[:4], (reason, *fixed[4]))
    return parsed


def _calling_code_prefixes(digits: str) -> list[str]:
    """The calling codes (1-3 digits) `digits` may start with."""
    return [digits[:n] for n in (1, 2, 3)
            if phonenumbers.region_code_for_country_code(int(digits[:n] or 0)) != "ZZ"]


_GERMAN = re.compile(r"(?:(?:\+49|0049)0?|0)([1-9]\d{3,13})")
"""A German number as digits: national (`0` trunk prefix), or with `+49` or `0049`, also with
the trunk prefix a `+49 (0) 89 …` keeps."""


@lru_cache(maxsize=65536)
def _number(text: str, region: str) -> _Parsed:
    """phonenumbers' reading of one number without extension, shared by all its notations.

    A German number dialled in Germany is tried first as the national number after `0`,
    `+49`, `0049` or `+490`, without `phonenumbers.parse` (two thirds of the cost): when
    phonenumbers' own metadata calls that number valid, parse reads it the same way (it takes
    `00` as the international prefix and strips the trunk prefix whenever the rest is a valid
    number; a test compares both on some 10,000 numbers of every notation).
    Everything else, and every number not valid that way, goes through parse.
    """
    german = _GERMAN.fullmatch(text) if region == "DE" else None
    if german is not None:
        national = german.group(1)
        raw_type = _german_type(national)
        if raw_type != PhoneNumberType.UNKNOWN:
            # what format_number and region_code_for_number say of a valid +49 number
            return _valid("+49" + national, raw_type, "DE")
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        return None, "unparseable", None, None, (f"parse_error: {exc._msg}",)
    # number_type is UNKNOWN exactly when the number is not valid for its region, so one
    # call gives both (is_valid_number would run the same pattern matching a second time).
    raw_type = phonenumbers.number_type(number)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    number_region = phonenumbers.region_code_for_number(number)
    if number_region is None or raw_type == PhoneNumberType.UNKNOWN:
        reason = "invalid_number"
        if not phonenumbers.is_possible_number(number):
            reason = "impossible_length"
        return e164, "invalid", "unknown", number_region, (reason,)
    return _valid(e164, raw_type, number_region)


_Desc = tuple[frozenset[int], re.Pattern[str]] | None
"""A number type's possible lengths (empty: any) and pattern; None where the type has none."""
_SPECIAL_TYPES = (("premium_rate", PhoneNumberType.PREMIUM_RATE),
                  ("toll_free", PhoneNumberType.TOLL_FREE),
                  ("shared_cost", PhoneNumberType.SHARED_COST),
                  ("voip", PhoneNumberType.VOIP),
                  ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
                  ("pager", PhoneNumberType.PAGER),
                  ("uan", PhoneNumberType.UAN),
                  ("voicemail", PhoneNumberType.VOICEMAIL))
"""The metadata field and type phonenumbers tests before fixed line and mobile, in its order."""


def _desc(desc: phonenumbers.PhoneNumberDesc | None) -> _Desc:
    if desc is None or not desc.national_number_pattern:
        return None
    return frozenset(desc.possible_length), re.compile(desc.national_number_pattern)


@lru_cache(maxsize=1)
def _german_descs() -> tuple[_Desc, tuple[tuple[_Desc, int], ...], _Desc, _Desc, bool]:
    meta = phonenumbers.PhoneMetadata.metadata_for_region("DE")
    assert meta is not None
    return (_desc(meta.general_desc),
            tuple((_desc(getattr(meta, name)), code) for name, code in _SPECIAL_TYPES),
            _desc(meta.fixed_line), _desc(meta.mobile),
            bool(meta.same_mobile_and_fixed_line_pattern))


def _fits(national: str, desc: _Desc) -> bool:
    return desc is not None and (not desc[0] or len(national) in desc[0]) and \
        desc[1].fullmatch(national) is not None


def _german_type(national: str) -> int:
    """`phonenumbers.number_type` of +49 `national`: its own rules over Germany's metadata
    (general pattern, then the special types in its order, then fixed line and mobile), with
    the patterns compiled once instead of looked up per type and call."""
    general, special, fixed, mobile, same = _german_descs()
    if not _fits(national, general):
        return PhoneNumberType.UNKNOWN
    for desc, code in special:
        if _fits(national, desc):
            return code
    if _fits(national, fixed):
        return PhoneNumberType.FIXED_LINE_OR_MOBILE if same or _fits(national, mobile) \
            else PhoneNumberType.FIXED_LINE
    if not same and _fits(national, mobile):
        return PhoneNumberType.MOBILE
    return PhoneNumberType.UNKNOWN


def _valid(e164: str, raw_type: int, number_region: str) -> _Parsed:
    kind = _TYPES.get(raw_type, "unknown")
    if kind == "unknown":
        return e164, "valid", kind, number_region, (f"type_unmapped: {_type_name(raw_type)}",)
    return e164, "valid", kind, number_region, (f"type: {kind}",)


def _type_name(raw: int) -> str:
    for name in dir(PhoneNumberType):
        if not name.startswith("_") and getattr(PhoneNumberType, name) == raw:
            return name.lower()
    return str(raw)


# ---------------------------------------------------------------------------
# A whole column at once
# ---------------------------------------------------------------------------
def e164_column(values: Sequence[str | None], regions: Sequence[str]) -> list[str | None]:
    """`enrich_phone(value, region).e164` of every value (None for a missing one), for a
    whole column: what matching needs of a list's phone numbers.

    Most values are plain written German numbers dialled in Germany. Those are settled for
    the whole column at once through pyarrow's RE2 with the patterns `_enrich` and `_number`
    apply one value at a time (`_PLAIN` but not a spreadsheet cell, `_GERMAN`); every other
    value, and every value RE2 reads differently from Python (a whitespace other than ASCII),
    goes through `enrich_phone` itself. A test holds both paths equal value for value.
    """
    column = pa.array(values, pa.string())
    if column.null_count == len(column):  # a list without this kind of number
        return [None] * len(column)
    settled, e164 = _plain_german(column, pa.array(regions, pa.string()))
    return [fast if done else None if value is None else enrich_phone(value, region).e164
            for value, region, done, fast in zip(values, regions, settled.to_pylist(),
                                                  e164.to_pylist(), strict=True)]


def _whole(pattern: re.Pattern[str]) -> str:
    """A pattern anchored as its `fullmatch` is, for RE2."""
    return f"^(?:{pattern.pattern})$"


def _plain_german(column: pa.Array, regions: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(settled, E.164): settled where the value is a plain written German number dialled in
    DE; E.164 is then `+49` and the national number, valid or not.

    A valid one is what `_number` gives. An invalid one phonenumbers parses the same way:
    Germany's numbers never start with the trunk prefix `0` (its general pattern), so parse
    strips it, and a national number of 4 to 14 digits is a possible length, so it keeps the
    stripping. `_repaired` then tries other readings, none of which applies to a national
    number with a trunk prefix; of an international one it tries the country code written
    twice, so `+49 49 …` is left to `enrich_phone`."""
    text = pc.utf8_trim(pc.replace_substring_regex(column, r"[\t\n\f\r ]+", " "), " ")
    plain = pc.and_(pc.match_substring_regex(text, _whole(_PLAIN)), pc.invert(pc.or_(
        pc.match_substring_regex(text, _whole(_DECIMAL_CELL)),
        pc.match_substring_regex(text, _whole(_SCIENTIFIC_CELL)))))
    digits = pc.replace_substring_regex(text, r"[^0-9]", "")
    international = pc.starts_with(pc.utf8_ltrim(text, "( "), "+")
    written = pc.if_else(international, pc.binary_join_element_wise("+", digits, ""), digits)
    german = pc.match_substring_regex(written, _whole(_GERMAN))
    national = pc.replace_substring_regex(written, _whole(_GERMAN), r"\1")
    twice = pc.and_(pc.match_substring_regex(written, r"^(?:\+|00)"),
                    pc.starts_with(national, "49"))
    settled = pc.fill_null(pc.and_(pc.and_(pc.equal(regions, "DE"), plain),
                                   pc.and_(german, pc.invert(twice))), False)
    return settled, pc.binary_join_element_wise("+49", national, "")
