"""The enrich stage reads its staged records a page at a time (a million held at once were
the nightly's memory peak) while it stores results in between: the warehouse must end as if
it had read them all at once, in the same order, and a second run finds nothing to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bench.generate_leads import generate, write
from foundation.settings import Settings
from leadpipe.cli.main import app
from stages import enrich
from warehouse.db import open_warehouse


def _ingested(home: Path, lists: Path) -> Settings:
    settings = Settings(data_dir=home / "data", db_path=home / "data" / "leadpipe.duckdb",
                        config_dir=home / "config", lock_timeout_s=30.0, read_wait_s=2.0)
    result = CliRunner().invoke(app, ["ingest", "list", str(lists), "--vendor", "Broker",
                                      "--acquired-on", "2026-11-20", "--db",
                                      str(settings.db_path)])
    assert result.exit_code == 0, result.output
    return settings


def _stored(settings: Settings) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with open_warehouse(settings, write=False) as wh:
        records = wh.fetchall("SELECT * EXCLUDE (enriched_at) FROM core.enriched_records "
                              "ORDER BY record_id")
        provenance = wh.fetchall("SELECT * EXCLUDE (derived_at) FROM core.field_provenance "
                                 "ORDER BY ALL")
    return records, provenance


def test_reading_in_pages_stores_what_reading_at_once_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lists = tmp_path / "liste.csv"
    write(lists, generate(1200, seed=3, dup_rate=0.2), tmp_path / "truth.csv")
    whole, paged = _ingested(tmp_path / "whole", lists), _ingested(tmp_path / "paged", lists)
    assert enrich.enrich_new(whole).records_enriched == 1200
    monkeypatch.setattr(enrich, "READ_PAGE", 97)
    monkeypatch.setattr(enrich, "PARALLEL_FROM", 100)   # two workers, pages in between
    assert enrich.enrich_new(paged).records_enriched == 1200
    assert _stored(paged) == _stored(whole)
    assert enrich.enrich_new(paged).records_enriched == 0
