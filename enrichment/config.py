"""Enrichment configuration: the YAML files in enrichment/defaults/, loaded once per process.

Every list and threshold the enrichment functions use lives in those files so a user can
override it in ./config/<name>.yaml without touching code. The loaders are cached per config
directory because enrichment runs millions of times per batch and the files never change
during a run.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from leadpipe.config import LoadedConfig, load_config
from leadpipe.settings import load_settings


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DnsConfig(_Strict):
    timeout_s: float = Field(gt=0)
    cache_ttl_s: int = Field(gt=0)
    workers: int = Field(ge=1, le=128)


class EmailConfig(_Strict):
    version: int
    role_local_parts: list[str]
    freemail_domains: list[str]
    disposable_domains: list[str]
    dns: DnsConfig


class LegalForm(_Strict):
    canonical: str
    patterns: list[str]
    spellings: list[str] = Field(default_factory=list)
    """Literal spellings as pages write them (exact case): the Impressum extractor's
    entity-ruler patterns. `patterns` are the regular expressions for names and list values."""
    entity: str = Field(pattern="^(corporation|partnership|sole_trader|association|public)$")


class SizeClass(_Strict):
    name: str
    max_employees: int | None = None
    max_revenue_eur: int | None = None


class WzSection(_Strict):
    section: str = Field(pattern="^[A-U]$")
    name: str
    first_division: int = Field(ge=1, le=99)
    last_division: int = Field(ge=1, le=99)


class CompanyConfig(_Strict):
    version: int
    legal_forms: list[LegalForm]
    noise_words: list[str]
    sole_trader_words: list[str]
    register_court_aliases: dict[str, str]
    register_types: list[str]
    wz_sections: list[WzSection]
    size_classes: list[SizeClass]


class RolePattern(_Strict):
    role: str | None
    seniority: str = Field(pattern="^(owner|executive|head|manager|staff)$")
    patterns: list[str]


class PersonConfig(_Strict):
    version: int
    titles: list[str]
    particles: list[str]
    salutations: dict[str, str]
    feminine_titles: str
    roles: list[RolePattern]
    department_roles: dict[str, list[str]]


class AddressConfig(_Strict):
    version: int
    street_suffixes: dict[str, str]
    countries: dict[str, str]
    postcode_digits: dict[str, int]


class AudienceConfig(_Strict):
    version: int
    business_request_types: list[str]
    private_request_types: list[str]
    origins: dict[str, str]


@lru_cache(maxsize=8)
def audience_config(config_dir: Path | None = None) -> LoadedConfig[AudienceConfig]:
    return _audience_config(_config_dir(config_dir))


def _config_dir(config_dir: Path | None) -> Path:
    """The given directory, else the one from the settings (./config or LEADPIPE_CONFIG_DIR)."""
    return config_dir if config_dir is not None else load_settings().config_dir


@lru_cache(maxsize=8)
def _audience_config(config_dir: Path) -> LoadedConfig[AudienceConfig]:
    return load_config("enrichment", "audience", AudienceConfig, config_dir)


@lru_cache(maxsize=8)
def email_config(config_dir: Path | None = None) -> LoadedConfig[EmailConfig]:
    return _email_config(_config_dir(config_dir))


@lru_cache(maxsize=8)
def _email_config(config_dir: Path) -> LoadedConfig[EmailConfig]:
    return load_config("enrichment", "email", EmailConfig, config_dir)


@lru_cache(maxsize=8)
def company_config(config_dir: Path | None = None) -> LoadedConfig[CompanyConfig]:
    return _company_config(_config_dir(config_dir))


@lru_cache(maxsize=8)
def _company_config(config_dir: Path) -> LoadedConfig[CompanyConfig]:
    return load_config("enrichment", "company", CompanyConfig, config_dir)


@lru_cache(maxsize=8)
def person_config(config_dir: Path | None = None) -> LoadedConfig[PersonConfig]:
    return _person_config(_config_dir(config_dir))


@lru_cache(maxsize=8)
def _person_config(config_dir: Path) -> LoadedConfig[PersonConfig]:
    return load_config("enrichment", "person", PersonConfig, config_dir)


@lru_cache(maxsize=8)
def address_config(config_dir: Path | None = None) -> LoadedConfig[AddressConfig]:
    return _address_config(_config_dir(config_dir))


@lru_cache(maxsize=8)
def _address_config(config_dir: Path) -> LoadedConfig[AddressConfig]:
    return load_config("enrichment", "address", AddressConfig, config_dir)


@lru_cache(maxsize=1)
def enrichment_version() -> str:
    """One version for all enrichment configuration, stamped on every enriched row."""
    parts = [email_config().version, company_config().version, person_config().version,
             address_config().version, audience_config().version]
    return "-".join(p[:6] for p in parts)
