"""Load a crawl's pages: each page into raw, the records it yields into staging.

`ingest.crawled_pages` has already turned the output lines into pages and records (which
crawled field becomes which canonical field); a derived record (a managing director) is
stored in raw with `derived_from` so its lineage stays a join.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.crawled_pages import CrawledPage
from warehouse.db import Warehouse
from warehouse.load_lists import BatchReport, already_ingested, batch_id_for

_STAGING = ("record_id", "batch_id", "row_number", "url", "domain", "page_kind", "fetched_at",
            "company", "first_name", "last_name", "full_name", "position", "street",
            "postcode", "city", "country", "phone", "fax", "email", "website", "register",
            "vat_id", "legal_form")


def load_crawl(wh: Warehouse, *, run_id: str, path: Path, pages: Sequence[CrawledPage]
               ) -> BatchReport:
    """Load one crawl output file inside the caller's transaction."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    earlier = already_ingested(wh, "crawl", digest, path.name)
    if earlier is not None:
        return earlier
    batch_id = batch_id_for("crawl", digest)
    now = datetime.now(UTC)
    raw: dict[str, list[Any]] = {k: [] for k in ("record_id", "batch_id", "source_kind",
                                                 "row_number", "url", "fetched_at", "payload",
                                                 "ingested_at")}
    staging: dict[str, list[Any]] = {k: [] for k in _STAGING}

    def add_raw(record_id: str, page: CrawledPage, payload: dict[str, Any]) -> None:
        for key, value in (("record_id", record_id), ("batch_id", batch_id),
                           ("source_kind", "crawl"), ("row_number", page.row),
                           ("url", page.url), ("fetched_at", page.fetched_at),
                           ("payload", json.dumps(payload, ensure_ascii=False, default=str)),
                           ("ingested_at", now)):
            raw[key].append(value)

    def add_staging(record_id: str, row: int, values: dict[str, Any]) -> None:
        full = {"record_id": record_id, "batch_id": batch_id, "row_number": row, **values}
        for key in _STAGING:
            staging[key].append(full.get(key))

    loaded = 0
    for page in pages:
        record_id = f"{batch_id}:{page.row}"
        add_raw(record_id, page, page.payload)
        loaded += bool(page.records)
        for record in page.records:
            if record.director is not None:
                add_raw(record_id + record.suffix, page,
                        {"derived_from": record_id, "managing_director": record.director})
            add_staging(record_id + record.suffix, page.row, record.values)
    skipped = len(pages) - loaded
    wh.insert_columns("raw.records", raw if raw["record_id"] else {})
    wh.insert_columns("staging.stg_crawl__pages", staging if staging["record_id"] else {})
    wh.execute(
        "INSERT INTO raw.batches (batch_id, run_id, source_kind, file_name, file_path, "
        "file_sha256, file_size, file_format, acquired_on, rows_in, rows_loaded, "
        "rows_quarantined, rows_skipped, ingested_at) "
        "VALUES (?, ?, 'crawl', ?, ?, ?, ?, 'jsonl', ?, ?, ?, 0, ?, ?)",
        [batch_id, run_id, path.name, str(path), digest, path.stat().st_size, now.date(),
         len(pages), loaded, skipped, now],
    )
    return BatchReport(batch_id, path.name, "loaded", len(pages), loaded, 0, skipped,
                       note="pages without company data count as skipped")


def crawled_at(wh: Warehouse) -> dict[str, datetime]:
    """Registrable domain → last time it was crawled."""
    return dict(wh.fetchall("SELECT payload->>'domain', max(fetched_at) FROM raw.records "
                            "WHERE source_kind = 'crawl' GROUP BY 1"))


def crawl_candidates(wh: Warehouse) -> list[dict[str, Any]]:
    """Leads' websites and e-mail addresses, the raw material of target selection."""
    return wh.dicts("SELECT website, email FROM staging.stg_lead_records WHERE source_kind <> "
                    "'crawl' AND (website IS NOT NULL OR email IS NOT NULL) ORDER BY record_id")
