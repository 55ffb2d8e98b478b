"""The decide stage's digest of case, decision and rules: built from parts once per lead, it
must stay the digest of the whole text, or every stored decision would look changed."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

import pytest

from stages.decide import _CaseText

CASES: list[dict[str, Any]] = [
    {"lead_id": "contact-1", "as_of": date(2026, 12, 7), "audience": "b2b",
     "records": [{"source_kind": "web_form", "consent_at": datetime(2026, 1, 2, 3, 4)}],
     "zeta": None, "Ärger": "ü", "a b": [1, 2.5, True], "decision": "stale"},
    {"as_of": "2026-12-07"},
    {"nested": {"z": 1, "a": {"y": [], "b": {}}}, "quote\"key": "x\ny", "\u00e9": "é"},
]


def _whole(case: dict[str, Any], decision: dict[str, Any], rules_version: str) -> str:
    stable = {k: v for k, v in {**case, "decision": decision}.items() if k != "as_of"}
    text = json.dumps([stable, rules_version], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@pytest.mark.parametrize("case", CASES)
def test_the_digest_is_that_of_the_whole_text(case: dict[str, Any]) -> None:
    text = _CaseText(case, "rules-2026.4 \u00a77")
    for decision in ({"decision": "allowed", "reason": "Einwilligung", "legal_basis": None},
                     {}, {"decision": "blocked", "details": {"b": 2, "a": [date(2026, 1, 1)]}}):
        assert text.digest(decision) == _whole(case, decision, "rules-2026.4 \u00a77")
    assert json.loads(text.inputs) == json.loads(json.dumps(case, default=str))
