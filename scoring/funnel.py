"""The funnel: counts per source and stage, turned into rates a person can read.

Pure: the warehouse supplies the counts (`warehouse.marts.funnel_counts`), each lead stage
counted within the stage its rate is relative to. The paths: records ingested → leads →
enriched → per channel allowed → qualified → exported, and enriched → contacted → reached →
appointment → won, with not interested and lost as shares of the leads reached.
Leads per record is a multiplier, not a conversion (see MULTIPLIER_NOTE); every other rate
is a share of its base, so it never exceeds 100 %.

The renderers (`funnel_table_rows`, `funnel_markdown`, `funnel_notes`) give the terminal
table, the chart page and the Prefect artifacts the same wording.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from foundation.vocabulary import CHANNELS

MULTIPLIERS = frozenset({"unique"})
"""Stages whose count may exceed their base's: their rate is a ratio, not a share."""

MULTIPLIER_NOTE = (
    "× = leads per record, a ratio and not a conversion: a list row or web form naming a "
    "company and its contact person gives two leads, records of the same company or person "
    "merge into one lead, and a crawled page without company data gives none.")
RATE_NOTE = "% of <stage> = share of the leads counted in that stage, in the same column."

_WORDS = {"ingested": "records ingested", "unique": "leads", "enriched": "enriched",
          "eligible": "allowed", "qualified": "qualified", "exported": "exported",
          "contacted": "contacted", "reached": "reached", "appointment": "appointment",
          "won": "won", "not_interested": "not interested", "lost": "lost"}
_SOURCE_WORDS = {"all": "all sources", "web_form": "web forms",
                 "purchased_list": "purchased list", "crawl": "crawled websites",
                 "customer": "customer exports"}


def stage_order(channels: Sequence[str] = CHANNELS) -> list[tuple[str, str | None]]:
    """(stage, the stage its rate is relative to) in display order, top to bottom."""
    order: list[tuple[str, str | None]] = [("ingested", None), ("unique", "ingested"),
                                           ("enriched", "unique")]
    for ch in channels:
        order += [(f"eligible:{ch}", "enriched"), (f"qualified:{ch}", f"eligible:{ch}"),
                  (f"exported:{ch}", f"qualified:{ch}")]
    return [*order, *OUTCOME_STAGES]


OUTCOME_STAGES: tuple[tuple[str, str], ...] = (
    ("contacted", "enriched"), ("reached", "contacted"), ("appointment", "reached"),
    ("won", "appointment"), ("not_interested", "reached"), ("lost", "reached"))
"""The sales steps (from recorded outcomes) and the step each rate is relative to: a win is
a share of the appointments, a refusal or a loss a share of the leads reached."""


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    count: int
    rate: float | None       # count / count of relative_to (None for the first, or when 0)
    relative_to: str | None  # the stage before it on its path
    multiplier: bool         # rate is a ratio that may exceed 1 (leads per record)
    empty_channel: bool      # its channel is empty in every source: left out of displays

    @property
    def channel(self) -> str:
        return self.stage.partition(":")[2]

    @property
    def words(self) -> str:
        """The stage in plain words: 'email: qualified'."""
        step, _, channel = self.stage.partition(":")
        return f"{channel}: {_WORDS[step]}" if channel else _WORDS[step]

    @property
    def basis(self) -> str:
        """What the rate is of: '% of allowed', '× per record', or '' without a rate."""
        if self.relative_to is None:
            return ""
        if self.multiplier:
            return "× per record"
        return f"% of {_WORDS[self.relative_to.partition(':')[0]]}"

    @property
    def label(self) -> str:
        """'email: qualified (% of allowed)'."""
        return f"{self.words} ({self.basis})" if self.basis else self.words

    @property
    def cell(self) -> str:
        """'1,234 (56%)', '878 (×0.89)', or the count alone without a rate."""
        if self.rate is None:
            return f"{self.count:,}"
        rate = f"×{self.rate:.2f}" if self.multiplier else _percent(self.rate)
        return f"{self.count:,} ({rate})"


def _percent(rate: float) -> str:
    """Whole percent, but never rounded to 0 % or 100 % when some, or not all, converted."""
    if 0 < rate < 0.005:
        return "<1%"
    if 0.995 <= rate < 1:
        return ">99%"
    return f"{rate:.0%}"


