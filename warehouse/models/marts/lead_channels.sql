-- Every lead and channel with its current decision (allowed, review or blocked), the
-- channel's contact data, the current score and the legal basis; the person fields and the
-- country are there for letters and call lists. What sales may work is marts.qualified_leads;
-- a campaign's export also reads the blocked §7(3) rows here, to decide them for the campaign.
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
       p.sources, p.vendors, p.wz_code, p.wz_section, p.first_seen, p.last_activity,
       p.legal_form, p.salutation, p.title, p.first_name, p.last_name, p.position, p.country
FROM core.eligibility_decisions d
JOIN marts.lead_profile p ON p.lead_id = d.lead_id
LEFT JOIN core.lead_scores s ON s.lead_id = d.lead_id AND s.is_current
WHERE d.is_current
