#!/usr/bin/env python3
"""Writes N synthetic Jira issues with changelogs, shaped like the real sample.

usage: scripts/gen-work-items.py TEMPLATE.json OUT_DIR N [TOPICS.txt] [END_EPOCH]

TEMPLATE.json is one real Jira Cloud issue fetched with `expand=changelog`
(a DevLake e2e fixture: `issue-K5-2-todo-unresolved.json`, 150 fields, most of
them null custom fields). Each output file holds 10,000 issues as Jira's search
API returns them with `--paginate`-style concatenation: pages
`{"expand":…,"startAt":…,"maxResults":100,"total":…,"issues":[…100…]}`, one a line.
Every issue keeps the template's fields; key, id, summary, status, resolution,
dates and components vary, and `changelog.histories` is replaced by a status
changelog (To Do -> In Progress -> Done; every 10th item reopened and done
again) whose history objects copy the template's (author, ids, items).

Status mix: 90 % Done, 5 % In Progress, 5 % To Do; 12 components.

TOPICS.txt (optional) has one line per work item a commit names, `KEY EPOCH`:
the benchmark passes git/git's merged topic branches (`Merge branch 'ab/topic'`,
found by an `[execution] key_patterns` regex) with the merge's commit time. The
first len(TOPICS) issues take those keys and finish at that time (Done); the rest
are keyed `BENCH-n` (n from 1), named by no commit, and finish within the year
before END_EPOCH (default: the newest topic's time). The script prints how many
issues a commit names.
"""
import copy
import json
import os
import sys
import time

template_path, out_dir, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
topics = []
if len(sys.argv) > 4 and sys.argv[4]:
    for line in open(sys.argv[4]):
        key, at = line.rsplit(" ", 1)
        topics.append((key, int(at)))
topics = topics[:total]
end = int(sys.argv[5]) if len(sys.argv) > 5 else max((t for _, t in topics), default=1_700_000_000)
per_file, per_page = 10_000, 100
template = json.load(open(template_path))
history_template = template["changelog"]["histories"][0]
os.makedirs(out_dir, exist_ok=True)

base = template["self"].split("/rest/")[0]
status_done = copy.deepcopy(template["fields"]["status"])
status_done.update({"name": "Done", "id": "10035"})
status_done["statusCategory"] = {**status_done["statusCategory"], "id": 3, "key": "done",
                                 "colorName": "green", "name": "Done"}
status_progress = copy.deepcopy(template["fields"]["status"])
status_progress.update({"name": "In Progress", "id": "10034"})
status_progress["statusCategory"] = {**status_progress["statusCategory"], "id": 4,
                                     "key": "indeterminate", "colorName": "yellow",
                                     "name": "In Progress"}
status_todo = template["fields"]["status"]
ids = {"To Do": "10033", "In Progress": "10034", "Done": "10035"}
resolution_done = {"self": f"{base}/rest/api/2/resolution/10000", "id": "10000",
                   "description": "Work has been completed on this issue.", "name": "Done"}


def iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime(epoch))


def history(hid, at, frm, to):
    h = dict(history_template)
    h["id"] = str(hid)
    h["created"] = iso(at)
    h["items"] = [{"field": "status", "fieldtype": "jira", "from": ids[frm], "fromString": frm,
                   "to": ids[to], "toString": to}]
    return h


def issue(n):
    i = dict(template)
    f = dict(template["fields"])
    i["fields"] = f
    if n < len(topics):
        key, done_at = topics[n]
        kind = 0  # a topic branch: merged, so done
    else:
        key = f"BENCH-{n - len(topics) + 1}"
        done_at = end - (n * 7919) % (365 * 86400)
        kind = n % 20  # 0, 1: to do / in progress; the rest done
        kind = 1 if kind == 1 else (2 if kind == 2 else 0)
    iid = 100_000 + n
    i["id"] = str(iid)
    i["key"] = key
    i["self"] = f"{base}/rest/agile/1.0/issue/{iid}"
    created = done_at - 86400 * (3 + n % 30)
    started = created + 86400
    f["summary"] = f"Synthetic work item {n}"
    f["created"] = iso(created)
    f["components"] = [{"self": f"{base}/rest/api/2/component/{10000 + n % 12}",
                        "id": str(10000 + n % 12), "name": f"component-{n % 12}"}]
    hs = []
    hid = 1_000_000 + n * 8
    if kind == 2:  # to do
        f.update(status=status_todo, resolution=None, resolutiondate=None, updated=iso(created))
    elif kind == 1:  # in progress
        hs.append(history(hid, started, "To Do", "In Progress"))
        f.update(status=status_progress, resolution=None, resolutiondate=None, updated=iso(started))
    else:
        hs.append(history(hid, started, "To Do", "In Progress"))
        if n % 10 == 3:  # done, reopened, done again
            hs.append(history(hid + 1, done_at - 7200, "In Progress", "Done"))
            hs.append(history(hid + 2, done_at - 3600, "Done", "In Progress"))
        hs.append(history(hid + 3, done_at, "In Progress", "Done"))
        f.update(status=status_done, resolution=resolution_done, resolutiondate=iso(done_at),
                 updated=iso(done_at))
    hs.reverse()  # Jira lists histories newest first
    i["changelog"] = {"startAt": 0, "maxResults": len(hs), "total": len(hs), "histories": hs}
    return i


n = 0
file_no = 0
while n < total:
    count = min(per_file, total - n)
    with open(os.path.join(out_dir, f"issues-{file_no:04d}.json"), "w") as out:
        done = 0
        while done < count:
            page = [issue(n + k) for k in range(min(per_page, count - done))]
            out.write(json.dumps({"expand": "schema,names", "startAt": done, "maxResults": per_page,
                                  "total": count, "issues": page}, separators=(",", ":")))
            out.write("\n")
            n += len(page)
            done += len(page)
    file_no += 1
print(f"{total} issues, {len(topics)} keyed by a topic branch a merge commit names "
      f"({100 * len(topics) / max(total, 1):.1f} %), {total - len(topics)} named by no commit",
      file=sys.stderr)
