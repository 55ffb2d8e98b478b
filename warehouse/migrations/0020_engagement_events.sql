-- Newsletter engagement imported from the newsletter tool (issue #21): one row per subscriber
-- and campaign with the opens and clicks the tool counted. Kept out of the consent ledger
-- (an open is no legal fact, and the ledger's hash chain is appended row by row); a click
-- adds one `presumed_consent_reason` event (newsletter_subscriber, category B) to the ledger.
-- The id comes from the tool, the campaign and the address, so importing a file again, or a
-- later export of the same campaign, updates the row instead of adding one.
CREATE TABLE core.engagement_events (
    event_id         VARCHAR PRIMARY KEY,
    tool             VARCHAR NOT NULL,   -- cleverreach | brevo | mailchimp | generic
    campaign         VARCHAR,
    email            VARCHAR NOT NULL,   -- normalised
    record_id        VARCHAR NOT NULL,   -- the lead's record with that address
    lead_id          VARCHAR NOT NULL,   -- the lead at import time
    opens            INTEGER NOT NULL,
    clicks           INTEGER NOT NULL,
    last_activity_on DATE,
    source_file      VARCHAR NOT NULL,
    imported_at      TIMESTAMPTZ NOT NULL
);
