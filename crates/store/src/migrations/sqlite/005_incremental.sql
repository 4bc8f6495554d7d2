-- Version 5: what an incremental re-scan reads, without scanning everything.

-- The commits whose renames are not resolved yet. A re-scan after one commit
-- resolves that commit's renames; before this index it read all of
-- `file_changes` to find them.
CREATE INDEX commits_unresolved ON commits (id) WHERE renames_resolved = 0;

-- The figures a trend shows per snapshot (index, interval, band, coverage,
-- driver scores) as JSON, written with the snapshot, so that a trend or the
-- report after every scan does not parse each earlier snapshot's full
-- assessment. Derived from `snapshots.assessment`; snapshots stored before
-- version 5 have no row here and are read in full.
CREATE TABLE snapshot_points (
    snapshot  INTEGER PRIMARY KEY REFERENCES snapshots (id),
    data      TEXT NOT NULL
);

-- Immutable with their snapshot.
CREATE TRIGGER snapshot_points_no_update BEFORE UPDATE ON snapshot_points
BEGIN
    SELECT RAISE(ABORT, 'snapshots are immutable');
END;

CREATE TRIGGER snapshot_points_no_delete BEFORE DELETE ON snapshot_points
BEGIN
    SELECT RAISE(ABORT, 'snapshots are immutable');
END;
