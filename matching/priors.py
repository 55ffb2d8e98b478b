"""Fallback match parameters for data too small to train on.

A small company's first list may hold a few dozen records; EM cannot learn m and u from so
few pairs. Until there is enough data, matching uses parameters shipped in
`matching/defaults/<level>.params.json`, trained on the synthetic demo population (see
docs/matching.md). They are used only while they fit the current settings: every
comparison must exist with the same levels.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from matching.settings import MatchSettings

MIN_TRAINING_RECORDS = 300
"""Below this many records a level is matched with the shipped parameters."""


def shipped_params(level: str, settings: MatchSettings) -> dict[str, Any] | None:
    """The shipped parameters of `level`, or None when they do not fit `settings`."""
    resource = resources.files("matching").joinpath("defaults", f"{level}.params.json")
    if not resource.is_file():
        return None
    params: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    stored = params.get("comparisons", {})
    for comparison in settings.comparisons:
        labels = [lv.label for lv in comparison.levels]
        if stored.get(comparison.name, {}).get("labels") != labels:
            return None
    return params
