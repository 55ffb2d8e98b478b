-- What sales may work: one row per lead and channel whose current decision is allowed or
-- review (marts.lead_channels has the columns).
SELECT * FROM marts.lead_channels WHERE decision IN ('allowed', 'review')
