#!/usr/bin/env python3
"""Writes a synthetic GitHub Actions export of N jobs shaped like the real samples.

usage: scripts/gen-ci-jobs.py TEMPLATE.json OUT_DIR N [JOBS_PER_FILE] [START_EPOCH]

TEMPLATE.json is one real job object (crates/ingest/tests/fixtures/ci/github-actions/
workflow-job-cancelled-matrix.json: steps, labels, runner fields). Each output file
holds the jobs of several runs as `gh api --paginate` writes them: concatenated
pages `{"total_count":…,"jobs":[…100 jobs…]}`. Ids, run ids, attempts, times and
conclusions vary; everything else is the template's bytes. Jobs start at
START_EPOCH (default 1,600,000,000), 37 seconds apart.
"""
import json
import os
import sys

template_path, out_dir, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
per_file = int(sys.argv[4]) if len(sys.argv) > 4 else 10_000
first = int(sys.argv[5]) if len(sys.argv) > 5 else 1_600_000_000
template = json.load(open(template_path))
os.makedirs(out_dir, exist_ok=True)
conclusions = ["success"] * 8 + ["failure", "cancelled"]


def job(n):
    j = dict(template)
    run_id = 100_000_000 + n // 10
    j["id"] = 2_000_000_000 + n
    j["run_id"] = run_id
    j["run_attempt"] = 1 + (n % 7 == 0)
    j["run_url"] = f"https://api.github.com/repos/acme/app/actions/runs/{run_id}"
    j["url"] = f"https://api.github.com/repos/acme/app/actions/jobs/{j['id']}"
    start = first + n * 37
    j["started_at"] = f"@{start}"
    j["completed_at"] = f"@{start + 60 + n % 900}"
    j["conclusion"] = conclusions[n % len(conclusions)]
    return j


def iso(epoch):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


n = 0
file_no = 0
while n < total:
    count = min(per_file, total - n)
    with open(os.path.join(out_dir, f"jobs-{file_no:04d}.json"), "w") as out:
        done = 0
        while done < count:
            page = []
            for _ in range(min(100, count - done)):
                j = job(n)
                for k in ("started_at", "completed_at"):
                    j[k] = iso(int(j[k][1:]))
                page.append(j)
                n += 1
                done += 1
            out.write(json.dumps({"total_count": count, "jobs": page}, separators=(",", ":")))
            out.write("\n")
    file_no += 1
