-- What a build of marts.lead_list was made from (row counts and latest change times of the
-- tables it reads, and the postcode ranges), so a run that changed none of them leaves the
-- list and its build log as they are: re-running changes nothing.
ALTER TABLE ops.lead_list_builds ADD COLUMN inputs VARCHAR;
