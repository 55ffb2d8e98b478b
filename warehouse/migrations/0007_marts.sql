-- Marts for sales: the qualified lead list per channel; learned scoring models and the
-- won/lost outcomes they were trained on (also the last step of the funnel).

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

-- One row per lead: its golden fields side by side (contacts inherit company fields).
CREATE VIEW marts.lead_profile AS
WITH golden AS (
    SELECT lead_id,
           max(value) FILTER (WHERE field = 'company_name')     AS company_name,
           max(value) FILTER (WHERE field = 'salutation')       AS salutation,
           max(value) FILTER (WHERE field = 'title')            AS title,
           max(value) FILTER (WHERE field = 'first_name')       AS first_name,
           max(value) FILTER (WHERE field = 'last_name')        AS last_name,
           max(value) FILTER (WHERE field = 'position')         AS position,
           max(value) FILTER (WHERE field = 'email_normalized') AS email,
           max(value) FILTER (WHERE field = 'phone_e164')       AS phone_e164,
           max(value) FILTER (WHERE field = 'mobile_e164')      AS mobile_e164,
           max(value) FILTER (WHERE field = 'street')           AS street,
           max(value) FILTER (WHERE field = 'house_number')     AS house_number,
           max(value) FILTER (WHERE field = 'postcode')         AS postcode,
           max(value) FILTER (WHERE field = 'city')             AS city
    FROM core.golden_records GROUP BY lead_id
),
members AS (
    SELECT m.lead_id,
           max(e.fax_e164)                                        AS fax_e164,
           max(e.wz_code)                                         AS wz_code,
           max(e.wz_section)                                      AS wz_section,
           max(e.country)                                         AS country,
           list(DISTINCT r.source_kind ORDER BY r.source_kind)   AS sources,
           list(DISTINCT b.vendor ORDER BY b.vendor) FILTER (WHERE b.vendor IS NOT NULL)
                                                                  AS vendors,
           min(r.ingested_at)                                     AS first_seen,
           max(coalesce(f.submitted_at, r.fetched_at, r.ingested_at)) AS last_activity
    FROM core.lead_members m
    LEFT JOIN core.enriched_records e ON e.record_id = m.record_id
    LEFT JOIN raw.records r ON r.record_id = m.record_id
    LEFT JOIN raw.batches b ON b.batch_id = r.batch_id
    LEFT JOIN staging.stg_web_form__submissions f ON f.record_id = m.record_id
    GROUP BY m.lead_id
)
SELECT l.lead_id, l.entity_type, l.company_lead_id,
       coalesce(g.company_name, cg.company_name)                   AS company_name,
       nullif(concat_ws(' ', g.first_name, g.last_name), '')       AS person_name,
       g.email, g.phone_e164, g.mobile_e164,
       coalesce(mb.fax_e164, cm.fax_e164)                          AS fax_e164,
       coalesce(g.street, cg.street)                               AS street,
       coalesce(g.house_number, cg.house_number)                   AS house_number,
       coalesce(g.postcode, cg.postcode)                           AS postcode,
       coalesce(g.city, cg.city)                                   AS city,
       coalesce(mb.wz_code, cm.wz_code)                            AS wz_code,
       coalesce(mb.wz_section, cm.wz_section)                      AS wz_section,
       coalesce(mb.sources, [])                                    AS sources,
       coalesce(mb.vendors, [])                                    AS vendors,
       mb.first_seen, mb.last_activity
FROM core.leads l
LEFT JOIN golden g ON g.lead_id = l.lead_id
LEFT JOIN golden cg ON cg.lead_id = l.company_lead_id
LEFT JOIN members mb ON mb.lead_id = l.lead_id
LEFT JOIN members cm ON cm.lead_id = l.company_lead_id;

-- What sales may work: one row per lead and channel whose current decision is allowed or
-- review, with the channel's contact data, the current score and the legal basis.
CREATE VIEW marts.qualified_leads AS
SELECT p.lead_id, p.entity_type, p.company_name, p.person_name, d.channel,
       CASE d.channel
           WHEN 'email' THEN p.email
           WHEN 'phone' THEN p.phone_e164
           WHEN 'sms'   THEN p.mobile_e164
           WHEN 'fax'   THEN p.fax_e164
           WHEN 'post'  THEN nullif(concat_ws(', ', nullif(concat_ws(' ', p.street,
                                p.house_number), ''), nullif(concat_ws(' ', p.postcode,
                                p.city), '')), '')
       END                                  AS contact,
       p.email, p.phone_e164, p.mobile_e164, p.fax_e164,
       p.street, p.house_number, p.postcode, p.city,
       s.total                              AS score,
       s.grade, s.top_reasons,
       d.decision, d.reason                 AS reason_code, d.rule, d.legal_basis,
       d.rules_version,
       p.sources, p.vendors, p.wz_code, p.wz_section, p.first_seen, p.last_activity
FROM core.eligibility_decisions d
JOIN marts.lead_profile p ON p.lead_id = d.lead_id
LEFT JOIN core.lead_scores s ON s.lead_id = d.lead_id AND s.is_current
WHERE d.is_current AND d.decision IN ('allowed', 'review');
