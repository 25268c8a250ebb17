-- items(published_at) served no query of newsmon's: every date filter and
-- order reads coalesce(published_at, fetched_at) (items_source_pubdate,
-- the views), which this index cannot answer. It was the costliest index
-- to keep: feeds give dates in any order, so every group of runs stored
-- changed most of its leaves, and a cold fetch of 1,000 feeds wrote 95 MB
-- of WAL for its 1 MB (a quarter of all WAL writes).
DROP INDEX items_published_at;
