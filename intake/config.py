"""The intake service's configuration: limits, DOI, SMTP, retention and one entry per form.

Loaded from `intake/defaults/forms.yaml`, overridden by `--forms FILE` or
`<config dir>/intake-forms.yaml` (not `forms.yaml`: that name belongs to the ingest
reader's key aliases). Field names are canonical lead fields, so the hand-off file is read
by `ingest.forms` without any aliasing.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from foundation.config import LoadedConfig, load_config
from foundation.settings import Settings
from foundation.vocabulary import CHANNELS
from ingest.fields import LIST_FIELDS, REQUEST_TYPES

OVERRIDE_NAME = "intake-forms.yaml"
FORM_FIELD_NAMES = frozenset((*LIST_FIELDS, "message"))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


MAX_FIELD_CHARS = 100_000
"""Upper bound for any configured field length: a form field is not a file upload."""


class Limits(_Strict):
    """Size and abuse limits; the bounds keep a typo (an extra 0) from opening the service."""

    max_body_bytes: int = Field(gt=0, le=1_048_576)
    max_fields: int = Field(gt=0, le=1000)
    """Keys in one post, configured or not; more is 413."""
    max_value_chars: int = Field(gt=0, le=MAX_FIELD_CHARS)
    """Longest value of a key that is not a configured field (page_url, consent boxes, …)."""
    signature_max_age_s: int = Field(gt=0)
    rate_capacity: float = Field(gt=0)
    rate_per_minute: float = Field(gt=0)
    doi_per_recipient_per_day: int = Field(ge=1)
    """DOI mails to one address per day: the service must not mail-bomb anyone."""
    doi_per_client_per_hour: int = Field(ge=1)
    """DOI mails one client IP may cause per hour, to any addresses."""


class Doi(_Strict):
    token_valid_days: float = Field(gt=0)
    confirm_with_button: bool


class Smtp(_Strict):
    host: str
    port: int = Field(gt=0, lt=65536)
    starttls: bool
    username: str | None = None
    password: str | None = None
    sender: str
    timeout_s: float = Field(gt=0)
    retry_base_s: float = Field(gt=0)
    retry_max_s: float = Field(gt=0)


class Retention(_Strict):
    unconfirmed_days: float = Field(gt=0)
    exported_days: float = Field(gt=0)


class Controller(_Strict):
    name: str = Field(min_length=2)
    address: str
    contact: str


class FieldSpec(_Strict):
    name: str
    kind: Literal["email", "phone", "text"] = "text"
    required: bool = False
    max_length: int = Field(default=200, gt=0, le=MAX_FIELD_CHARS)

    @field_validator("name")
    @classmethod
    def _canonical(cls, value: str) -> str:
        if value not in FORM_FIELD_NAMES:
            raise ValueError(f"{value!r} is not a lead field; use one of "
                             f"{', '.join(sorted(FORM_FIELD_NAMES))}")
        return value


class ConsentBox(_Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    text: str = Field(min_length=10)
    version: str = Field(min_length=1)
    channels: list[str] = Field(min_length=1)

    @field_validator("channels")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c not in CHANNELS]
        if unknown:
            raise ValueError(f"unknown channels {unknown}; known: {', '.join(CHANNELS)}")
        return value


class FormSpec(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    language: Literal["de", "en"]
    controller: Controller
    privacy_notice_version: str
    allowed_origins: list[str] = []
    secret: str | None = Field(default=None, min_length=16)
    honeypot: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    request_type: str | None = None
    fields: list[FieldSpec] = Field(min_length=1)
    consents: list[ConsentBox] = []

    @field_validator("request_type")
    @classmethod
    def _request_type(cls, value: str | None) -> str | None:
        if value is not None and value not in REQUEST_TYPES:
            raise ValueError(f"unknown request type {value!r}")
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        bad = [o for o in value if not o.startswith(("https://", "http://")) or o.endswith("/")]
        if bad:
            raise ValueError(f"origins are scheme://host[:port] without a path: {bad}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> FormSpec:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError("a field is listed twice")
        if self.honeypot in names or self.honeypot in {c.id for c in self.consents}:
            raise ValueError(f"honeypot {self.honeypot!r} must not be a real field")
        for box in self.consents:
            # Evidence of consent must name the advertiser (spec 7.1); refuse texts that don't.
            if self.controller.name.casefold() not in box.text.casefold():
                raise ValueError(f"consent {box.id!r}: the text must name the controller "
                                 f"{self.controller.name!r}")
        if any("email" in b.channels for b in self.consents) and "email" not in names:
            raise ValueError("an e-mail consent needs an email field for the double opt-in")
        if not self.secret and not self.allowed_origins:
            raise ValueError("a form needs a secret or allowed origins, else nobody can post")
        return self


class IntakeConfig(_Strict):
    version: int
    public_url: str
    limits: Limits
    trusted_proxies: list[str] = []
    doi: Doi
    smtp: Smtp
    retention: Retention
    forms: list[FormSpec]

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)
        return value

    @field_validator("forms")
    @classmethod
    def _unique(cls, value: list[FormSpec]) -> list[FormSpec]:
        ids = [f.id for f in value]
        if len(set(ids)) != len(ids):
            raise ValueError("two forms have the same id")
        return value

    def form(self, form_id: str) -> FormSpec | None:
        return next((f for f in self.forms if f.id == form_id), None)


def load_intake_config(settings: Settings, path: Path | None = None
                       ) -> LoadedConfig[IntakeConfig]:
    """Defaults, then `path` (must exist) or `<config dir>/intake-forms.yaml` (if present)."""
    if path is None:
        candidate = settings.config_dir / OVERRIDE_NAME
        path = candidate if candidate.exists() else None
    return load_config("intake", "forms", IntakeConfig, config_dir=None, override_file=path)


def state_path(settings: Settings) -> Path:
    """The SQLite file with the spool, tokens, outbox and rate-limit buckets."""
    return settings.data_dir / "intake" / "intake.sqlite"
