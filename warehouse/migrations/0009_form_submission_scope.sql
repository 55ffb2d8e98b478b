-- Web-form submission ids are unique only within one source (form tool) and form: two tools
-- or two forms numbering from 1 must not skip each other's submissions (#20 item 6). The raw
-- layer records the scope next to the id; rows loaded before are given the scope they would
-- get now (the source from the file name, as ingest.forms.export_source derives it).
ALTER TABLE raw.records ADD COLUMN form_source VARCHAR;
ALTER TABLE raw.records ADD COLUMN form_id VARCHAR;

UPDATE raw.records AS r
SET form_source = coalesce(nullif(lower(trim(regexp_extract(
        regexp_replace(b.file_name, '\.[^.]*$', ''), '^[^0-9]*'), ' -_.')), ''), 'forms')
FROM raw.batches AS b
WHERE r.batch_id = b.batch_id AND r.source_kind = 'web_form';

UPDATE raw.records AS r
SET form_id = s.form_id
FROM staging.stg_web_form__submissions AS s
WHERE r.record_id = s.record_id AND r.source_kind = 'web_form';
