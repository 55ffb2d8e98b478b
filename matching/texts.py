"""German labels of golden records: fields, entity levels, and why a value survived.

Wording in `matching/defaults/texts_de.yaml`; the lead page names each golden field and the
rule that chose its value (matching/golden.py). Pure.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, model_validator

from foundation.config import load_config
from foundation.vocabulary import ENTITY_LEVELS

SURVIVORSHIP_RULES = ("only_value", "validated", "source_trust", "recency", "completeness",
                      "record_id_tiebreak")
"""What matching/golden.py records as the reason a value won."""


class GoldenTexts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    entity_types: dict[str, str]
    fields: dict[str, str]
    survivorship_rules: dict[str, str]

    @model_validator(mode="after")
    def _complete(self) -> GoldenTexts:
        for key, wanted in (("entity_types", ENTITY_LEVELS),
                            ("survivorship_rules", SURVIVORSHIP_RULES)):
            missing = [w for w in wanted if w not in getattr(self, key)]
            if missing:
                raise ValueError(f"{key}.{missing[0]}: missing German label")
        return self


@lru_cache(maxsize=8)
def load_golden_texts(config_dir: Path | None = None) -> GoldenTexts:
    """Cached: the lead page renders per request; the files change with a restart."""
    return load_config("matching", "texts_de", GoldenTexts, config_dir).value
