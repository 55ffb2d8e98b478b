"""Rule scoring: parts, grades, decay, explanations that add up, config validation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from foundation.config import ConfigError
from scoring.config import load_scoring_config
from scoring.rules import LeadFeatures, Request, score_lead

CFG = load_scoring_config().value
TODAY = date(2026, 11, 26)

IDEAL = LeadFeatures(
    lead_id="L1", wz_code="62.01", size_class="medium", postcode="80331", legal_form="GmbH",
    decision_maker=True, audience="b2b", email_status="valid", phone_e164=True,
    address_complete=True, impressum_confirms=True,
    requests=(Request("demo", TODAY), Request("brochure", date(2026, 10, 1))),
)


def test_ideal_lead_gets_grade_a_and_the_explanation_adds_up() -> None:
    score = score_lead(IDEAL, CFG, TODAY)
    assert score.grade == "A"
    assert score.fit == 100.0
    assert score.quality == 100.0
    assert sum(c.points for c in score.contributions) == pytest.approx(score.total, abs=0.2)
    assert score.top_reasons(1)[0].startswith("demo request 0 days ago")


def test_empty_lead_is_grade_d() -> None:
    score = score_lead(LeadFeatures(lead_id="L0"), CFG, TODAY)
    assert (score.total, score.grade) == (0.0, "D")


def test_engagement_halves_every_half_life() -> None:
    fresh = score_lead(LeadFeatures("a", requests=(Request("callback", TODAY),)), CFG, TODAY)
    old = score_lead(LeadFeatures("b", requests=(Request("callback", date(2026, 10, 27)),)),
                     CFG, TODAY)
    assert old.engagement == pytest.approx(fresh.engagement / 2, abs=0.1)


def test_most_specific_industry_prefix_wins_and_sections_are_derived() -> None:
    it = score_lead(LeadFeatures("a", wz_code="62.01"), CFG, TODAY)
    food = score_lead(LeadFeatures("b", wz_code="10.71"), CFG, TODAY)  # section C
    reasons = {c.factor: c.detail for c in food.contributions}
    assert "matches C" in reasons["industry"]
    assert it.fit > food.fit


def test_region_only_counts_for_german_postcodes() -> None:
    de = score_lead(LeadFeatures("a", postcode="80331"), CFG, TODAY)
    at = score_lead(LeadFeatures("b", postcode="8010", country="AT"), CFG, TODAY)
    assert de.fit > at.fit


@pytest.mark.parametrize(("yaml", "message"), [
    ("weights: {fit: 0.9}", "add up to 1"),
    ("grades: {A: 40, B: 50}", "A > B > C"),
    ("fit: {regions: {'8x': 3}}", "postcode prefixes"),
    ("engagement: {half_life_days: 0}", "engagement.half_life_days"),
    ("colour: blue", "colour"),
])
def test_invalid_configuration_names_the_key(tmp_path: Path, yaml: str, message: str) -> None:
    (tmp_path / "scoring").mkdir(parents=True, exist_ok=True)
    (tmp_path / "scoring" / "scoring.yaml").write_text(yaml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_scoring_config(tmp_path)
    assert "scoring.yaml" in str(info.value)
