"""Crawl configuration (politeness, limits, safety switches) and link patterns, validated."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from leadpipe.config import LoadedConfig, load_config


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
