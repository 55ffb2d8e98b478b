"""Override files are kept per package, so two packages' files of one name never collide."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrichment.config import company_config
from foundation.config import ConfigError
from matching.settings import load_match_settings


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_matching_override_does_not_reach_enrichment(tmp_path: Path) -> None:
    """The README's matching override (`bands`) used to fail enrichment's validation."""
    _write(tmp_path / "matching" / "company.yaml", "bands:\n  match: 0.97\n")
    assert load_match_settings("company", tmp_path).value.bands.match == 0.97
    enrichment = company_config(tmp_path)
    assert enrichment.sources == ("enrichment/defaults/company.yaml",)


def test_a_flat_override_is_refused_with_its_new_place(tmp_path: Path) -> None:
    _write(tmp_path / "company.yaml", "bands:\n  match: 0.97\n")
    with pytest.raises(ConfigError) as raised:
        load_match_settings("company", tmp_path)
    message = str(raised.value)
    assert "company.yaml" in message
    assert str(tmp_path / "matching" / "company.yaml") in message
