"""Golden records in German: every field a level keeps golden and every survivorship rule has
a label, so the lead page never shows a bare column name."""

from __future__ import annotations

import pytest

from foundation.vocabulary import ENTITY_LEVELS
from matching.settings import load_match_settings
from matching.texts import load_golden_texts

TEXTS = load_golden_texts()


@pytest.mark.parametrize("level", ENTITY_LEVELS)
def test_every_golden_field_has_a_german_label(level: str) -> None:
    settings = load_match_settings(level).value
    assert sorted(set(settings.survivorship.fields) - set(TEXTS.fields)) == []
    assert sorted(set(settings.survivorship.rules) - set(TEXTS.survivorship_rules)) == []
    assert level in TEXTS.entity_types
