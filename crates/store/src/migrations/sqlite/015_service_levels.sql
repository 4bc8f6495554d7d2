-- Version 15: SLO definitions (OpenSLO objects, Sloth SLOs) and Prometheus
-- rules (alerting and recording), with the input id and record position of
-- every row, like the facts of version 8. Neither names a repository: an
-- SLO object's key is its source, kind, service and name; a rule's is its
-- group, name and labels (Prometheus' identity of an alert).

CREATE TABLE service_levels (
    input        INTEGER NOT NULL REFERENCES inputs (id),
    record       INTEGER NOT NULL,
    line         INTEGER,
    source       TEXT NOT NULL,          -- openslo | sloth
    kind         TEXT NOT NULL,          -- SLO, SLI, Service, AlertPolicy, …
    name         TEXT NOT NULL,
    service      TEXT NOT NULL,
    objective    REAL,                   -- the strictest target, a ratio
    window_seconds INTEGER,              -- seconds
    budgeting    TEXT NOT NULL,
    alerts       TEXT NOT NULL,          -- declared alerts, comma-separated
    UNIQUE (input, source, kind, service, name)
);

CREATE TABLE alert_rules (
    input        INTEGER NOT NULL REFERENCES inputs (id),
    record       INTEGER NOT NULL,
    line         INTEGER,
    rule_key     TEXT NOT NULL,          -- group/name{labels}
    grp          TEXT NOT NULL,
    kind         TEXT NOT NULL,          -- alert | record
    name         TEXT NOT NULL,
    expr         TEXT NOT NULL,          -- as written, never evaluated
    for_seconds  INTEGER,
    severity     TEXT NOT NULL,
    runbook_url  TEXT NOT NULL,
    summary      TEXT NOT NULL,
    labels       TEXT NOT NULL,
    UNIQUE (input, rule_key)
);

CREATE INDEX service_levels_key ON service_levels (source, kind, service, name);
CREATE INDEX alert_rules_key ON alert_rules (rule_key);
