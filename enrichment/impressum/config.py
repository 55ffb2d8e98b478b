"""The extractor's non-pattern data (country words, name stop words, extra first names)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from enrichment.config import config_dir_in_use
from foundation.config import load_config


class ImpressumConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country_words: dict[str, list[str]]
    not_name_words: list[str]
    extra_first_names: list[str]
    legal_text_headings: list[str]


def impressum_config() -> ImpressumConfig:
    """From enrichment/impressum/defaults/impressum.yaml and the configuration directory
    enrichment was told (`enrichment.config.use_config_dir`), loaded once per directory."""
    return _impressum_config(config_dir_in_use())


@lru_cache(maxsize=4)
def _impressum_config(config_dir: Path | None) -> ImpressumConfig:
    return load_config("enrichment.impressum", "impressum", ImpressumConfig,
                       config_dir=config_dir).value