@dataclass(frozen=True)
class FunnelSource:
    source_kind: str     # web_form | purchased_list | crawl | all
    vendor: str
    steps: tuple[FunnelStep, ...]

    @property
    def label(self) -> str:
        return f"{self.source_kind}:{self.vendor}" if self.vendor else self.source_kind

    @property
    def title(self) -> str:
        """Plain words: 'all sources', 'purchased list: Adressverlag Nord'."""
        kind = _SOURCE_WORDS.get(self.source_kind, self.source_kind)
        return f"{kind}: {self.vendor}" if self.vendor else kind

    @property
    def shown_steps(self) -> tuple[FunnelStep, ...]:
        return tuple(s for s in self.steps if not s.empty_channel)

    def as_dict(self) -> dict[str, Any]:
        return {"source_kind": self.source_kind, "vendor": self.vendor or None,
                "steps": [{"stage": s.stage, "count": s.count, "rate": s.rate,
                           "relative_to": s.relative_to, "multiplier": s.multiplier,
                           "empty_channel": s.empty_channel} for s in self.steps]}


def build_funnel(counts: Iterable[Mapping[str, Any]],
                 channels: Sequence[str] = CHANNELS) -> list[FunnelSource]:
    """Rows of (source_kind, vendor, stage, n) → one funnel per source, `all` first.

    A channel with no lead in any stage of any source is marked empty. A stage counting
    more than its base (other than a multiplier) means the counts are wrong: ValueError.
    """
    by_source: dict[tuple[str, str], dict[str, int]] = {}
    for row in counts:
        key = (row["source_kind"], row["vendor"] or "")
        by_source.setdefault(key, {})[row["stage"]] = int(row["n"])
    order = stage_order(channels)
    empty = {ch for ch in channels
             if not any(stages.get(f"{step}:{ch}") for stages in by_source.values()
                        for step in ("eligible", "qualified", "exported"))}
    funnels = []
    for (kind, vendor), stages in sorted(by_source.items(),
                                         key=lambda kv: (kv[0][0] != "all", kv[0])):
        steps = []
        for stage, parent in order:
            n = stages.get(stage, 0)
            base = stages.get(parent, 0) if parent else 0
            multiplier = stage in MULTIPLIERS
            if parent and not multiplier and n > base:
                source = f"{kind}:{vendor}" if vendor else kind
                raise ValueError(f"funnel of {source}: {stage} counts {n}, more than {parent} "
                                 f"({base}); each stage must count within its base")
            steps.append(FunnelStep(stage, n, round(n / base, 4) if base else None, parent,
                                    multiplier, stage.partition(":")[2] in empty))
        funnels.append(FunnelSource(kind, vendor, tuple(steps)))
    return funnels


def empty_channels(funnel: Sequence[FunnelSource]) -> list[str]:
    """Channels left out because no source has a lead allowed on them, in channel order."""
    steps = funnel[0].steps if funnel else ()
    return list(dict.fromkeys(s.channel for s in steps if s.empty_channel))


def funnel_title(min_grade: str | None = None) -> str:
    return "Funnel" + (f" (qualified = grade {min_grade} or better)" if min_grade else "")


def funnel_notes(funnel: Sequence[FunnelSource]) -> list[str]:
    """How to read the rates, and which channels are left out: one line each."""
    notes = [RATE_NOTE, MULTIPLIER_NOTE]
    if empty := empty_channels(funnel):
        notes.append(f"Left out: {', '.join(empty)} (no lead allowed in any source).")
    return notes


def funnel_table_rows(funnel: Sequence[FunnelSource]) -> list[dict[str, str]]:
    """Stages top to bottom, a column per source, cells '1,234 (56%)': the Prefect table."""
    if not funnel:
        return []
    return [{"stage": step.label, **{src.title: src.steps[i].cell for src in funnel}}
            for i, step in enumerate(funnel[0].steps) if not step.empty_channel]


def funnel_markdown(funnel: Sequence[FunnelSource], min_grade: str | None = None) -> str:
    """The funnel table in markdown with its notes: the Prefect markdown artifact."""
    lines = [f"## {funnel_title(min_grade)}", ""]
    if rows := funnel_table_rows(funnel):
        lines += ["| " + " | ".join(_md(k) for k in rows[0]) + " |",
                  "|---|" + "---:|" * (len(rows[0]) - 1)]
        lines += ["| " + " | ".join(_md(v) for v in row.values()) + " |" for row in rows]
        for note in funnel_notes(funnel):
            lines += ["", note]
    else:
        lines.append("No records ingested yet.")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")
