"""The warehouse's views are files: one per view, built after the migrations in the order of
what they read, rebuilt when a file changes; a warehouse whose views migrations made upgrades
to the same rows."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from graphlib import CycleError
from pathlib import Path

import duckdb
import pytest
import yaml

from foundation.settings import Settings
from leadpipe.cli.demo import DEMO_CONFIG, DEMO_LISTS
from leadpipe.demo import generate_demo
from matching.settings import load_match_settings
from stages.decide import decide_all
from stages.enrich import enrich_new
from stages.ingest import ListOptions, ingest_form_file, ingest_list_file
from stages.match import match_all
from stages.score import score_all
from tests.conftest import REPO, source_files
from tests.scoring.test_stage_data import build
from warehouse import views
from warehouse.db import Warehouse, open_warehouse
from warehouse.migrate import migration_files
from warehouse.views import Model, build_order, build_views, load_models

MODELS = REPO / "warehouse" / "models"
OLD_VIEWS = REPO / "tests" / "fixtures" / "warehouse" / "views_before_models.sql"
Snapshot = dict[str, tuple[list[str], list[tuple[object, ...]]]]
"""View name → (columns, sorted rows)."""
_CREATE_VIEW = re.compile(r"\bCREATE\s+(OR\s+REPLACE\s+)?(TEMP\s+)?VIEW\b", re.IGNORECASE)


def _views(wh: Warehouse) -> set[str]:
    return {name for (name,) in wh.fetchall(
        "SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal "
        "AND database_name = current_database()")}


def test_every_view_in_the_warehouse_is_one_model_file(settings: Settings) -> None:
    files = sorted(MODELS.glob("*/*.sql"))
    assert [f"{p.parent.name}.{p.stem}" for p in files] == [m.name for m in load_models()]
    assert {p.parent.name for p in files} == {"staging", "core", "marts"}
    for model in load_models():
        code = re.sub(r"--[^\n]*", "", model.sql).strip()
        assert re.match(r"(SELECT|WITH)\b", code), f"{model.name} is not one SELECT"
        assert ";" not in code, model.name
        assert "CREATE" not in code.upper(), model.name
    with open_warehouse(settings, write=True, create=True) as wh:
        assert _views(wh) == {m.name for m in load_models()}


def test_neither_migrations_nor_python_create_views() -> None:
    for version, name, sql in migration_files():
        assert not _CREATE_VIEW.search(sql), f"migration {version:04d}_{name} creates a view"
    for path in source_files():
        if path != REPO / "warehouse" / "views.py":
            assert not _CREATE_VIEW.search(path.read_text(encoding="utf-8")), path


def test_models_are_built_after_what_they_read() -> None:
    order = build_order(load_models())
    for i, model in enumerate(order):
        assert not model.reads & {m.name for m in order[i:]}, model.name
    a = Model("marts.a", "SELECT * FROM core.b JOIN staging.c USING (x)")
    b = Model("core.b", "SELECT x FROM staging.c -- not FROM marts.a: a comment")
    c = Model("staging.c", "SELECT 1 AS x FROM raw.records")
    assert [m.name for m in build_order([a, b, c])] == ["staging.c", "core.b", "marts.a"]
    with pytest.raises(CycleError):
        build_order([Model("core.x", "SELECT * FROM core.y"),
                     Model("core.y", "SELECT * FROM core.x")])


def test_the_wide_golden_model_has_every_survivorship_field(settings: Settings) -> None:
    fields = {f for level in ("company", "contact", "consumer")
              for f in load_match_settings(level).value.survivorship.fields}
    with open_warehouse(settings, write=True, create=True) as wh:
        columns = [d[0] for d in wh.con.execute(
            "SELECT * FROM core.golden_leads LIMIT 0").description or []]
    assert set(columns) == {"lead_id", *fields}


RAW_READERS = {
    "warehouse/undo.py": "an undo takes a batch's rows out of every layer",
    "warehouse/subjects.py": "GDPR access and erasure reach every copy of a person's data",
    "warehouse/status.py": "the quarantine listing shows rows as received; they never reach "
                           "staging",
}
"""Modules besides the loaders (`warehouse/load_*.py`) that may read raw and the source
staging tables; everything else reads the staging models."""
_SOURCE_READ = re.compile(r"\b(?:FROM|JOIN)\s+(raw\.\w+|staging\.stg_\w+__\w+)")


def test_nothing_after_staging_reads_raw_or_a_source_table() -> None:
    assert _SOURCE_READ.findall('"SELECT 1 FROM staging.stg_web_form__submissions f "') == [
        "staging.stg_web_form__submissions"]
    assert _SOURCE_READ.findall("FROM staging.stg_record_origins JOIN raw.batches b") == [
        "raw.batches"]
    found = []
    for path in source_files():
        name = path.relative_to(REPO).as_posix()
        if name not in RAW_READERS and not re.fullmatch(r"warehouse/load_\w+\.py", name):
            found += [f"{name}: {table}"
                      for table in _SOURCE_READ.findall(path.read_text(encoding="utf-8"))]
    assert found == [], "read staging.stg_record_origins, stg_batches or stg_lead_records"
    for model in load_models():
        if not model.name.startswith("staging."):
            assert not [r for r in model.reads if _SOURCE_READ.match(f"FROM {r}")], model.name


def test_a_changed_file_is_rebuilt_an_unchanged_set_is_not(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = load_models()
    with open_warehouse(settings, write=True, create=True) as wh:
        assert build_views(wh) == []
    changed = [replace(m, sql=f"SELECT *, 1 AS marker FROM ({m.sql})")
               if m.name == "marts.lead_profile" else m for m in shipped
               if m.name != "marts.qualified_leads"]
    monkeypatch.setattr(views, "load_models", lambda: changed)
    with open_warehouse(settings, write=True) as wh:
        assert "marker" in [d[0] for d in wh.con.execute(
            "SELECT * FROM marts.lead_profile").description or []]
        assert "marts.qualified_leads" not in _views(wh)  # its file is gone
        stored = dict(wh.fetchall("SELECT name, checksum FROM ops.model_builds"))
    assert stored == {m.name: m.checksum for m in changed}
    monkeypatch.undo()
    with open_warehouse(settings, write=True) as wh:
        assert _views(wh) == {m.name for m in shipped}
        assert build_views(wh) == []


def test_a_warehouse_with_the_views_of_migrations_upgrades_to_the_same_rows(
        settings: Settings) -> None:
    build(settings)  # three leads with records of every source, golden values, decisions
    score_all(settings, date(2026, 11, 20))
    before = _as_before_the_models(settings)
    with open_warehouse(settings, write=True) as wh:
        assert _views(wh) == {m.name for m in load_models()}
        assert wh.scalar("SELECT count(*) FROM ops.model_builds") == len(load_models())
        after = _rows(wh.con)
    assert _like(after, before) == _like(before, before)


def test_the_demo_marts_are_the_rows_the_migrations_views_gave(
        tmp_path: Path, settings: Settings) -> None:
    """The demo's lists and forms through every stage but the crawl: the views of the files
    answer exactly what the views of the migrations answered."""
    today = date(2026, 12, 1)
    demo = generate_demo(tmp_path / "demo", seed=42).out_dir
    for name, content in DEMO_CONFIG.items():
        (settings.config_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (settings.config_dir / name).write_text(yaml.safe_dump(content), encoding="utf-8")
    for name, meta in DEMO_LISTS.items():
        acquired = today - timedelta(days=int(meta["acquired_days_ago"]))
        ingest_list_file(settings, demo / "lists" / name, ListOptions(
            vendor=meta["vendor"], acquired_on=acquired, permitted_use=meta["permitted_use"],
            provenance_documented=meta["provenance_documented"]))
    for path in sorted((demo / "forms").glob("*.*")):
        ingest_form_file(settings, path)
    enrich_new(settings)
    match_all(settings)
    decide_all(settings, today)
    score_all(settings, today)
    with open_warehouse(settings, write=False) as wh:
        after = _rows(wh.con)
    before = _as_before_the_models(settings)
    assert len(before["marts.qualified_leads"][1]) > 500
    assert _like(after, before) == _like(before, before)


def _as_before_the_models(settings: Settings) -> Snapshot:
    """Turn the warehouse back into one of the last release whose migrations made the views
    (their definitions: OLD_VIEWS), and read those views."""
    con = duckdb.connect(str(settings.db_path))
    try:
        for model in load_models():
            con.execute(f"DROP VIEW {model.name}")
        con.execute("DROP TABLE ops.model_builds")
        con.execute("DELETE FROM schema_version WHERE name = 'model_builds'")
        con.execute(OLD_VIEWS.read_text(encoding="utf-8"))
        before = _rows(con)
    finally:
        con.close()
    assert all(rows for _, rows in before.values())
    return before


def _rows(con: duckdb.DuckDBPyConnection) -> Snapshot:
    """Columns and sorted rows of the views that existed before the models."""
    out = {}
    for name in ("staging.stg_lead_records", "marts.lead_profile", "marts.qualified_leads"):
        cur = con.execute(f"SELECT * FROM {name} ORDER BY ALL")
        rows = cur.fetchall()
        out[name] = ([d[0] for d in cur.description or []], rows)
    return out


def _like(snapshot: Snapshot, old: Snapshot) -> dict[str, list[str]]:
    """Each view's rows in the columns the old view had, sorted: the models have since gained
    columns (person fields and country for letters), the old ones must answer the same."""
    out = {}
    for name, (columns, rows) in snapshot.items():
        index = [columns.index(c) for c in old[name][0]]
        out[name] = sorted(repr(tuple(row[i] for i in index)) for row in rows)
    return out
