-- Sales outcomes from the workspace (issue #17): the six steps of a sale instead of won/lost
-- only, who recorded each, a note, a deal value, and where it came from ('workspace' or the
-- CRM file's name). An id per row makes folding a journal entry twice a no-op. DuckDB cannot
-- drop a CHECK constraint, so the table is rebuilt; rows from CSV files keep their file name.
CREATE TABLE core.lead_outcomes_v2 (
    outcome_id   VARCHAR PRIMARY KEY,
    lead_id      VARCHAR NOT NULL,
    outcome      VARCHAR NOT NULL CHECK (outcome IN ('contacted', 'reached', 'not_interested',
                                                     'appointment', 'won', 'lost')),
    recorded_at  TIMESTAMPTZ NOT NULL,
    recorded_by  VARCHAR,
    note         VARCHAR,
    value_eur    DECIMAL(14, 2),
    source       VARCHAR NOT NULL    -- 'workspace' (the web page or `leads outcome`) or a file
);
INSERT INTO core.lead_outcomes_v2
SELECT 'file-' || md5(lead_id || '|' || outcome || '|' || CAST(recorded_at AS VARCHAR) || '|'
                      || coalesce(source_file, '') || '|' || CAST(row_number() OVER () AS VARCHAR)),
       lead_id, outcome, recorded_at, NULL, NULL, NULL, coalesce(source_file, 'unknown')
FROM core.lead_outcomes;
DROP TABLE core.lead_outcomes;
ALTER TABLE core.lead_outcomes_v2 RENAME TO lead_outcomes;
