//! Execution verification's benchmark (issue 19): 200,000 synthetic work
//! items with changelogs, linked against a real history's commits.
//!
//! ```sh
//! git --git-dir=PATH/TO/git.git log --format='%H%x1f%ae%x1f%at%x1f%ad%x1f%B%x1e' \
//!     --date=format:%z HEAD > commits.txt
//! cargo run --release -p friction-analysis --example execution_bench -- commits.txt
//! ```
//!
//! Every commit's real message gets one synthetic key appended (`BENCH-n`,
//! n = its ordinal modulo the item count), so about 40 % of the items are
//! linked; each item has a four-step changelog. Prints the time `verify`
//! takes (the parsing of the file is not counted) and the figures.

use std::time::Instant;

use friction_analysis::execution::{Commit, Item, Settings, verify};

const ITEMS: usize = 200_000;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("a commits file (see the doc comment)");
    // git/git's early messages are not all UTF-8 (the assessment reads them
    // lossily too).
    let bytes = std::fs::read(&path).expect("readable commits file");
    let text = String::from_utf8_lossy(&bytes);
    let mut commits: Vec<Commit> = Vec::new();
    for (n, record) in text.split('\u{1e}').enumerate() {
        let mut f = record.trim_start_matches('\n').split('\u{1f}');
        let (Some(id), Some(author), Some(time), Some(zone), Some(message)) =
            (f.next(), f.next(), f.next(), f.next(), f.next())
        else {
            continue;
        };
        let zone: i32 = zone.trim().parse().unwrap_or(0);
        let offset = zone.signum() * ((zone.abs() / 100) * 60 + zone.abs() % 100);
        commits.push(Commit {
            id: id.to_owned(),
            time: time.parse().unwrap_or(0),
            offset_minutes: offset,
            author: author.to_owned(),
            message: format!("{message}\nRefs: BENCH-{}", n * 7 % (ITEMS * 5 / 2)),
            files: vec![format!("dir{}/file.c", n % 40)],
            ..Commit::default()
        });
    }
    let end = commits.iter().map(|c| c.time).max().unwrap_or(0);
    let day = 86_400;
    let items: Vec<Item> = (0..ITEMS)
        .map(|i| {
            let created = end - 400 * day + (i as i64 % 360) * day;
            let done = i % 10 != 0;
            Item {
                source: "jira".into(),
                key: format!("BENCH-{i}"),
                title: format!("Item {i}"),
                kind: if i % 50 == 0 { "Epic" } else { "Story" }.into(),
                category: if done { "done" } else { "indeterminate" }.into(),
                resolution: if done { "Done" } else { "" }.into(),
                project: "BENCH".into(),
                components: vec![format!("team-{}", i % 12)],
                created_at: Some(created),
                resolved_at: done.then_some(created + 9 * day),
                statuses: vec![
                    (created + day, "indeterminate".into(), "new".into()),
                    (created + 5 * day, "done".into(), "indeterminate".into()),
                    (created + 6 * day, "indeterminate".into(), "done".into()),
                    (
                        created + 9 * day,
                        if done { "done" } else { "indeterminate" }.into(),
                        "indeterminate".into(),
                    ),
                ],
                ..Item::default()
            }
        })
        .collect();
    let started = Instant::now();
    let v = verify(&items, &commits, &[], &|_| None, &Settings::default(), end);
    let took = started.elapsed();
    println!(
        "{} items, {} commits: verify took {:.2} s; {} linked commits, {} reported done, {} verified, {} teams shown",
        v.items,
        v.commits,
        took.as_secs_f64(),
        v.linked_commits,
        v.organisation.reported_done,
        v.organisation.verified,
        v.teams.len()
    );
}
