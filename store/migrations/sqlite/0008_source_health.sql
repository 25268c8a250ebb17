-- The silent-source check reads each source's newest items by publication
-- date (fetch date when there is none); this index keeps that a short range
-- scan instead of a sort of the source's whole history.
CREATE INDEX items_source_pubdate ON items(source, coalesce(published_at, fetched_at));
