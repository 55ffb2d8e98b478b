"""The Bundesland of a German postcode, from the ranges in `defaults/bundeslaender.yaml`.

Sales filter lead lists by Land; no list or page states it, but the postcode does. The
mapping is data (two-digit regions plus exception ranges, see the YAML) so a border
postcode can be corrected in `<config>/enrichment/bundeslaender.yaml` without code.
`postcode_ranges` flattens it into sorted, non-overlapping five-digit ranges, which the
warehouse joins against and `bundesland_for` searches.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from foundation.config import LoadedConfig, load_config

_PLZ = re.compile(r"^\d{5}$")


class BundeslandConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    lands: dict[str, str]
    """Short code → the Land's name as the page shows it."""
    regions: dict[str, str]
    """Two-digit postcode region → land code."""
    exceptions: list[tuple[str, str, str]]
    """(first postcode, last postcode, land code): later ranges win."""

    @field_validator("regions")
    @classmethod
    def _two_digits(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [k for k in value if not re.fullmatch(r"\d\d", k)]
        if bad:
            raise ValueError(f"a region is two digits in quotes (\"01\"), got {', '.join(bad)}")
        return value

    @field_validator("exceptions")
    @classmethod
    def _ranges(cls, value: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
        for i, (first, last, _) in enumerate(value):
            if not (_PLZ.match(first) and _PLZ.match(last)) or first > last:
                raise ValueError(f"item {i}: a range is [\"first\", \"last\", LAND] with two "
                                 f"five-digit postcodes in quotes, first ≤ last; got "
                                 f"[{first}, {last}]")
        return value

    @model_validator(mode="after")
    def _known_lands(self) -> BundeslandConfig:
        used = set(self.regions.values()) | {land for _, _, land in self.exceptions}
        unknown = sorted(used - self.lands.keys())
        if unknown:
            raise ValueError(f"land code {', '.join(unknown)} is not under `lands`; add it "
                             "there with its name")
        return self


def postcode_ranges(cfg: BundeslandConfig) -> tuple[tuple[str, str, str], ...]:
    """Sorted, non-overlapping (first, last, Land name) covering every mapped postcode."""
    land = [""] * 100_000
    for region, code in cfg.regions.items():
        start = int(region) * 1000
        land[start:start + 1000] = [code] * 1000
    for first, last, code in cfg.exceptions:
        land[int(first):int(last) + 1] = [code] * (int(last) - int(first) + 1)
    ranges: list[tuple[str, str, str]] = []
    start = 0
    for i in range(1, 100_001):
        if i == 100_000 or land[i] != land[start]:
            if land[start]:
                ranges.append((f"{start:05d}", f"{i - 1:05d}", cfg.lands[land[start]]))
            start = i
    return tuple(ranges)


@lru_cache(maxsize=8)
def bundesland_config(config_dir: Path | None = None) -> LoadedConfig[BundeslandConfig]:
    return load_config("enrichment", "bundeslaender", BundeslandConfig, config_dir)


@lru_cache(maxsize=8)
def _ranges(config_dir: Path | None) -> tuple[tuple[str, str, str], ...]:
    return postcode_ranges(bundesland_config(config_dir).value)


def bundesland_for(postcode: str | None, config_dir: Path | None = None) -> str | None:
    """The Land of a five-digit German postcode, None when it is not one or not mapped."""
    code = (postcode or "").strip()
    if not _PLZ.match(code):
        return None
    ranges = _ranges(config_dir)
    i = bisect.bisect_right([r[0] for r in ranges], code) - 1
    if i >= 0 and ranges[i][0] <= code <= ranges[i][1]:
        return ranges[i][2]
    return None
