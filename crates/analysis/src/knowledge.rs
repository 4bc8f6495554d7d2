//! Knowledge risk: who knows the code, and what is lost when they leave.
//!
//! - **Ownership** by added lines over the whole history (code-maat `main-dev`;
//!   CodeScene bases knowledge on "the amount of code each developer has
//!   contributed" over deep history, which survives reformatting).
//! - **Active authors** committed within the activity window (default 12
//!   months back from the newest commit). **Familiarity** is the share of
//!   added lines written by active authors; the rest left with former
//!   contributors.
//! - **Knowledge islands**: files at least 95 % written by one *active*
//!   author, weighted by code lines (CodeScene's definition).
//! - **Truck factor**: Avelino, Passos, Hora & Valente, "A Novel Approach for
//!   Estimating Truck Factors" (ICPC 2016): degree of authorship
//!   `DOA = 3.293 + 1.098·FA + 0.164·DL − 0.321·ln(1 + AC)` (FA: created the
//!   file, DL: own commits to it, AC: others' commits to it); an author of a
//!   file has `DOA / max DOA > 0.75` and `DOA ≥ 3.293` (or created it); the
//!   greedy algorithm removes the author of the most files until fewer than
//!   half the files have an author left; the truck factor is how many were
//!   removed.
//! - **Orphaned** files: no active author knows them, where an author knows
//!   a file when their DOA reaches Avelino's absolute threshold (`DOA ≥
//!   3.293`) or they created it. The relative cut (`> 0.75` of the file's
//!   best DOA) belongs to the truck factor, which compares authors over the
//!   whole history; used for orphaning it let a dominant former author hide
//!   an active maintainer (14 commits in the window, yet "orphaned").
//! - **Off-boarding**: with a set of authors removed, the files no remaining
//!   active author knows lose all active knowledge.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

/// One change of a file, over the whole history.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub commit: &'a str,
    pub author: &'a str,
    pub time: i64,
    pub file_id: &'a str,
    pub lines_added: u64,
    /// The change created the file (`added`).
    pub created: bool,
}

/// A file at `HEAD`.
#[derive(Debug, Clone)]
pub struct File {
    pub path: String,
    pub file_id: String,
    pub code_lines: u32,
}

