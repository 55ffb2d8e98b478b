"""Enrichment configuration: defaults validate, a config directory overrides keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrichment.config import (
    address_config,
    audience_config,
    company_config,
    email_config,
    person_config,
    use_config_dir,
)
from enrichment.record import enrich_record
from foundation.config import ConfigError


def test_defaults_load() -> None:
    assert "gmx.de" in email_config().value.freemail_domains
    assert any(f.canonical == "GmbH & Co. KG" for f in company_config().value.legal_forms)
    assert person_config().value.salutations["herr"] == "Herr"
    assert address_config().value.countries["oesterreich"] == "AT"
    assert audience_config().value.origins["crawled"] == "impressum_crawl"


def test_override_merges_and_changes_version(tmp_path: Path) -> None:
    (tmp_path / "enrichment").mkdir(parents=True, exist_ok=True)
    (tmp_path / "enrichment" / "email.yaml").write_text(
        "dns:\n  timeout_s: 1.5\n", encoding="utf-8")
    loaded = email_config(tmp_path)
    assert loaded.value.dns.timeout_s == 1.5
    assert loaded.value.dns.workers == email_config().value.dns.workers
    assert loaded.version != email_config().version


def test_invalid_override_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "enrichment").mkdir(parents=True, exist_ok=True)
    (tmp_path / "enrichment" / "person.yaml").write_text(
        "roles:\n  - role: X\n    seniority: boss\n    patterns: [x]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="seniority"):
        person_config(tmp_path)


def test_a_new_config_dir_reaches_results_already_cached(tmp_path: Path) -> None:
    """A process that enriched with one directory and is then told another (a worker that
    runs partitions for several workspaces, a long-lived server) answers by the new one:
    results, lists and patterns cached under the old one are dropped."""
    (tmp_path / "enrichment").mkdir()
    (tmp_path / "enrichment" / "email.yaml").write_text(
        "role_local_parts: [vertrieb, chef]\n", encoding="utf-8")
    (tmp_path / "enrichment" / "company.yaml").write_text(
        "sole_trader_words: [schreinerei]\n", encoding="utf-8")
    record = {"company": "Schreinerei Holzmann", "email": "chef@holzmann.de"}

    def enriched() -> tuple[object, object]:
        row = enrich_record(record, record_id="1", source_kind="purchased_list").to_row()
        return row["email_kind"], row["sole_trader"]

    try:
        before = enriched()
        use_config_dir(tmp_path)
        assert enriched() == ("role", True) != before
        use_config_dir(None)
        assert enriched() == before
    finally:
        use_config_dir(None)
