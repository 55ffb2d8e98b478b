"""The score stage against a real warehouse: what is rescored, history, explanations."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from foundation.settings import Settings
from scoring.features import lead_features
from stages.score import score_all, score_pending
from tests.scoring.test_stage_data import build
from warehouse.db import open_warehouse
from warehouse.marts import stage_features

AS_OF = date(2026, 11, 20)


def _current(settings: Settings) -> dict[str, dict[str, Any]]:
    with open_warehouse(settings, write=False) as wh:
        return {r["lead_id"]: r for r in wh.dicts(
            "SELECT * FROM core.lead_scores WHERE is_current")}


def _history(settings: Settings, lead: str) -> int:
    with open_warehouse(settings, write=False) as wh:
        return int(wh.scalar("SELECT count(*) FROM core.lead_scores WHERE lead_id = ?", [lead]))


def _staged(settings: Settings, as_of: date = AS_OF) -> dict[str, dict[str, Any]]:
    """The feature rows of stale leads, as the score stage sees them."""
    with open_warehouse(settings, write=True, create=True) as wh, wh.transaction():
        stage_features(wh, as_of=as_of, region_prefixes=["80", "8", "1"],
                       config_version="test")
        rows = {r["lead_id"]: r for r in wh.dicts("SELECT * FROM _score_todo")}
        wh.execute("DROP TABLE _score_todo")
    return rows


def test_features_come_from_golden_members_and_forms(settings: Settings) -> None:
    build(settings)
    rows = _staged(settings)
    alpha, dana, erika = (lead_features(rows[k]) for k in ("L1", "L2", "L3"))
    assert alpha.impressum_confirms
    assert alpha.wz_code == "62.01"
    assert alpha.size_class == "small"
    assert alpha.legal_form == "GmbH"
    assert alpha.phone_e164
    assert alpha.address_complete
    assert alpha.email_status == "valid"
    assert rows["L1"]["region"] == "80"
    assert rows["L3"]["region"] == "1"
    assert [(r.kind, r.on) for r in dana.requests] == [("demo", date(2026, 11, 18))]
    assert dana.decision_maker
    assert dana.wz_code == "62.01"
    assert not erika.impressum_confirms
    assert erika.audience == "b2c"


def test_impressum_must_agree_on_the_company(settings: Settings) -> None:
    build(settings)
    with open_warehouse(settings, write=True, create=True) as wh:
        wh.execute("UPDATE core.enriched_records SET company_name = 'ALPHA gmbh ' "
                   "WHERE record_id = 'r2'")
    assert _staged(settings)["L1"]["impressum_confirms"]
    with open_warehouse(settings, write=True, create=True) as wh:
        wh.execute("UPDATE core.enriched_records SET company_name = 'Beta AG' "
                   "WHERE record_id = 'r2'")
    assert not _staged(settings)["L1"]["impressum_confirms"]


def test_scores_are_stored_with_explanation_and_reasons(settings: Settings) -> None:
    build(settings)
    counts = score_all(settings, AS_OF)
    assert counts.leads_scored == 3
    scores = _current(settings)
    dana = scores["L2"]
    explanation = json.loads(str(dana["explanation"]))
    assert any(e["factor"] == "request" and "demo request 2 days ago" in e["detail"]
               for e in explanation)
    assert dana["top_reasons"][0].startswith("demo request")
    assert sum(e["points"] for e in explanation) == pytest.approx(dana["total"], abs=0.1)
    assert scores["L1"]["total"] > scores["L3"]["total"]


def test_only_changed_leads_are_rescored(settings: Settings) -> None:
    build(settings)
    score_all(settings, AS_OF)
    again = score_all(settings, AS_OF)
    assert again.leads_scored == 0
    assert again.unchanged == 3
    with open_warehouse(settings, write=True, create=True) as wh:
        wh.execute("UPDATE core.enriched_records SET size_class = 'medium' "
                   "WHERE record_id = 'r1'")
    changed = score_all(settings, AS_OF)
    # Alpha changed; Dana inherits its size class and changes too; the consumer does not
    assert changed.leads_scored == 2
    assert _history(settings, "L1") == 2
    assert _history(settings, "L3") == 1
    with open_warehouse(settings, write=False) as wh:
        assert wh.scalar("SELECT count(*) FROM core.lead_scores WHERE is_current") == 3


def test_a_new_day_rescores_only_leads_with_requests(settings: Settings) -> None:
    build(settings)
    score_all(settings, AS_OF)
    before = _current(settings)["L2"]["engagement"]
    next_day = score_all(settings, date(2026, 12, 20))
    assert next_day.leads_scored == 1
    assert _current(settings)["L2"]["engagement"] < before   # the demo request decayed


def test_configuration_change_rescores_everything(settings: Settings) -> None:
    build(settings)
    score_all(settings, AS_OF)
    config = Path(settings.config_dir)
    config.mkdir(parents=True, exist_ok=True)
    (config / "scoring").mkdir(parents=True, exist_ok=True)
    (config / "scoring" / "scoring.yaml").write_text(
        "grades: {A: 60, B: 20, C: 10}\n", encoding="utf-8")
    counts = score_all(settings, AS_OF)
    assert counts.leads_scored == 3
    versions = {s["config_version"] for s in _current(settings).values()}
    with open_warehouse(settings, write=False) as wh:
        old = {r[0] for r in wh.fetchall("SELECT config_version FROM core.lead_scores "
                                         "WHERE NOT is_current")}
    assert len(versions) == 1
    assert versions.isdisjoint(old)


def test_vanished_leads_lose_their_current_score(settings: Settings) -> None:
    build(settings)
    score_all(settings, AS_OF)
    with open_warehouse(settings, write=True, create=True) as wh:
        wh.execute("DELETE FROM core.leads WHERE lead_id = 'L3'")
        counts = score_pending(wh, settings, AS_OF)
    assert counts.retired == 1
    assert "L3" not in _current(settings)


def test_inputs_hash_ignores_the_date_without_requests(settings: Settings) -> None:
    build(settings)
    now, later = _staged(settings), _staged(settings, date(2027, 1, 1))
    assert now["L1"]["inputs_hash"] == later["L1"]["inputs_hash"]
    assert now["L2"]["inputs_hash"] != later["L2"]["inputs_hash"]


def test_leads_sharing_features_keep_their_own_postcode(settings: Settings) -> None:
    build(settings)
    with open_warehouse(settings, write=True, create=True) as wh:
        wh.execute("UPDATE core.golden_records SET value = '10117' "
                   "WHERE lead_id = 'L3' AND field = 'postcode'")
    score_all(settings, AS_OF)
    reasons = json.loads(str(_current(settings)["L1"]["explanation"]))
    assert any(e["detail"] == "postcode 80331 in region 80" for e in reasons)
    erika = json.loads(str(_current(settings)["L3"]["explanation"]))
    assert any(e["detail"] == "postcode 10117 in region 1" for e in erika)
