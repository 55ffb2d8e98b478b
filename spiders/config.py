"""Crawl configuration (politeness, limits, safety switches), link patterns and the words for
skip reasons, validated."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

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


def config_dir_setting(value: str | None) -> Path | None:
    """The configuration directory a crawl process was given (`-s LEADPIPE_CONFIG_DIR=…`)."""
    return Path(value) if value else None


# `config_dir` is the installation's configuration directory (`Settings.config_dir`), passed
# down by the caller; None means the embedded defaults alone. Nothing here reads the
# environment: the crawl process gets the directory on its command line (spiders.run).


@lru_cache(maxsize=4)
def crawl_config(config_dir: Path | None = None) -> LoadedConfig[CrawlConfig]:
    return load_config("spiders", "crawl", CrawlConfig, config_dir)


@lru_cache(maxsize=4)
def page_patterns(config_dir: Path | None = None) -> LoadedConfig[PagePatterns]:
    return load_config("spiders", "page_patterns", PagePatterns, config_dir)


@lru_cache(maxsize=4)
def skip_reasons(config_dir: Path | None = None) -> LoadedConfig[SkipReasons]:
    return load_config("spiders", "skip_reasons", SkipReasons, config_dir)


def scrapy_settings(cfg: CrawlConfig) -> dict[str, Any]:
    """The Scrapy settings a crawl configuration sets: the defaults' in `spiders.settings`,
    a run's own (with the installation's overrides) on the crawl's command line."""
    return {
        "USER_AGENT": f"{cfg.user_agent} (+{cfg.contact_url})",
        "ROBOTSTXT_USER_AGENT": cfg.user_agent.split("/")[0],
        "CONCURRENT_REQUESTS": cfg.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": cfg.concurrent_requests_per_domain,
        "DOWNLOAD_DELAY": cfg.download_delay_s,
        "AUTOTHROTTLE_ENABLED": cfg.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(cfg.download_delay_s, 1.0),
        "AUTOTHROTTLE_MAX_DELAY": cfg.autothrottle_max_delay_s,
        "DOWNLOAD_TIMEOUT": cfg.timeout_s,
        "DOWNLOAD_MAXSIZE": cfg.max_response_bytes,
        "DOWNLOAD_WARNSIZE": cfg.warn_response_bytes,
        "RETRY_TIMES": cfg.retry_times,
        "REDIRECT_MAX_TIMES": cfg.redirect_max_times,
        "HTTPCACHE_ENABLED": cfg.httpcache_enabled,
        # leadpipe's own settings (read by the spider, the middleware and the pipelines)
        "LEADPIPE_ALLOW_PRIVATE": cfg.allow_private_targets,
        "LEADPIPE_PRIVATE_ALLOWLIST": list(cfg.private_allowlist),
        "LEADPIPE_MAX_PAGES_PER_DOMAIN": cfg.max_pages_per_domain,
        "LEADPIPE_DEPTH": cfg.depth,
        "LEADPIPE_MAX_HTML_CHARS": cfg.max_html_chars,
        "LEADPIPE_EXTRACT_KINDS": list(cfg.extract_kinds),
        "LEADPIPE_EXTRACT_WORKERS": cfg.extract_workers,
    }
