//! code-maat's analyses, reproduced column for column
//! (`adamtornhill/code-maat`, `src/code_maat/analysis/*.clj`; formulas in
//! `shared/reference/code-analysis-anchors.md` §2), so users can check friction
//! against the tool they know. Input rows are what code-maat parses from
//! `git log --numstat --date=short --pretty=format:'--%h--%ad--%aN'`: entity
//! (path), revision, author name, author date, added and deleted lines
//! (binary files count 0).
//!
//! Ordering: code-maat sorts each analysis by its main figure; ties are broken
//! here by the remaining columns, so output is deterministic.

use std::collections::{BTreeMap, BTreeSet};

/// One row of the log.
#[derive(Debug, Clone)]
pub struct Row {
    pub entity: String,
    pub rev: String,
    pub author: String,
    /// `YYYY-MM-DD` in the author's timezone.
    pub date: String,
    pub added: u64,
    pub deleted: u64,
}

/// The analyses, by code-maat's `-a` names.
pub const ANALYSES: &[&str] = &[
    "summary",
    "revisions",
    "authors",
    "coupling",
    "soc",
    "abs-churn",
    "author-churn",
    "entity-churn",
    "entity-ownership",
    "main-dev",
    "refactoring-main-dev",
    "entity-effort",
    "main-dev-by-revs",
    "fragmentation",
    "communication",
    "age",
];

/// A CSV table: header and rows of cells (the CLI writes it with
/// `friction_report::csv_text`).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// Two decimals, as code-maat's `round-with-precision 2` prints them.
fn round2(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    let s = format!("{r}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

struct Index<'a> {
    /// Entities per revision (the change sets).
    rev_entities: BTreeMap<&'a str, BTreeSet<&'a str>>,
    revs_by_entity: BTreeMap<&'a str, BTreeSet<&'a str>>,
    by_entity_author: BTreeMap<(&'a str, &'a str), (u64, u64, BTreeSet<&'a str>)>,
}

fn index(rows: &[Row]) -> Index<'_> {
    let mut revs_by_entity: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut by_entity_author: BTreeMap<(&str, &str), (u64, u64, BTreeSet<&str>)> = BTreeMap::new();
    let mut rev_entities: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in rows {
        rev_entities.entry(&r.rev).or_default().insert(&r.entity);
        revs_by_entity.entry(&r.entity).or_default().insert(&r.rev);
        let e = by_entity_author.entry((&r.entity, &r.author)).or_default();
        e.0 += r.added;
        e.1 += r.deleted;
        e.2.insert(&r.rev);
    }
    Index {
        rev_entities,
        revs_by_entity,
        by_entity_author,
    }
}

/// Runs one analysis. `min_revs` is code-maat's `-n` (used by `soc`);
/// `now` is the reference date for `age` (`-d`), `YYYY-MM-DD`.
pub fn analyse(name: &str, rows: &[Row], min_revs: u64, now: &str) -> Option<Table> {
    Prepared::new(rows).analyse(name, min_revs, now)
}

/// Rows indexed once, for running several analyses.
pub struct Prepared<'a> {
    rows: &'a [Row],
    ix: Index<'a>,
}

