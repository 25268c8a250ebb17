-- Index new items in the full-text index once per run, not once per row.
--
-- FTS5 writes its pending terms to disk at every statement savepoint, so the
-- per-row insert trigger of 0004 wrote one index segment per item (then
-- merged them): about a fifth of the cost of storing an item. SaveRun now
-- inserts a run's new items into items_fts with one statement after storing
-- them (store/fts.go). Code that inserts into items directly must do the
-- same: INSERT INTO items_fts(rowid, title, text) SELECT id, title, text ...
-- The update and delete triggers stay: updates are rare and retention's
-- emptying of texts must reach the index.
DROP TRIGGER items_fts_insert;
-- Each run's commit writes one small index segment; FTS5 merges segments
-- when `automerge` of them pile up at one level (default 4). Merging at 16
-- does about half the merge work (half as many levels) for a few more
-- segments per query, which `newsmon prune`'s daily 'optimize' folds back
-- into one.
INSERT INTO items_fts(items_fts, rank) VALUES ('automerge', 16);

-- Only items naming a tracked person get a story (store/stories.go): the
-- rest keep story_id NULL. A partial index is a fiftieth of the size, serves
-- every story_id = ? lookup, and cannot tempt the planner into scanning all
-- items in story order for a GROUP BY story_id over a date range.
DROP INDEX items_story;
CREATE INDEX items_story ON items(story_id) WHERE story_id IS NOT NULL;

-- Story lookup: only items naming a tracked person have a fingerprint now,
-- so a new item is compared with the fingerprinted items of the last 14
-- days, read newest first from this covering partial index, instead of 68
-- seeks into four band indexes (store/stories.go). The sim_band columns stay
-- (dropping columns rewrites the table) but are no longer written.
DROP INDEX items_sim_band0;
DROP INDEX items_sim_band1;
DROP INDEX items_sim_band2;
DROP INDEX items_sim_band3;
CREATE INDEX items_simhash_recent ON items(fetched_at, simhash, story_id) WHERE simhash IS NOT NULL;
