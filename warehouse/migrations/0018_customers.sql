-- Customers from CRM and ERP exports (issue #21, `leadpipe ingest customers`).
-- raw.batches learns the source kind 'customer' and which CRM and export kind a batch is
-- (DuckDB cannot drop a CHECK constraint, so the table is rebuilt, as in 0013).
CREATE TABLE raw.batches_v2 (
    batch_id              VARCHAR PRIMARY KEY,
    run_id                VARCHAR NOT NULL,
    source_kind           VARCHAR NOT NULL CHECK (source_kind IN ('purchased_list', 'web_form',
                                                                  'crawl', 'customer')),
    file_name             VARCHAR NOT NULL,
    file_path             VARCHAR,
    file_sha256           VARCHAR NOT NULL,
    file_size             BIGINT,
    file_format           VARCHAR,
    encoding              VARCHAR,
    delimiter             VARCHAR,
    vendor                VARCHAR,
    acquired_on           DATE,
    licence_end           DATE,
    permitted_use         VARCHAR,
    provenance_documented BOOLEAN,
    column_mapping        JSON,
    rows_in               BIGINT NOT NULL,
    rows_loaded           BIGINT NOT NULL,
    rows_quarantined      BIGINT NOT NULL,
    rows_skipped          BIGINT NOT NULL,
    ingested_at           TIMESTAMPTZ NOT NULL,
    crm                   VARCHAR,     -- customer exports: hubspot | pipedrive | centralstation | generic
    export_kind           VARCHAR      -- customer exports: contacts | companies | deals | customers …
);
INSERT INTO raw.batches_v2
SELECT batch_id, run_id, source_kind, file_name, file_path, file_sha256, file_size,
       file_format, encoding, delimiter, vendor, acquired_on, licence_end, permitted_use,
       provenance_documented, column_mapping, rows_in, rows_loaded, rows_quarantined,
       rows_skipped, ingested_at, NULL, NULL
FROM raw.batches;
DROP TABLE raw.batches;
ALTER TABLE raw.batches_v2 RENAME TO batches;

-- One row per loaded version of a customer: the canonical lead fields (as the purchased-list
-- staging table) and what the CRM says about the customer. `customer_key` stays the same
-- across monthly exports (crm:entity:record id, or crm:entity:customer number); a changed row
-- loads as a new record of the same key, an unchanged one is not loaded again.
CREATE TABLE staging.stg_customer__records (
    record_id VARCHAR NOT NULL, batch_id VARCHAR NOT NULL, row_number BIGINT NOT NULL,
    company VARCHAR, salutation VARCHAR, title VARCHAR, first_name VARCHAR, last_name VARCHAR,
    full_name VARCHAR, position VARCHAR, street VARCHAR, house_number VARCHAR,
    street_full VARCHAR, postcode VARCHAR, city VARCHAR, country VARCHAR, phone VARCHAR,
    mobile VARCHAR, fax VARCHAR, email VARCHAR, website VARCHAR, industry VARCHAR,
    wz_code VARCHAR, employees VARCHAR, revenue VARCHAR, register VARCHAR, vat_id VARCHAR,
    legal_form VARCHAR,
    crm                  VARCHAR NOT NULL CHECK (crm IN ('hubspot', 'pipedrive',
                                                         'centralstation', 'generic')),
    export_kind          VARCHAR NOT NULL,
    customer_key         VARCHAR NOT NULL,
    customer_number      VARCHAR,
    crm_record_id        VARCHAR,
    lifecycle            VARCHAR,
    is_customer          BOOLEAN NOT NULL,  -- a purchase, or the lifecycle/label says customer
    last_purchase_on     DATE,
    product_category     VARCHAR,
    collected_in_sale    BOOLEAN,
    notice_at_collection BOOLEAN
);

-- Which customers each export held, loaded or unchanged: a customer missing from the latest
-- export of its CRM and export kind is kept, but no longer `in_latest_export`.
CREATE TABLE staging.stg_customer__export_rows (
    batch_id      VARCHAR NOT NULL,
    row_number    BIGINT NOT NULL,
    customer_key  VARCHAR NOT NULL,
    record_id     VARCHAR NOT NULL
);

-- Purchases of customers: a won deal, or the last purchase a contact or company export
-- names. Accumulated over exports, one row per customer, day and product category.
CREATE TABLE core.customer_purchases (
    customer_key          VARCHAR NOT NULL,
    purchased_on          DATE NOT NULL,
    product_category      VARCHAR,
    value_eur             DECIMAL(14, 2),
    collected_in_sale     BOOLEAN,
    notice_at_collection  BOOLEAN,
    record_id             VARCHAR NOT NULL,
    batch_id              VARCHAR NOT NULL
);
