-- Version 9: deployments, their statuses and releases read from exports, with
-- the input id and record position of every row, like the facts of version 8.

CREATE TABLE deployments (
    input        INTEGER NOT NULL REFERENCES inputs (id),
    record       INTEGER NOT NULL,
    line         INTEGER,
    scope        TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    sha          TEXT NOT NULL,
    git_ref      TEXT NOT NULL,
    environment  TEXT NOT NULL,
    production   INTEGER,                -- NULL: the source does not say
    created_at   INTEGER,
    updated_at   INTEGER,
    UNIQUE (input, scope, deployment_id)
);

CREATE TABLE deployment_statuses (
    input          INTEGER NOT NULL REFERENCES inputs (id),
    record         INTEGER NOT NULL,
    line           INTEGER,
    scope          TEXT NOT NULL,
    status_id      TEXT NOT NULL,
    deployment_id  TEXT NOT NULL,
    state          TEXT NOT NULL,
    environment    TEXT NOT NULL,
    created_at     INTEGER,
    UNIQUE (input, scope, status_id)
);

CREATE TABLE releases (
    input         INTEGER NOT NULL REFERENCES inputs (id),
    record        INTEGER NOT NULL,
    line          INTEGER,
    scope         TEXT NOT NULL,
    release_id    TEXT NOT NULL,
    tag           TEXT NOT NULL,
    target        TEXT NOT NULL,
    name          TEXT NOT NULL,
    draft         INTEGER NOT NULL,
    prerelease    INTEGER NOT NULL,
    created_at    INTEGER,
    published_at  INTEGER,
    UNIQUE (input, scope, release_id)
);

CREATE INDEX deployments_key ON deployments (scope, deployment_id);
CREATE INDEX deployment_statuses_key ON deployment_statuses (scope, status_id);
CREATE INDEX releases_key ON releases (scope, release_id);
