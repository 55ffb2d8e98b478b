"""The decide stage's digest of case, decision and rules: built from parts once per lead, it
must stay the digest of the whole text, or every stored decision would look changed."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from compliance.thresholds import load_eligibility_config
from stages.decide import _Batch, _CaseText, _evaluate

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
    text = _CaseText(case)
    for decision in ({"decision": "allowed", "reason": "Einwilligung", "legal_basis": None},
                     {}, {"decision": "blocked", "details": {"b": 2, "a": [date(2026, 1, 1)]}}):
        assert text.digest(json.dumps(decision, sort_keys=True, default=str),
                           json.dumps("rules-2026.4 \u00a77")) == _whole(
            case, decision, "rules-2026.4 \u00a77")
    assert json.loads(text.inputs) == json.loads(json.dumps(case, default=str))


FIELDS = ("acquired_on", "audience", "batch_id", "email_normalized", "email_status",
          "email_channel_kind", "phone_valid", "phone_channel_kind", "record_id", "source_kind",
          "vendor", "provenance_documented", "street", "postcode", "city", "postal_kind")


def _row(record_id: str, audience: str, documented: bool) -> tuple[Any, ...]:
    return (date(2026, 11, 20), audience, "L1", f"{record_id}@example.de", "valid",
            "business_personal" if audience == "b2b" else "private", True, "business_line",
            record_id, "purchased_list", "Broker", documented, "Hauptstr. 1", "80331", "München",
            "business" if audience == "b2b" else "private")


def test_leads_alike_but_for_their_id_are_decided_as_if_alone(tmp_path: Path) -> None:
    """The engine runs once per distinct case in a batch; every lead still gets the
    decisions, digests and stored case it would get on its own."""
    config = load_eligibility_config(tmp_path)
    leads: list[Any] = [(f"lead-{i}", [_row(f"r{i}", audience, documented)], [], [], [])
             for i, (audience, documented) in enumerate(
                 [("b2b", True), ("b2b", True), ("b2c", True), ("b2c", False), ("b2b", True)])]

    def evaluated(batch_leads: list[Any]) -> list[dict[str, Any]]:
        return _evaluate(_Batch(FIELDS, batch_leads, {}, date(2026, 12, 7), config)).changed

    together = evaluated(leads)
    assert together == [row for lead in leads for row in evaluated([lead])]
    by_lead = {(r["lead_id"], r["channel"]): r for r in together}
    assert by_lead["lead-0", "post"]["inputs_hash"] != by_lead["lead-1", "post"]["inputs_hash"]
    post = {r["lead_id"]: (r["decision"], r["reason"]) for r in together
            if r["channel"] == "post"}
    assert post["lead-0"] == post["lead-1"] == post["lead-4"]
    assert len(set(post.values())) == 3, post
