//! Change coupling: files that change together.
//!
//! Two modes over the same change sets:
//!
//! - **code-maat parity** reproduces code-maat's `coupling` analysis exactly
//!   (`analysis/coupling_algos.clj`): change sets with more than
//!   `max-changeset-size` entities are dropped before anything is counted
//!   (so they count toward no file's revisions either); `revs(e)` counts the
//!   kept sets containing `e`; `degree = int(100 · shared / avg)` with
//!   `avg = (revs(a) + revs(b)) / 2`; a pair is kept iff `avg ≥ min-revs`,
//!   `shared ≥ min-shared-revs`, `min-coupling ≤ degree ≤ max-coupling`; the
//!   reported `average-revs` is `ceil(avg)`. Entities are paths as recorded.
//! - **friction's default** differs where code-maat's choices hide signal:
//!   entities are rename-aware file identities; `min-revs` applies to each
//!   file rather than to the pair's average (two files with 9 and 1 revisions
//!   are not a pair worth reporting); the dropped large change sets are
//!   counted and reported; and every pair carries its directional confidence
//!   P(B|A) = shared / revs(A) and support (shared / kept change sets), since
//!   a symmetric degree hides that a small file may always drag a large one
//!   along but not the reverse.
//!
//! Change sets are commits, or *logical changes* ([`group`]): commits that
//! share a ticket id, or that one author made within a time window — so
//! squashed, split and multi-repository work is seen as one change.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

/// One commit's changed entities.
#[derive(Debug, Clone)]
pub struct Commit {
    pub id: String,
    pub author: String,
    /// Epoch seconds.
    pub time: i64,
    pub message: String,
    pub entities: Vec<String>,
}

