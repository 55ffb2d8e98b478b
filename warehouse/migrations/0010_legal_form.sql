-- Legal form (Rechtsform) as a first-class field (#15): a list's `Rechtsform` column, a web
-- form's field and the legal form a crawled Impressum names are staged as given; enrichment
-- normalises it (core.enriched_records.legal_form, legal_entity as its class) by precedence
-- field > company-name suffix > register type > Impressum. The union view lists every staging
-- column, so it is replaced with legal_form added at the end.
ALTER TABLE staging.stg_purchased_list__records ADD COLUMN legal_form VARCHAR;
ALTER TABLE staging.stg_web_form__submissions ADD COLUMN legal_form VARCHAR;
ALTER TABLE staging.stg_crawl__pages ADD COLUMN legal_form VARCHAR;

CREATE OR REPLACE VIEW staging.stg_lead_records AS
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
FROM staging.stg_crawl__pages;
