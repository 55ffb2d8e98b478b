"""Enrichment configuration: the YAML files in enrichment/defaults/, loaded once per process.

Every list and threshold the enrichment functions use lives in those files so a user can
override it in <config dir>/enrichment/<name>.yaml without touching code. The loaders are
cached per config directory because enrichment runs millions of times per batch and the files
never change during a run. Enrichment functions take no configuration argument for the same
reason: the stage, command or crawl process that starts them names the directory once with
`use_config_dir(settings.config_dir)`; until then the embedded defaults apply.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from foundation.config import LoadedConfig, load_config


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
    word_endings: list[str] = Field(default_factory=list)
    """Lower-case compound endings that carry the form (`stiftung` in `Bürgerstiftung`)."""
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
    register_suffixes: list[str]
    wz_sections: list[WzSection]
    size_classes: list[SizeClass]


class RolePattern(_Strict):
    role: str | None
    seniority: str = Field(pattern="^(owner|executive|head|manager|staff)$")
    patterns: list[str]


class PersonConfig(_Strict):
    version: int
    titles: list[str]
    title_patterns: list[str] = Field(default_factory=list)
    """Regular expressions for title families (`Dipl.-Kff.`); the title is kept as written."""
    professions: list[str] = Field(default_factory=list)
    """Words before a name that are a profession, not a title (`Notar`): dropped."""
    particles: list[str]
    noble_titles: list[str] = Field(default_factory=list)
    """Capitalised words that belong to the surname like a particle (`Graf von …`)."""
    salutations: dict[str, str | None]
    """Folded spelling -> Herr/Frau; None for a known neutral value (divers)."""
    feminine_titles: str
    roles: list[RolePattern]
    department_roles: dict[str, list[str]]


class AddressConfig(_Strict):
    version: int
    street_suffixes: dict[str, str]
    countries: dict[str, str]
    postcode_digits: dict[str, int]


class CountryEvidence(_Strict):
    postcode: list[str] = Field(min_length=1)
    """Regular expressions a whole postcode of the country matches (upper-cased)."""
    phone_prefixes: list[str] = Field(min_length=1)
    """Calling codes without `+`/`00` (`43`)."""
    tlds: list[str]
    cities: list[str] = []
    """Folded city names only this country has (a tie-breaker for 4-digit postcodes)."""

    @field_validator("postcode")
    @classmethod
    def _patterns_compile(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"postcode pattern {pattern!r} does not compile: {exc}") from exc
        return value

    @field_validator("phone_prefixes")
    @classmethod
    def _prefixes_are_digits(cls, value: list[str]) -> list[str]:
        bad = [p for p in value if not p.isdigit()]
        if bad:
            raise ValueError(f"calling codes must be digits without + or 00: {bad}")
        return value


class CountryWeights(_Strict):
    phone: float = Field(ge=0)
    tld: float = Field(ge=0)
    city: float = Field(ge=0)
    postcode: float = Field(ge=0)


class CountryConfig(_Strict):
    version: int
    default: str = Field(pattern="^[A-Z]{2}$")
    lost_leading_zero: list[str]
    weights: CountryWeights
    generic_tlds: list[str]
    countries: dict[str, CountryEvidence]

    @model_validator(mode="after")
    def _known_countries(self) -> CountryConfig:
        for key in (self.default, *self.lost_leading_zero):
            if key not in self.countries:
                raise ValueError(f"{key!r} is not one of countries: {sorted(self.countries)}")
        return self


class AudienceConfig(_Strict):
    version: int
    business_request_types: list[str]
    private_request_types: list[str]
    origins: dict[str, str]


_config_dir_in_use: Path | None = None


def use_config_dir(config_dir: Path | None) -> None:
    """Read enrichment's configuration from `config_dir` (`Settings.config_dir`) in this
    process and the workers it forks; None: the embedded defaults alone."""
    global _config_dir_in_use
    if config_dir == _config_dir_in_use:
        return
    _config_dir_in_use = config_dir
    _clear_enrichment_caches()


def _clear_enrichment_caches() -> None:
    """Every cache of the enrichment package, not only the loaders': compiled patterns and
    lists derive from the configuration, and cached results (an address's kind, a company's
    legal form) from both. Kept, they would go on answering for the directory used before."""
    for name, module in list(sys.modules.items()):
        if name != "enrichment" and not name.startswith("enrichment."):
            continue
        for value in list(vars(module).values()):
            if getattr(value, "__module__", None) == name and hasattr(value, "cache_clear"):
                value.cache_clear()


def config_dir_in_use() -> Path | None:
    """The directory `use_config_dir` named (None: the embedded defaults)."""
    return _config_dir_in_use


def _config_dir(config_dir: Path | None) -> Path | None:
    """The given directory, else the one `use_config_dir` named."""
    return config_dir if config_dir is not None else _config_dir_in_use


@lru_cache(maxsize=8)
def audience_config(config_dir: Path | None = None) -> LoadedConfig[AudienceConfig]:
    return _audience_config(_config_dir(config_dir))


@lru_cache(maxsize=8)
def _audience_config(config_dir: Path | None) -> LoadedConfig[AudienceConfig]:
    return load_config("enrichment", "audience", AudienceConfig, config_dir)


@lru_cache(maxsize=8)
def email_config(config_dir: Path | None = None) -> LoadedConfig[EmailConfig]:
    return _email_config(_config_dir(config_dir))


@lru_cache(maxsize=8)
def _email_config(config_dir: Path | None) -> LoadedConfig[EmailConfig]:
    return load_config("enrichment", "email", EmailConfig, config_dir)


@lru_cache(maxsize=8)
def company_config(config_dir: Path | None = None) -> LoadedConfig[CompanyConfig]:
    return _company_config(_config_dir(config_dir))


@lru_cache(maxsize=8)
def _company_config(config_dir: Path | None) -> LoadedConfig[CompanyConfig]:
    return load_config("enrichment", "company", CompanyConfig, config_dir)


@lru_cache(maxsize=8)
def person_config(config_dir: Path | None = None) -> LoadedConfig[PersonConfig]:
    return _person_config(_config_dir(config_dir))


@lru_cache(maxsize=8)
def _person_config(config_dir: Path | None) -> LoadedConfig[PersonConfig]:
    return load_config("enrichment", "person", PersonConfig, config_dir)


@lru_cache(maxsize=8)
def address_config(config_dir: Path | None = None) -> LoadedConfig[AddressConfig]:
    return _address_config(_config_dir(config_dir))


@lru_cache(maxsize=8)
def _address_config(config_dir: Path | None) -> LoadedConfig[AddressConfig]:
    return load_config("enrichment", "address", AddressConfig, config_dir)


@lru_cache(maxsize=8)
def country_config(config_dir: Path | None = None) -> LoadedConfig[CountryConfig]:
    return _country_config(_config_dir(config_dir))


@lru_cache(maxsize=8)
def _country_config(config_dir: Path | None) -> LoadedConfig[CountryConfig]:
    return load_config("enrichment", "country", CountryConfig, config_dir)


@lru_cache(maxsize=1)
def enrichment_version() -> str:
    """One version for all enrichment configuration, stamped on every enriched row."""
    parts = [email_config().version, company_config().version, person_config().version,
             address_config().version, audience_config().version, country_config().version]
    return "-".join(p[:6] for p in parts)
