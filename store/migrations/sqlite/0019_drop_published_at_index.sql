-- items(published_at) served no query of newsmon's: every date filter and
-- order reads coalesce(published_at, fetched_at) (items_source_pubdate,
-- the views), which this index cannot answer. It was the costliest index
-- to keep: feeds give dates in any order, so every group of runs stored
-- changed most of its leaves, and it took a quarter of the WAL's writes of
-- a cold fetch (docs/performance.md).
DROP INDEX items_published_at;
