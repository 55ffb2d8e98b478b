-- Who each customer export listed, loaded or unchanged (staging.stg_customer__export_rows),
-- with when, and whether the export is the newest of its CRM and export kind: a customer
-- missing from the newest one has left the CRM's export.
WITH batch AS (
    SELECT batch_id, crm, export_kind, ingested_at,
           row_number() OVER (PARTITION BY crm, export_kind ORDER BY ingested_at DESC,
                              batch_id DESC) = 1 AS newest
    FROM staging.stg_batches WHERE source_kind = 'customer'
)
SELECT e.batch_id, e.row_number, e.customer_key, e.record_id, b.crm, b.export_kind,
       b.ingested_at, b.newest
FROM staging.stg_customer__export_rows e
JOIN batch b USING (batch_id)
