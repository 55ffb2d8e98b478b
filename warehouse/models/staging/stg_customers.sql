-- One row per loaded version of a customer (staging.stg_customer__records) without the
-- contact fields, which readers take from the enriched records: the customer key, what the
-- CRM says (lifecycle, customer or not), the §7(3) facts, and when the export that brought
-- this version was loaded. Core and marts read customers here, never the source table.
SELECT c.record_id, c.batch_id, c.crm, c.export_kind, c.customer_key, c.customer_number,
       c.crm_record_id, c.lifecycle, c.is_customer, c.last_purchase_on, c.product_category,
       c.collected_in_sale, c.notice_at_collection, b.ingested_at
FROM staging.stg_customer__records c
JOIN staging.stg_batches b USING (batch_id)
