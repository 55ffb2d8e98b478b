-- One row per loaded version of a customer (staging.stg_customer__records) without the
-- contact fields, which readers take from the enriched records: the customer key, what the
-- CRM says (lifecycle, customer or not) and the §7(3) facts. Core and marts read customers
-- here, never the source table.
SELECT record_id, batch_id, crm, export_kind, customer_key, customer_number, crm_record_id,
       lifecycle, is_customer, last_purchase_on, product_category, collected_in_sale,
       notice_at_collection
FROM staging.stg_customer__records
