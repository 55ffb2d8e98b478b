"""Scores in plain German: grade labels and each factor's explanation, for the lead page.

Scores store their explanation in English (`core.lead_scores.explanation`: part, factor,
detail, points); the wording in `scoring/defaults/texts_de.yaml` reads each detail back with
a pattern per factor, so the stored history needs no migration and an installation can reword
it. Pure.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from foundation.config import load_config
from foundation.vocabulary import GRADES


class Pattern(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    match: str
    text: str

    @model_validator(mode="after")
    def _groups_fill_the_text(self) -> Pattern:
        try:
            groups = set(re.compile(self.match).groupindex)
        except re.error as exc:
            raise ValueError(f"match: not a regular expression: {exc}") from exc
        wanted = {name for _, name, _, _ in string.Formatter().parse(self.text) if name}
        if wanted - groups:
            raise ValueError(f"text names {{{sorted(wanted - groups)[0]}}}, which `match` "
                             "does not capture")
        return self


class FactorText(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1)
    patterns: tuple[Pattern, ...] = ()


class ScoreTexts(BaseModel):
    """The German wording of grades, score parts and factor explanations."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    grades: dict[str, str]
    parts: dict[str, str]
    outcomes: dict[str, str]
    values: dict[str, dict[str, str]]
    learned_weight: str
    factors: dict[str, FactorText]

    @field_validator("grades")
    @classmethod
    def _every_grade(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [g for g in GRADES if g not in value]
        if missing:
            raise ValueError(f"grade {missing[0]} has no German label")
        return value


@lru_cache(maxsize=8)
def load_score_texts(config_dir: Path | None = None) -> ScoreTexts:
    """Cached: the lead page renders per request; the files change with a restart."""
    return load_config("scoring", "texts_de", ScoreTexts, config_dir).value


def describe_factor(part: str, factor: str, detail: str, texts: ScoreTexts) -> str:
    """One explanation line in German ("Branche WZ 62.01 passt zu 62"); a detail no pattern
    reads is shown after the factor's German label rather than dropped."""
    entry = texts.factors.get(factor)
    label = entry.label if entry else factor
    if part == "learned" and factor != "win_probability":
        return texts.learned_weight.format(label=label)
    for pattern in entry.patterns if entry else ():
        found = re.match(pattern.match, detail)
        if found:
            values = {name: texts.values.get(name, {}).get(value, value)
                      for name, value in found.groupdict(default="").items()}
            return pattern.text.format_map(values)
    return f"{label}: {detail}"


def _points(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _describe(entry: Mapping[str, Any], texts: ScoreTexts) -> str:
    return describe_factor(str(entry.get("part")), str(entry.get("factor")),
                           str(entry.get("detail")), texts)


def top_reasons_de(explanation: Sequence[Mapping[str, Any]], texts: ScoreTexts,
                   n: int = 3) -> list[str]:
    """The reasons a lead's card shows, as `LeadScore.top_reasons` picks them (the `n`
    largest positive rule contributions, "text (+14)"), then the learned win probability."""
    rule = [e for e in explanation if e.get("part") != "learned" and _points(e.get("points")) > 0]
    ranked = sorted(rule, key=lambda e: _points(e.get("points")), reverse=True)[:n]
    reasons = [f"{_describe(e, texts)} (+{_points(e.get('points')):.0f})" for e in ranked]
    reasons += [describe_factor("learned", "win_probability", str(e.get("detail")), texts)
                for e in explanation if e.get("part") == "learned"
                and e.get("factor") == "win_probability"]
    return reasons
