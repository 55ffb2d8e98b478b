"""The generators' vocabulary (cities, streets, legal forms, third parties) from data/world.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class City:
    country: str
    name: str
    postcode: str
    area_code: str
    court: str


@dataclass(frozen=True)
class Vocabulary:
    cities: dict[str, tuple[City, ...]]
    streets: tuple[str, ...]
    legal_forms: dict[str, tuple[str, ...]]
    industries: tuple[tuple[str, str], ...]
    company_words: tuple[str, ...]
    positions: tuple[str, ...]
    titles: tuple[str, ...]
    free_email_domains: tuple[str, ...]
    third_parties: dict[str, tuple[str, ...]]
    consent_texts: dict[str, str]


@cache
def vocabulary() -> Vocabulary:
    text = resources.files("leadpipe.demo").joinpath("data/world.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    return Vocabulary(
        cities={
            country: tuple(City(country, *row) for row in rows)
            for country, rows in raw["cities"].items()
        },
        streets=tuple(raw["streets"]),
        legal_forms={k: tuple(v) for k, v in raw["legal_forms"].items()},
        industries=tuple((name, code) for name, code in raw["industries"]),
        company_words=tuple(raw["company_words"]),
        positions=tuple(raw["positions"]),
        titles=tuple(raw["titles"]),
        free_email_domains=tuple(raw["free_email_domains"]),
        third_parties={k: tuple(v) for k, v in raw["third_parties"].items()},
        consent_texts=dict(raw["consent_texts"]),
    )
