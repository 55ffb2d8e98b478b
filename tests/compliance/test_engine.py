"""Engine details the scenario table does not show: calendar months, parameters, versions."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from compliance.case import CaseError, case_from_dict
from compliance.engine import add_months, evaluate, more_than_months, rules_version
from compliance.thresholds import apply_parameters, load_eligibility_config
from foundation.config import ConfigError

CONFIG = load_eligibility_config()
CASE: dict[str, Any] = {
    "id": "dormant", "as_of": "2026-11-26",
    "lead": {"audience": "b2c", "has_email": True, "source": "web_form"},
    "evidence": [{"at": "2025-10-01", "kind": "consent_given", "channels": ["email"],
                  "method": "double_opt_in", "confirmed_at": "2025-10-01",
                  "pre_ticked": False, "names_controller": True, "evidence_complete": True}],
}


@pytest.mark.parametrize(("start", "months", "end"), [
    (date(2026, 10, 26), 1, date(2026, 11, 26)),
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2025, 11, 30), 3, date(2026, 2, 28)),
    (date(2022, 11, 26), 48, date(2026, 11, 26)),
])
def test_add_months_is_calendar_arithmetic(start: date, months: int, end: date) -> None:
    assert add_months(start, months) == end
    assert not more_than_months(start, months, end)
    assert more_than_months(start, months, date.fromordinal(end.toordinal() + 1))


def _email(parameters: dict[str, Any] | None = None) -> tuple[str, str]:
    data = copy.deepcopy(CASE)
    if parameters is not None:
        data["parameters"] = parameters
    case, _ = case_from_dict(data)
    decision = evaluate(case, CONFIG.thresholds, CONFIG.parameter_aliases)
    return decision.channels["email"].reason, decision.rules_version


def test_parameters_override_thresholds_and_change_the_version() -> None:
    default_reason, default_version = _email()
    assert default_reason == "consent_valid_doi"
    reason, version = _email({"consent_dormancy_review_months": 6})
    assert reason == "consent_stale_review"
    assert version != default_version
    assert _email({"dormancy_review_months": 6})[0] == "consent_stale_review"


def test_bad_parameters_are_errors_unknown_ones_warnings() -> None:
    with pytest.raises(CaseError, match=r"case 'x': parameters.art14_deadline_months"):
        apply_parameters(CONFIG.thresholds, {"art14_deadline_months": "one"},
                         CONFIG.parameter_aliases, "'x'")
    with pytest.raises(CaseError, match="exceeds"):
        apply_parameters(CONFIG.thresholds, {"consent_dormancy_review_months": 60}, {}, "'x'")
    same, warnings = apply_parameters(CONFIG.thresholds, {"shoe_size": 3}, {}, "'x'")
    assert same == CONFIG.thresholds
    assert warnings == ["case 'x': parameters.shoe_size: unknown threshold, ignored"]


def test_rules_version_depends_on_thresholds_only_through_values() -> None:
    assert rules_version(CONFIG.thresholds) == rules_version(CONFIG.thresholds.model_copy())
    assert len(rules_version(CONFIG.thresholds)) == 16


def test_default_thresholds_are_the_spec_values() -> None:
    t = CONFIG.thresholds
    assert (t.consent_dormancy_review_months, t.consent_dormancy_blocked_months) == (18, 48)
    assert (t.existing_customer_review_months, t.existing_customer_blocked_months) == (24, 48)
    assert t.art14_deadline_months == 1
    assert t.presumed_consent_reason_max_age_months == 12


def test_config_override_file_is_validated(tmp_path: Any) -> None:
    (tmp_path / "compliance").mkdir(parents=True, exist_ok=True)
    (tmp_path / "compliance" / "eligibility.yaml").write_text(
        "thresholds:\n  art14_deadline_months: -1\n")
    with pytest.raises(ConfigError, match="art14_deadline_months"):
        load_eligibility_config(tmp_path)
    (tmp_path / "compliance" / "eligibility.yaml").write_text(
        "thresholds:\n  art14_deadline_months: 2\n")
    assert load_eligibility_config(tmp_path).thresholds.art14_deadline_months == 2
