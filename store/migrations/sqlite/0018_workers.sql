-- Several `newsmon run` workers can share one PostgreSQL database; these
-- tables are theirs, and exist in SQLite too so that both schemas stay the
-- same (on SQLite one daemon runs at a time, under its lock file, and
-- leaves leases and workers empty).
--
-- fetch_runs.worker names the process that ran the source ("host:pid"),
-- for `newsmon status`; fetch_runs.slot is the scheduled time the daemon
-- ran it for (NULL for a `newsmon fetch`). Runs recorded before this
-- migration have '' and NULL.
ALTER TABLE fetch_runs ADD COLUMN worker TEXT NOT NULL DEFAULT '';
ALTER TABLE fetch_runs ADD COLUMN slot TEXT;

-- One row per job a worker runs on a schedule: a source ("source NAME"),
-- the digest, the health check. A worker takes the job's lease for one
-- scheduled slot before it runs it, unless another worker holds a lease
-- of the job that has not expired, or the slot is done: so every slot runs
-- once, on one worker, and never two runs of one source at once. A worker
-- extends its leases while it runs; a worker that dies stops extending
-- them, and once lease_until has passed another worker takes the slot over.
CREATE TABLE leases (
    job         TEXT PRIMARY KEY,
    worker      TEXT,              -- NULL when nobody holds the lease
    slot        TEXT,              -- the scheduled time being run, or last run
    lease_until TEXT,              -- the holder must extend it before then
    done_slot   TEXT               -- the latest slot that ran to the end
) WITHOUT ROWID;
CREATE INDEX leases_held ON leases(lease_until) WHERE worker IS NOT NULL;

-- The workers that have run against this database, for `newsmon status`.
CREATE TABLE workers (
    name         TEXT PRIMARY KEY, -- host:pid
    started_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL     -- the worker's last lease heartbeat
) WITHOUT ROWID;
