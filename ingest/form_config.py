"""`ingest/defaults/forms.yaml`: which keys of a form tool's export mean what.

Key aliases of the form metadata and the consent facts, the words for channels and request
types, the consents a request type presumes, and the zone of times written without one.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from foundation.config import LoadedConfig, load_config
from foundation.vocabulary import CHANNELS
from ingest.fields import FORM_FIELDS, REQUEST_TYPES

CONSENT_SCALARS = ("text", "text_version", "given_at", "pre_ticked", "doi_confirmed_at",
                   "doi_requested_at", "doi_ip", "doi_user_agent", "names_controller",
                   "phone_verified",
                   "privacy_notice_version")
"""The consent facts with one value each (ConsentKeys' fields besides the channel keys)."""


class PresumedConsent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str
    channels: list[str]


class ConsentKeys(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channels: list[str]
    channel_flags: dict[str, list[str]]
    text: list[str]
    text_version: list[str]
    given_at: list[str]
    pre_ticked: list[str]
    doi_confirmed_at: list[str]
    doi_requested_at: list[str]
    doi_ip: list[str]
    doi_user_agent: list[str]
    names_controller: list[str]
    phone_verified: list[str]
    privacy_notice_version: list[str]

    @field_validator("channel_flags")
    @classmethod
    def _channels(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = set(value) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown channels {sorted(unknown)}; known: {', '.join(CHANNELS)}")
        return value


_KNOWN_KEYS: dict[str, tuple[set[str], str]] = {
    "meta": ({*FORM_FIELDS, "submission_id"}, "fields"),
    "channel_names": (set(CHANNELS), "channels"),
    "request_types": (set(REQUEST_TYPES), "request types"),
}
"""The keys each mapping of forms.yaml may have, and what an unknown one is called."""


class FormsConfig(BaseModel):
    """`ingest/defaults/forms.yaml`: key aliases, channel words, request types."""

    model_config = ConfigDict(extra="forbid")
    version: int
    containers: list[str]
    meta: dict[str, list[str]]
    consent: ConsentKeys
    channel_names: dict[str, list[str]]
    request_types: dict[str, list[str]]
    inquiry_request_types: list[str]
    presumed_consent: dict[str, PresumedConsent]
    naive_timezone: str
    controller_names: list[str] = []
    """Our own company name(s): a consent text that names one of them names the controller
    (the export rarely says so itself); a text that names none of them does not."""

    @field_validator("meta", "channel_names", "request_types")
    @classmethod
    def _known_keys(cls, value: dict[str, list[str]], info: ValidationInfo
                    ) -> dict[str, list[str]]:
        known, words = _KNOWN_KEYS[info.field_name or ""]
        unknown = set(value) - known
        if unknown:
            raise ValueError(f"unknown {words} {sorted(unknown)}")
        return value

    @field_validator("naive_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


def load_forms_config(config_dir: Path | None = None) -> LoadedConfig[FormsConfig]:
    return load_config("ingest", "forms", FormsConfig, config_dir=config_dir)
