-- Stories are found through an index of story keys (classify.StoryKeys,
-- MinHash over the word pairs the fingerprint reads) instead of a scan of
-- the window's fingerprinted items, which compared each new item with up to
-- 5,000 others: quadratic in a feed where many items name someone
-- (store/stories.go).
--
-- Each fingerprinted item has one row per key: the key's top 63 bits, the
-- item's first-seen time (Unix seconds) and its id. A lookup reads, under
-- each of a new item's keys, the items first seen within the story window,
-- and no others. Rows are not removed with their item: a key is only a
-- lead, and every lead is checked against the item's fingerprint.
-- Store.Prune drops the rows of items older than the story window.
CREATE TABLE story_keys (
    key     INTEGER NOT NULL,
    seen    INTEGER NOT NULL,
    item_id INTEGER NOT NULL,
    PRIMARY KEY (key, seen, item_id)
) WITHOUT ROWID;

-- Items fingerprinted before this migration have no keys (the store cannot
-- make them: the classifier does). A lookup also reads those first seen
-- within the story window, from this list, so that their reposts still join
-- their stories; the list only covers the last 14 days (the story window),
-- and after 14 days no lookup reads it.
CREATE TABLE story_keyless (
    seen    INTEGER NOT NULL,
    item_id INTEGER NOT NULL,
    PRIMARY KEY (seen, item_id)
) WITHOUT ROWID;
INSERT INTO story_keyless (seen, item_id)
    SELECT unixepoch(fetched_at), id FROM items
    WHERE simhash IS NOT NULL AND fetched_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-14 days');

-- The scan's index (0009) has no other reader.
DROP INDEX items_simhash_recent;
