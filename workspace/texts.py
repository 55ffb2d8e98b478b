"""German words for leadpipe's values, and the template filters that use them.

The words are data (`workspace/defaults/labels_de.yaml`); a value without a word is shown as
it is, so a new channel or outcome never breaks a page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import yaml

BERLIN = ZoneInfo("Europe/Berlin")


@cache
def labels() -> dict[str, dict[str, str]]:
    text = resources.files("workspace").joinpath("defaults", "labels_de.yaml").read_text(
        encoding="utf-8")
    loaded: dict[str, dict[str, str]] = yaml.safe_load(text)
    return loaded


def label(value: object, kind: str) -> str:
    if value is None:
        return ""
    return labels().get(kind, {}).get(str(value), str(value))


def german_date(value: object) -> str:
    """10.11.2026 (and 10.11.2026 14:05 for a moment in time)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:  # stored in UTC, read in Germany
            value = value.astimezone(BERLIN)
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def german_number(value: object, digits: int = 0) -> str:
    """1.234,5 — thousands with a dot, decimals with a comma."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        value = float(value)
    if not isinstance(value, int | float):
        return str(value)
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


FILTERS: dict[str, Callable[..., Any]] = {
    "label": label, "german_date": german_date, "german_number": german_number,
}
