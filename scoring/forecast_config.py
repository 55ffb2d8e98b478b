"""The forecast's configuration (scoring/defaults/forecast.yaml): validated at load, versioned
by its content hash like every other configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from foundation.config import LoadedConfig, load_config

FunnelStage = Literal["new", "contacted", "reached", "appointment"]
FUNNEL_STAGES: tuple[FunnelStage, ...] = ("new", "contacted", "reached", "appointment")
"""How far an open lead's sale got (its furthest outcome; `new` without one)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BaseRateConfig(_Strict):
    prior_strength: float = Field(ge=0)
    default_8_weeks: dict[FunnelStage, float]

    @model_validator(mode="after")
    def _every_stage(self) -> BaseRateConfig:
        missing = [s for s in FUNNEL_STAGES if s not in self.default_8_weeks]
        if missing:
            raise ValueError(f"default_8_weeks needs a rate for every stage, missing {missing}")
        bad = {s: r for s, r in self.default_8_weeks.items() if not 0 <= r < 1}
        if bad:
            raise ValueError(f"default_8_weeks rates must lie in [0, 1), got {bad}")
        return self


class DealValueConfig(_Strict):
    min_deals: int = Field(ge=1)
    default_eur: float = Field(gt=0)
    default_spread: float = Field(ge=0)


class TimingConfig(_Strict):
    min_wins: int = Field(ge=1)
    default_days_to_win: float = Field(gt=0)


class SimulationConfig(_Strict):
    draws: int = Field(ge=100, le=100_000)
    seed: int


class ForecastConfig(_Strict):
    version: int
    interval: float = Field(gt=0, lt=1)
    periods: int = Field(ge=1, le=52)
    source_priority: list[str]
    segment_by: Literal["wz_section", "size_class"]
    base_rates: BaseRateConfig
    min_calibration_wins: int = Field(ge=1)
    deal_value: DealValueConfig
    timing: TimingConfig
    simulation: SimulationConfig


def load_forecast_config(config_dir: Path | None = None) -> LoadedConfig[ForecastConfig]:
    return load_config("scoring", "forecast", ForecastConfig, config_dir)
