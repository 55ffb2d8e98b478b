-- One row per lead with what its score is computed from: the golden value first, then what
-- its member records' enriched rows say (contacts fall back to their company), the company
-- names a crawled Impressum gives beside the others, and its web-form requests and newsletter
-- clicks (request kind newsletter_click) with their dates. scoring/features.py turns a row
-- into LeadFeatures; the score stage adds the region (configured postcode prefixes) and
-- compares the company names.
WITH golden AS MATERIALIZED (
    SELECT lead_id, company_name, legal_form, postcode, phone_e164,
           street IS NOT NULL AND postcode IS NOT NULL AND city IS NOT NULL AS address_complete
    FROM core.golden_leads
),
forms AS (
    SELECT record_id, request_type, submitted_at::DATE AS submitted_on
    FROM staging.stg_record_origins WHERE submitted_at IS NOT NULL
    UNION ALL  -- a newsletter click is engagement too (stages/engagement.py)
    SELECT record_id, 'newsletter_click', coalesce(last_activity_on, imported_at::DATE)
    FROM core.engagement_events WHERE clicks > 0
),
mem AS MATERIALIZED (
    SELECT m.lead_id,
           max(e.wz_code) AS wz_code,
           arg_max(e.size_class, CASE e.size_class WHEN 'large' THEN 4 WHEN 'medium' THEN 3
                   WHEN 'small' THEN 2 WHEN 'micro' THEN 1 ELSE 0 END) AS size_class,
           max(e.postcode) AS postcode,
           max(e.country) AS country,
           max(e.legal_form) AS legal_form,
           coalesce(bool_or(e.decision_maker), false) AS decision_maker,
           CASE WHEN bool_or(e.audience = 'b2b') THEN 'b2b'
                WHEN bool_or(e.audience = 'b2c') THEN 'b2c' END AS audience,
           CASE WHEN bool_or(e.email_status = 'valid') THEN 'valid'
                WHEN bool_or(e.email_status = 'unknown') THEN 'unknown'
                ELSE max(e.email_status) END AS email_status,
           coalesce(bool_or(e.phone_valid AND e.phone_e164 IS NOT NULL), false) AS phone_valid,
           coalesce(bool_or(e.street IS NOT NULL AND e.postcode IS NOT NULL
                            AND e.city IS NOT NULL), false) AS address_complete,
           list(e.company_name) FILTER (WHERE e.source_kind = 'crawl'
                                        AND e.company_name IS NOT NULL) AS crawl_companies,
           list(e.company_name) FILTER (WHERE e.source_kind <> 'crawl'
                                        AND e.company_name IS NOT NULL) AS other_companies,
           list(coalesce(f.request_type, 'other') ORDER BY f.submitted_on, f.request_type)
               FILTER (WHERE f.submitted_on IS NOT NULL) AS request_kinds,
           list(f.submitted_on ORDER BY f.submitted_on, f.request_type)
               FILTER (WHERE f.submitted_on IS NOT NULL) AS request_times
    FROM core.lead_members m
    LEFT JOIN core.enriched_records e ON e.record_id = m.record_id
    LEFT JOIN forms f ON f.record_id = m.record_id
    GROUP BY m.lead_id
)
SELECT l.lead_id,
       coalesce(g.company_name, cg.company_name) AS company_name,
       coalesce(mm.wz_code, cm.wz_code) AS wz_code,
       coalesce(nullif(mm.size_class, 'unknown'), cm.size_class) AS size_class,
       coalesce(g.postcode, mm.postcode, cg.postcode, cm.postcode) AS postcode,
       coalesce(mm.country, cm.country) AS country,
       coalesce(g.legal_form, mm.legal_form, cg.legal_form, cm.legal_form) AS legal_form,
       coalesce(mm.decision_maker, false) AS decision_maker,
       coalesce(mm.audience, cm.audience) AS audience,
       mm.email_status,
       (g.phone_e164 IS NOT NULL OR coalesce(mm.phone_valid, false)) AS phone_e164,
       (coalesce(g.address_complete, false) OR coalesce(mm.address_complete, false)
        OR coalesce(cg.address_complete, false)) AS address_complete,
       coalesce(mm.crawl_companies, cm.crawl_companies) AS crawl_companies,
       coalesce(mm.other_companies, cm.other_companies) AS other_companies,
       mm.request_kinds, mm.request_times
FROM core.leads l
LEFT JOIN golden g ON g.lead_id = l.lead_id
LEFT JOIN golden cg ON cg.lead_id = l.company_lead_id
LEFT JOIN mem mm ON mm.lead_id = l.lead_id
LEFT JOIN mem cm ON cm.lead_id = l.company_lead_id
