//! The delivery signals through the binary: on real records, the pull
//! requests, reviews and pull-request commits of panjf2000/ants (Apache
//! DevLake's raw tables; origin in `crates/ingest/tests/fixtures/README.md`)
//! ingested into a fixture repository, with `review-wait`'s figures compared
//! with figures computed here, independently, from the raw CSV; and a GitHub
//! deployments export of a fixture repository, with lead time and change
//! failure rate computed here from the commits and deployments written.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use support::{Fixture, figure, friction, iso, ok, signal};

fn case(name: &str) -> PathBuf {
    PathBuf::from(support::ingest_fixture(&format!("cases/ants/{name}")))
}

/// Rows of a DevLake raw table: (`input` JSON, `data` JSON).
fn rows(name: &str) -> Vec<(serde_json::Value, serde_json::Value)> {
    csv::Reader::from_path(case(name))
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            let input = serde_json::from_str(&r[4]).unwrap_or(serde_json::Value::Null);
            (input, serde_json::from_str(&r[2]).unwrap())
        })
        .collect()
}

/// Seconds since the epoch of a GitHub UTC timestamp (`2019-08-20T03:24:27Z`).
fn epoch(s: &str) -> i64 {
    let n = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    assert_eq!(&s[19..], "Z", "{s}");
    // Days from civil (H. Hinnant), March-based years.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19)
}

