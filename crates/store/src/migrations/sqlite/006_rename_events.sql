-- Version 6: file identity follows a rename only for the changes before it.
--
-- `file_identity` mapped a path to one identity for all time, so a path
-- re-created after it was renamed away (flask's `app.py` after
-- `git mv app.py sansio/app.py`) lost its own history to the moved file.
-- Identities are now derived from the renames themselves, in commit order:
-- a change belongs to the file it became through every rename after it, and
-- an identity is named by the newest path of its chain.

CREATE TABLE file_renames (
    commit_id       TEXT NOT NULL REFERENCES commits (id),
    committer_time  INTEGER NOT NULL,
    author_time     INTEGER NOT NULL,
    from_path       TEXT NOT NULL,
    to_path         TEXT NOT NULL,
    PRIMARY KEY (commit_id, to_path)
);

INSERT INTO file_renames (commit_id, committer_time, author_time, from_path, to_path)
SELECT DISTINCT c.id, c.committer_time, c.author_time, fc.previous_path, fc.path
FROM commits c JOIN file_changes fc ON fc.commit_id = c.id
WHERE fc.kind = 'renamed' AND fc.previous_path IS NOT NULL AND fc.previous_path <> fc.path
  AND c.renames_resolved = 1;

DROP TABLE file_identity;
