-- A pull or merge request's description (GitHub's `body`, GitLab's
-- `description`): work-item keys and closing references in it link work
-- items (issue 19). Requests stored before this version keep an empty body
-- until their export is read again.
ALTER TABLE pull_requests ADD COLUMN body TEXT NOT NULL DEFAULT '';
