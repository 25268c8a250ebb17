-- Every digest attempt. The next digest starts where the last one with
-- status 'sent' ended, so after a failure the next one covers the gap.

CREATE TABLE digests (
    id           INTEGER PRIMARY KEY,
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    recipients   TEXT NOT NULL,          -- comma-separated
    status       TEXT NOT NULL,          -- sending | sent | failed | unknown | skipped
    items        INTEGER NOT NULL DEFAULT 0,
    counts       TEXT NOT NULL DEFAULT '{}', -- JSON {person: {stance: n}} for the next digest's deltas
    error        TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    sent_at      TEXT
);
CREATE INDEX digests_status_end ON digests(status, period_end);
