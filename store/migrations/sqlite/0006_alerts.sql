-- The alert outbox. Rows are written in the same transaction as the item
-- that triggers them (or by the source-health check) and delivered later by
-- the sender, which moves each row pending → sending → sent | failed, or
-- pending again with a later next_attempt_at after a failed try. A row still
-- "sending" after a crash becomes "unknown": it may or may not have been
-- delivered, and it is reported rather than re-sent blindly.

CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    item_id         INTEGER REFERENCES items(id) ON DELETE CASCADE,  -- NULL for source-health alerts
    rule            TEXT NOT NULL,       -- alert rule name from config
    channel         TEXT NOT NULL,       -- email | webhook | log
    kind            TEXT NOT NULL DEFAULT 'item', -- item | source_failing | source_silent | source_recovered
    source          TEXT NOT NULL DEFAULT '',     -- the source, for health alerts
    message         TEXT NOT NULL DEFAULT '',     -- the problem, for health alerts
    dedupe_key      TEXT NOT NULL UNIQUE,         -- idempotency key; also in Message-ID and webhook header
    status          TEXT NOT NULL DEFAULT 'pending', -- pending | sending | sent | failed | unknown
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    next_attempt_at TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    UNIQUE (item_id, rule, channel)
);
CREATE INDEX alerts_status_next ON alerts(status, next_attempt_at);
CREATE INDEX alerts_rule_item ON alerts(rule, item_id);

-- Sources currently flagged as unwell, so a problem is announced once a day
-- and its end is announced once.
CREATE TABLE source_alert_state (
    source          TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,       -- source_failing | source_silent
    message         TEXT NOT NULL,
    since           TEXT NOT NULL,
    last_alerted_at TEXT NOT NULL
) WITHOUT ROWID;
