"""The scenario table: every case file under cases/ with the decision, reason and rule expected
per channel (hand-written from eligibility-rules.md), and a check that the table covers every
rule and every reason code the spec names."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from compliance.case import case_from_dict
from compliance.engine import evaluate
from compliance.rulebook import RULES
from compliance.thresholds import load_eligibility_config
from tests.conftest import REPO

CASES_DIR = Path(__file__).parent / "cases"
SPEC = REPO.parent / "shared" / "compliance" / "eligibility-rules.md"
CONFIG = load_eligibility_config()


def _scenarios() -> list[dict[str, Any]]:
    found = []
    for path in sorted(CASES_DIR.glob("*.json")):
        found.extend(json.loads(path.read_text(encoding="utf-8")))
    return found


SCENARIOS = _scenarios()


def _decide(scenario: dict[str, Any]) -> dict[str, str]:
    data = {k: v for k, v in scenario.items() if k not in ("expect", "note")}
    case, warnings = case_from_dict(data)
    assert warnings == []
    decision = evaluate(case, CONFIG.thresholds, CONFIG.parameter_aliases)
    return {ch: f"{d.decision} {d.reason} {d.rule}" for ch, d in decision.channels.items()}


def test_scenario_ids_are_unique() -> None:
    ids = [s["id"] for s in SCENARIOS]
    assert len(ids) == len(set(ids))
    assert len(ids) > 100


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["id"] for s in SCENARIOS])
def test_scenario(scenario: dict[str, Any]) -> None:
    assert _decide(scenario) == scenario["expect"]


def _expected(part: int) -> set[str]:
    return {value.split()[part] for s in SCENARIOS for value in s["expect"].values()}


def _spec_reason_codes(text: str) -> set[str]:
    """Backticked snake_case codes of sections 3-4 that are not section-10 vocabulary."""
    rules_part = text.split("## 3.")[1].split("## 5.")[0]
    vocabulary = text.split("## 10.")[1]
    codes = set(re.findall(r"`([a-z][a-z0-9_]*[a-z0-9])`", rules_part))
    decisions = {"allowed", "blocked", "review"}
    return codes - set(re.findall(r"`([a-z][a-z0-9_]*)`", vocabulary)) - decisions


def test_every_spec_reason_code_has_a_scenario() -> None:
    if not SPEC.exists():
        pytest.skip(f"spec not found at {SPEC} (shared/ is checked out beside the repo in CI)")
    codes = _spec_reason_codes(SPEC.read_text(encoding="utf-8"))
    assert len(codes) >= 40
    assert codes - _expected(1) == set()


def test_every_rule_has_a_scenario() -> None:
    assert set(RULES) - _expected(2) == set()


def test_every_decision_kind_occurs() -> None:
    assert _expected(0) == {"allowed", "blocked", "review"}


def test_docs_list_every_reason_rule_and_threshold() -> None:
    docs = (REPO / "docs" / "compliance.md").read_text(encoding="utf-8")
    missing = {code for code in _expected(1) if f"`{code}`" not in docs}
    missing |= {name for name in CONFIG.thresholds.model_dump() if f"`{name}`" not in docs}
    assert missing == set()
