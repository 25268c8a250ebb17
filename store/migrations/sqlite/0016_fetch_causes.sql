-- Why a run failed, in a word or two ("DNS", "refused", "timeout", "TLS",
-- "HTTP 404", "robots.txt", "not a feed", "too large"; fetch.Cause), kept
-- beside the full error text: `newsmon status` and the digest show the
-- cause, `newsmon status SOURCE` and `status --json` the whole error. Runs
-- recorded before this migration, and failures fetch does not recognise,
-- have an empty cause.
ALTER TABLE fetch_runs ADD COLUMN cause TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN last_cause TEXT NOT NULL DEFAULT '';
