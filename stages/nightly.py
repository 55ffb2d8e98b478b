"""What a nightly run did, stage by stage, and whether someone has to act on it.

The nightly flow fills a `NightlyReport` as its stages finish; the Prefect summary artifact,
the terminal summary, the `--json` output and the operator's e-mail are all written from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from foundation.settings import Settings
from stages.consent import EventImportReport
from stages.crawl import CrawlResult
from stages.decide import DecideResult
from stages.enrich import EnrichResult
from stages.ingest import RejectedFile
from stages.intake import HandOffResult
from stages.match import MatchResult
from stages.reports import report_json
from stages.score import ScoreResult
from warehouse.db import open_warehouse
from warehouse.load_lists import BatchReport
from warehouse.status import quarantine_reasons


@dataclass(frozen=True)
class QuarantineCount:
    """Rows of one file that were set aside for one reason."""

    file: str
    reason: str
    rows: int


def quarantine_counts(settings: Settings, batch_ids: list[str]) -> list[QuarantineCount]:
    if not batch_ids:
        return []
    with open_warehouse(settings, write=False) as wh:
        return [QuarantineCount(*row) for row in quarantine_reasons(wh, batch_ids)]


@dataclass
class NightlyReport:
    run_date: date
    inbox: str
    handoff: HandOffResult = field(default_factory=HandOffResult)
    ingest: list[BatchReport | RejectedFile] = field(default_factory=list)
    consent_events: list[EventImportReport | RejectedFile] = field(default_factory=list)
    quarantine: list[QuarantineCount] = field(default_factory=list)
    crawl: CrawlResult | None = None
    """None when the crawl was switched off for this run."""
    enrich: EnrichResult | None = None
    match: MatchResult | None = None
    decide: DecideResult | None = None
    score: ScoreResult | None = None
    notes: list[str] = field(default_factory=list)
    """Things the operator should know that are not errors (e.g. no warehouse yet)."""
    stopped_by: str | None = None
    """The error that stopped the run before its last stage, if one did."""

    @property
    def needs_attention(self) -> bool:
        """A person has to act: a file was rejected, or the run did not get to its end."""
        return bool(self.rejected) or self.stopped_by is not None

    @property
    def rejected(self) -> list[RejectedFile]:
        """Input files that were not loaded at all; they stay in the inbox until fixed."""
        return [r for r in (*self.ingest, *self.consent_events) if isinstance(r, RejectedFile)]

    @property
    def loaded(self) -> list[BatchReport]:
        return [r for r in self.ingest if isinstance(r, BatchReport)]

    def totals(self) -> dict[str, int]:
        """rows in = loaded + quarantined + skipped, over the files that were read."""
        return {"in": sum(r.rows_in for r in self.loaded),
                "loaded": sum(r.loaded for r in self.loaded),
                "quarantined": sum(r.quarantined for r in self.loaded),
                "skipped": sum(r.skipped for r in self.loaded)}

    def headline(self) -> str:
        """One line for the run's state message, a mail subject and the summary's title."""
        new = [r for r in self.loaded if r.status == "loaded"]
        text = (f"nightly {self.run_date.isoformat()}: {len(new)} new file(s), "
                f"{self.totals()['loaded']:,} row(s) loaded")
        if self.rejected:
            names = ", ".join(r.file for r in self.rejected)
            text += f"; {len(self.rejected)} file(s) rejected and left in the inbox: {names}"
        if self.stopped_by:
            text += f"; STOPPED: {self.stopped_by}"
        return text

    def as_dict(self) -> dict[str, Any]:
        """`run nightly --json`: each stage's report as its own JSON, in stage order."""
        return {
            "run_date": self.run_date.isoformat(), "inbox": self.inbox,
            "needs_attention": self.needs_attention, "stopped_by": self.stopped_by,
            "rejected": report_json(self.rejected),
            "handoff": report_json(self.handoff),
            "ingest": report_json(self.ingest),
            "totals": self.totals(),
            "consent_events": report_json(self.consent_events),
            "quarantine": report_json(self.quarantine),
            "crawl": report_json(self.crawl),
            "enrich": report_json(self.enrich), "match": report_json(self.match),
            "decide": report_json(self.decide), "score": report_json(self.score),
            "notes": list(self.notes),
        }
