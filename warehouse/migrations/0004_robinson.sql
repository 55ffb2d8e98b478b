-- Robinson lists (hashed entries only) and the checks made against them.
CREATE TABLE core.robinson_lists (
    list_id      VARCHAR PRIMARY KEY,
    list_name    VARCHAR NOT NULL,
    channel      VARCHAR NOT NULL CHECK (channel IN ('email', 'phone', 'post', 'sms', 'fax')),
    list_date    DATE NOT NULL,
    file_name    VARCHAR NOT NULL,
    file_sha256  VARCHAR NOT NULL,
    entries      BIGINT NOT NULL,
    imported_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE core.robinson_entries (
    list_id     VARCHAR NOT NULL,
    hash        VARCHAR NOT NULL,
    entry_date  DATE
);

CREATE TABLE core.robinson_checks (
    record_id   VARCHAR NOT NULL,
    channel     VARCHAR NOT NULL,
    list_id     VARCHAR NOT NULL,
    hit         BOOLEAN NOT NULL,
    entry_date  DATE,
    checked_at  TIMESTAMPTZ NOT NULL
);
