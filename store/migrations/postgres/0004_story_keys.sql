-- SQLite's 0013: stories are found through an index of story keys; see
-- migrations/sqlite/0013_story_keys.sql. seen is Unix seconds, as there.
CREATE TABLE story_keys (
    key     bigint NOT NULL,
    seen    bigint NOT NULL,
    item_id bigint NOT NULL,
    PRIMARY KEY (key, seen, item_id)
);

CREATE TABLE story_keyless (
    seen    bigint NOT NULL,
    item_id bigint NOT NULL,
    PRIMARY KEY (seen, item_id)
);
INSERT INTO story_keyless (seen, item_id)
    SELECT extract(epoch FROM fetched_at)::bigint, id FROM items
    WHERE simhash IS NOT NULL AND fetched_at >= now() - interval '14 days';

DROP INDEX items_simhash_recent;