/// Avelino et al.'s constants (`aserg-ufmg/Truck-Factor`, `config.properties`).
pub const DOA_BASE: f64 = 3.293;
pub const DOA_FIRST_AUTHOR: f64 = 1.098;
pub const DOA_DELIVERIES: f64 = 0.164;
pub const DOA_ACCEPTANCES: f64 = 0.321;
pub const DOA_NORMALISED: f64 = 0.75;
pub const TF_COVERAGE: f64 = 0.5;
/// CodeScene's knowledge-island share.
pub const ISLAND_SHARE: f64 = 0.95;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FileKnowledge {
    pub path: String,
    pub code_lines: u32,
    /// Author with the most added lines, and that share (percent).
    pub main_author: String,
    pub main_share: f64,
    /// Share of added lines by active authors, percent.
    pub active_share: f64,
    /// Authors by degree of authorship, best first.
    pub doa_authors: Vec<String>,
    pub island: bool,
    /// No active author (left after `without`) knows the file: none reaches
    /// the absolute DOA threshold or created it.
    pub orphaned: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Knowledge {
    pub authors: u64,
    pub active_authors: u64,
    pub truck_factor: u64,
    /// The authors the greedy algorithm removed, in order.
    pub truck_factor_authors: Vec<String>,
    /// Code-line-weighted shares of the code at `HEAD`, percent.
    pub familiarity_pct: f64,
    pub former_contributors_pct: f64,
    pub island_code_pct: f64,
    pub island_files: u64,
    pub orphaned_code_pct: f64,
    pub orphaned_files: u64,
    /// Authors treated as gone (off-boarding simulation), if any.
    pub without: Vec<String>,
    pub files: Vec<FileKnowledge>,
}

fn pct(x: f64) -> f64 {
    (x * 1000.0).round() / 10.0
}

/// Knowledge over the files at `HEAD`. `active` are the authors who committed
/// in the activity window; `without` are removed (off-boarding).
pub fn knowledge<'a>(
    changes: &[Change<'a>],
    files: &[File],
    active: &BTreeSet<String>,
    without: &BTreeSet<String>,
) -> Knowledge {
    // Files, authors and commits are numbered once, so the pass over every
    // change of the history works on numbers instead of ordered string maps
    // (this pass was the largest cost of an assessment on a long history).
    let mut slot_of: HashMap<&str, usize> = HashMap::with_capacity(files.len());
    for f in files {
        let next = slot_of.len();
        slot_of.entry(f.file_id.as_str()).or_insert(next);
    }
    #[derive(Default, Clone)]
    struct PerAuthor {
        added: u64,
        /// Commit numbers (deduplicated after the pass).
        commits: Vec<u32>,
        created: bool,
    }
    let mut author_no: HashMap<&str, u32> = HashMap::new();
    let mut author_names: Vec<&str> = Vec::new();
    let mut commit_no: HashMap<&str, u32> = HashMap::new();
    // slot → author number → contribution; slot → first change (time, commit, author).
    let mut per_file: Vec<HashMap<u32, PerAuthor>> = vec![HashMap::new(); slot_of.len()];
    let mut first: Vec<Option<(i64, &str, u32)>> = vec![None; slot_of.len()];
    for c in changes {
        let Some(&slot) = slot_of.get(c.file_id) else {
            continue;
        };
        let author = *author_no.entry(c.author).or_insert_with(|| {
            author_names.push(c.author);
            (author_names.len() - 1) as u32
        });
        let next = commit_no.len() as u32;
        let commit = *commit_no.entry(c.commit).or_insert(next);
        let a = per_file[slot].entry(author).or_default();
        a.added += c.lines_added;
        a.commits.push(commit);
        a.created |= c.created;
        let f = &mut first[slot];
        if f.is_none_or(|(t, id, _)| (c.time, c.commit) < (t, id)) {
            *f = Some((c.time, c.commit, author));
        }
    }
    // Per file: author name → contribution, in name order.
    let per_file: Vec<BTreeMap<&str, PerAuthor>> = per_file
        .into_iter()
        .map(|m| {
            m.into_iter()
                .map(|(a, mut p)| {
                    p.commits.sort_unstable();
                    p.commits.dedup();
                    (author_names[a as usize], p)
                })
                .collect()
        })
        .collect();
    let is_active = |a: &str| active.contains(a) && !without.contains(a);
    let all_authors: BTreeSet<&str> = per_file.iter().flat_map(|m| m.keys().copied()).collect();
    let mut out_files = Vec::new();
    // DOA authorship per file, for the truck factor.
    let mut authorship: Vec<BTreeSet<&str>> = Vec::new();
    for f in files {
        let slot = slot_of[f.file_id.as_str()];
        let authors = &per_file[slot];
        let Some((_, _, first_author)) = first[slot] else {
            continue;
        };
        // A commit has one author: the file's commits are the authors' disjoint sets.
        let total_commits = authors.values().map(|a| a.commits.len()).sum::<usize>() as f64;
        // Without an `added` change (history truncated), the earliest author created it.
        let creator_known = authors.values().any(|a| a.created);
        let first_author = author_names[first_author as usize];
        let mut doa: Vec<(f64, &str, bool)> = authors
            .iter()
            .map(|(name, a)| {
                let fa = a.created || (!creator_known && *name == first_author);
                let dl = a.commits.len() as f64;
                let ac = total_commits - dl;
                let v = DOA_BASE + DOA_FIRST_AUTHOR * f64::from(u8::from(fa)) + DOA_DELIVERIES * dl
                    - DOA_ACCEPTANCES * (1.0 + ac).ln();
                (v, *name, fa)
            })
            .collect();
        let max = doa.iter().map(|d| d.0).fold(f64::MIN, f64::max);
        doa.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        let doa_authors: Vec<&str> = doa
            .iter()
            .filter(|(v, _, fa)| v / max > DOA_NORMALISED && (*v >= DOA_BASE || *fa))
            .map(|(_, n, _)| *n)
            .collect();
        authorship.push(doa_authors.iter().copied().collect());
        let total_added: u64 = authors.values().map(|a| a.added).sum();
        let (main, main_added) = authors
            .iter()
            .map(|(n, a)| (*n, a.added))
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
            .unwrap_or(("", 0));
        let active_added: u64 = authors
            .iter()
            .filter(|(n, _)| is_active(n))
            .map(|(_, a)| a.added)
            .sum();
        let share = |x: u64| {
            if total_added == 0 {
                0.0
            } else {
                x as f64 / total_added as f64
            }
        };
        let main_share = share(main_added);
        out_files.push(FileKnowledge {
            path: f.path.clone(),
            code_lines: f.code_lines,
            main_author: main.to_owned(),
            main_share: pct(main_share),
            active_share: pct(share(active_added)),
            island: total_added > 0 && main_share >= ISLAND_SHARE && is_active(main),
            // Whether an active author knows the file is judged by the absolute
            // DOA criterion alone: the relative cut (`DOA_NORMALISED`) compares
            // with the file's top author of all time, so a dominant former
            // author would hide an active maintainer's steady work (issue 15.2).
            orphaned: !doa
                .iter()
                .any(|(v, n, fa)| is_active(n) && (*v >= DOA_BASE || *fa)),
            doa_authors: doa_authors.iter().map(|s| (*s).to_owned()).collect(),
        });
    }
    // Greedy truck factor over DOA authorship.
    let n = authorship.len();
    let mut removed: Vec<&str> = Vec::new();
    if n > 0 {
        let mut sets = authorship.clone();
        loop {
            let covered = sets.iter().filter(|s| !s.is_empty()).count();
            if (covered as f64) < TF_COVERAGE * n as f64 {
                break;
            }
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for s in &sets {
                for a in s {
                    *counts.entry(a).or_default() += 1;
                }
            }
            let Some((top, _)) = counts
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(a, c)| (*a, *c))
            else {
                break;
            };
            removed.push(top);
            for s in &mut sets {
                s.remove(top);
            }
        }
    }
    let weight = |pred: &dyn Fn(&FileKnowledge) -> f64| {
        let total: f64 = out_files.iter().map(|f| f64::from(f.code_lines)).sum();
        if total == 0.0 {
            0.0
        } else {
            pct(out_files
                .iter()
                .map(|f| f64::from(f.code_lines) * pred(f))
                .sum::<f64>()
                / total)
        }
    };
    let familiarity = weight(&|f| f.active_share / 100.0);
    let islands = weight(&|f| f64::from(u8::from(f.island)));
    let orphaned = weight(&|f| f64::from(u8::from(f.orphaned)));
    out_files.sort_by(|a, b| {
        b.orphaned
            .cmp(&a.orphaned)
            .then(b.island.cmp(&a.island))
            .then(b.code_lines.cmp(&a.code_lines))
            .then(a.path.cmp(&b.path))
    });
    Knowledge {
        authors: all_authors.len() as u64,
        active_authors: all_authors.iter().filter(|a| is_active(a)).count() as u64,
        truck_factor: removed.len() as u64,
        truck_factor_authors: removed.iter().map(|s| (*s).to_owned()).collect(),
        familiarity_pct: familiarity,
        former_contributors_pct: pct(1.0 - familiarity / 100.0),
        island_code_pct: islands,
        island_files: out_files.iter().filter(|f| f.island).count() as u64,
        orphaned_code_pct: orphaned,
        orphaned_files: out_files.iter().filter(|f| f.orphaned).count() as u64,
        without: without.iter().cloned().collect(),
        files: out_files,
    }
}

