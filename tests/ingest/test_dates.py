"""Dates as people type them: ISO and German, in every place a date is asked for."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from ingest.dates import DAY_PATTERN, Day, day_or_none, parse_day


@pytest.mark.parametrize(("text", "day"), [
    ("2026-11-20", date(2026, 11, 20)), ("20.11.2026", date(2026, 11, 20)),
    ("1.2.2026", date(2026, 2, 1)), (" 20.11.26 ", date(2026, 11, 20)),
])
def test_iso_and_german_dates(text: str, day: date) -> None:
    assert parse_day(text) == day
    assert re.match(DAY_PATTERN, text.strip())


@pytest.mark.parametrize("text", ["32.11.2026", "2026-13-01", "11/20/2026", "gestern", ""])
def test_anything_else_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape("2026-11-20 or 20.11.2026")):
        parse_day(text)


def test_dates_and_datetimes_pass_through() -> None:
    assert parse_day(datetime(2026, 11, 20, 9, 30)) == date(2026, 11, 20)
    assert TypeAdapter(Day).validate_python("20.11.2026") == date(2026, 11, 20)
    with pytest.raises(ValidationError):
        TypeAdapter(Day).validate_python("20.13.2026")


def test_an_empty_form_field_is_no_date() -> None:
    assert day_or_none("") is None
    assert day_or_none("20.11.2026") == date(2026, 11, 20)
