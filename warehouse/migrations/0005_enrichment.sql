-- Enrichment: one row per input record with normalised, validated, classified fields,
-- and the provenance of every enriched value (what, from which record and field, how, when).
CREATE TABLE core.enriched_records (
    record_id VARCHAR NOT NULL,
    source_kind VARCHAR NOT NULL,
    origin VARCHAR NOT NULL,
    enriched_at TIMESTAMPTZ NOT NULL,
    config_version VARCHAR NOT NULL,
    email_normalized VARCHAR,
    email_status VARCHAR,
    email_kind VARCHAR,
    email_domain VARCHAR,
    email_registrable_domain VARCHAR,
    phone_original VARCHAR,
    phone_e164 VARCHAR,
    phone_valid BOOLEAN,
    phone_type VARCHAR,
    phone_region VARCHAR,
    phone_extension VARCHAR,
    mobile_original VARCHAR,
    mobile_e164 VARCHAR,
    mobile_valid BOOLEAN,
    mobile_type VARCHAR,
    fax_e164 VARCHAR,
    company_name VARCHAR,
    legal_form VARCHAR,
    legal_entity VARCHAR,
    company_match_name VARCHAR,
    register_court VARCHAR,
    register_number VARCHAR,
    vat_id VARCHAR,
    website_domain VARCHAR,
    email_website_agree BOOLEAN,
    wz_code VARCHAR,
    wz_section VARCHAR,
    size_class VARCHAR,
    salutation VARCHAR,
    title VARCHAR,
    first_name VARCHAR,
    last_name VARCHAR,
    role VARCHAR,
    seniority VARCHAR,
    decision_maker BOOLEAN,
    street VARCHAR,
    house_number VARCHAR,
    match_street VARCHAR,
    postcode VARCHAR,
    city VARCHAR,
    country VARCHAR,
    po_box BOOLEAN,
    audience VARCHAR,
    sole_trader BOOLEAN,
    email_channel_kind VARCHAR,
    phone_channel_kind VARCHAR,
    postal_kind VARCHAR,
    reasons JSON NOT NULL
);

CREATE TABLE core.field_provenance (
    record_id         VARCHAR NOT NULL,
    field             VARCHAR NOT NULL,
    value             VARCHAR,
    source_record_id  VARCHAR NOT NULL,
    source_field      VARCHAR,
    method            VARCHAR NOT NULL,
    origin            VARCHAR NOT NULL,
    derived_at        TIMESTAMPTZ NOT NULL
);

-- DNS answers per e-mail domain, so deliverability is looked up once per domain and TTL.
CREATE TABLE core.domain_checks (
    domain      VARCHAR PRIMARY KEY,
    verdict     VARCHAR NOT NULL,   -- mx | a_only | none
    reason      VARCHAR NOT NULL,
    checked_at  DOUBLE NOT NULL     -- Unix time of the lookup
);

-- Every input record with the canonical fields, whatever its source.
CREATE VIEW staging.stg_lead_records AS
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
FROM staging.stg_web_form__submissions;
