-- One row per lead: its golden fields side by side (contacts inherit company name, address,
-- industry and legal form from their company lead), the sources and vendors of its records,
-- when it was first seen and last active. The person fields (salutation, title, names,
-- position) are the lead's own; the country is the one of the record that gave the golden
-- postcode (an address's country belongs to that address), else any member record's.
WITH members AS (
    SELECT m.lead_id,
           max(e.fax_e164)                                        AS fax_e164,
           max(e.country)                                         AS country,
           max(e.wz_code)                                         AS wz_code,
           max(e.wz_section)                                      AS wz_section,
           list(DISTINCT o.source_kind ORDER BY o.source_kind)   AS sources,
           list(DISTINCT o.vendor ORDER BY o.vendor) FILTER (WHERE o.vendor IS NOT NULL)
                                                                  AS vendors,
           min(o.ingested_at)                                     AS first_seen,
           max(o.activity_at)                                     AS last_activity
    FROM core.lead_members m
    LEFT JOIN core.enriched_records e ON e.record_id = m.record_id
    LEFT JOIN staging.stg_record_origins o ON o.record_id = m.record_id
    GROUP BY m.lead_id
),
address_country AS (
    SELECT gr.lead_id, max(e.country) AS country
    FROM core.golden_records gr
    JOIN core.enriched_records e ON e.record_id = gr.source_record_id
    WHERE gr.field = 'postcode'
    GROUP BY gr.lead_id
)
SELECT l.lead_id, l.entity_type, l.company_lead_id,
       coalesce(g.company_name, cg.company_name)                   AS company_name,
       nullif(concat_ws(' ', g.first_name, g.last_name), '')       AS person_name,
       g.email_normalized                                          AS email,
       g.phone_e164, g.mobile_e164,
       coalesce(mb.fax_e164, cm.fax_e164)                          AS fax_e164,
       coalesce(g.street, cg.street)                               AS street,
       coalesce(g.house_number, cg.house_number)                   AS house_number,
       coalesce(g.postcode, cg.postcode)                           AS postcode,
       coalesce(g.city, cg.city)                                   AS city,
       coalesce(mb.wz_code, cm.wz_code)                            AS wz_code,
       coalesce(mb.wz_section, cm.wz_section)                      AS wz_section,
       coalesce(mb.sources, [])                                    AS sources,
       coalesce(mb.vendors, [])                                    AS vendors,
       mb.first_seen, mb.last_activity,
       coalesce(g.legal_form, cg.legal_form)                       AS legal_form,
       g.salutation, g.title, g.first_name, g.last_name, g.position,
       coalesce(CASE WHEN g.postcode IS NOT NULL THEN ac.country END,
                CASE WHEN cg.postcode IS NOT NULL THEN cac.country END,
                mb.country, cm.country)                            AS country
FROM core.leads l
LEFT JOIN core.golden_leads g ON g.lead_id = l.lead_id
LEFT JOIN core.golden_leads cg ON cg.lead_id = l.company_lead_id
LEFT JOIN members mb ON mb.lead_id = l.lead_id
LEFT JOIN members cm ON cm.lead_id = l.company_lead_id
LEFT JOIN address_country ac ON ac.lead_id = l.lead_id
LEFT JOIN address_country cac ON cac.lead_id = l.company_lead_id
