-- Version 12: the incident an incident was merged into (PagerDuty's
-- `merge_resolve_reason`, the incident CSV's `merged_into`), so a merged
-- incident is counted once, as the one it was merged into.

ALTER TABLE incidents ADD COLUMN merged_into TEXT NOT NULL DEFAULT '';
