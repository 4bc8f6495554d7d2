-- Version 14: offline advisory databases (`friction advisories import`).
-- One row per imported database, keyed by the path it was imported from
-- (importing it again replaces its records); each record's advisory as
-- friction keeps it (JSON) and the packages it covers, for lookup by
-- ecosystem and canonical name.

CREATE TABLE advisory_databases (
    id              INTEGER PRIMARY KEY,
    path            TEXT NOT NULL UNIQUE,
    format          TEXT NOT NULL,          -- osv | osv-zip | rustsec
    database_date   TEXT,                   -- the newest record's date, YYYY-MM-DD
    imported_at     INTEGER NOT NULL,
    advisories      INTEGER NOT NULL,
    withdrawn       INTEGER NOT NULL,
    bad_ranges      INTEGER NOT NULL,
    other_packages  INTEGER NOT NULL
);

CREATE TABLE advisories (
    database  INTEGER NOT NULL REFERENCES advisory_databases (id),
    id        TEXT NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (database, id)
);

CREATE TABLE advisory_packages (
    database   INTEGER NOT NULL REFERENCES advisory_databases (id),
    ecosystem  TEXT NOT NULL,
    name       TEXT NOT NULL,               -- canonical (PEP 503 for PyPI)
    advisory   TEXT NOT NULL
);
CREATE INDEX advisory_packages_by_name ON advisory_packages (ecosystem, name);
