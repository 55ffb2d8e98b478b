"""Look-ups of single records, for inputs that name a record directly.

An external event may carry the form submission it confirms, and an Art. 14 mailing file
lists record ids: both are resolved against `staging.stg_record_origins`, which holds every
record id the raw layer has, quarantined rows included.
"""

from __future__ import annotations

from warehouse.db import Warehouse


def record_of_submission(wh: Warehouse, submission_id: str) -> str | None:
    """The record of a web-form submission, if it was loaded (the first loaded, should two
    form tools have used the same id)."""
    found = wh.scalar("SELECT record_id FROM staging.stg_record_origins WHERE submission_id = ? "
                      "ORDER BY ingested_at, record_id LIMIT 1", [submission_id])
    return None if found is None else str(found)


def is_record(wh: Warehouse, record_id: str) -> bool:
    return bool(wh.scalar(
        "SELECT count(*) FROM staging.stg_record_origins WHERE record_id = ?", [record_id]))
