-- Legal form (Rechtsform) as a first-class field (#15): a list's `Rechtsform` column, a web
-- form's field and the legal form a crawled Impressum names are staged as given; enrichment
-- normalises it (core.enriched_records.legal_form, legal_entity as its class) by precedence
-- field > company-name suffix > register type > Impressum.
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
