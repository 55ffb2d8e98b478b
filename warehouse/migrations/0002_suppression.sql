-- Suppression list (keyed hashes, no plaintext) and the rows it kept out of a batch.
CREATE TABLE core.suppression (
    hash        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL CHECK (kind IN ('email', 'phone', 'phone_person', 'postal')),
    origin      VARCHAR NOT NULL CHECK (origin IN ('objection', 'erasure')),
    scope       VARCHAR NOT NULL DEFAULT 'all',
    reference   VARCHAR,
    created_at  TIMESTAMPTZ NOT NULL
);

-- Input rows not loaded because they match a suppression entry (no personal data kept).
CREATE TABLE ops.suppressed_rows (
    batch_id       VARCHAR NOT NULL,
    row_number     BIGINT,
    submission_id  VARCHAR,
    kind           VARCHAR NOT NULL,
    origin         VARCHAR NOT NULL,
    suppressed_at  TIMESTAMPTZ NOT NULL
);