impl<'a> Prepared<'a> {
    pub fn new(rows: &'a [Row]) -> Prepared<'a> {
        Prepared {
            rows,
            ix: index(rows),
        }
    }

    /// Runs one analysis (see [`analyse`]).
    pub fn analyse(&self, name: &str, min_revs: u64, now: &str) -> Option<Table> {
        analyse_indexed(name, self.rows, &self.ix, min_revs, now)
    }
}

fn analyse_indexed(
    name: &str,
    rows: &[Row],
    ix: &Index<'_>,
    min_revs: u64,
    now: &str,
) -> Option<Table> {
    let t = match name {
        "summary" => {
            let commits: BTreeSet<&str> = rows.iter().map(|r| r.rev.as_str()).collect();
            let authors: BTreeSet<&str> = rows.iter().map(|r| r.author.as_str()).collect();
            Table {
                header: vec!["statistic", "value"],
                rows: vec![
                    vec!["number-of-commits".into(), commits.len().to_string()],
                    vec![
                        "number-of-entities".into(),
                        ix.revs_by_entity.len().to_string(),
                    ],
                    vec!["number-of-entities-changed".into(), rows.len().to_string()],
                    vec!["number-of-authors".into(), authors.len().to_string()],
                ],
            }
        }
        "revisions" => {
            let mut v: Vec<(&str, usize)> = ix
                .revs_by_entity
                .iter()
                .map(|(e, r)| (*e, r.len()))
                .collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            Table {
                header: vec!["entity", "n-revs"],
                rows: v
                    .into_iter()
                    .map(|(e, n)| vec![e.into(), n.to_string()])
                    .collect(),
            }
        }
        "authors" => {
            let mut authors: BTreeMap<&str, usize> = BTreeMap::new();
            for (e, _) in ix.by_entity_author.keys() {
                *authors.entry(e).or_default() += 1;
            }
            let mut v: Vec<(&str, usize, usize)> = authors
                .iter()
                .map(|(e, n)| (*e, *n, ix.revs_by_entity[e].len()))
                .collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0)));
            Table {
                header: vec!["entity", "n-authors", "n-revs"],
                rows: v
                    .into_iter()
                    .map(|(e, a, r)| vec![e.into(), a.to_string(), r.to_string()])
                    .collect(),
            }
        }
        "soc" => {
            // Each change set of n entities adds n − 1 to each of them (all sets,
            // large ones included); code-maat keeps entities whose soc exceeds
            // `min-revs` (a naming quirk it has).
            let mut soc: BTreeMap<&str, u64> = BTreeMap::new();
            for set in ix.rev_entities.values() {
                let n = set.len() as u64;
                for e in set {
                    *soc.entry(e).or_default() += n - 1;
                }
            }
            let mut v: Vec<(&str, u64)> = soc.into_iter().filter(|(_, s)| *s > min_revs).collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            Table {
                header: vec!["entity", "soc"],
                rows: v
                    .into_iter()
                    .map(|(e, s)| vec![e.into(), s.to_string()])
                    .collect(),
            }
        }
        "coupling" => {
            let sets: Vec<Vec<String>> = ix
                .rev_entities
                .values()
                .map(|s| s.iter().map(|e| (*e).to_owned()).collect())
                .collect();
            let opts = crate::coupling::Options {
                parity: true,
                min_revs,
                ..crate::coupling::Options::default()
            };
            let c = crate::coupling::coupling(&sets, &opts);
            Table {
                header: vec!["entity", "coupled", "degree", "average-revs"],
                rows: c
                    .pairs
                    .iter()
                    .map(|p| {
                        vec![
                            p.entity.clone(),
                            p.coupled.clone(),
                            p.degree.to_string(),
                            p.average_revs.to_string(),
                        ]
                    })
                    .collect(),
            }
        }
        "abs-churn" | "author-churn" | "entity-churn" => {
            let key = |r: &Row| -> String {
                match name {
                    "abs-churn" => r.date.clone(),
                    "author-churn" => r.author.clone(),
                    _ => r.entity.clone(),
                }
            };
            let mut acc: BTreeMap<String, (u64, u64, BTreeSet<&str>)> = BTreeMap::new();
            for r in rows {
                let e = acc.entry(key(r)).or_default();
                e.0 += r.added;
                e.1 += r.deleted;
                e.2.insert(&r.rev);
            }
            let mut v: Vec<(String, u64, u64, usize)> = acc
                .into_iter()
                .map(|(k, (a, d, c))| (k, a, d, c.len()))
                .collect();
            if name == "entity-churn" {
                v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            }
            let first = match name {
                "abs-churn" => "date",
                "author-churn" => "author",
                _ => "entity",
            };
            Table {
                header: vec![first, "added", "deleted", "commits"],
                rows: v
                    .into_iter()
                    .map(|(k, a, d, c)| vec![k, a.to_string(), d.to_string(), c.to_string()])
                    .collect(),
            }
        }
        "entity-ownership" => Table {
            header: vec!["entity", "author", "added", "deleted"],
            rows: ix
                .by_entity_author
                .iter()
                .map(|((e, a), (ad, de, _))| {
                    vec![(*e).into(), (*a).into(), ad.to_string(), de.to_string()]
                })
                .collect(),
        },
        "main-dev" | "refactoring-main-dev" | "main-dev-by-revs" => {
            let mut best: BTreeMap<&str, (&str, u64)> = BTreeMap::new();
            let mut total: BTreeMap<&str, u64> = BTreeMap::new();
            for ((e, a), (ad, de, revs)) in &ix.by_entity_author {
                let v = match name {
                    "main-dev" => *ad,
                    "refactoring-main-dev" => *de,
                    _ => revs.len() as u64,
                };
                if name != "main-dev-by-revs" {
                    *total.entry(e).or_default() += v;
                }
                let b = best.entry(e).or_insert((a, v));
                if v > b.1 {
                    *b = (a, v);
                }
            }
            if name == "main-dev-by-revs" {
                for (e, r) in &ix.revs_by_entity {
                    total.insert(e, r.len() as u64);
                }
            }
            let header = match name {
                "refactoring-main-dev" => vec![
                    "entity",
                    "main-dev",
                    "removed",
                    "total-removed",
                    "ownership",
                ],
                _ => vec!["entity", "main-dev", "added", "total-added", "ownership"],
            };
            Table {
                header,
                rows: best
                    .iter()
                    .map(|(e, (a, v))| {
                        let t = total[e];
                        vec![
                            (*e).into(),
                            (*a).into(),
                            v.to_string(),
                            t.to_string(),
                            round2(*v as f64 / t.max(1) as f64),
                        ]
                    })
                    .collect(),
            }
        }
        "entity-effort" => {
            let mut v: Vec<(&str, &str, usize, usize)> = ix
                .by_entity_author
                .iter()
                .map(|((e, a), (_, _, r))| (*e, *a, r.len(), ix.revs_by_entity[e].len()))
                .collect();
            v.sort_by(|a, b| a.0.cmp(b.0).then(b.2.cmp(&a.2)).then(a.1.cmp(b.1)));
            Table {
                header: vec!["entity", "author", "author-revs", "total-revs"],
                rows: v
                    .into_iter()
                    .map(|(e, a, r, t)| vec![e.into(), a.into(), r.to_string(), t.to_string()])
                    .collect(),
            }
        }
        "fragmentation" => {
            let mut v: Vec<(&str, f64, usize)> = ix
                .revs_by_entity
                .iter()
                .map(|(e, revs)| {
                    let n = revs.len() as f64;
                    let sum: f64 = ix
                        .by_entity_author
                        .range((*e, "")..)
                        .take_while(|((e2, _), _)| e2 == e)
                        .map(|(_, (_, _, r))| (r.len() as f64 / n).powi(2))
                        .sum();
                    (*e, 1.0 - sum, revs.len())
                })
                .collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
            Table {
                header: vec!["entity", "fractal-value", "total-revs"],
                rows: v
                    .into_iter()
                    .map(|(e, f, t)| vec![e.into(), round2(f), t.to_string()])
                    .collect(),
            }
        }
        "communication" => {
            // Entities per author, and shared entities per author pair counted
            // entity by entity (linear in the author pairs that actually meet).
            let mut entities_of: std::collections::HashMap<&str, usize> =
                std::collections::HashMap::new();
            let mut authors_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for (e, a) in ix.by_entity_author.keys() {
                *entities_of.entry(a).or_default() += 1;
                authors_of.entry(e).or_default().push(a);
            }
            let mut shared: std::collections::HashMap<(&str, &str), usize> =
                std::collections::HashMap::new();
            for authors in authors_of.values() {
                for (i, a) in authors.iter().enumerate() {
                    for p in &authors[i + 1..] {
                        let key = if a < p { (*a, *p) } else { (*p, *a) };
                        *shared.entry(key).or_default() += 1;
                    }
                }
            }
            let mut v = Vec::new();
            for ((a, p), n) in shared {
                let mean = (entities_of[a] + entities_of[p]) as f64 / 2.0;
                let average = mean.ceil() as u64;
                let strength = (100.0 * n as f64 / average as f64) as u64;
                v.push((a, p, n, average, strength));
                v.push((p, a, n, average, strength));
            }
            v.sort_unstable_by(|x, y| y.4.cmp(&x.4).then(x.0.cmp(y.0)).then(x.1.cmp(y.1)));
            Table {
                header: vec!["author", "peer", "shared", "average", "strength"],
                rows: v
                    .into_iter()
                    .map(|(a, p, s, av, st)| {
                        vec![
                            a.into(),
                            p.into(),
                            s.to_string(),
                            av.to_string(),
                            st.to_string(),
                        ]
                    })
                    .collect(),
            }
        }
        "age" => {
            let mut last: BTreeMap<&str, &str> = BTreeMap::new();
            for r in rows {
                let d = last.entry(&r.entity).or_insert(&r.date);
                if r.date.as_str() > *d {
                    *d = &r.date;
                }
            }
            let mut v: Vec<(&str, i64)> = last
                .iter()
                .map(|(e, d)| (*e, months_between(d, now)))
                .collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            Table {
                header: vec!["entity", "age-months"],
                rows: v
                    .into_iter()
                    .map(|(e, m)| vec![e.into(), m.to_string()])
                    .collect(),
            }
        }
        _ => return None,
    };
    Some(t)
}

