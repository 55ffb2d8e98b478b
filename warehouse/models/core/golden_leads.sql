-- One row per lead with golden values: the surviving value of every field side by side.
-- The match stage writes them long (core.golden_records: lead, field, value, source record,
-- rule); every reader of golden values reads this wide form. Columns are the survivorship
-- fields of matching/defaults/*.yaml; a lead without any golden value has no row.
SELECT lead_id,
       max(value) FILTER (WHERE field = 'company_name')     AS company_name,
       max(value) FILTER (WHERE field = 'legal_form')       AS legal_form,
       max(value) FILTER (WHERE field = 'salutation')       AS salutation,
       max(value) FILTER (WHERE field = 'title')            AS title,
       max(value) FILTER (WHERE field = 'first_name')       AS first_name,
       max(value) FILTER (WHERE field = 'last_name')        AS last_name,
       max(value) FILTER (WHERE field = 'position')         AS position,
       max(value) FILTER (WHERE field = 'email_normalized') AS email_normalized,
       max(value) FILTER (WHERE field = 'phone_e164')       AS phone_e164,
       max(value) FILTER (WHERE field = 'mobile_e164')      AS mobile_e164,
       max(value) FILTER (WHERE field = 'street')           AS street,
       max(value) FILTER (WHERE field = 'house_number')     AS house_number,
       max(value) FILTER (WHERE field = 'postcode')         AS postcode,
       max(value) FILTER (WHERE field = 'city')             AS city,
       max(value) FILTER (WHERE field = 'website_domain')   AS website_domain,
       max(value) FILTER (WHERE field = 'register_number')  AS register_number,
       max(value) FILTER (WHERE field = 'vat_id')           AS vat_id
FROM core.golden_records
GROUP BY lead_id
