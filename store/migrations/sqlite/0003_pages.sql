-- Pages newsmon fetched itself: the linked page of a feed item (full text)
-- and every page of a crawl. One row per canonical URL, holding the latest
-- outcome, so a page fetched once is not fetched again and a user can see
-- which pages fail and why.

CREATE TABLE page_fetches (
    url              TEXT PRIMARY KEY,               -- canonical URL
    source           TEXT NOT NULL REFERENCES sources(name) ON UPDATE CASCADE,
    kind             TEXT NOT NULL,                  -- feed_item | listing | article
    status           TEXT NOT NULL,                  -- ok | error | blocked (robots.txt)
    http_status      INTEGER,                        -- NULL when no response
    error            TEXT NOT NULL DEFAULT '',
    content_type     TEXT NOT NULL DEFAULT '',
    bytes            INTEGER NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 1,     -- fetches of this URL so far
    first_fetched_at TEXT NOT NULL,
    last_fetched_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX page_fetches_source_status ON page_fetches(source, status);

-- Pages whose latest fetch failed, newest first.
CREATE VIEW page_failures AS
SELECT source, url, kind, status, http_status, error, attempts, last_fetched_at
FROM page_fetches
WHERE status != 'ok'
ORDER BY last_fetched_at DESC;
