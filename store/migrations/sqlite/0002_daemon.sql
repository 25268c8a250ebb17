-- The daemon's schedule of record: when a source runs next and, after
-- failures, the time before which it must not run again. Both survive a
-- restart, so a restarted daemon neither forgets a backoff nor loses track.

ALTER TABLE sources ADD COLUMN next_run_at TEXT;    -- as planned by the running daemon; NULL when unknown
ALTER TABLE sources ADD COLUMN backoff_until TEXT;  -- NULL when the source is not backing off
