-- SQLite's 0018: the tables of workers sharing this database
-- (store/leases.go); see migrations/sqlite/0018_workers.sql.
ALTER TABLE fetch_runs ADD COLUMN worker text NOT NULL DEFAULT '';
ALTER TABLE fetch_runs ADD COLUMN slot timestamptz;

CREATE TABLE leases (
    job         text PRIMARY KEY,
    worker      text,              -- NULL when nobody holds the lease
    slot        timestamptz,       -- the scheduled time being run, or last run
    lease_until timestamptz,       -- the holder must extend it before then (server clock)
    done_slot   timestamptz        -- the latest slot that ran to the end
);
-- Finding expired leases is a scan of the held ones only.
CREATE INDEX leases_held ON leases(lease_until) WHERE worker IS NOT NULL;

CREATE TABLE workers (
    name         text PRIMARY KEY, -- host:pid
    started_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL
);