/// numpy's default (linear) quantile.
fn quantile(v: &[f64], q: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let pos = q * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

fn close(ours: f64, theirs: f64, what: &str) {
    assert!(
        (ours - theirs).abs() < 0.006,
        "{what}: friction says {ours}, the raw records {theirs}"
    );
}

#[test]
fn ants_review_wait_matches_the_raw_pull_requests_and_reviews() {
    let mut f = Fixture::new();
    f.write("pool.go", "package ants\n");
    f.write(
        "friction.toml",
        "[inputs]\nscope = \"github:panjf2000/ants\"\n",
    );
    f.commit("initial");
    ok(friction(&["scan", ".", "--quiet", "--no-report"], f.path()));
    let files = [
        "_raw_github_api_pull_requests.csv",
        "_raw_github_api_pull_request_reviews.csv",
        "_raw_github_api_pull_request_commits.csv",
    ]
    .map(|n| case(n).display().to_string());
    let mut args = vec!["ingest", "--quiet"];
    args.extend(files.iter().map(String::as_str));
    ok(friction(&args, f.path()));
    // The fixture's commit is from 2023-11; six years reach back past the
    // first pull request (2018-07).
    let out = ok(friction(
        &["assess", ".", "--json", "--months", "72"],
        f.path(),
    ));
    let a: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let signal = signal(&a, "review-wait");

    // Independently, from the raw tables: pull requests by number, reviews
    // by id, commits by (pull request, sha).
    let pulls: BTreeMap<u64, serde_json::Value> = rows("_raw_github_api_pull_requests.csv")
        .into_iter()
        .map(|(_, p)| (p["number"].as_u64().unwrap(), p))
        .collect();
    let mut reviews: BTreeMap<u64, (u64, String, i64)> = BTreeMap::new();
    for (input, r) in rows("_raw_github_api_pull_request_reviews.csv") {
        if let Some(at) = r["submitted_at"].as_str() {
            reviews.insert(
                r["id"].as_u64().unwrap(),
                (
                    input["Number"].as_u64().unwrap(),
                    r["user"]["login"].as_str().unwrap().to_owned(),
                    epoch(at),
                ),
            );
        }
    }
    let mut first_commit: BTreeMap<u64, i64> = BTreeMap::new();
    for (input, c) in rows("_raw_github_api_pull_request_commits.csv") {
        let t = epoch(c["commit"]["author"]["date"].as_str().unwrap());
        let e = first_commit
            .entry(input["Number"].as_u64().unwrap())
            .or_insert(t);
        *e = (*e).min(t);
    }
    let (mut merged, mut coding, mut pickup, mut review, mut wait) =
        (0, Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (number, p) in &pulls {
        let Some(merged_at) = p["merged_at"].as_str().map(epoch) else {
            continue;
        };
        assert_eq!(p["draft"], false);
        merged += 1;
        let created = epoch(p["created_at"].as_str().unwrap());
        let author = p["user"]["login"].as_str().unwrap();
        if let Some(&c) = first_commit.get(number)
            && c <= created
        {
            coding.push((created - c) as f64 / 3600.0);
        }
        let first = reviews
            .values()
            .filter(|(n, who, at)| n == number && who != author && *at <= merged_at)
            .map(|(_, _, at)| *at)
            .min();
        if let Some(r) = first {
            let (pk, rv) = (
                (r - created) as f64 / 3600.0,
                (merged_at - r) as f64 / 3600.0,
            );
            pickup.push(pk);
            review.push(rv);
            wait.push(pk + rv);
        }
    }
    // What the case's SOURCES.md says: 26 merged, reviews on three of them.
    assert_eq!((merged, wait.len()), (26, 3));

    assert_eq!(signal["not_measured"], serde_json::Value::Null, "{signal}");
    close(
        signal["value"].as_f64().unwrap(),
        quantile(&wait, 0.5),
        "value",
    );
    close(
        figure(signal, "merged pull requests"),
        merged as f64,
        "merged",
    );
    close(
        figure(signal, "reviewed by someone other than the author"),
        wait.len() as f64,
        "reviewed",
    );
    for (name, v) in [
        ("coding", &coding),
        ("pickup", &pickup),
        ("review", &review),
    ] {
        close(
            figure(signal, &format!("{name} p50")),
            quantile(v, 0.5),
            name,
        );
        close(
            figure(signal, &format!("{name} p75")),
            quantile(v, 0.75),
            name,
        );
    }
    // No deployment export: no deploy time, and the DORA signals say so.
    assert!(
        !signal["figures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "deploy p50")
    );
    let lead = support::signal(&a, "lead-time-for-changes");
    assert!(
        lead["not_measured"]
            .as_str()
            .unwrap()
            .starts_with("deployments: none in the window; "),
        "{lead}"
    );
    // Evidence cites the export and the record of the pull request.
    let top = &signal["evidence"][0];
    assert!(
        top["cite"]
            .as_str()
            .unwrap()
            .contains("_raw_github_api_pull_requests.csv record"),
        "{top}"
    );
}

#[test]
fn lead_time_and_change_failure_rate_from_a_deployments_export() {
    // Eight weekly commits; deployment k ships commit k (k ≥ 2) k hours after
    // it, the third one fails, the sixth commit reverts the fifth (authored
    // less than 7 days after the fifth deployment) and the last deployment is
    // still in progress.
    let mut f = Fixture::new();
    let mut commits: Vec<(String, i64)> = Vec::new();
    for k in 1..=8 {
        f.advance_days(7);
        f.write("app.py", format!("VERSION = {k}\n"));
        if k == 6 {
            let fifth = &commits[4].0;
            f.commit(&format!(
                "Revert \"release 5\"\n\nThis reverts commit {fifth}.\n"
            ));
        } else {
            f.commit(&format!("release {k}"));
        }
        let time: i64 = f
            .git(&["log", "-1", "--format=%at"])
            .trim()
            .parse()
            .unwrap();
        commits.push((f.head(), time));
    }
    let (mut deployments, mut statuses) = (Vec::new(), Vec::new());
    let mut shipped: Vec<(usize, i64, &str)> = Vec::new();
    for k in 2..=9usize {
        let (sha, time) = &commits[k.min(8) - 1];
        let at = time + k as i64 * 3600;
        let state = match k {
            3 => "failure",
            9 => "in_progress",
            _ => "success",
        };
        deployments.push(format!(
            r#"{{"url":"https://api.github.com/repos/acme/app/deployments/{k}","id":{k},"sha":"{sha}","ref":"main","environment":"production","created_at":"{c}","updated_at":"{c}","statuses_url":"https://api.github.com/repos/acme/app/deployments/{k}/statuses","production_environment":true}}"#,
            c = iso(at - 600)
        ));
        statuses.push(format!(
            r#"{{"url":"https://api.github.com/repos/acme/app/deployments/{k}/statuses/{k}","id":{k},"state":"{state}","environment":"production","created_at":"{c}","deployment_url":"https://api.github.com/repos/acme/app/deployments/{k}"}}"#,
            c = iso(at)
        ));
        shipped.push((k.min(8), at, state));
    }
    f.write("deployments.json", format!("[{}]", deployments.join(",")));
    f.write("statuses.json", format!("[{}]", statuses.join(",")));
    ok(friction(&["scan", ".", "--quiet", "--no-report"], f.path()));
    ok(friction(
        &["ingest", "--quiet", "deployments.json", "statuses.json"],
        f.path(),
    ));
    let out = ok(friction(&["assess", ".", "--json"], f.path()));
    let a: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    // Independently: on a linear history a deployment of commit j contains
    // commits 1..=j; a commit's lead time runs to the first successful one.
    let lead: Vec<f64> = commits
        .iter()
        .enumerate()
        .filter_map(|(i, (_, t))| {
            shipped
                .iter()
                .find(|(j, _, state)| *j > i && *state == "success")
                .map(|(_, at, _)| (at - t) as f64 / 3600.0)
        })
        .collect();
    let s = signal(&a, "lead-time-for-changes");
    assert_eq!(s["not_measured"], serde_json::Value::Null, "{s}");
    close(
        s["value"].as_f64().unwrap(),
        quantile(&lead, 0.5),
        "lead time",
    );
    close(
        figure(s, "lead time p75"),
        quantile(&lead, 0.75),
        "lead time p75",
    );
    close(figure(s, "commits deployed"), lead.len() as f64, "deployed");
    assert!(
        s["evidence"][0]["cite"]
            .as_str()
            .unwrap()
            .starts_with("deployments.json record "),
        "{s}"
    );

    let decided = shipped.iter().filter(|x| x.2 != "in_progress").count();
    let failed = shipped.iter().filter(|x| x.2 == "failure").count();
    let reverted = 1;
    let cfr = signal(&a, "change-failure-rate");
    close(
        cfr["value"].as_f64().unwrap(),
        100.0 * (failed + reverted) as f64 / decided as f64,
        "change failure rate",
    );
    close(
        figure(cfr, "change reverted within 7 days"),
        reverted as f64,
        "reverted",
    );
    close(figure(cfr, "left out: in progress"), 1.0, "in progress");
    let recovery = signal(&a, "deployment-recovery-time");
    assert!(
        recovery["not_measured"]
            .as_str()
            .unwrap()
            .starts_with("2 failed production deployments recovered from in the window"),
        "{recovery}"
    );
    let frequency = signal(&a, "deployment-frequency");
    close(
        figure(frequency, "production deployments"),
        (decided - failed) as f64,
        "deployments",
    );
}
