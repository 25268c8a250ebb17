-- SQLite's 0019: items(published_at) served no query; see
-- migrations/sqlite/0019_drop_published_at_index.sql.
DROP INDEX items_published_at;
