-- Version 4: assessment snapshots.
-- A snapshot is immutable: the triggers refuse updates and deletes (SQLite
-- syntax; PostgreSQL will get the equivalent rule). Re-scoring under a newer
-- methodology writes a new snapshot that names the one it re-scored.

CREATE TABLE snapshots (
    id             INTEGER PRIMARY KEY,
    created_at     INTEGER NOT NULL,      -- wall clock, epoch seconds (informational)
    kind           TEXT NOT NULL,         -- scan | backfill | rescore | baseline | portfolio
    scope          TEXT NOT NULL,         -- '' for this repository; in a portfolio store, the
                                          -- repository, product, domain or organisation name
    rescored_from  INTEGER REFERENCES snapshots (id),
    commit_id      TEXT NOT NULL,         -- the commit assessed
    as_of          INTEGER NOT NULL,      -- window end: newest author time reachable from commit_id
    mode           TEXT NOT NULL,         -- full | first-parent
    methodology    TEXT NOT NULL,
    tool_version   TEXT NOT NULL,
    schema         TEXT NOT NULL,         -- JSON contract of `assessment`
    index_score    REAL,                  -- NULL: nothing measured
    coverage       REAL NOT NULL,
    inputs         TEXT NOT NULL,         -- JSON: configuration and input files used, with content
    manifest       TEXT NOT NULL,         -- JSON: every input with its SHA-256
    digest         TEXT NOT NULL,         -- SHA-256 of the manifest: same inputs, same digest
    assessment     TEXT NOT NULL          -- the assessment JSON (`friction assess --json`)
);

CREATE INDEX snapshots_as_of ON snapshots (scope, as_of, id);
CREATE INDEX snapshots_commit ON snapshots (commit_id);

CREATE TRIGGER snapshots_no_update BEFORE UPDATE ON snapshots
BEGIN
    SELECT RAISE(ABORT, 'snapshots are immutable');
END;

CREATE TRIGGER snapshots_no_delete BEFORE DELETE ON snapshots
BEGIN
    SELECT RAISE(ABORT, 'snapshots are immutable');
END;
