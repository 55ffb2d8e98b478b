-- Undone purchased-list batches (`leadpipe ingest undo`, `leadpipe ingest list --replace`):
-- who undid which batch of which file, when and why, and how many rows left each table.
-- The batch's own row leaves raw.batches; this log keeps what it was (no personal data: file
-- name, vendor, counts). Suppressions, objections, erasures, the consent ledger, GDPR requests
-- and the export log are never removed by an undo.
CREATE TABLE ops.batch_undos (
    undo_id           VARCHAR PRIMARY KEY,
    run_id            VARCHAR NOT NULL,
    batch_id          VARCHAR NOT NULL,
    file_name         VARCHAR NOT NULL,
    file_sha256       VARCHAR NOT NULL,
    vendor            VARCHAR,
    column_mapping    JSON,
    rows_in           BIGINT NOT NULL,
    rows_loaded       BIGINT NOT NULL,
    rows_quarantined  BIGINT NOT NULL,
    rows_skipped      BIGINT NOT NULL,
    ingested_at       TIMESTAMPTZ NOT NULL,
    undone_by         VARCHAR NOT NULL,     -- the OS user who ran the command
    undone_at         TIMESTAMPTZ NOT NULL,
    reason            VARCHAR,
    replaced_by       VARCHAR,              -- the batch loaded in its place (--replace)
    removed           JSON NOT NULL         -- rows removed (or retired) per table
);
