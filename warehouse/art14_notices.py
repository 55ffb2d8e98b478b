"""What Art. 14 notice tracking reads: the records of a person, and records without notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from warehouse.db import Warehouse


def records_of_subject(wh: Warehouse, email: str | None, phone: str | None) -> list[str]:
    """Records filed under this e-mail or phone in the ledger, or listed with the e-mail."""
    return [str(r[0]) for r in wh.fetchall(
        "SELECT DISTINCT record_id FROM core.consent_events WHERE record_id IS NOT NULL "
        "AND ((subject_email = ? AND ? IS NOT NULL) OR (subject_phone = ? AND ? IS NOT "
        "NULL)) UNION SELECT record_id FROM staging.stg_lead_records "
        "WHERE source_kind = 'purchased_list' AND lower(trim(email)) = ?",
        [email, email, phone, phone, email])]


@dataclass(frozen=True)
class AcquiredRecord:
    """A purchased or crawled record, and the day its Art. 14 deadline runs from."""

    record_id: str
    source_kind: str
    vendor: str | None
    file_name: str | None
    acquired_on: date


def records_without_notice(wh: Warehouse) -> list[AcquiredRecord]:
    """Purchased and crawled records (not quarantined) that no Art. 14 notice reached yet,
    oldest acquisition first."""
    return [AcquiredRecord(*row) for row in wh.fetchall(
        "SELECT r.record_id, r.source_kind, r.vendor, r.file_name, "
        "coalesce(r.acquired_on, r.fetched_at::DATE, r.ingested_at::DATE) AS acquired_on "
        "FROM staging.stg_record_origins r "
        "WHERE r.source_kind IN ('purchased_list', 'crawl') AND r.record_id NOT IN ("
        "SELECT record_id FROM core.consent_events WHERE kind = 'art14_notice_sent' "
        "AND record_id IS NOT NULL) AND r.record_id NOT IN (SELECT record_id FROM "
        "ops.quarantine WHERE record_id IS NOT NULL) ORDER BY acquired_on, r.record_id")]
