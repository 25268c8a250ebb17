-- Views for ad hoc queries (see "Querying the database" in the README).
-- Dates are ISO-8601 UTC text; "date" is when the piece was published, or
-- when newsmon first saw it if the source gave no date.

-- One row per item and tracked person it mentions.
CREATE VIEW coverage AS
SELECT
    i.id                                     AS item_id,
    coalesce(i.published_at, i.fetched_at)   AS date,
    i.source                                 AS outlet,
    s.person                                 AS person,
    i.title                                  AS title,
    coalesce(i.canonical_url, i.url)         AS url,
    s.label                                  AS stance,
    s.score                                  AS score,
    coalesce((SELECT group_concat(t.topic, ',') FROM topics t WHERE t.item_id = i.id), '') AS topics,
    i.story_id                               AS story_id,
    i.fetched_at                             AS fetched_at
FROM stances s
JOIN items i ON i.id = s.item_id;

-- How many items framed each person each way, per day.
CREATE VIEW daily_counts AS
SELECT
    date(coalesce(i.published_at, i.fetched_at)) AS day,
    s.person                                     AS person,
    s.label                                      AS stance,
    count(*)                                     AS count
FROM stances s
JOIN items i ON i.id = s.item_id
GROUP BY 1, 2, 3;

-- The digest and alerts read "items with stances fetched since T"; stances
-- by person then item keeps per-person queries off the items table scan.
CREATE INDEX stances_person_item ON stances(person, item_id);
