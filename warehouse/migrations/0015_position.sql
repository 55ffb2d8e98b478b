-- Position (job title) as written, for serial letters and call lists (#17): enrichment kept
-- only its canonical class (`role`), so the golden `position` of a contact was always NULL.
-- Records enriched before this migration get the staged value (trimmed); their leads' golden
-- position follows on the next match that recomputes the level's golden records.
ALTER TABLE core.enriched_records ADD COLUMN position VARCHAR;

UPDATE core.enriched_records AS e
SET position = nullif(trim(s.position), '')
FROM (SELECT record_id, position FROM staging.stg_purchased_list__records
      UNION ALL SELECT record_id, position FROM staging.stg_web_form__submissions
      UNION ALL SELECT record_id, position FROM staging.stg_crawl__pages) AS s
WHERE s.record_id = e.record_id AND s.position IS NOT NULL;
