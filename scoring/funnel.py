"""The funnel: counts per source and stage, turned into conversion rates.

Pure: the warehouse supplies the counts (`warehouse.marts.funnel_counts`). Each stage's rate
is relative to the stage it follows on its path: ingested → unique → enriched →
eligible (per channel) → qualified → exported; won is relative to unique leads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

CHANNELS = ("email", "phone", "post", "sms", "fax")


def stage_order(channels: Sequence[str] = CHANNELS) -> list[tuple[str, str | None]]:
    """(stage, the stage its rate is relative to) in display order."""
    order: list[tuple[str, str | None]] = [("ingested", None), ("unique", "ingested"),
                                           ("enriched", "unique")]
    for ch in channels:
        order += [(f"eligible:{ch}", "enriched"), (f"qualified:{ch}", f"eligible:{ch}"),
                  (f"exported:{ch}", f"qualified:{ch}")]
    return [*order, ("won", "unique")]


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    count: int
    rate: float | None   # share of the stage it follows (None for the first, or when 0)


@dataclass(frozen=True)
class FunnelSource:
    source_kind: str     # web_form | purchased_list | crawl | all
    vendor: str
    steps: tuple[FunnelStep, ...]

    @property
    def label(self) -> str:
        return f"{self.source_kind}:{self.vendor}" if self.vendor else self.source_kind

    def as_dict(self) -> dict[str, Any]:
        return {"source_kind": self.source_kind, "vendor": self.vendor or None,
                "steps": [{"stage": s.stage, "count": s.count, "rate": s.rate}
                          for s in self.steps]}


def build_funnel(counts: Iterable[Mapping[str, Any]],
                 channels: Sequence[str] = CHANNELS) -> list[FunnelSource]:
    """Rows of (source_kind, vendor, stage, n) → one funnel per source, `all` first."""
    by_source: dict[tuple[str, str], dict[str, int]] = {}
    for row in counts:
        key = (row["source_kind"], row["vendor"] or "")
        by_source.setdefault(key, {})[row["stage"]] = int(row["n"])
    order = stage_order(channels)
    funnels = []
    for (kind, vendor), stages in sorted(by_source.items(),
                                         key=lambda kv: (kv[0][0] != "all", kv[0])):
        steps = []
        for stage, parent in order:
            n = stages.get(stage, 0)
            base = stages.get(parent, 0) if parent else 0
            steps.append(FunnelStep(stage, n, round(n / base, 4) if base else None))
        funnels.append(FunnelSource(kind, vendor, tuple(steps)))
    return funnels
