-- The workspace's lead list, materialised: marts.qualified_leads is a view that groups every
-- lead's records per query, far too slow for a page at a million leads. warehouse/lead_lists.py
-- fills this table from the views at the end of each run that changes decisions or scores
-- (decide, score, and so the nightly run), after an erasure and after a batch undo; pages read
-- it. Rows are stored sorted by channel and score, so a channel's best leads sit together.
CREATE TABLE marts.lead_list (
    lead_id      VARCHAR NOT NULL,
    channel      VARCHAR NOT NULL,
    decision     VARCHAR NOT NULL,     -- allowed or review
    reason_code  VARCHAR NOT NULL,
    legal_basis  VARCHAR,
    entity_type  VARCHAR NOT NULL,
    company      VARCHAR,
    person_name  VARCHAR,
    contact      VARCHAR,              -- this channel's contact value only
    postcode     VARCHAR,
    city         VARCHAR,
    bundesland   VARCHAR,              -- German postcodes only (enrichment/bundesland.py)
    country      VARCHAR,
    grade        VARCHAR,
    score        DOUBLE,
    sources      VARCHAR[] NOT NULL,
    vendors      VARCHAR[] NOT NULL,
    audience     VARCHAR,
    wz_code      VARCHAR,
    wz_section   VARCHAR,
    first_seen   TIMESTAMPTZ,
    search       VARCHAR NOT NULL,     -- folded name, company, e-mail, city, contact, postcode
    source_keys  VARCHAR NOT NULL,     -- sources and vendors, each between two \x1f
    -- Each row's place in its channel's list per sort key, ascending and descending (ties by
    -- lead id, missing values last either way): a page sorts and skips integers, not text.
    score_asc INTEGER NOT NULL, score_desc INTEGER NOT NULL,
    company_asc INTEGER NOT NULL, company_desc INTEGER NOT NULL,
    name_asc INTEGER NOT NULL, name_desc INTEGER NOT NULL,
    postcode_asc INTEGER NOT NULL, postcode_desc INTEGER NOT NULL,
    city_asc INTEGER NOT NULL, city_desc INTEGER NOT NULL,
    first_seen_asc INTEGER NOT NULL, first_seen_desc INTEGER NOT NULL
);

-- What the filter form offers: every value present per channel, with its rows.
CREATE TABLE marts.lead_list_facets (
    channel  VARCHAR NOT NULL,
    facet    VARCHAR NOT NULL,         -- vendor, source, bundesland, audience, wz_section
    value    VARCHAR NOT NULL,
    rows     BIGINT NOT NULL
);

-- Each build of the list: when, why, how many rows; the page shows the latest `built_at`.
CREATE TABLE ops.lead_list_builds (
    built_at  TIMESTAMPTZ NOT NULL,
    trigger   VARCHAR NOT NULL,        -- the run that rebuilt it (decide, score, erase, undo)
    rows      BIGINT NOT NULL,
    seconds   DOUBLE NOT NULL
);
