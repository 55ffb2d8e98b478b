"""The values a form submission may hold: JSON read with limits, yes/no flags, times.

A value no form field can hold (a number of 100 digits, NaN, nesting 1,000 levels deep, a
lone UTF-16 surrogate) or one that does not read as what its key promises raises
`RowProblem`, which sends the submission to quarantine with the key and the reason.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

MAX_DEPTH = 32
"""Deepest nesting of objects/lists a submission may have; form tools export 3 or 4."""
MAX_DIGITS = 30
"""Longest integer a submission may hold (phone numbers and millisecond times have < 20)."""
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_TRUE = frozenset({"true", "1", "yes", "y", "ja", "j", "on", "x", "checked", "wahr"})
_FALSE = frozenset({"false", "0", "no", "n", "nein", "off", "unchecked", "falsch", ""})
_GERMAN_TIME = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y")


class RowProblem(Exception):
    """One submission cannot be read: the key (None: the whole line) and why."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class _Invalid:
    """Stands in for a number JSON allows but no form field can hold (NaN, 1e400, 10**100)."""

    reason: str

    def __str__(self) -> str:
        return self.reason


def _number(text: str) -> float | _Invalid:
    value = float(text)
    if math.isfinite(value):
        return value
    return _Invalid(f"the number {text[:40]} is too large; export it as text")


def _integer(text: str) -> int | _Invalid:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        return _Invalid(f"a number with {digits} digits (at most {MAX_DIGITS}); no form field "
                        "holds such a number, export it as text if it is one")
    return int(text)


def _constant(name: str) -> _Invalid:
    return _Invalid(f"{name} is not a value; export an empty field instead")


def decode_json(text: str) -> Any:
    """`json.loads`, with numbers no field can hold kept for `check_value` to name."""
    return json.loads(text, parse_float=_number, parse_int=_integer, parse_constant=_constant)


def parse_json(text: str) -> Any:
    """One JSON value; numbers no field can hold become `_Invalid` for `check_value` to name.

    Raises `RowProblem` for text that is not JSON or is nested deeper than Python can read."""
    try:
        return decode_json(text)
    except json.JSONDecodeError as exc:
        raise RowProblem(None, f"invalid JSON at column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise RowProblem(None, f"nested more than {MAX_DEPTH} levels deep") from exc


def check_value(obj: Any) -> None:
    """Refuse what cannot be stored or read as a submission, naming the key: nesting deeper
    than MAX_DEPTH, numbers no field can hold, and lone UTF-16 surrogates (not text)."""
    stack: list[tuple[Any, str, int]] = [(obj, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        field = path or None
        if depth > MAX_DEPTH:
            raise RowProblem(field, f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, _Invalid):
            raise RowProblem(field, value.reason)
        if isinstance(value, float) and not math.isfinite(value):
            raise RowProblem(field, "not a finite number")
        if isinstance(value, str) and _SURROGATE.search(value):
            raise RowProblem(field, "contains a lone UTF-16 surrogate (\\ud800-\\udfff), "
                             "which is not text; fix the export's encoding")
        if isinstance(value, dict):
            for key, item in value.items():
                if _SURROGATE.search(key):
                    raise RowProblem(None, f"a key contains a lone UTF-16 surrogate: "
                                     f"{storable(key)!r}")
                stack.append((item, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, path, depth + 1) for item in value)


def storable(text: str) -> str:
    """Text the warehouse can store: lone surrogates spelled as `\\udXXX` escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def text_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if v is not None)
    text = str(value).strip()
    return text or None


def flag_value(name: str, value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowProblem(name, f"{name} is {value!r}, not a yes/no value")


def timestamp_value(name: str, value: Any, zone: ZoneInfo) -> str | None:
    """ISO 8601 in UTC; naive times are read in `zone` (the configured one)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return _timestamp(name, value, zone)
    except (OverflowError, OSError, ValueError) as exc:
        raise RowProblem(name, f"{name} {storable(str(value))[:40]!r} is not a date/time "
                         "between the years 1 and 9999") from exc


def _timestamp(name: str, value: Any, zone: ZoneInfo) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, UTC).isoformat()
    text = str(value).strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        for pattern in _GERMAN_TIME:
            try:
                parsed = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if parsed is None:
        raise RowProblem(name, f"{name} {text!r} is not a date/time (ISO 8601 expected)")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC).isoformat()
