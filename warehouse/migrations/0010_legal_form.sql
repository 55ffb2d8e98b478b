-- Legal form (Rechtsform) as a first-class field (#15): a list's `Rechtsform` column, a web
-- form's field and the legal form a crawled Impressum names are staged as given; enrichment
-- normalises it (core.enriched_records.legal_form, legal_entity as its class) by precedence
-- field > company-name suffix > register type > Impressum. The union view lists every staging
-- column, so it is replaced with legal_form added at the end.
ALTER TABLE staging.stg_purchased_list__records ADD COLUMN legal_form VARCHAR;
ALTER TABLE staging.stg_web_form__submissions ADD COLUMN legal_form VARCHAR;
ALTER TABLE staging.stg_crawl__pages ADD COLUMN legal_form VARCHAR;

-- Lists loaded before this migration kept their legal-form column in raw only (the header was
-- unmapped): stage it from the raw row under the usual headers, so those GmbH and KG rows stop
-- counting as sole traders on the next enrichment (the configuration changed with this
-- release, so every record is enriched again).
UPDATE staging.stg_purchased_list__records AS s
SET legal_form = coalesce(
        json_extract_string(r.payload, '$."Rechtsform"'),
        json_extract_string(r.payload, '$."Rechtsform (Kurz)"'),
        json_extract_string(r.payload, '$."Gesellschaftsform"'),
        json_extract_string(r.payload, '$."Unternehmensform"'),
        json_extract_string(r.payload, '$."Firmenart"'),
        json_extract_string(r.payload, '$."Legal form"'),
        json_extract_string(r.payload, '$."Company type"'))
FROM raw.records AS r
WHERE r.record_id = s.record_id AND r.source_kind = 'purchased_list' AND s.legal_form IS NULL;

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

-- The lead profile shows the golden legal form (a contact's from its company's lead). A view
-- cannot gain a column in place, so it is replaced whole with legal_form as its last column.
CREATE OR REPLACE VIEW marts.lead_profile AS
WITH golden AS (
    SELECT lead_id,
           max(value) FILTER (WHERE field = 'company_name')     AS company_name,
           max(value) FILTER (WHERE field = 'salutation')       AS salutation,
           max(value) FILTER (WHERE field = 'title')            AS title,
           max(value) FILTER (WHERE field = 'first_name')       AS first_name,
           max(value) FILTER (WHERE field = 'last_name')        AS last_name,
           max(value) FILTER (WHERE field = 'position')         AS position,
           max(value) FILTER (WHERE field = 'email_normalized') AS email,
           max(value) FILTER (WHERE field = 'phone_e164')       AS phone_e164,
           max(value) FILTER (WHERE field = 'mobile_e164')      AS mobile_e164,
           max(value) FILTER (WHERE field = 'street')           AS street,
           max(value) FILTER (WHERE field = 'house_number')     AS house_number,
           max(value) FILTER (WHERE field = 'postcode')         AS postcode,
           max(value) FILTER (WHERE field = 'city')             AS city,
           max(value) FILTER (WHERE field = 'legal_form')       AS legal_form
    FROM core.golden_records GROUP BY lead_id
),
members AS (
    SELECT m.lead_id,
           max(e.fax_e164)                                        AS fax_e164,
           max(e.wz_code)                                         AS wz_code,
           max(e.wz_section)                                      AS wz_section,
           max(e.country)                                         AS country,
           list(DISTINCT r.source_kind ORDER BY r.source_kind)   AS sources,
           list(DISTINCT b.vendor ORDER BY b.vendor) FILTER (WHERE b.vendor IS NOT NULL)
                                                                  AS vendors,
           min(r.ingested_at)                                     AS first_seen,
           max(coalesce(f.submitted_at, r.fetched_at, r.ingested_at)) AS last_activity
    FROM core.lead_members m
    LEFT JOIN core.enriched_records e ON e.record_id = m.record_id
    LEFT JOIN raw.records r ON r.record_id = m.record_id
    LEFT JOIN raw.batches b ON b.batch_id = r.batch_id
    LEFT JOIN staging.stg_web_form__submissions f ON f.record_id = m.record_id
    GROUP BY m.lead_id
)
SELECT l.lead_id, l.entity_type, l.company_lead_id,
       coalesce(g.company_name, cg.company_name)                   AS company_name,
       nullif(concat_ws(' ', g.first_name, g.last_name), '')       AS person_name,
       g.email, g.phone_e164, g.mobile_e164,
       coalesce(mb.fax_e164, cm.fax_e164)                          AS fax_e164,
       coalesce(g.street, cg.street)                               AS street,
       coalesce(g.house_number, cg.house_number)                   AS house_number,
       coalesce(g.postcode, cg.postcode)                           AS postcode,
       coalesce(g.city, cg.city)                                   AS city,
       coalesce(mb.wz_code, cm.wz_code)                            AS wz_code,
       coalesce(mb.wz_section, cm.wz_section)                      AS wz_section,
       coalesce(mb.sources, [])                                    AS sources,
       coalesce(mb.vendors, [])                                    AS vendors,
       mb.first_seen, mb.last_activity,
       coalesce(g.legal_form, cg.legal_form)                       AS legal_form
FROM core.leads l
LEFT JOIN golden g ON g.lead_id = l.lead_id
LEFT JOIN golden cg ON cg.lead_id = l.company_lead_id
LEFT JOIN members mb ON mb.lead_id = l.lead_id
LEFT JOIN members cm ON cm.lead_id = l.company_lead_id;
