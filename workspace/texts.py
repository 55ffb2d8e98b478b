"""German words for leadpipe's values, and the template filters that use them.

The words are data. Channels, decisions and source kinds take their words from the
compliance texts, outcomes from the scoring texts (`<package>/defaults/texts_de.yaml`, which
the lead page's sentences use too, so list and lead page say the same); the words only the
pages need are in `workspace/defaults/labels_de.yaml`. A value without a word is shown as it
is, so a new channel or outcome never breaks a page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from compliance.texts import load_texts
from scoring.texts import load_score_texts

BERLIN = ZoneInfo("Europe/Berlin")
Labels = dict[str, dict[str, str]]


@lru_cache(maxsize=8)
def load_labels(config_dir: Path | None) -> Labels:
    """kind → value → German word: the pages' own words and the domain texts' ones."""
    text = resources.files("workspace").joinpath("defaults", "labels_de.yaml").read_text(
        encoding="utf-8")
    own: Labels = yaml.safe_load(text)
    compliance, scoring = load_texts(config_dir), load_score_texts(config_dir)
    return {**own, "channel": compliance.channels, "decision": compliance.decisions,
            "source_kind": compliance.source_kinds, "outcome": scoring.outcomes,
            "reason": {code: reason.text for code, reason in compliance.reasons.items()}}


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


def template_filters(labels: Labels) -> dict[str, Callable[..., Any]]:
    """The filters the templates use: `label(kind)`, `german_date`, `german_number`."""
    def label(value: object, kind: str) -> str:
        if value is None:
            return ""
        return labels.get(kind, {}).get(str(value), str(value))

    return {"label": label, "german_date": german_date, "german_number": german_number}
