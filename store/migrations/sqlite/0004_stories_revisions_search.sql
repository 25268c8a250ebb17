-- Stories, revisions and full-text search.
--
-- Stories: an item's fingerprint is a 64-bit SimHash of its text (0 / NULL
-- when the text is too short to say anything). It is split into four 16-bit
-- bands, each indexed, so that finding the items a few bits away is index
-- seeks instead of a scan: two fingerprints at most 7 bits apart have a band
-- at most one bit apart (store/stories.go). story_id is the id of the story's first
-- item; an item that starts a story has story_id = id.
ALTER TABLE items ADD COLUMN simhash INTEGER;        -- signed view of the uint64
ALTER TABLE items ADD COLUMN sim_band0 INTEGER;
ALTER TABLE items ADD COLUMN sim_band1 INTEGER;
ALTER TABLE items ADD COLUMN sim_band2 INTEGER;
ALTER TABLE items ADD COLUMN sim_band3 INTEGER;
ALTER TABLE items ADD COLUMN story_id INTEGER;
ALTER TABLE items ADD COLUMN text_pruned_at TEXT;   -- set when retention dropped the text
UPDATE items SET story_id = id;
CREATE INDEX items_sim_band0 ON items(sim_band0, fetched_at) WHERE sim_band0 IS NOT NULL;
CREATE INDEX items_sim_band1 ON items(sim_band1, fetched_at) WHERE sim_band1 IS NOT NULL;
CREATE INDEX items_sim_band2 ON items(sim_band2, fetched_at) WHERE sim_band2 IS NOT NULL;
CREATE INDEX items_sim_band3 ON items(sim_band3, fetched_at) WHERE sim_band3 IS NOT NULL;
CREATE INDEX items_story ON items(story_id);

-- Revisions: the version of an item that a re-fetch replaced, with the
-- labels it had then, so a changed stance stays visible.
CREATE TABLE item_revisions (
    id            INTEGER PRIMARY KEY,
    item_id       INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    title         TEXT NOT NULL,
    text          TEXT NOT NULL,          -- emptied by retention like items.text
    content_hash  TEXT NOT NULL,
    content_since TEXT NOT NULL,          -- when this version was first stored
    replaced_at   TEXT NOT NULL,          -- when the next version replaced it
    stances       TEXT NOT NULL,          -- JSON array of {person, label, score, evidence}
    topics        TEXT NOT NULL           -- JSON array of {topic, score, evidence}
);
CREATE INDEX item_revisions_item ON item_revisions(item_id, replaced_at);

-- Full-text search over title and text. External content: the text is stored
-- once, in items, and the triggers keep the index in step with every insert,
-- update (including retention emptying the text) and delete.
CREATE VIRTUAL TABLE items_fts USING fts5(
    title, text,
    content = 'items', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts(items_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF title, text ON items BEGIN
    INSERT INTO items_fts(items_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO items_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
INSERT INTO items_fts(items_fts) VALUES ('rebuild');

-- A content change snapshots the replaced version with the labels it had:
-- the trigger fires inside the UPDATE, before SaveRun rewrites the labels.
CREATE TRIGGER items_revision AFTER UPDATE OF content_hash ON items
WHEN old.content_hash IS NOT new.content_hash BEGIN
    INSERT INTO item_revisions (item_id, title, text, content_hash, content_since, replaced_at, stances, topics)
    VALUES (old.id, old.title, old.text, old.content_hash, old.updated_at, new.updated_at,
        (SELECT json_group_array(json_object('person', person, 'label', label, 'score', score, 'evidence', json(evidence)))
           FROM stances WHERE item_id = old.id),
        (SELECT json_group_array(json_object('topic', topic, 'score', score, 'evidence', json(evidence)))
           FROM topics WHERE item_id = old.id));
END;
