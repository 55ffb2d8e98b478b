-- One row per lead (any entity level) that has a member record from a customer export
-- (`leadpipe ingest customers`); a lead without a row is not known to the CRM.
-- customer_keys: the CRM's customers the lead is made of (crm:entity:id, stable across
-- exports); is_customer: a purchase is known, or the newest version of one of its customers
-- has a lifecycle stage or label that says customer; last_purchase_on and product_categories: from core.customer_purchases;
-- last_import_at: the last export that listed one of its customers; in_latest_export: one
-- of them is in the newest export of its CRM and export kind (false: the customer left the
-- export and is kept with its last purchase date).
WITH member AS (
    SELECT m.lead_id, c.customer_key, c.crm, c.is_customer, c.ingested_at
    FROM core.lead_members m
    JOIN staging.stg_customers c USING (record_id)
),
lead_key AS (  -- what the newest version of each customer says
    SELECT lead_id, customer_key, any_value(crm) AS crm,
           arg_max(is_customer, ingested_at) AS is_customer
    FROM member GROUP BY lead_id, customer_key
),
keyed AS (
    SELECT lead_id, list(customer_key ORDER BY customer_key) AS customer_keys,
           min(crm) AS crm, bool_or(is_customer) AS labelled
    FROM lead_key GROUP BY lead_id
),
bought AS (
    SELECT k.lead_id, max(p.purchased_on) AS last_purchase_on,
           list(DISTINCT p.product_category ORDER BY p.product_category)
               FILTER (WHERE p.product_category IS NOT NULL) AS product_categories
    FROM lead_key k JOIN core.customer_purchases p USING (customer_key)
    GROUP BY k.lead_id
),
listed AS (
    SELECT k.lead_id, max(e.ingested_at) AS last_import_at, bool_or(e.newest) AS in_latest_export
    FROM lead_key k JOIN staging.stg_customer_listings e USING (customer_key)
    GROUP BY k.lead_id
)
SELECT k.lead_id, k.customer_keys, k.crm,
       k.labelled OR p.lead_id IS NOT NULL AS is_customer,
       p.last_purchase_on,
       coalesce(p.product_categories, []::VARCHAR[]) AS product_categories,
       l.last_import_at,
       coalesce(l.in_latest_export, false) AS in_latest_export
FROM keyed k
LEFT JOIN bought p USING (lead_id)
LEFT JOIN listed l USING (lead_id)