/// A stable pseudonym for an author: FNV-1a 64 of a per-repository salt and
/// the identity, shown as `dev-xxxxxxxx` (stable across versions, so reports
/// compare over time).
pub fn pseudonym(salt: &str, author: &str) -> String {
    let h = friction_model::fnv::fnv1a64(
        salt.bytes()
            .chain([0u8])
            .chain(author.to_lowercase().bytes()),
    );
    format!("dev-{:08x}", (h >> 32) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch<'a>(
        commit: &'a str,
        author: &'a str,
        time: i64,
        file: &'a str,
        added: u64,
        created: bool,
    ) -> Change<'a> {
        Change {
            commit,
            author,
            time,
            file_id: file,
            lines_added: added,
            created,
        }
    }

    fn file(p: &str, lines: u32) -> File {
        File {
            path: p.into(),
            file_id: p.into(),
            code_lines: lines,
        }
    }

    #[test]
    fn doa_authorship_and_truck_factor() {
        // ann created and owns a and b; bob created c; carl touched a once.
        let changes = vec![
            ch("1", "ann", 1, "a", 100, true),
            ch("2", "ann", 2, "b", 50, true),
            ch("3", "bob", 3, "c", 80, true),
            ch("4", "carl", 4, "a", 5, false),
            ch("5", "ann", 5, "a", 10, false),
        ];
        let files = [file("a", 100), file("b", 50), file("c", 80)];
        let active: BTreeSet<String> = ["ann", "bob"].iter().map(|s| s.to_string()).collect();
        let k = knowledge(&changes, &files, &active, &BTreeSet::new());
        // DOA(ann, a) = 3.293 + 1.098 + 0.164·2 − 0.321·ln 2 = 4.496;
        // DOA(carl, a) = 3.293 + 0.164 − 0.321·ln 3 = 3.104 → 0.69 of max: not an author.
        let a = k.files.iter().find(|f| f.path == "a").unwrap();
        assert_eq!(a.doa_authors, vec!["ann"]);
        assert_eq!(a.main_author, "ann");
        // 110 of 115 added lines = 95.7 % → an island of active ann.
        assert_eq!(a.main_share, 95.7);
        assert!(a.island);
        // Removing ann leaves 1 of 3 files covered (< 50 %): truck factor 1.
        assert_eq!(k.truck_factor, 1);
        assert_eq!(k.truck_factor_authors, vec!["ann"]);
        assert_eq!(k.authors, 3);
        assert_eq!(k.active_authors, 2);
        assert_eq!(k.orphaned_files, 0);
    }

    #[test]
    fn former_contributors_and_offboarding() {
        let changes = vec![
            ch("1", "old", 1, "legacy", 200, true),
            ch("2", "ann", 2, "new", 100, true),
            ch("3", "bob", 3, "shared", 50, true),
            ch("4", "ann", 4, "shared", 50, false),
        ];
        let files = [file("legacy", 200), file("new", 100), file("shared", 100)];
        let active: BTreeSet<String> = ["ann", "bob"].iter().map(|s| s.to_string()).collect();
        let k = knowledge(&changes, &files, &active, &BTreeSet::new());
        // legacy (200 of 400 code lines) was written by a former contributor.
        assert_eq!(k.former_contributors_pct, 50.0);
        assert_eq!(k.familiarity_pct, 50.0);
        assert_eq!(k.orphaned_files, 1);
        assert_eq!(k.files[0].path, "legacy");
        // Off-board ann: `new` loses its only author; `shared` keeps bob.
        let without: BTreeSet<String> = ["ann".to_string()].into();
        let k = knowledge(&changes, &files, &active, &without);
        assert_eq!(k.orphaned_files, 2);
        assert!(k.files.iter().any(|f| f.path == "new" && f.orphaned));
        assert!(k.files.iter().any(|f| f.path == "shared" && !f.orphaned));
        assert_eq!(k.orphaned_code_pct, 75.0);
    }

    #[test]
    fn one_author_repository() {
        let changes = vec![
            ch("1", "solo", 1, "a", 10, true),
            ch("2", "solo", 2, "b", 10, true),
        ];
        let active: BTreeSet<String> = ["solo".to_string()].into();
        let k = knowledge(
            &changes,
            &[file("a", 10), file("b", 10)],
            &active,
            &BTreeSet::new(),
        );
        assert_eq!(k.truck_factor, 1);
        assert_eq!(k.island_files, 2);
        assert_eq!(k.island_code_pct, 100.0);
    }

    #[test]
    fn pseudonyms_are_stable_and_salted() {
        assert_eq!(pseudonym("s", "Ann@x.org"), pseudonym("s", "ann@x.org"));
        assert_ne!(pseudonym("s", "ann@x.org"), pseudonym("t", "ann@x.org"));
        assert_eq!(pseudonym("s", "ann@x.org").len(), 12);
    }
}
