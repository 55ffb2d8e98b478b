-- One row per ingested file (raw.batches): what it was and, for lists, the buyer's metadata
-- (vendor, acquisition date, provenance); for customer exports the CRM and the export kind.
-- Readers after staging take a batch's facts from here, or per record from
-- staging.stg_record_origins.
SELECT batch_id, source_kind, file_name, vendor, acquired_on, provenance_documented,
       rows_in, rows_loaded, rows_quarantined, rows_skipped, ingested_at, crm, export_kind
FROM raw.batches
