-- Who made an incident log entry (PagerDuty's `agent.type` without
-- `_reference`: `user`, `service`, `integration`, …): a resolution a person
-- made is manual work, one the monitoring integration made is the alert
-- clearing (issue 17, runbook dependency). Entries stored before this
-- version keep an empty agent until their export is read again (the
-- extractor version changed with it, so the next ingest re-reads them).
ALTER TABLE incident_events ADD COLUMN agent TEXT NOT NULL DEFAULT '';