/// Whole calendar months from `from` to `to` (`YYYY-MM-DD`), as clj-time's
/// `in-months` counts them; 0 when `to` is not later.
pub fn months_between(from: &str, to: &str) -> i64 {
    let parse = |s: &str| -> (i64, i64, i64) {
        let mut it = s.split('-').map(|x| x.parse::<i64>().unwrap_or(0));
        (
            it.next().unwrap_or(0),
            it.next().unwrap_or(0),
            it.next().unwrap_or(0),
        )
    };
    let (y1, m1, d1) = parse(from);
    let (y2, m2, d2) = parse(to);
    let mut months = (y2 - y1) * 12 + (m2 - m1);
    if d2 < d1 {
        months -= 1;
    }
    months.max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(e: &str, rev: &str, a: &str, date: &str, added: u64, deleted: u64) -> Row {
        Row {
            entity: e.into(),
            rev: rev.into(),
            author: a.into(),
            date: date.into(),
            added,
            deleted,
        }
    }

    fn rows() -> Vec<Row> {
        vec![
            row("a", "1", "ann", "2024-01-01", 10, 0),
            row("b", "1", "ann", "2024-01-01", 5, 0),
            row("a", "2", "bob", "2024-02-15", 2, 3),
            row("a", "3", "ann", "2024-03-01", 4, 1),
        ]
    }

    fn cells(t: &Table) -> Vec<String> {
        t.rows.iter().map(|r| r.join(",")).collect()
    }

    #[test]
    fn revisions_authors_and_churn() {
        let r = rows();
        assert_eq!(
            cells(&analyse("revisions", &r, 5, "2024-06-01").unwrap()),
            ["a,3", "b,1"]
        );
        assert_eq!(
            cells(&analyse("authors", &r, 5, "").unwrap()),
            ["a,2,3", "b,1,1"]
        );
        assert_eq!(
            cells(&analyse("entity-churn", &r, 5, "").unwrap()),
            ["a,16,4,3", "b,5,0,1"]
        );
        assert_eq!(
            cells(&analyse("abs-churn", &r, 5, "").unwrap()),
            ["2024-01-01,15,0,1", "2024-02-15,2,3,1", "2024-03-01,4,1,1"]
        );
        assert_eq!(
            cells(&analyse("author-churn", &r, 5, "").unwrap()),
            ["ann,19,1,2", "bob,2,3,1"]
        );
    }

    #[test]
    fn ownership_effort_and_fragmentation() {
        let r = rows();
        // a: ann added 14 of 16 → 0.88
        assert_eq!(
            cells(&analyse("main-dev", &r, 5, "").unwrap()),
            ["a,ann,14,16,0.88", "b,ann,5,5,1.0"]
        );
        assert_eq!(
            cells(&analyse("refactoring-main-dev", &r, 5, "").unwrap())[0],
            "a,bob,3,4,0.75"
        );
        assert_eq!(
            cells(&analyse("main-dev-by-revs", &r, 5, "").unwrap())[0],
            "a,ann,2,3,0.67"
        );
        assert_eq!(
            cells(&analyse("entity-effort", &r, 5, "").unwrap()),
            ["a,ann,2,3", "a,bob,1,3", "b,ann,1,1"]
        );
        // 1 − ((2/3)² + (1/3)²) = 0.44
        assert_eq!(
            cells(&analyse("fragmentation", &r, 5, "").unwrap()),
            ["a,0.44,3", "b,0.0,1"]
        );
    }

    #[test]
    fn communication_age_and_summary() {
        let r = rows();
        // ann touched 2 entities, bob 1; shared 1; average ceil(1.5) = 2; strength 50.
        assert_eq!(
            cells(&analyse("communication", &r, 5, "").unwrap()),
            ["ann,bob,1,2,50", "bob,ann,1,2,50"]
        );
        assert_eq!(
            cells(&analyse("age", &r, 5, "2024-06-01").unwrap()),
            ["b,5", "a,3"]
        );
        assert_eq!(months_between("2024-01-31", "2024-02-29"), 0);
        assert_eq!(months_between("2024-01-15", "2025-01-15"), 12);
        assert_eq!(
            cells(&analyse("summary", &r, 5, "").unwrap()),
            [
                "number-of-commits,3",
                "number-of-entities,2",
                "number-of-entities-changed,4",
                "number-of-authors,2"
            ]
        );
        assert!(analyse("nonsense", &r, 5, "").is_none());
    }
}
