"""The forecast stage: the qualified leads and their outcomes from the warehouse, the
forecast (or its backtest) from `scoring.forecast`. Read only: nothing is written."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from foundation.parallel import relaxed_gc
from foundation.settings import Settings
from scoring.config import load_scoring_config
from scoring.forecast import (
    Backtest,
    Forecast,
    PipelineLead,
    RecordedOutcome,
    backtest,
    forecast,
    primary_source,
    segment_of,
)
from scoring.forecast_config import ForecastConfig, load_forecast_config
from scoring.rules import Contribution, LeadScore
from warehouse.db import open_warehouse
from warehouse.forecast import pipeline_leads, pipeline_outcomes

_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
"""A lead without a known first sighting counts as having been there all along."""


def _rule_score(lead_id: str, explanation: str | None) -> LeadScore | None:
    """The rule factors of the lead's current score: what the learned model reads."""
    if explanation is None:
        return None
    return LeadScore(lead_id, 0, 0, 0, 0, "", _rule_factors(explanation))


@functools.lru_cache(maxsize=65_536)
def _rule_factors(explanation: str) -> tuple[Contribution, ...]:
    """Parsed once per distinct explanation: a million leads share a few thousand, and
    parsing each lead's own took longer than the forecast itself."""
    return tuple(Contribution(e["part"], e["factor"], e["detail"], float(e["points"]))
                 for e in json.loads(explanation) if e["part"] != "learned")


def _leads(rows: list[dict[str, Any]], outcomes: list[dict[str, Any]], cfg: ForecastConfig
           ) -> list[PipelineLead]:
    recorded: dict[str, list[RecordedOutcome]] = defaultdict(list)
    for o in outcomes:
        value = o["value_eur"]
        recorded[o["lead_id"]].append(RecordedOutcome(o["outcome"], o["recorded_at"],
                                                      None if value is None else float(value)))
    return [PipelineLead(
        row["lead_id"], row["first_seen"] or _EARLIEST,
        primary_source(row["sources"] or [], cfg.source_priority),
        (row["vendors"] or [""])[0],
        segment_of(row["audience"], row["wz_section"], row["size_class"], cfg.segment_by),
        _rule_score(row["lead_id"], row["explanation"]),
        tuple(recorded.get(row["lead_id"], ())))
        for row in rows]


def pipeline(settings: Settings) -> list[PipelineLead]:
    """The qualified leads with their outcomes, as the forecast reads them (the benchmark
    compares them with the probabilities it generated them from)."""
    return _read(settings)[0]


def _read(settings: Settings) -> tuple[list[PipelineLead], ForecastConfig, str]:
    loaded = load_forecast_config(settings.config_dir)
    with relaxed_gc():
        with open_warehouse(settings, write=False) as wh:
            rows, outcomes = pipeline_leads(wh), pipeline_outcomes(wh)
        return _leads(rows, outcomes, loaded.value), loaded.value, loaded.version


def compute_forecast(settings: Settings, weeks: int = 8, by: str = "source",
                     as_of: date | None = None) -> Forecast:
    """Expected wins and revenue of the open qualified leads over the `weeks` after `as_of`
    (default today)."""
    leads, cfg, version = _read(settings)
    predictive = load_scoring_config(settings.config_dir).value.predictive
    return forecast(leads, as_of or date.today(), weeks, by, cfg, predictive, version)


def backtest_forecast(settings: Settings, weeks: int = 8, as_of: date | None = None,
                      today: date | None = None) -> Backtest:
    """Forecast the `weeks` after `as_of` (default: the last such period that has ended)
    from the data up to it, and compare with what happened."""
    day = today or date.today()
    leads, cfg, _ = _read(settings)
    predictive = load_scoring_config(settings.config_dir).value.predictive
    return backtest(leads, as_of or day - timedelta(weeks=weeks), weeks, cfg, predictive, day)
