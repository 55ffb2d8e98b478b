"""Training the learned model from outcomes, its guard, and scoring with it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from foundation.settings import Settings
from stages.score import score_all, train_from_outcomes
from warehouse.db import open_warehouse

AS_OF = date(2026, 11, 20)
NOW = "2026-11-20 10:00:00+00"


def _population(settings: Settings, leads: int) -> None:
    """`leads` company leads; every third one is a medium IT company (the ones that win)."""
    with open_warehouse(settings, write=True, create=True) as wh:
        wh.execute("INSERT INTO core.leads SELECT 'P' || i, 'company', NULL, ?, ? "
                   "FROM range(?) t(i)", [NOW, NOW, leads])
        wh.execute("INSERT INTO core.lead_members SELECT 'P' || i, 'company', 'p' || i, ? "
                   "FROM range(?) t(i)", [NOW, leads])
        wh.execute("INSERT INTO core.enriched_records (record_id, source_kind, origin, "
                   "enriched_at, config_version, reasons, wz_code, size_class, email_status) "
                   "SELECT 'p' || i, 'purchased_list', 't', ?, 'v', '[]', "
                   "CASE WHEN i % 3 = 0 THEN '62.01' ELSE '47.11' END, "
                   "CASE WHEN i % 3 = 0 THEN 'medium' ELSE 'micro' END, "
                   "CASE WHEN i % 2 = 0 THEN 'valid' ELSE 'invalid' END FROM range(?) t(i)",
                   [NOW, leads])


def _outcomes(path: Path, leads: int) -> Path:
    # wins mostly among the medium IT companies, a few elsewhere so both classes mix
    lines = ["lead_id,outcome"] + [
        f"P{i},{'won' if (i % 3 == 0 and i % 4 != 1) or i % 17 == 0 else 'lost'}"
        for i in range(leads)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_too_few_outcomes_are_refused_but_kept(settings: Settings, tmp_path: Path) -> None:
    _population(settings, 60)
    score_all(settings, AS_OF)
    result = train_from_outcomes(settings, _outcomes(tmp_path / "o.csv", 60))
    assert result.model is None
    assert "at least 200 leads" in (result.refused or "")
    with open_warehouse(settings, write=False) as wh:
        assert wh.scalar("SELECT count(*) FROM core.scoring_models") == 0
        assert wh.scalar("SELECT count(*) FROM core.lead_outcomes") == 60


def test_trained_model_is_stored_and_blended_into_scores(settings: Settings,
                                                         tmp_path: Path) -> None:
    _population(settings, 300)
    score_all(settings, AS_OF)
    result = train_from_outcomes(settings, _outcomes(tmp_path / "o.csv", 300), by="ops")
    assert result.scored == 300
    assert result.model is not None
    assert 0.5 < result.model.cv_auc <= 1
    assert result.model.calibration
    (settings.config_dir).mkdir(parents=True, exist_ok=True)
    (settings.config_dir / "scoring").mkdir(parents=True, exist_ok=True)
    (settings.config_dir / "scoring" / "scoring.yaml").write_text("predictive: {mode: blend}\n",
                                                      encoding="utf-8")
    counts = score_all(settings, AS_OF)
    assert counts.leads_scored == 300
    assert counts.predictive == "blend"
    assert f"+model:{result.model.model_id}" in counts.config_version
    with open_warehouse(settings, write=False) as wh:
        row = wh.dicts("SELECT explanation, top_reasons FROM core.lead_scores "
                       "WHERE is_current AND lead_id = 'P0'")[0]
    learned = [e for e in json.loads(row["explanation"]) if e["part"] == "learned"]
    assert any(e["factor"] == "win_probability" for e in learned)
    assert row["top_reasons"][-1].startswith("learned win probability")
