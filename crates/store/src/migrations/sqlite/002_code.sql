-- Version 2: static code measurements.
-- Measurements depend only on a file's bytes, its language and the analyzer version,
-- so they are keyed by git blob id: an unchanged file is never measured twice, at any
-- commit. `data` is the JSON of friction_code::FileMetrics.

CREATE TABLE code_metrics (
    blob      TEXT NOT NULL,
    language  TEXT NOT NULL,
    analyzer  INTEGER NOT NULL,
    data      BLOB NOT NULL,
    PRIMARY KEY (blob, language, analyzer)
) WITHOUT ROWID;

-- The measured tree of a commit: which blob sits at which path.
CREATE TABLE code_trees (
    commit_id  TEXT NOT NULL,
    path       TEXT NOT NULL,
    path_raw   BLOB,                  -- raw bytes when the path is not UTF-8
    blob       TEXT NOT NULL,
    language   TEXT NOT NULL,
    excluded   TEXT,                  -- exclusion reason (vendored, generated, …), NULL when counted
    PRIMARY KEY (commit_id, path)
) WITHOUT ROWID;
