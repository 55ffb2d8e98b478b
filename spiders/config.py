"""Crawl configuration (politeness, limits, safety switches), link patterns and the words for
skip reasons, validated."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from foundation.config import LoadedConfig, load_config


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CrawlConfig(_Strict):
    version: int
    user_agent: str = Field(min_length=1)
    contact_url: str = Field(min_length=1)
    max_pages_per_domain: int = Field(ge=1, le=1000)
    depth: int = Field(ge=0, le=10)
    timeout_s: float = Field(gt=0)
    recrawl_after_days: int = Field(ge=0)
    max_response_bytes: int = Field(ge=1024)
    warn_response_bytes: int = Field(ge=0)
    max_html_chars: int = Field(ge=0)
    concurrent_requests: int = Field(ge=1, le=512)
    concurrent_requests_per_domain: int = Field(ge=1, le=16)
    download_delay_s: float = Field(ge=0)
    autothrottle: bool = True
    autothrottle_max_delay_s: float = Field(gt=0)
    retry_times: int = Field(ge=0, le=10)
    redirect_max_times: int = Field(ge=0, le=20)
    allow_private_targets: bool
    private_allowlist: list[str]
    httpcache_enabled: bool
    extract_kinds: list[str]
    extract_workers: int = Field(ge=0, le=64)


class KindPatterns(_Strict):
    text: list[str]
    url: list[str]


class PagePatterns(_Strict):
    version: int
    kinds: dict[str, KindPatterns]
    organization_types: list[str]


class ReasonWords(_Strict):
    noun: str = Field(min_length=1)     # singular; the plural comes from SkipReasons.nouns
    says: str = Field(min_length=1)


class SkipReasons(_Strict):
    """Skip reason codes in words: `reasons` by code, `families` by code prefix (`http_`)."""

    version: int
    nouns: dict[str, str]               # singular -> plural
    reasons: dict[str, ReasonWords]
    families: dict[str, ReasonWords]    # `says` holds {rest}, the code after the prefix

    @model_validator(mode="after")
    def _consistent(self) -> SkipReasons:
        for section, entries in (("reasons", self.reasons), ("families", self.families)):
            for code, words in entries.items():
                if words.noun not in self.nouns:
                    raise ValueError(f"{section}.{code}.noun: {words.noun!r} is not one of "
                                     f"nouns ({', '.join(self.nouns)})")
        for prefix, words in self.families.items():
            if "{rest}" not in words.says:
                raise ValueError(f"families.{prefix}.says: must contain {{rest}}")
        return self


def _config_dir() -> Path:
    return Path(os.environ.get("LEADPIPE_CONFIG_DIR") or "config")


def crawl_config(config_dir: Path | None = None) -> LoadedConfig[CrawlConfig]:
    return _crawl_config(config_dir or _config_dir())


@lru_cache(maxsize=4)
def _crawl_config(config_dir: Path) -> LoadedConfig[CrawlConfig]:
    return load_config("spiders", "crawl", CrawlConfig, config_dir)


def page_patterns(config_dir: Path | None = None) -> LoadedConfig[PagePatterns]:
    return _page_patterns(config_dir or _config_dir())


@lru_cache(maxsize=4)
def _page_patterns(config_dir: Path) -> LoadedConfig[PagePatterns]:
    return load_config("spiders", "page_patterns", PagePatterns, config_dir)


def skip_reasons(config_dir: Path | None = None) -> LoadedConfig[SkipReasons]:
    return _skip_reasons(config_dir or _config_dir())


@lru_cache(maxsize=4)
def _skip_reasons(config_dir: Path) -> LoadedConfig[SkipReasons]:
    return load_config("spiders", "skip_reasons", SkipReasons, config_dir)
