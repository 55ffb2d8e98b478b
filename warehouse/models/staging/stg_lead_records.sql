-- Every staged input record with the canonical fields, whatever its source: the union of the
-- source staging tables (lists, forms, crawled pages, customer exports). What enrich reads.
SELECT 'purchased_list' AS source_kind, record_id, batch_id, company, salutation, title,
       first_name, last_name, full_name, position, street, house_number, street_full, postcode,
       city, country, phone, mobile, fax, email, website, industry, wz_code, employees,
       revenue, register, vat_id, NULL::TIMESTAMPTZ AS submitted_at, NULL AS request_type,
       legal_form
FROM staging.stg_purchased_list__records
UNION ALL
SELECT 'web_form', record_id, batch_id, company, salutation, title, first_name, last_name,
       full_name, position, street, house_number, street_full, postcode, city, country, phone,
       mobile, fax, email, website, industry, wz_code, employees, revenue, register, vat_id,
       submitted_at, request_type, legal_form
FROM staging.stg_web_form__submissions
UNION ALL
SELECT 'crawl', record_id, batch_id, company, NULL, NULL, first_name, last_name, full_name,
       position, street, NULL, NULL, postcode, city, country, phone, NULL, fax, email,
       website, NULL, NULL, NULL, NULL, register, vat_id, NULL, NULL, legal_form
FROM staging.stg_crawl__pages
UNION ALL
SELECT 'customer', record_id, batch_id, company, salutation, title, first_name, last_name,
       full_name, position, street, house_number, street_full, postcode, city, country, phone,
       mobile, fax, email, website, industry, wz_code, employees, revenue, register, vat_id,
       NULL, NULL, legal_form
FROM staging.stg_customer__records
