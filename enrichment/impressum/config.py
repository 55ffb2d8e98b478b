"""The extractor's non-pattern data (country words, name stop words, extra first names)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from foundation.config import load_config


class ImpressumConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country_words: dict[str, list[str]]
    not_name_words: list[str]
    extra_first_names: list[str]
    legal_text_headings: list[str]


@lru_cache(maxsize=1)
def impressum_config() -> ImpressumConfig:
    """Loaded once per process from enrichment/impressum/defaults/impressum.yaml."""
    from foundation.settings import load_settings

    settings = load_settings()
    return load_config("enrichment.impressum", "impressum", ImpressumConfig,
                       config_dir=settings.config_dir).value
