-- The search index is brought up to date after ingest instead of inside it.
--
-- Indexing an item's text costs as much as storing the item (FTS5
-- tokenizes, sorts and writes a segment, then merges segments): a third of
-- the CPU of a cold fetch of 1000 feeds (8.6 of 26 s). Ingest now stores
-- items only; store.IndexPending adds every item above a watermark to
-- items_fts in batches, about 6 s for the same 30,000 items. The daemon calls it after its
-- runs, `newsmon search` before it queries (store/fts.go). SQLite gives the
-- largest id again once its row is deleted: SaveRun indexes an item that
-- gets an id at or below the watermark as it inserts it. (A trigger would
-- do the same but makes every insert keep a statement journal: a seventh
-- of the cost of ingest.)
CREATE TABLE search_index_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_through INTEGER NOT NULL -- every item with id <= this is in items_fts
);
INSERT INTO search_index_state (id, indexed_through) VALUES (1, 0);

-- The index's content is the indexed items only, so that FTS5's
-- 'integrity-check' and 'rebuild' agree with the index while items await
-- it. Rebuilt from scratch: the first IndexPending after the upgrade
-- indexes every stored item, in batches.
DROP TABLE items_fts;
CREATE VIEW items_indexed AS
    SELECT id, title, text FROM items WHERE id <= (SELECT indexed_through FROM search_index_state);
CREATE VIRTUAL TABLE items_fts USING fts5(
    title, text,
    content = 'items_indexed', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- An item not yet indexed has nothing in the index to delete or replace:
-- the catch-up will index its current text.
DROP TRIGGER items_fts_update;
CREATE TRIGGER items_fts_update AFTER UPDATE OF title, text ON items
WHEN old.id <= (SELECT indexed_through FROM search_index_state) BEGIN
    INSERT INTO items_fts(items_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO items_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
DROP TRIGGER items_fts_delete;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items
WHEN old.id <= (SELECT indexed_through FROM search_index_state) BEGIN
    INSERT INTO items_fts(items_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;
