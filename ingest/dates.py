"""Calendar days as people type them: ISO (2026-11-20) or German (20.11.2026, 20.11.26).

One parser for every place that asks a person for a date — CLI options, list metadata files,
Prefect parameters — so `20.11.2026` works wherever `2026-11-20` does. Day-first is the only
reading of a dotted date: German lists never write the month first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

_GERMAN = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})\s*$")
DAY_PATTERN = r"^(\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.(\d{2}|\d{4}))$"
DAY_EXAMPLE = "2026-11-20 or 20.11.2026"


def parse_day(value: str | date | datetime) -> date:
    """The day a value names; ValueError with an example of what is accepted."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    german = _GERMAN.match(text)
    try:
        if german:
            day, month, year = (int(part) for part in german.groups())
            return date(year + 2000 if year < 100 else year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a date; write it like {DAY_EXAMPLE}")


def _lenient(value: Any) -> Any:
    return parse_day(value) if isinstance(value, str | date) else value


Day = Annotated[
    date,
    BeforeValidator(_lenient),
    WithJsonSchema({"type": "string", "pattern": DAY_PATTERN,
                    "examples": ["2026-11-20", "20.11.2026"]}),
]
"""A date field (pydantic, Prefect parameters) that also takes German dates.

Its JSON schema is a string with a pattern rather than `format: date`, because a schema date
would make Prefect refuse `--param acquired_on=20.11.2026` before the flow sees it."""

DayText = Annotated[str, Field(pattern=f"^$|{DAY_PATTERN}",
                               examples=["2026-11-20", "20.11.2026"])]
"""An optional date typed into a form (empty: not given): one text field, not Prefect's
"str or None" toggle that a person has to switch before typing. `day_or_none` reads it."""


def day_or_none(text: str) -> date | None:
    return parse_day(text) if text.strip() else None


@dataclass(frozen=True)
class DateRefusal:
    """A list date that would defeat the compliance rules: the field and why."""

    field: str
    reason: str


def refuse_list_dates(acquired_on: date, licence_end: date | None,
                      today: date) -> DateRefusal | None:
    """Refuse an acquisition date in the future and a licence that ends before it.

    The Art. 14 notice deadline runs from `acquired_on`: a future date postpones it for as
    long as the date lies ahead. A licence ending before the purchase is a typo in one of
    the two dates, and the rules would judge the list's use by the wrong one.
    """
    if acquired_on > today:
        return DateRefusal("acquired_on", f"the acquisition date {acquired_on:%d.%m.%Y} lies in "
                           f"the future (today is {today:%d.%m.%Y}); the GDPR Art. 14 notice "
                           "deadline runs from it, so give the day the list was bought")
    if licence_end is not None and licence_end < acquired_on:
        return DateRefusal("licence_end", f"the licence ends ({licence_end:%d.%m.%Y}) before "
                           f"the list was acquired ({acquired_on:%d.%m.%Y}); correct one of "
                           "the two dates")
    return None
