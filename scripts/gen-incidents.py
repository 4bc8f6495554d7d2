#!/usr/bin/env python3
"""Writes a synthetic PagerDuty export of N incidents and 10 log entries each.

usage: scripts/gen-incidents.py INCIDENT.json OUT_DIR N [PER_FILE]

INCIDENT.json is one real incident with its embedded `log_entries` as DevLake
captures them (crates/ingest/tests/fixtures/incidents/pagerduty/
incident-resolved-with-log-entries.json: service, escalation policy,
assignments, eight log entries of six kinds). The export is what the REST API
returns and `curl` saves page by page: incident pages `{"incidents":[…100…],
"limit":100,"offset":…,"more":…}` without log entries (as `GET /incidents`
lists them), and log-entry pages `{"log_entries":[…100…],…}` (as
`GET /log_entries` lists them), PER_FILE incidents (default 1,000) and their
log entries per pair of files. Ids, numbers, services, urgencies, statuses
and times vary; every other field is the template's. Each incident has ten
log entries: the template's eight plus an escalation and a second notify.
"""
import copy
import json
import os
import sys
import time

template_path, out_dir, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
per_file = int(sys.argv[4]) if len(sys.argv) > 4 else 1_000
template = json.load(open(template_path))
entries = template.pop("log_entries")
template.pop("alerts", None)
kinds = [e["type"] for e in entries]
# Two more kinds seen in the triggered sample: escalations and repeated notifications.
extra = [copy.deepcopy(entries[kinds.index("notify_log_entry")]) for _ in range(2)]
extra[0]["type"] = "escalate_log_entry"
extra[0]["summary"] = "Escalated to level 2 by timeout."
entries = entries + extra
assert len(entries) == 10
os.makedirs(out_dir, exist_ok=True)
services = [f"P{s:06d}" for s in range(40)]
first = 1_640_995_200  # 2022-01-01


def iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def incident(n):
    i = dict(template)
    iid = f"Q{n:013d}"
    start = first + n * 311
    resolved = start + 60 + (n * 7919) % 86_400
    i["id"] = iid
    i["incident_number"] = n + 1
    i["incident_key"] = f"{n:032x}"
    i["created_at"] = iso(start)
    i["status"] = "resolved" if n % 50 else "triggered"
    i["last_status_change_at"] = iso(resolved if n % 50 else start)
    i["urgency"] = "high" if n % 3 == 0 else "low"
    svc = services[n % len(services)]
    i["service"] = dict(template["service"], id=svc, summary=f"service-{n % len(services)}")
    i["title"] = f"Spamming logs on host-{n % 97}"
    i["summary"] = f"[#{n + 1}] {i['title']}"
    i["self"] = f"https://api.pagerduty.com/incidents/{iid}"
    i["html_url"] = f"https://acme.pagerduty.com/incidents/{iid}"
    return i, start, resolved


def log_entries(n, iid, start, resolved):
    out = []
    # The template lists newest first; times spread between start and resolution.
    for k, e in enumerate(entries):
        e = dict(e)
        eid = f"R{n:013d}{k:02d}"
        e["id"] = eid
        e["self"] = f"https://api.pagerduty.com/log_entries/{eid}"
        t = start if e["type"] == "trigger_log_entry" else start + (resolved - start) * (10 - k) // 10
        if e["type"] == "resolve_log_entry":
            t = resolved
        e["created_at"] = iso(t)
        e["incident"] = dict(e["incident"], id=iid, summary=f"[#{n + 1}] x")
        out.append(e)
    return out


n = 0
file_no = 0
while n < total:
    count = min(per_file, total - n)
    with open(os.path.join(out_dir, f"incidents-{file_no:04d}.json"), "w") as inc, open(
        os.path.join(out_dir, f"log-entries-{file_no:04d}.json"), "w"
    ) as log:
        done = 0
        while done < count:
            page, logs = [], []
            for _ in range(min(100, count - done)):
                i, start, resolved = incident(n)
                page.append(i)
                logs.extend(log_entries(n, i["id"], start, resolved if n % 50 else start + 3600))
                n += 1
                done += 1
            more = n < total
            inc.write(json.dumps({"incidents": page, "limit": 100, "offset": n - len(page),
                                  "more": more, "total": None}, separators=(",", ":")))
            inc.write("\n")
            for p in range(0, len(logs), 100):
                log.write(json.dumps({"log_entries": logs[p:p + 100], "limit": 100,
                                      "offset": p, "more": more, "total": None},
                                     separators=(",", ":")))
                log.write("\n")
    file_no += 1
