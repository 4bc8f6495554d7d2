-- Version 13: work items (Jira, GitHub and GitLab issues, Linear, a generic
-- CSV) and their changes (status and resolution changes from changelogs,
-- commit and pull-request links from timelines), with the input id and
-- record position of every row, like the facts of version 8. The source key
-- is the tracker, the repository (GitHub, GitLab; empty otherwise) and the
-- item's key; of one item in several exports, readers take the newest
-- `updated_at`.

CREATE TABLE work_items (
    input        INTEGER NOT NULL REFERENCES inputs (id),
    record       INTEGER NOT NULL,
    line         INTEGER,
    source       TEXT NOT NULL,          -- jira | github | gitlab | linear | csv
    scope        TEXT NOT NULL,
    item_key     TEXT NOT NULL,
    item_id      TEXT NOT NULL,
    title        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    category     TEXT NOT NULL,          -- new | indeterminate | done
    inferred     INTEGER NOT NULL,       -- 1: category inferred from the status name
    resolution   TEXT NOT NULL,
    labels       TEXT NOT NULL,
    project      TEXT NOT NULL,
    components   TEXT NOT NULL,
    team         TEXT NOT NULL,
    parent       TEXT NOT NULL,
    created_at   INTEGER,
    updated_at   INTEGER,
    resolved_at  INTEGER,
    url          TEXT NOT NULL,
    UNIQUE (input, source, scope, item_key)
);

CREATE TABLE work_item_changes (
    input        INTEGER NOT NULL REFERENCES inputs (id),
    record       INTEGER NOT NULL,
    line         INTEGER,
    source       TEXT NOT NULL,
    scope        TEXT NOT NULL,
    item_key     TEXT NOT NULL,
    change_id    TEXT NOT NULL,
    field        TEXT NOT NULL,          -- status | resolution | commit | pull_request
    from_value   TEXT NOT NULL,
    to_value     TEXT NOT NULL,
    at           INTEGER,
    UNIQUE (input, source, scope, item_key, change_id, field)
);

CREATE INDEX work_items_key ON work_items (source, scope, item_key);
CREATE INDEX work_item_changes_key ON work_item_changes (source, scope, item_key, change_id, field);
