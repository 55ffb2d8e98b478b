"""Load a crawl's JSONL output: pages into raw, companies and managing directors into staging.

Each page line is one input row. A page whose extraction found a company becomes a company
record; every managing director named there becomes a derived record (a decision maker at
that company), stored in raw with `derived_from` so its lineage stays a join. Pages without
company data (home, about) are kept in raw and counted as skipped.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warehouse.db import Warehouse
from warehouse.load_lists import BatchReport, already_ingested, batch_id_for

_STAGING = ("record_id", "batch_id", "row_number", "url", "domain", "page_kind", "fetched_at",
            "company", "first_name", "last_name", "full_name", "position", "street",
            "postcode", "city", "country", "phone", "fax", "email", "website", "register",
            "vat_id", "legal_form")


def _company_row(page: dict[str, Any], found: dict[str, Any]) -> dict[str, Any]:
    register = " ".join(v for v in (found.get("register_court"), found.get("register_number"))
                        if v) or None
    return {
        "url": page["url"], "domain": page["domain"], "page_kind": page.get("page_kind"),
        "fetched_at": page.get("fetched_at"), "company": found.get("company_name"),
        "street": found.get("street"), "postcode": found.get("postcode"),
        "city": found.get("city"), "country": found.get("country"),
        "phone": (found.get("phones") or [None])[0], "fax": found.get("fax"),
        "email": (found.get("emails") or [None])[0], "website": page["domain"],
        "register": register, "vat_id": found.get("vat_id"),
        "legal_form": found.get("legal_form"),
    }


def load_crawl(wh: Warehouse, *, run_id: str, path: Path, records: list[dict[str, Any]]
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

    def add_raw(record_id: str, row: int, page: dict[str, Any], payload: dict[str, Any]) -> None:
        for key, value in (("record_id", record_id), ("batch_id", batch_id),
                           ("source_kind", "crawl"), ("row_number", row), ("url", page["url"]),
                           ("fetched_at", page.get("fetched_at")),
                           ("payload", json.dumps(payload, ensure_ascii=False, default=str)),
                           ("ingested_at", now)):
            raw[key].append(value)

    def add_staging(record_id: str, row: int, values: dict[str, Any]) -> None:
        full = {"record_id": record_id, "batch_id": batch_id, "row_number": row, **values}
        for key in _STAGING:
            staging[key].append(full.get(key))

    pages = [(n, r) for n, r in enumerate(records, start=1) if r.get("record_type") == "page"]
    loaded = skipped = 0
    for row, page in pages:
        record_id = f"{batch_id}:{row}"
        found = page.get("extracted") or {}
        payload = {k: page.get(k) for k in ("domain", "url", "final_url", "page_kind",
                                             "status", "fetched_at", "title", "jsonld",
                                             "extracted")}
        add_raw(record_id, row, page, payload)
        if not found.get("company_name"):
            skipped += 1
            continue
        loaded += 1
        company = _company_row(page, found)
        add_staging(record_id, row, company)
        for index, name in enumerate(found.get("managing_directors") or [], start=1):
            derived = f"{record_id}#md{index}"
            add_raw(derived, row, page, {"derived_from": record_id, "managing_director": name})
            parts = str(name).split()
            add_staging(derived, row, {**company, "full_name": name,
                                       "first_name": " ".join(parts[:-1]) or None,
                                       "last_name": parts[-1] if parts else None,
                                       "position": "Geschäftsführer", "email": None})
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
