"""Thresholds of the eligibility engine: YAML defaults, config overrides, per-case parameters.

Loaded with `foundation.config.load_config` from `compliance/defaults/eligibility.yaml`; a
case's `parameters` object overrides single keys (canonical names or the aliases listed in
the YAML). Pure apart from reading the configuration files.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from compliance.case import CaseError
from foundation.config import load_config


class Thresholds(BaseModel):
    """All periods in calendar months (eligibility-rules.md section 5)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    consent_dormancy_review_months: int = Field(ge=0)
    consent_dormancy_blocked_months: int = Field(ge=0)
    existing_customer_review_months: int = Field(ge=0)
    existing_customer_blocked_months: int = Field(ge=0)
    art14_deadline_months: int = Field(ge=0)
    presumed_consent_reason_max_age_months: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.consent_dormancy_review_months > self.consent_dormancy_blocked_months:
            raise ValueError("consent_dormancy_review_months exceeds "
                             "consent_dormancy_blocked_months")
        if self.existing_customer_review_months > self.existing_customer_blocked_months:
            raise ValueError("existing_customer_review_months exceeds "
                             "existing_customer_blocked_months")
        return self


class EligibilityConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    thresholds: Thresholds
    parameter_aliases: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _aliases_known(self) -> EligibilityConfig:
        for alias, target in self.parameter_aliases.items():
            if target not in Thresholds.model_fields:
                raise ValueError(f"parameter_aliases.{alias}: unknown threshold {target!r}")
        return self


def load_eligibility_config(config_dir: Path | None = None) -> EligibilityConfig:
    return load_config("compliance", "eligibility", EligibilityConfig, config_dir).value


def apply_parameters(base: Thresholds, parameters: Mapping[str, Any], aliases: Mapping[str, str],
                     label: str = "") -> tuple[Thresholds, list[str]]:
    """`base` with a case's overrides applied; unknown names are warnings, bad values errors."""
    prefix = f"case {label}: " if label else ""
    updates: dict[str, Any] = {}
    warnings: list[str] = []
    for key, value in parameters.items():
        name = key if key in Thresholds.model_fields else aliases.get(key)
        if name is None:
            warnings.append(f"{prefix}parameters.{key}: unknown threshold, ignored")
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            raise CaseError(f"{prefix}parameters.{key}: {value!r} is not a whole number of months")
        updates[name] = int(value)
    if not updates:
        return base, warnings
    try:
        return Thresholds.model_validate({**base.model_dump(), **updates}), warnings
    except ValidationError as exc:
        detail = "; ".join(err["msg"] for err in exc.errors())
        raise CaseError(f"{prefix}parameters: {detail}") from exc
