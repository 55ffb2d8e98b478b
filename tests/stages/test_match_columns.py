"""The match stage reads only the columns a level's settings name (`record_columns`): the
engine's and the golden record's. A column the engine or survivorship reads but the settings
do not name would reach them empty, silently; so each level's clusters, pairs and golden
records must be those of the records with every column."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bench.generate_leads import generate, write
from foundation.settings import Settings
from leadpipe.cli.main import app
from matching.engine import dedupe
from matching.golden import golden_records
from matching.settings import load_match_settings
from stages.enrich import enrich_new
from warehouse import leads as store
from warehouse.db import open_warehouse


@pytest.fixture(scope="module")
def enriched(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home = tmp_path_factory.mktemp("match-columns")
    settings = Settings(data_dir=home / "data", db_path=home / "data" / "leadpipe.duckdb",
                        config_dir=home / "config", lock_timeout_s=30.0, read_wait_s=2.0)
    write(home / "liste.csv", generate(3000, seed=7, dup_rate=0.2), home / "truth.csv")
    result = CliRunner().invoke(app, ["ingest", "list", str(home / "liste.csv"), "--vendor",
                                      "Broker", "--acquired-on", "2026-11-20", "--db",
                                      str(settings.db_path)])
    assert result.exit_code == 0, result.output
    enrich_new(settings)
    return settings


@pytest.mark.parametrize("level", ["company", "contact", "consumer"])
def test_a_level_matches_alike_on_its_record_columns_and_on_all(
        enriched: Settings, level: str) -> None:
    config = load_match_settings(level, enriched.config_dir).value
    with open_warehouse(enriched, write=False) as wh:
        full = store.match_inputs(wh, level)
        narrow = store.match_inputs(wh, level, config.record_columns())
    assert len(full) == len(narrow) > 300
    assert len(narrow[0]) < len(full[0])
    whole, lean = dedupe(full, config), dedupe(narrow, config)
    assert lean.clusters == whole.clusters
    assert lean.pairs() == whole.pairs()
    assert len(set(lean.clusters.values())) < len(narrow)     # it did merge some
    assert golden_records(narrow, lean.clusters, config) == golden_records(
        full, whole.clusters, config)
