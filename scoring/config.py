"""The scoring configuration: validated at load, versioned by its content hash."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from foundation.config import LoadedConfig, load_config
from foundation.vocabulary import Audience


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FitConfig(_Strict):
    industries: dict[str, float] = Field(default_factory=dict)
    size_classes: dict[Literal["micro", "small", "medium", "large", "unknown"], float]
    regions: dict[str, float] = Field(default_factory=dict)
    legal_forms: dict[str, float] = Field(default_factory=dict)
    decision_maker_known: float = Field(ge=0)
    audiences: dict[Audience, float]

    @field_validator("regions")
    @classmethod
    def _postcode_prefixes(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [k for k in value if not (k.isdigit() and 1 <= len(k) <= 5)]
        if bad:
            raise ValueError(f"region keys must be postcode prefixes (1-5 digits), got {bad}")
        return value


class EngagementConfig(_Strict):
    request_types: dict[str, float]
    half_life_days: float = Field(gt=0)
    repeat_bonus: float = Field(ge=0)


class QualityConfig(_Strict):
    valid_email: float = Field(ge=0)
    e164_phone: float = Field(ge=0)
    complete_address: float = Field(ge=0)
    impressum_confirms_company: float = Field(ge=0)


class Weights(_Strict):
    fit: float = Field(ge=0, le=1)
    engagement: float = Field(ge=0, le=1)
    quality: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> Weights:
        total = self.fit + self.engagement + self.quality
        if abs(total - 1) > 1e-6:
            raise ValueError(f"fit + engagement + quality must add up to 1, got {total:g}")
        return self


class Grades(_Strict):
    A: float = Field(ge=0, le=100)
    B: float = Field(ge=0, le=100)
    C: float = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _descending(self) -> Grades:
        if not self.A > self.B > self.C:
            raise ValueError(f"grade thresholds must fall A > B > C, got {self.A}/{self.B}/"
                             f"{self.C}")
        return self


class PredictiveConfig(_Strict):
    mode: Literal["off", "blend", "replace"]
    blend_weight: float = Field(ge=0, le=1)
    min_leads: int = Field(ge=50)
    min_wins: int = Field(ge=10)


class ScoringConfig(_Strict):
    version: int
    fit: FitConfig
    engagement: EngagementConfig
    quality: QualityConfig
    weights: Weights
    grades: Grades
    predictive: PredictiveConfig


def load_scoring_config(config_dir: Path | None = None, override: Path | None = None
                        ) -> LoadedConfig[ScoringConfig]:
    return load_config("scoring", "scoring", ScoringConfig, config_dir, override)
