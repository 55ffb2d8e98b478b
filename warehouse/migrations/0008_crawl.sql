-- Crawled Impressum and contact pages: one staging row per company found on a page, one per
-- managing director named there (as a decision maker at that company).
CREATE TABLE staging.stg_crawl__pages (
    record_id VARCHAR NOT NULL, batch_id VARCHAR NOT NULL, row_number BIGINT NOT NULL,
    url VARCHAR NOT NULL, domain VARCHAR NOT NULL, page_kind VARCHAR, fetched_at TIMESTAMPTZ,
    company VARCHAR, first_name VARCHAR, last_name VARCHAR, full_name VARCHAR,
    position VARCHAR, street VARCHAR, postcode VARCHAR, city VARCHAR, country VARCHAR,
    phone VARCHAR, fax VARCHAR, email VARCHAR, website VARCHAR, register VARCHAR,
    vat_id VARCHAR
);
