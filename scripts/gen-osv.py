#!/usr/bin/env python3
"""Synthetic OSV advisories shaped like the real ones, and a repository whose
lockfiles resolve packages they cover.

usage: gen-osv.py ZIP REPO ADVISORIES PACKAGES

ZIP gets ADVISORIES records (one JSON file each, as OSV's all.zip) spread over
crates.io, npm, PyPI and Go: the fields osv.dev's records carry (id, aliases,
summary, details, CVSS v3 severity, affected package with SEMVER/ECOSYSTEM
ranges of one to three introduced/fixed pairs, a few explicit versions,
database_specific), every 50th withdrawn. REPO gets a Cargo.lock,
package-lock.json, poetry.lock and go.mod resolving PACKAGES packages in all,
a quarter each, whose names the advisories cover.
"""
import json
import random
import sys
import zipfile

zip_path, repo, count, packages = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(7)
ECOSYSTEMS = [("crates.io", "SEMVER", ""), ("npm", "SEMVER", ""), ("PyPI", "ECOSYSTEM", ""), ("Go", "SEMVER", "")]
VECTORS = [
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
]
names_per_ecosystem = max(packages // 4, 1) * 4  # advisories spread over 4x the resolved names


def name(eco, i):
    if eco == "Go":
        return f"github.com/acme/mod{i}"
    if eco == "npm" and i % 5 == 0:
        return f"@acme/pkg{i}"
    return f"pkg{i}" if eco != "PyPI" else f"Py_Pkg.{i}"


with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
    for n in range(count):
        eco, kind, _ = ECOSYSTEMS[n % 4]
        i = rng.randrange(names_per_ecosystem)
        events = []
        major = 0
        for _ in range(rng.randint(1, 3)):
            events.append({"introduced": f"{major}.{rng.randint(0, 4)}.0" if major else "0"})
            events.append({"fixed": f"{major}.{rng.randint(5, 9)}.{rng.randint(0, 9)}"})
            major += 1
        record = {
            "schema_version": "1.6.0",
            "id": f"SYN-{n:07d}",
            "modified": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T00:00:00Z",
            "published": f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T00:00:00Z",
            "aliases": [f"CVE-2099-{n:07d}", f"GHSA-{n:04x}-syn0-0000"],
            "summary": "Synthetic advisory for benchmarking",
            "details": "Affected versions mishandle input. " * rng.randint(2, 20),
            "severity": [{"type": "CVSS_V3", "score": rng.choice(VECTORS)}],
            "affected": [
                {
                    "package": {"ecosystem": eco, "name": name(eco, i), "purl": f"pkg:generic/{i}"},
                    "ranges": [{"type": kind, "events": events}],
                    "versions": [f"0.{v}.0" for v in range(rng.randint(0, 5))],
                    "database_specific": {"source": "synthetic"},
                }
            ],
            "references": [{"type": "ADVISORY", "url": f"https://example.com/{n}"}],
            "database_specific": {"severity": "HIGH"},
        }
        if n % 50 == 49:
            record["withdrawn"] = "2026-01-01T00:00:00Z"
        z.writestr(f"SYN-{n:07d}.json", json.dumps(record, indent=2))

quarter = packages // 4
picks = [rng.sample(range(names_per_ecosystem), quarter) for _ in range(4)]
version = lambda: f"{rng.randint(0, 2)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}"
with open(f"{repo}/Cargo.lock", "w") as f:
    f.write("version = 4\n")
    for i in picks[0]:
        f.write(f'\n[[package]]\nname = "{name("crates.io", i)}"\nversion = "{version()}"\n'
                'source = "registry+https://github.com/rust-lang/crates.io-index"\n')
lock = {"name": "app", "lockfileVersion": 3, "packages": {"": {"name": "app"}}}
for i in picks[1]:
    lock["packages"][f"node_modules/{name('npm', i)}"] = {"version": version()}
with open(f"{repo}/package-lock.json", "w") as f:
    json.dump(lock, f, indent=2)
with open(f"{repo}/poetry.lock", "w") as f:
    for i in picks[2]:
        f.write(f'[[package]]\nname = "{name("PyPI", i)}"\nversion = "{version()}"\n\n')
    f.write('[metadata]\nlock-version = "2.1"\n')
with open(f"{repo}/go.mod", "w") as f:
    f.write("module example.com/app\n\ngo 1.22\n\nrequire (\n")
    for i in picks[3]:
        f.write(f"\t{name('Go', i)} v{version()}\n")
    f.write(")\n")
