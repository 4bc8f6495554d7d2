-- Findings of static-analysis and security scanners read from SARIF 2.1.0
-- (`friction ingest`): one row per result, at its first location. `path` is
-- relative to the repository root or absolute as the file wrote it; a
-- finding whose URI names no file of the repository keeps the reason in
-- `skipped` (empty otherwise), so it is counted and reported, never scored.
CREATE TABLE security_findings (
    input              INTEGER NOT NULL REFERENCES inputs (id),
    record             INTEGER NOT NULL,
    line               INTEGER,
    tool               TEXT NOT NULL,
    rule               TEXT NOT NULL,
    level              TEXT NOT NULL,
    security_severity  REAL,
    path               TEXT NOT NULL,
    start_line         INTEGER,
    skipped            TEXT NOT NULL
);

CREATE INDEX security_findings_input ON security_findings (input);
