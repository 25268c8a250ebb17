-- Where an interrupted `newsmon reclassify` stopped. Each batch of items is
-- relabelled and this row moved past it in one transaction, so a run that
-- is stopped (Ctrl-C, a crash) resumes after the last batch it committed,
-- provided the labels would be computed the same way (job: the rules
-- version, the tracked people, the sources' stance priors) over no more
-- items (a --since no earlier than since). A finished run deletes the row.
CREATE TABLE reclassify_progress (
    id         INTEGER PRIMARY KEY CHECK (id = 1), -- one run at a time
    job        TEXT NOT NULL,
    since      TEXT,              -- the run's --since; NULL: every item
    after_id   INTEGER NOT NULL,  -- every item with id <= this is done
    done       INTEGER NOT NULL,  -- items relabelled so far
    changed    INTEGER NOT NULL,  -- labels changed so far
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
