-- One row per input record as raw.records holds it (quarantined rows included): where it came
-- from (source kind, file, vendor, row, submission, page) and when. `activity_at` is when the
-- record's fact happened: the form was submitted, the page fetched, or else the row ingested.
-- Core and marts read origins here instead of joining raw or a source's staging table again.
SELECT r.record_id, r.source_kind, r.batch_id, b.file_name, b.vendor, b.acquired_on,
       b.provenance_documented, r.row_number, r.submission_id, r.form_source, r.form_id,
       r.url, r.fetched_at, r.ingested_at, f.submitted_at, f.request_type,
       coalesce(f.submitted_at, r.fetched_at, r.ingested_at) AS activity_at
FROM raw.records r
LEFT JOIN staging.stg_batches b ON b.batch_id = r.batch_id
LEFT JOIN staging.stg_web_form__submissions f ON f.record_id = r.record_id
