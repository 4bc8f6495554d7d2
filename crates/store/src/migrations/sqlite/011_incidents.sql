-- Version 11: incidents (PagerDuty, Opsgenie, a generic incident CSV) and the
-- entries of their logs, with the input id and record position of every row,
-- like the facts of version 8. Incidents name services, not repositories:
-- their source key is the system they come from plus the source's own id.

CREATE TABLE incidents (
    input            INTEGER NOT NULL REFERENCES inputs (id),
    record           INTEGER NOT NULL,
    line             INTEGER,
    source           TEXT NOT NULL,          -- pagerduty | opsgenie | csv
    incident_id      TEXT NOT NULL,
    number           TEXT NOT NULL,
    title            TEXT NOT NULL,
    status           TEXT NOT NULL,
    urgency          TEXT NOT NULL,
    service_id       TEXT NOT NULL,
    service          TEXT NOT NULL,
    team             TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,          -- the alert's de-duplication key
    created_at       INTEGER,
    acknowledged_at  INTEGER,
    resolved_at      INTEGER,
    escalations      INTEGER NOT NULL,
    url              TEXT NOT NULL,
    UNIQUE (input, source, incident_id)
);

CREATE TABLE incident_events (
    input        INTEGER NOT NULL REFERENCES inputs (id),
    record       INTEGER NOT NULL,
    line         INTEGER,
    source       TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    incident_id  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    at           INTEGER,
    UNIQUE (input, source, event_id)
);

CREATE INDEX incidents_key ON incidents (source, incident_id);
CREATE INDEX incident_events_key ON incident_events (source, event_id);
