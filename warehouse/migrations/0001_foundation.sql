-- Foundation: run records, the raw layer, quarantine, staging of lists and forms, consent ledger.
-- Layers: raw (as received) -> staging (canonical field names, one row per input row)
--         -> core (entities, events) -> marts (what sales reads). ops holds run bookkeeping.
CREATE SCHEMA IF NOT EXISTS ops;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS marts;

CREATE TABLE ops.runs (
    run_id       VARCHAR PRIMARY KEY,
    flow         VARCHAR NOT NULL,
    status       VARCHAR NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'killed')),
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    parameters   JSON,
    counts       JSON,
    error        VARCHAR,
    pid          INTEGER,
    host         VARCHAR
);

CREATE TABLE raw.batches (
    batch_id              VARCHAR PRIMARY KEY,
    run_id                VARCHAR NOT NULL,
    source_kind           VARCHAR NOT NULL CHECK (source_kind IN ('purchased_list', 'web_form', 'crawl')),
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
    ingested_at           TIMESTAMPTZ NOT NULL
);

-- Every input row as received: original values keyed by the original column name.
CREATE TABLE raw.records (
    record_id      VARCHAR NOT NULL,
    batch_id       VARCHAR NOT NULL,
    source_kind    VARCHAR NOT NULL,
    row_number     BIGINT,
    submission_id  VARCHAR,
    url            VARCHAR,
    fetched_at     TIMESTAMPTZ,
    payload        JSON NOT NULL,
    ingested_at    TIMESTAMPTZ NOT NULL
);

-- Rows that could not be loaded, with the row, the field and the reason.
CREATE TABLE ops.quarantine (
    batch_id        VARCHAR NOT NULL,
    file_name       VARCHAR NOT NULL,
    row_number      BIGINT,
    record_id       VARCHAR,
    field           VARCHAR,
    reason          VARCHAR NOT NULL,
    raw_content     VARCHAR,
    quarantined_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE staging.stg_purchased_list__records (
    record_id VARCHAR NOT NULL, batch_id VARCHAR NOT NULL, row_number BIGINT NOT NULL,
    company VARCHAR, salutation VARCHAR, title VARCHAR, first_name VARCHAR, last_name VARCHAR,
    full_name VARCHAR, position VARCHAR, street VARCHAR, house_number VARCHAR,
    street_full VARCHAR, postcode VARCHAR, city VARCHAR, country VARCHAR, phone VARCHAR,
    mobile VARCHAR, fax VARCHAR, email VARCHAR, website VARCHAR, industry VARCHAR,
    wz_code VARCHAR, employees VARCHAR, revenue VARCHAR, register VARCHAR, vat_id VARCHAR
);

CREATE TABLE staging.stg_web_form__submissions (
    record_id VARCHAR NOT NULL, batch_id VARCHAR NOT NULL, submission_id VARCHAR NOT NULL,
    row_number BIGINT,
    company VARCHAR, salutation VARCHAR, title VARCHAR, first_name VARCHAR, last_name VARCHAR,
    full_name VARCHAR, position VARCHAR, street VARCHAR, house_number VARCHAR,
    street_full VARCHAR, postcode VARCHAR, city VARCHAR, country VARCHAR, phone VARCHAR,
    mobile VARCHAR, fax VARCHAR, email VARCHAR, website VARCHAR, industry VARCHAR,
    wz_code VARCHAR, employees VARCHAR, revenue VARCHAR, register VARCHAR, vat_id VARCHAR,
    form_id VARCHAR, page_url VARCHAR, submitted_at TIMESTAMPTZ, ip VARCHAR,
    user_agent VARCHAR, request_type VARCHAR, message VARCHAR
);

-- Append-only consent ledger. content_hash digests the event; hash chains it to the previous
-- event. GDPR erasure may redact an event's content (redacted_at set) but never its hashes.
CREATE TABLE core.consent_events (
    seq            BIGINT NOT NULL,
    event_id       VARCHAR NOT NULL,
    record_id      VARCHAR,
    subject_email  VARCHAR,
    subject_phone  VARCHAR,
    kind           VARCHAR NOT NULL,
    channels       VARCHAR[] NOT NULL,
    occurred_at    TIMESTAMPTZ NOT NULL,
    attributes     JSON NOT NULL,
    evidence       JSON NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL,
    content_hash   VARCHAR NOT NULL,
    prev_hash      VARCHAR NOT NULL,
    hash           VARCHAR NOT NULL,
    redacted_at    TIMESTAMPTZ,
    redaction_ref  VARCHAR
);
