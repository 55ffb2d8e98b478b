-- Views are no longer made by migrations: each is one file under warehouse/models/<schema>/,
-- re-created by warehouse/views.py whenever a writer opens the warehouse. This table keeps
-- the checksum of every file as last built, so an unchanged set is not rebuilt. The views
-- that migrations 0005, 0007, 0008 and 0010 created are dropped and re-created from their
-- files by the first build.
CREATE TABLE ops.model_builds (
    name      VARCHAR PRIMARY KEY,   -- schema.view
    checksum  VARCHAR NOT NULL,      -- sha256 of the file's SQL
    built_at  TIMESTAMPTZ NOT NULL
);
