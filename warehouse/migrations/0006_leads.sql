-- Leads (entities after matching), their golden records, match review and human decisions,
-- eligibility decisions and scores with history, and the log of exports to sales.

-- One lead per entity: a company, a contact (a person at a company) or a consumer.
CREATE TABLE core.leads (
    lead_id          VARCHAR PRIMARY KEY,
    entity_type      VARCHAR NOT NULL CHECK (entity_type IN ('company', 'contact', 'consumer')),
    company_lead_id  VARCHAR,            -- contacts: the company they belong to
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);

-- Which input records make up each lead (a record is in one lead per entity type).
CREATE TABLE core.lead_members (
    lead_id      VARCHAR NOT NULL,
    entity_type  VARCHAR NOT NULL,
    record_id    VARCHAR NOT NULL,
    assigned_at  TIMESTAMPTZ NOT NULL
);

-- The golden record: per lead and field the surviving value, its source record and rule.
CREATE TABLE core.golden_records (
    lead_id           VARCHAR NOT NULL,
    field             VARCHAR NOT NULL,
    value             VARCHAR,
    source_record_id  VARCHAR NOT NULL,
    rule              VARCHAR NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);

-- Scored candidate pairs in the match and review bands (the review queue reads these).
CREATE TABLE core.match_pairs (
    entity_type        VARCHAR NOT NULL,
    left_id            VARCHAR NOT NULL,
    right_id           VARCHAR NOT NULL,
    match_weight       DOUBLE NOT NULL,
    match_probability  DOUBLE NOT NULL,
    band               VARCHAR NOT NULL,
    strong_key         VARCHAR,
    guarded            BOOLEAN NOT NULL,
    scored_at          TIMESTAMPTZ NOT NULL
);

-- A person's merge or split decision; always respected by later runs.
CREATE TABLE core.match_decisions (
    entity_type  VARCHAR NOT NULL,
    left_id      VARCHAR NOT NULL,
    right_id     VARCHAR NOT NULL,
    decision     VARCHAR NOT NULL CHECK (decision IN ('merge', 'split')),
    decided_by   VARCHAR,
    decided_at   TIMESTAMPTZ NOT NULL,
    note         VARCHAR
);

-- Trained Fellegi-Sunter parameters per entity level, reused by incremental runs.
CREATE TABLE core.match_params (
    entity_type       VARCHAR PRIMARY KEY,
    settings_version  VARCHAR NOT NULL,
    params            JSON NOT NULL,
    trained_at        TIMESTAMPTZ NOT NULL
);

-- Eligibility decisions with history: a new row only when the decision or its inputs change.
CREATE TABLE core.eligibility_decisions (
    lead_id        VARCHAR NOT NULL,
    channel        VARCHAR NOT NULL,
    decision       VARCHAR NOT NULL CHECK (decision IN ('allowed', 'blocked', 'review')),
    reason         VARCHAR NOT NULL,
    rule           VARCHAR NOT NULL,
    legal_basis    VARCHAR,
    rules_version  VARCHAR NOT NULL,
    as_of          DATE NOT NULL,
    inputs_hash    VARCHAR NOT NULL,
    inputs         JSON NOT NULL,       -- the case the engine saw
    decided_at     TIMESTAMPTZ NOT NULL,
    is_current     BOOLEAN NOT NULL
);

-- Lead scores with history and the configuration version that produced them.
CREATE TABLE core.lead_scores (
    lead_id         VARCHAR NOT NULL,
    fit             DOUBLE NOT NULL,
    engagement      DOUBLE NOT NULL,
    quality         DOUBLE NOT NULL,
    total           DOUBLE NOT NULL,
    grade           VARCHAR NOT NULL,
    explanation     JSON NOT NULL,      -- [{part, factor, detail, points}]
    top_reasons     VARCHAR[] NOT NULL,
    config_version  VARCHAR NOT NULL,
    inputs_hash     VARCHAR NOT NULL,
    scored_at       TIMESTAMPTZ NOT NULL,
    is_current      BOOLEAN NOT NULL
);

-- Every export to sales: who, when, which filter, which channel, which leads.
CREATE TABLE ops.exports (
    export_id    VARCHAR PRIMARY KEY,
    exported_by  VARCHAR NOT NULL,
    exported_at  TIMESTAMPTZ NOT NULL,
    channel      VARCHAR NOT NULL,
    filters      JSON NOT NULL,
    format       VARCHAR NOT NULL,
    path         VARCHAR NOT NULL,
    lead_count   BIGINT NOT NULL
);

CREATE TABLE ops.export_leads (
    export_id    VARCHAR NOT NULL,
    lead_id      VARCHAR NOT NULL,
    channel      VARCHAR NOT NULL,
    decision     VARCHAR NOT NULL,
    reason       VARCHAR NOT NULL,
    legal_basis  VARCHAR
);
