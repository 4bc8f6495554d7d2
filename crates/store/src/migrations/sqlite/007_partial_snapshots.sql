-- Version 7: a snapshot recorded after a scan that could not read everything
-- says so. NULL: the scan read every commit; otherwise what was missing
-- ("41 commits could not be read"), shown wherever the snapshot appears.
ALTER TABLE snapshots ADD COLUMN partial TEXT;
