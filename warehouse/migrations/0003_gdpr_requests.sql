-- Data-subject requests (GDPR Art. 15/17/21): an audit trail without plaintext.
CREATE TABLE ops.gdpr_requests (
    request_id         VARCHAR PRIMARY KEY,
    kind               VARCHAR NOT NULL CHECK (kind IN ('access', 'erasure', 'objection')),
    subject_hash       VARCHAR NOT NULL,
    received_at        TIMESTAMPTZ NOT NULL,
    completed_at       TIMESTAMPTZ NOT NULL,
    records_affected   INTEGER NOT NULL,
    events_affected    INTEGER NOT NULL,
    files_affected     INTEGER NOT NULL DEFAULT 0
);
