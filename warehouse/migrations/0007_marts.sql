-- Learned scoring models and the won/lost outcomes they were trained on (also the last step
-- of the funnel). The marts sales read are views: warehouse/models/marts/.

-- A learned scoring model (`leadpipe score --train`); the newest row with is_current is used.
CREATE TABLE core.scoring_models (
    model_id        VARCHAR PRIMARY KEY,
    trained_at      TIMESTAMPTZ NOT NULL,
    trained_by      VARCHAR NOT NULL,
    config_version  VARCHAR NOT NULL,   -- scoring configuration the features came from
    leads           BIGINT NOT NULL,
    wins            BIGINT NOT NULL,
    cv_auc          DOUBLE NOT NULL,
    brier           DOUBLE NOT NULL,
    model           JSON NOT NULL,      -- scoring.predictive.LearnedModel.as_dict()
    source_file     VARCHAR,
    is_current      BOOLEAN NOT NULL
);

-- Known sales outcomes per lead (from a CRM export); the latest row per lead counts.
CREATE TABLE core.lead_outcomes (
    lead_id      VARCHAR NOT NULL,
    outcome      VARCHAR NOT NULL CHECK (outcome IN ('won', 'lost')),
    recorded_at  TIMESTAMPTZ NOT NULL,
    source_file  VARCHAR
);
