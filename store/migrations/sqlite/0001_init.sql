-- The first schema: sources, items, what they mention, how they frame each
-- person, what they are about, and every fetch run.
-- Timestamps are ISO-8601 UTC text ("2026-11-23T07:00:00Z") so that SQLite's
-- date() and strftime() work on them.

CREATE TABLE sources (
    name                 TEXT PRIMARY KEY,
    type                 TEXT NOT NULL,                 -- feed | page
    url                  TEXT NOT NULL,
    etag                 TEXT NOT NULL DEFAULT '',      -- validators for conditional GET
    last_modified        TEXT NOT NULL DEFAULT '',
    created_at           TEXT NOT NULL,
    last_run_at          TEXT,
    last_success_at      TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error           TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

CREATE TABLE items (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL REFERENCES sources(name) ON UPDATE CASCADE,
    guid          TEXT NOT NULL,                 -- feed GUID, or the canonical URL when there is none
    url           TEXT NOT NULL DEFAULT '',      -- the link as the feed gave it
    canonical_url TEXT,                          -- NULL for items without a link
    title         TEXT NOT NULL DEFAULT '',
    summary       TEXT NOT NULL DEFAULT '',
    text          TEXT NOT NULL DEFAULT '',      -- content as the feed has it, or the extracted page text
    author        TEXT NOT NULL DEFAULT '',
    language      TEXT NOT NULL DEFAULT '',
    published_at  TEXT,                          -- NULL when the source gives no date
    fetched_at    TEXT NOT NULL,                 -- first seen
    updated_at    TEXT NOT NULL,                 -- last time the content changed
    content_hash  TEXT NOT NULL,
    UNIQUE (source, guid)
);
CREATE UNIQUE INDEX items_canonical_url ON items(canonical_url) WHERE canonical_url IS NOT NULL;
CREATE INDEX items_published_at ON items(published_at);
CREATE INDEX items_fetched_at ON items(fetched_at);

CREATE TABLE mentions (
    item_id      INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    person       TEXT NOT NULL,          -- canonical name from config
    spelling     TEXT NOT NULL,          -- as written in the item
    count        INTEGER NOT NULL,
    first_offset INTEGER NOT NULL,       -- byte offset in title + "\n\n" + text
    PRIMARY KEY (item_id, person, spelling)
) WITHOUT ROWID;
CREATE INDEX mentions_person ON mentions(person, item_id);

CREATE TABLE stances (
    item_id       INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    person        TEXT NOT NULL,
    label         TEXT NOT NULL,         -- supportive | critical | neutral | unclear
    score         REAL NOT NULL,         -- signed: > 0 supportive, < 0 critical
    evidence      TEXT NOT NULL,         -- JSON array of {phrase, sentence, offset, weight, discounted}
    rules_version TEXT NOT NULL,
    PRIMARY KEY (item_id, person)
) WITHOUT ROWID;
CREATE INDEX stances_person_label ON stances(person, label);

CREATE TABLE topics (
    item_id       INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    topic         TEXT NOT NULL,
    score         REAL NOT NULL,
    evidence      TEXT NOT NULL,         -- JSON array, as in stances
    rules_version TEXT NOT NULL,
    PRIMARY KEY (item_id, topic)
) WITHOUT ROWID;
CREATE INDEX topics_topic ON topics(topic, item_id);

CREATE TABLE fetch_runs (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL REFERENCES sources(name) ON UPDATE CASCADE,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    status      TEXT NOT NULL,           -- ok | not_modified | error
    http_status INTEGER,
    items_seen  INTEGER NOT NULL DEFAULT 0,
    items_new   INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX fetch_runs_source_started ON fetch_runs(source, started_at);