/// How commits become change sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "by")]
pub enum Grouping {
    /// One change set per commit (code-maat).
    Commit,
    /// Commits mentioning the same ticket id form one change set; commits
    /// without a ticket id stay alone.
    Ticket,
    /// A commit joins the previous change set of the same author when it
    /// follows that set's first commit within `seconds`.
    Author { seconds: i64 },
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Options {
    pub min_revs: u64,
    pub min_shared_revs: u64,
    pub min_coupling: u64,
    pub max_coupling: u64,
    pub max_changeset_size: usize,
    /// Reproduce code-maat exactly (see the module documentation).
    pub parity: bool,
}

impl Default for Options {
    /// code-maat's defaults (`cmd_line.clj`).
    fn default() -> Self {
        Options {
            min_revs: 5,
            min_shared_revs: 5,
            min_coupling: 30,
            max_coupling: 100,
            max_changeset_size: 30,
            parity: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    pub entity: String,
    pub coupled: String,
    /// int(100 · shared / mean revisions).
    pub degree: u64,
    /// ceil of the mean revisions of the two (code-maat's `average-revs`).
    pub average_revs: u64,
    pub shared_revs: u64,
    pub entity_revs: u64,
    pub coupled_revs: u64,
    /// P(coupled changes | entity changes), percent.
    pub confidence: f64,
    /// P(entity changes | coupled changes), percent.
    pub confidence_reverse: f64,
    /// Share of all kept change sets that contain both, percent.
    pub support: f64,
    /// Components of the two files (see [`crate::components::annotate`]).
    pub entity_component: String,
    pub coupled_component: String,
    /// The files belong to different components: structural coupling.
    pub structural: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coupling {
    pub change_sets: u64,
    /// Change sets over `max_changeset_size` entities, left out of every count.
    pub large_change_sets_skipped: u64,
    pub pairs: Vec<Pair>,
    /// Sum of coupling per entity: each change set of n entities adds n − 1
    /// to each of them (code-maat `soc`, over every change set, large ones included).
    pub sum_of_coupling: Vec<(String, u64)>,
}

/// Upper-case prefixes that look like ticket keys but name standards.
const NOT_TICKETS: &[&str] = &[
    "UTF", "SHA", "ISO", "RFC", "CVE", "AES", "RSA", "TLS", "SSL", "HTTP", "MD", "CRC", "PEP",
];

/// Ticket ids in a commit message: Jira-style keys (`ABC-123`) and
/// GitHub/GitLab references (`#123`). Scanned by hand: two fixed shapes do
/// not warrant a regex engine.
pub fn ticket_ids(message: &str) -> Vec<String> {
    let b = message.as_bytes();
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i < b.len() {
        let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if boundary && b[i] == b'#' {
            let j = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if j > 0 {
                out.insert(message[i..i + 1 + j].to_owned());
                i += 1 + j;
                continue;
            }
        }
        if boundary && b[i].is_ascii_uppercase() {
            let key = b[i..]
                .iter()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                .count();
            if key >= 2 && b.get(i + key) == Some(&b'-') {
                let digits = b[i + key + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                let end = i + key + 1 + digits;
                if digits > 0
                    && !b.get(end).is_some_and(|c| c.is_ascii_alphanumeric())
                    && !NOT_TICKETS.contains(&&message[i..i + key])
                {
                    out.insert(message[i..end].to_owned());
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// Change sets from commits (in time order) under a grouping. Each set's
/// entities are deduplicated and sorted.
pub fn group(commits: &[Commit], by: Grouping) -> Vec<Vec<String>> {
    let mut sets: Vec<BTreeSet<String>> = Vec::new();
    match by {
        Grouping::Commit => {
            for c in commits {
                sets.push(c.entities.iter().cloned().collect());
            }
        }
        Grouping::Ticket => {
            let mut by_ticket: BTreeMap<String, usize> = BTreeMap::new();
            for c in commits {
                let tickets = ticket_ids(&c.message);
                // A commit naming several tickets joins the first one's set.
                let target = tickets.iter().find_map(|t| by_ticket.get(t).copied());
                let idx = match target {
                    Some(i) => i,
                    None => {
                        sets.push(BTreeSet::new());
                        sets.len() - 1
                    }
                };
                for t in tickets {
                    by_ticket.entry(t).or_insert(idx);
                }
                sets[idx].extend(c.entities.iter().cloned());
            }
        }
        Grouping::Author { seconds } => {
            let mut open: HashMap<&str, (usize, i64)> = HashMap::new();
            let mut sorted: Vec<&Commit> = commits.iter().collect();
            sorted.sort_by(|a, b| a.time.cmp(&b.time).then(a.id.cmp(&b.id)));
            for c in sorted {
                let idx = match open.get(c.author.as_str()) {
                    Some(&(i, start)) if c.time - start <= seconds => i,
                    _ => {
                        sets.push(BTreeSet::new());
                        let i = sets.len() - 1;
                        open.insert(&c.author, (i, c.time));
                        i
                    }
                };
                sets[idx].extend(c.entities.iter().cloned());
            }
        }
    }
    sets.into_iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.into_iter().collect())
        .collect()
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

/// Coupled pairs over change sets (each a sorted, deduplicated entity list).
pub fn coupling(sets: &[Vec<String>], opts: &Options) -> Coupling {
    // Intern entities so pair counting works on integers.
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let mut soc: Vec<u64> = Vec::new();
    let mut kept: Vec<Vec<u32>> = Vec::new();
    let mut skipped = 0u64;
    for set in sets {
        let mut v: Vec<u32> = set
            .iter()
            .map(|e| {
                *ids.entry(e.as_str()).or_insert_with(|| {
                    names.push(e.as_str());
                    soc.push(0);
                    (names.len() - 1) as u32
                })
            })
            .collect();
        v.sort_unstable();
        v.dedup();
        for &e in &v {
            soc[e as usize] += v.len() as u64 - 1;
        }
        if v.len() > opts.max_changeset_size {
            skipped += 1;
        } else {
            kept.push(v);
        }
    }
    let mut revs = vec![0u64; names.len()];
    let mut shared: HashMap<(u32, u32), u64> = HashMap::new();
    for set in &kept {
        for (i, &a) in set.iter().enumerate() {
            revs[a as usize] += 1;
            for &b in &set[i + 1..] {
                *shared.entry((a, b)).or_default() += 1;
            }
        }
    }
    let total = kept.len() as u64;
    let mut pairs: Vec<Pair> = shared
        .into_iter()
        .filter_map(|((a, b), n)| {
            // Lexicographic order of names within the pair, as code-maat-python prints it.
            let (a, b) = if names[a as usize] <= names[b as usize] {
                (a, b)
            } else {
                (b, a)
            };
            let (ra, rb) = (revs[a as usize], revs[b as usize]);
            let avg = (ra + rb) as f64 / 2.0;
            let degree = (100.0 * n as f64 / avg) as u64;
            let revs_ok = if opts.parity {
                avg >= opts.min_revs as f64
            } else {
                ra.min(rb) >= opts.min_revs
            };
            let keep = revs_ok
                && n >= opts.min_shared_revs
                && degree >= opts.min_coupling
                && degree <= opts.max_coupling;
            keep.then(|| Pair {
                entity: names[a as usize].to_owned(),
                coupled: names[b as usize].to_owned(),
                degree,
                average_revs: avg.ceil() as u64,
                shared_revs: n,
                entity_revs: ra,
                coupled_revs: rb,
                confidence: pct(n, ra),
                confidence_reverse: pct(n, rb),
                support: pct(n, total),
                entity_component: String::new(),
                coupled_component: String::new(),
                structural: false,
            })
        })
        .collect();
    pairs.sort_by(|x, y| {
        y.degree
            .cmp(&x.degree)
            .then(y.average_revs.cmp(&x.average_revs))
            .then(x.entity.cmp(&y.entity))
            .then(x.coupled.cmp(&y.coupled))
    });
    let mut sum_of_coupling: Vec<(String, u64)> = names
        .iter()
        .zip(&soc)
        .filter(|(_, s)| **s > 0)
        .map(|(n, s)| ((*n).to_owned(), *s))
        .collect();
    sum_of_coupling.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Coupling {
        change_sets: total,
        large_change_sets_skipped: skipped,
        pairs,
        sum_of_coupling,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(spec: &[&[&str]]) -> Vec<Vec<String>> {
        spec.iter()
            .map(|s| s.iter().map(|e| (*e).to_owned()).collect())
            .collect()
    }

    fn loose() -> Options {
        Options {
            min_revs: 1,
            min_shared_revs: 1,
            min_coupling: 1,
            ..Options::default()
        }
    }

    #[test]
    fn degree_average_and_direction() {
        // a and b together 6 times, a alone twice: revs a 8, b 6, shared 6.
        let mut s: Vec<&[&str]> = vec![&["a", "b"]; 6];
        s.push(&["a"]);
        s.push(&["a"]);
        let c = coupling(&sets(&s), &loose());
        let p = &c.pairs[0];
        // avg 7 → degree int(600 / 7) = 85, average-revs ceil(7) = 7
        assert_eq!((p.degree, p.average_revs, p.shared_revs), (85, 7, 6));
        assert_eq!((p.entity_revs, p.coupled_revs), (8, 6));
        assert_eq!(p.confidence, 75.0);
        assert_eq!(p.confidence_reverse, 100.0);
        assert_eq!(p.support, 75.0);
        assert_eq!(c.sum_of_coupling, vec![("a".into(), 6), ("b".into(), 6)]);
    }

    #[test]
    fn large_change_sets_count_toward_nothing_and_are_reported() {
        let big: Vec<String> = (0..31).map(|i| format!("f{i}")).collect();
        let mut s = sets(&[&["f0", "f1"]]);
        s.push(big);
        let c = coupling(&s, &loose());
        assert_eq!(c.large_change_sets_skipped, 1);
        assert_eq!(c.change_sets, 1);
        assert_eq!(c.pairs.len(), 1);
        assert_eq!(
            c.pairs[0].entity_revs, 1,
            "the big set does not count as a revision"
        );
        // Sum of coupling counts every set: f0 gets 1 + 30.
        assert_eq!(c.sum_of_coupling[0], ("f0".into(), 31));
    }

    #[test]
    fn parity_applies_min_revs_to_the_average_friction_to_each_file() {
        // x: 9 revisions, y: 1; shared 1. avg 5 passes code-maat's min-revs 5.
        let mut s: Vec<&[&str]> = vec![&["x"]; 8];
        s.push(&["x", "y"]);
        let opts = Options {
            min_shared_revs: 1,
            min_coupling: 1,
            ..Options::default()
        };
        let parity = coupling(
            &sets(&s),
            &Options {
                parity: true,
                ..opts
            },
        );
        assert_eq!(parity.pairs.len(), 1);
        assert_eq!(parity.pairs[0].degree, 20);
        let ours = coupling(&sets(&s), &opts);
        assert!(ours.pairs.is_empty());
    }

    #[test]
    fn thresholds() {
        let s: Vec<&[&str]> = vec![&["a", "b"]; 4];
        // shared 4 < min-shared-revs 5
        assert!(coupling(&sets(&s), &Options::default()).pairs.is_empty());
        let s: Vec<&[&str]> = vec![&["a", "b"]; 5];
        let c = coupling(&sets(&s), &Options::default());
        assert_eq!(c.pairs[0].degree, 100);
        let capped = Options {
            max_coupling: 99,
            ..Options::default()
        };
        assert!(coupling(&sets(&s), &capped).pairs.is_empty());
    }

    #[test]
    fn ticket_ids_are_found() {
        assert_eq!(
            ticket_ids("PROJ-12: fix #345 and ABC-1"),
            vec!["#345", "ABC-1", "PROJ-12"]
        );
        // Lower case, one-letter keys, `#` inside a word and standards are not tickets.
        assert!(ticket_ids("utf-8, A-1, x#1, UTF-8, SHA-256, RFC-2119").is_empty());
        assert!(ticket_ids("no tickets here").is_empty());
    }

    fn commit(id: &str, author: &str, time: i64, message: &str, files: &[&str]) -> Commit {
        Commit {
            id: id.into(),
            author: author.into(),
            time,
            message: message.into(),
            entities: files.iter().map(|f| (*f).to_owned()).collect(),
        }
    }

    #[test]
    fn logical_changes_by_ticket_and_by_author_window() {
        let commits = vec![
            commit("1", "ann", 0, "PAY-7 api", &["api.rs"]),
            commit("2", "bob", 10, "unrelated", &["x.rs"]),
            commit("3", "ann", 20, "PAY-7 ui", &["ui.ts"]),
            commit("4", "ann", 100_000, "later", &["db.rs"]),
        ];
        let by_ticket = group(&commits, Grouping::Ticket);
        assert_eq!(by_ticket.len(), 3);
        assert_eq!(
            by_ticket[0],
            vec!["api.rs".to_string(), "ui.ts".to_string()]
        );
        let by_author = group(&commits, Grouping::Author { seconds: 3600 });
        assert_eq!(by_author.len(), 3);
        assert_eq!(
            by_author[0],
            vec!["api.rs".to_string(), "ui.ts".to_string()]
        );
        assert_eq!(group(&commits, Grouping::Commit).len(), 4);
    }
}
