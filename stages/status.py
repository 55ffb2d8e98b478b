"""What `leadpipe status` shows: the warehouse at a glance, and what needs a person."""

from __future__ import annotations

from dataclasses import dataclass, field

from foundation.settings import Settings
from warehouse import status as wh_status
from warehouse.db import open_warehouse
from warehouse.runs import RunRow, recent_runs
from warehouse.status import BatchRow, FailedRun, QuarantinedRow, TableCount


@dataclass(frozen=True)
class WarehouseStatus:
    path: str
    size_bytes: int
    snapshot: bool
    """True when a writer held the warehouse and the published snapshot was read."""
    leads: dict[str, int]
    allowed: dict[str, int]
    review_pairs_open: int
    runs: list[RunRow]
    failures: list[FailedRun]
    """Failed runs nobody has fixed yet (a rejected file stays until a fixed copy loads)."""
    batches: list[BatchRow] = field(default_factory=list)
    tables: list[TableCount] = field(default_factory=list)


def warehouse_status(settings: Settings, *, runs: int = 8,
                     details: bool = False) -> WarehouseStatus:
    with open_warehouse(settings, write=False) as wh:
        return WarehouseStatus(
            path=str(wh.path), size_bytes=wh.path.stat().st_size, snapshot=wh.is_snapshot,
            leads=wh_status.leads_by_type(wh), allowed=wh_status.allowed_by_channel(wh),
            review_pairs_open=wh_status.review_pairs_open(wh), runs=recent_runs(wh, runs),
            failures=wh_status.unresolved_failures(wh),
            batches=wh_status.batches(wh, 20) if details else [],
            tables=wh_status.table_counts(wh) if details else [])


def quarantine_total(settings: Settings) -> int:
    """Rows set aside in `ops.quarantine` over all files (the runs page's count)."""
    with open_warehouse(settings, write=False) as wh:
        return wh_status.quarantine_total(wh)


def batch_problems(settings: Settings, batch_id: str, limit: int = 200) -> list[QuarantinedRow]:
    """A batch's quarantined rows as row, field and reason: what an upload's job page lists
    (the rows' content stays in the warehouse; `leadpipe quarantine` shows it)."""
    with open_warehouse(settings, write=False) as wh:
        return wh_status.quarantined_rows(wh, batch_id, limit)
