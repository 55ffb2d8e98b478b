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

CREATE OR REPLACE VIEW staging.stg_lead_records AS
SELECT 'purchased_list' AS source_kind, record_id, batch_id, company, salutation, title,
       first_name, last_name, full_name, position, street, house_number, street_full, postcode,
       city, country, phone, mobile, fax, email, website, industry, wz_code, employees,
       revenue, register, vat_id, NULL::TIMESTAMPTZ AS submitted_at, NULL AS request_type
FROM staging.stg_purchased_list__records
UNION ALL
SELECT 'web_form', record_id, batch_id, company, salutation, title, first_name, last_name,
       full_name, position, street, house_number, street_full, postcode, city, country, phone,
       mobile, fax, email, website, industry, wz_code, employees, revenue, register, vat_id,
       submitted_at, request_type
FROM staging.stg_web_form__submissions
UNION ALL
SELECT 'crawl', record_id, batch_id, company, NULL, NULL, first_name, last_name, full_name,
       position, street, NULL, NULL, postcode, city, country, phone, NULL, fax, email,
       website, NULL, NULL, NULL, NULL, register, vat_id, NULL, NULL
FROM staging.stg_crawl__pages;
