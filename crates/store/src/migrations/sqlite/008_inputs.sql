-- Version 8: inputs beyond git (CI runs and jobs, pull requests, reviews,
-- pull-request commits, test results, coverage) and the facts read from them.
--
-- Every fact row names its input and its position there (`record`: 1-based
-- ordinal in the file; `line` when the format has lines), so a number can cite
-- the file and the record behind it. A changed file's facts are deleted and
-- written again in one transaction. Overlapping exports store the same item
-- once per input; readers take one row per source key (`scope` plus the
-- source's own ids), so nothing is counted twice and removing one export never
-- loses what another still holds.

CREATE TABLE inputs (
    id                 INTEGER PRIMARY KEY,
    path               TEXT NOT NULL,         -- as given ('-' for standard input)
    format             TEXT NOT NULL,         -- github | gitlab | devlake-csv | junit | lcov | cobertura | jacoco
    sha256             TEXT NOT NULL,
    records            INTEGER NOT NULL,
    span_start         INTEGER,               -- earliest time a record names (epoch seconds)
    span_end           INTEGER,               -- latest
    extractor_version  INTEGER NOT NULL,
    ingested_at        INTEGER NOT NULL,      -- wall clock (informational)
    scopes             TEXT NOT NULL,         -- repositories the records name, sorted, space-separated
    commit_id          TEXT                   -- the commit a test or coverage report measured, when given
);

CREATE INDEX inputs_path ON inputs (path);
CREATE INDEX inputs_sha256 ON inputs (sha256);

CREATE TABLE ci_runs (
    input        INTEGER NOT NULL REFERENCES inputs (id),
    record       INTEGER NOT NULL,
    line         INTEGER,
    scope        TEXT NOT NULL,
    run_id       TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    workflow     TEXT NOT NULL,
    event        TEXT NOT NULL,
    branch       TEXT NOT NULL,
    head_sha     TEXT NOT NULL,
    status       TEXT NOT NULL,
    conclusion   TEXT NOT NULL,
    created_at   INTEGER,
    started_at   INTEGER,
    finished_at  INTEGER,
    updated_at   INTEGER,
    duration     REAL,
    queued       REAL,
    url          TEXT NOT NULL,
    UNIQUE (input, scope, run_id, attempt)
);

CREATE TABLE ci_jobs (
    input          INTEGER NOT NULL REFERENCES inputs (id),
    record         INTEGER NOT NULL,
    line           INTEGER,
    scope          TEXT NOT NULL,
    job_id         TEXT NOT NULL,
    run_id         TEXT NOT NULL,
    attempt        INTEGER NOT NULL,
    name           TEXT NOT NULL,
    stage          TEXT NOT NULL,
    status         TEXT NOT NULL,
    conclusion     TEXT NOT NULL,
    head_sha       TEXT NOT NULL,
    branch         TEXT NOT NULL,
    created_at     INTEGER,
    started_at     INTEGER,
    finished_at    INTEGER,
    queued         REAL,
    runner_labels  TEXT NOT NULL,
    UNIQUE (input, scope, job_id, attempt)
);

CREATE TABLE pull_requests (
    input       INTEGER NOT NULL REFERENCES inputs (id),
    record      INTEGER NOT NULL,
    line        INTEGER,
    scope       TEXT NOT NULL,
    number      INTEGER NOT NULL,
    pr_id       TEXT NOT NULL,
    state       TEXT NOT NULL,
    author      TEXT NOT NULL,
    title       TEXT NOT NULL,
    base_ref    TEXT NOT NULL,
    head_ref    TEXT NOT NULL,
    head_sha    TEXT NOT NULL,
    merge_sha   TEXT NOT NULL,
    draft       INTEGER NOT NULL,
    created_at  INTEGER,
    updated_at  INTEGER,
    closed_at   INTEGER,
    merged_at   INTEGER,
    UNIQUE (input, scope, number)
);

CREATE TABLE pr_reviews (
    input         INTEGER NOT NULL REFERENCES inputs (id),
    record        INTEGER NOT NULL,
    line          INTEGER,
    scope         TEXT NOT NULL,
    review_id     TEXT NOT NULL,
    number        INTEGER NOT NULL,
    author        TEXT NOT NULL,
    state         TEXT NOT NULL,
    commit_sha    TEXT NOT NULL,
    submitted_at  INTEGER,
    UNIQUE (input, scope, review_id)
);

CREATE TABLE pr_commits (
    input         INTEGER NOT NULL REFERENCES inputs (id),
    record        INTEGER NOT NULL,
    line          INTEGER,
    scope         TEXT NOT NULL,
    number        INTEGER NOT NULL,      -- 0: the export did not name the pull request
    sha           TEXT NOT NULL,
    authored_at   INTEGER,
    committed_at  INTEGER,
    UNIQUE (input, scope, number, sha)
);

CREATE TABLE test_results (
    input           INTEGER NOT NULL REFERENCES inputs (id),
    record          INTEGER NOT NULL,
    line            INTEGER,
    suite           TEXT NOT NULL,
    classname       TEXT NOT NULL,
    name            TEXT NOT NULL,
    file            TEXT NOT NULL,
    outcome         TEXT NOT NULL,       -- passed | failed | error | skipped
    duration        REAL,
    flaky_attempts  INTEGER NOT NULL,
    reruns          INTEGER NOT NULL,
    timestamp       INTEGER
);

CREATE TABLE coverage_files (
    input            INTEGER NOT NULL REFERENCES inputs (id),
    record           INTEGER NOT NULL,
    line             INTEGER,
    path             TEXT NOT NULL,
    lines_found      INTEGER NOT NULL,
    lines_hit        INTEGER NOT NULL,
    branches_found   INTEGER NOT NULL,
    branches_hit     INTEGER NOT NULL,
    functions_found  INTEGER NOT NULL,
    functions_hit    INTEGER NOT NULL
);

CREATE INDEX ci_runs_key ON ci_runs (scope, run_id, attempt);
CREATE INDEX ci_jobs_key ON ci_jobs (scope, job_id, attempt);
CREATE INDEX pull_requests_key ON pull_requests (scope, number);
CREATE INDEX pr_reviews_key ON pr_reviews (scope, review_id);
CREATE INDEX pr_commits_key ON pr_commits (scope, number, sha);
CREATE INDEX test_results_input ON test_results (input);
CREATE INDEX coverage_files_input ON coverage_files (input);
