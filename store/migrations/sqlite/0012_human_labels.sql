-- Why the classifier gave a stance ("unclear: 41 words (fewer than
-- classify.min_words 60)", "neutral: the piece's own framing is weak ...")
-- and how sure it was (the model's probability of the label).
ALTER TABLE stances ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE stances ADD COLUMN confidence REAL NOT NULL DEFAULT 0;

-- Corrections by people (`newsmon label`), kept apart from the classifier's
-- labels so that reclassifying never touches them. The views below give a
-- person's label where there is one, else the classifier's.
CREATE TABLE human_stances (
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    person      TEXT NOT NULL,          -- canonical name
    label       TEXT NOT NULL,          -- supportive | critical | neutral
    previous    TEXT NOT NULL,          -- the label shown before: the classifier's, an earlier correction's, or ''
    labelled_by TEXT NOT NULL,
    labelled_at TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (item_id, person)
) WITHOUT ROWID;

CREATE TABLE human_topics (
    item_id     INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    topics      TEXT NOT NULL,          -- JSON array: the whole set, replacing the classifier's
    previous    TEXT NOT NULL,          -- JSON array shown before
    labelled_by TEXT NOT NULL,
    labelled_at TEXT NOT NULL
);

-- Every correction ever made, including those later replaced or cleared.
CREATE TABLE label_history (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    person      TEXT NOT NULL,          -- '' for topics
    kind        TEXT NOT NULL,          -- stance | topics
    value       TEXT NOT NULL,          -- the label, the JSON topic list, or '' when cleared
    previous    TEXT NOT NULL,
    labelled_by TEXT NOT NULL,
    labelled_at TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX label_history_item ON label_history(item_id);

-- The stance of each (item, person): a person's label wins. "human" is 1
-- for a person's label. A label for someone the classifier did not find in
-- the item counts too.
CREATE VIEW effective_stances AS
SELECT s.item_id, s.person, coalesce(h.label, s.label) AS label, s.score, s.evidence, s.reason,
       s.rules_version, h.label IS NOT NULL AS human
FROM stances s
LEFT JOIN human_stances h ON h.item_id = s.item_id AND h.person = s.person
UNION ALL
SELECT h.item_id, h.person, h.label, 0, '[]', '', '', 1
FROM human_stances h
WHERE NOT EXISTS (SELECT 1 FROM stances s WHERE s.item_id = h.item_id AND s.person = h.person);

-- The topics of each item: a person's set replaces the classifier's.
CREATE VIEW effective_topics AS
SELECT t.item_id, t.topic, t.score, 0 AS human
FROM topics t
WHERE NOT EXISTS (SELECT 1 FROM human_topics h WHERE h.item_id = t.item_id)
UNION ALL
SELECT h.item_id, j.value, 0, 1
FROM human_topics h, json_each(h.topics) j;

DROP VIEW coverage;
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
    coalesce((SELECT group_concat(t.topic, ',') FROM effective_topics t WHERE t.item_id = i.id), '') AS topics,
    i.story_id                               AS story_id,
    i.fetched_at                             AS fetched_at,
    s.human                                  AS human_label
FROM effective_stances s
JOIN items i ON i.id = s.item_id;

DROP VIEW daily_counts;
CREATE VIEW daily_counts AS
SELECT
    date(coalesce(i.published_at, i.fetched_at)) AS day,
    s.person                                     AS person,
    s.label                                      AS stance,
    count(*)                                     AS count
FROM effective_stances s
JOIN items i ON i.id = s.item_id
GROUP BY 1, 2, 3;
