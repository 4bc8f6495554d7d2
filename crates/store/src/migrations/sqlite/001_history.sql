-- Version 1: git history facts.
-- Portable SQL (SQLite and PostgreSQL): TEXT/INTEGER/BLOB, epoch seconds, $N placeholders in queries.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE commits (
    id                TEXT PRIMARY KEY,
    parents           TEXT NOT NULL,          -- space-separated ids, first parent first
    parent_count      INTEGER NOT NULL,
    author_name       TEXT NOT NULL,
    author_email      TEXT NOT NULL,
    author_time       INTEGER NOT NULL,
    author_offset     INTEGER NOT NULL,
    committer_name    TEXT NOT NULL,
    committer_email   TEXT NOT NULL,
    committer_time    INTEGER NOT NULL,
    committer_offset  INTEGER NOT NULL,
    author_is_bot     INTEGER NOT NULL,
    message           TEXT NOT NULL,
    merge_diffed      INTEGER NOT NULL,       -- 1: a merge whose first-parent diff is stored
    mainline          INTEGER NOT NULL,       -- 1: reached by a first-parent walk
    shallow_boundary  INTEGER NOT NULL,       -- 1: parents absent (shallow clone), diffed against nothing
    rename_limit_hit  INTEGER,                -- similarity checks skipped by the rename limit
    renames_resolved  INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX commits_author_time ON commits (author_time);

CREATE TABLE file_changes (
    commit_id          TEXT NOT NULL REFERENCES commits (id),
    path               TEXT NOT NULL,
    path_raw           BLOB,                  -- raw bytes when the path is not UTF-8
    previous_path      TEXT,
    previous_path_raw  BLOB,
    kind               TEXT NOT NULL,
    entry              TEXT NOT NULL,
    lines_added        INTEGER NOT NULL,
    lines_deleted      INTEGER NOT NULL,
    is_binary          INTEGER NOT NULL,
    blob               TEXT,
    generated_marker   INTEGER NOT NULL,
    excluded           TEXT,                  -- exclusion reason, NULL when counted
    via_merge          INTEGER NOT NULL       -- 1: from a merge's first-parent diff
);

CREATE INDEX file_changes_commit ON file_changes (commit_id);
CREATE INDEX file_changes_path ON file_changes (path);

-- Paths that inherited an identity through a rename; any other path is its own identity.
CREATE TABLE file_identity (
    path     TEXT PRIMARY KEY,
    file_id  TEXT NOT NULL
);

CREATE TABLE scans (
    id            INTEGER PRIMARY KEY,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    mode          TEXT NOT NULL,
    refs          TEXT NOT NULL,
    tool_version  TEXT NOT NULL,
    status        TEXT NOT NULL,              -- running, complete, interrupted, partial
    commits_mined INTEGER NOT NULL DEFAULT 0
);

-- Tips of the last complete scan per walk mode; everything reachable from them is stored.
CREATE TABLE scan_tips (
    mode       TEXT NOT NULL,
    name       TEXT NOT NULL,
    commit_id  TEXT NOT NULL,
    PRIMARY KEY (mode, name)
);
