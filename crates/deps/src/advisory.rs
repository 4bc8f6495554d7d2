//! Security advisories as friction keeps them, and matching a package
//! version against them with its ecosystem's version rules ([`crate::version`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::Ecosystem;
use crate::version::{Key, key};

/// What an advisory reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Vulnerability,
    /// A malicious package (OSV `MAL-` records).
    Malicious,
    /// RustSec informational: the package is unmaintained.
    Unmaintained,
    /// RustSec informational: unsound API (not counted by any signal).
    Unsound,
    /// RustSec informational: a notice (not counted by any signal).
    Notice,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Vulnerability => "vulnerability",
            Kind::Malicious => "malicious",
            Kind::Unmaintained => "unmaintained",
            Kind::Unsound => "unsound",
            Kind::Notice => "notice",
        }
    }
}

/// One advisory, aliases merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// The id friction cites: the package ecosystem's own database first
    /// (RUSTSEC, GO, PYSEC, MAL), then GHSA, then anything else.
    pub id: String,
    /// Every other id of the same advisory (GHSA, CVE, RUSTSEC, …), sorted.
    pub aliases: Vec<String>,
    pub kind: Kind,
    /// Publication date, `YYYY-MM-DD`.
    pub published: Option<String>,
    pub summary: String,
    /// CVSS base score 0–10, from a v3 vector (computed) or a v4 vector
    /// (approximated, see [`crate::cvss`]).
    pub severity: Option<f64>,
    pub affected: Vec<Affected>,
}

/// The versions of one package an advisory covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    pub ecosystem: Ecosystem,
    /// The name as the advisory spells it.
    pub name: String,
    /// Explicit affected versions (OSV `versions`; GIT ranges are matched
    /// through this list, which OSV enumerates from them).
    pub versions: Vec<String>,
    pub ranges: Vec<Range>,
}

/// A range of affected versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Range {
    /// OSV `SEMVER` or `ECOSYSTEM` events, in the ecosystem's order.
    Events(Vec<Event>),
    /// RustSec: every version not matched by a `patched` or `unaffected`
    /// requirement (semver requirement syntax) is affected.
    Requirements {
        patched: Vec<String>,
        unaffected: Vec<String>,
    },
}

/// An OSV range event. `introduced = "0"` means every version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

impl Event {
    fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

/// A package version an advisory covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Whether a version without the flaw exists above the package's
    /// (a `fixed` event above it, or a `patched` requirement).
    pub fix_available: bool,
    /// The lowest fixing version above the package's, when the advisory names one.
    pub fixed_in: Option<String>,
}

/// Why a range could not be used.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRange {
    pub advisory: String,
    pub package: String,
    pub message: String,
}

impl Affected {
    /// Checks every range's versions parse in the ecosystem: ranges that do
    /// not are removed and returned.
    pub fn drop_unparsable(&mut self, advisory: &str) -> Vec<BadRange> {
        let mut bad = Vec::new();
        let ecosystem = self.ecosystem;
        let name = self.name.clone();
        self.ranges.retain(|range| {
            let problem = match range {
                Range::Events(events) => events
                    .iter()
                    .map(Event::version)
                    .find(|v| *v != "0" && key(ecosystem, v).is_none())
                    .map(|v| format!("`{v}` is not a {} version", ecosystem.osv_name())),
                Range::Requirements {
                    patched,
                    unaffected,
                } => patched
                    .iter()
                    .chain(unaffected)
                    .find(|r| semver::VersionReq::parse(r).is_err())
                    .map(|r| format!("`{r}` is not a semver requirement")),
            };
            match problem {
                Some(message) => {
                    bad.push(BadRange {
                        advisory: advisory.to_owned(),
                        package: name.clone(),
                        message,
                    });
                    false
                }
                None => true,
            }
        });
        bad
    }

    /// Whether `version` is affected, and whether a fix exists above it.
    /// A version that does not parse in the ecosystem only matches the
    /// explicit list.
    pub fn matches(&self, version: &str) -> Option<Hit> {
        let exact = self.versions.iter().any(|v| v == version);
        let parsed = key(self.ecosystem, version);
        let mut hit = None;
        if let Some(v) = &parsed {
            for range in &self.ranges {
                if let Some(h) = match range {
                    Range::Events(events) => events_match(self.ecosystem, events, v),
                    Range::Requirements {
                        patched,
                        unaffected,
                    } => requirements_match(version, patched, unaffected),
                } {
                    hit = Some(h);
                    break;
                }
            }
        }
        match (hit, exact) {
            (Some(h), _) => Some(h),
            (None, true) => Some(Hit {
                fix_available: false,
                fixed_in: None,
            }),
            (None, false) => None,
        }
    }
}

/// OSV's evaluation: events in version order; at or above `introduced` the
/// version is affected, at or above `fixed` (or above `last_affected`) it is
/// not, and `limit` bounds the range.
fn events_match(ecosystem: Ecosystem, events: &[Event], v: &Key) -> Option<Hit> {
    let mut sorted: Vec<(Option<Key>, &Event)> = events
        .iter()
        .map(|e| {
            let k = if e.version() == "0" {
                None
            } else {
                key(ecosystem, e.version())
            };
            (k, e)
        })
        .collect();
    // `None` (the "0" of `introduced`) sorts first.
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut affected = false;
    let mut fixed_in = None;
    for (k, event) in &sorted {
        let at_or_below = k.as_ref().is_none_or(|k| k <= v);
        match event {
            Event::Introduced(_) if at_or_below => affected = true,
            Event::Fixed(_) if at_or_below => affected = false,
            Event::LastAffected(_) if k.as_ref().is_some_and(|k| k < v) => affected = false,
            Event::Limit(_) if at_or_below => affected = false,
            Event::Fixed(f) if affected && fixed_in.is_none() => fixed_in = Some(f.clone()),
            _ => {}
        }
        if !at_or_below && affected && fixed_in.is_some() {
            break;
        }
    }
    affected.then(|| Hit {
        fix_available: fixed_in.is_some(),
        fixed_in,
    })
}

/// RustSec's evaluation: affected unless a `patched` or `unaffected`
/// requirement matches (semver requirements; a pre-release only matches a
/// requirement naming a pre-release of the same version, as cargo's rules say).
fn requirements_match(version: &str, patched: &[String], unaffected: &[String]) -> Option<Hit> {
    let v = semver::Version::parse(version).ok()?;
    let safe = patched
        .iter()
        .chain(unaffected)
        .filter_map(|r| semver::VersionReq::parse(r).ok())
        .any(|r| r.matches(&v));
    (!safe).then_some(Hit {
        fix_available: !patched.is_empty(),
        fixed_in: None,
    })
}

/// Merges advisories that share an id or alias (OSV's GHSA, CVE and the
/// ecosystem's own record of one flaw) and a package (or are the same id, or
/// one names no package) into one, keyed as [`Advisory::id`] says; a package covered by several records keeps the
/// first record's ranges. The result is sorted by id.
pub fn merge_aliases(advisories: Vec<Advisory>) -> Vec<Advisory> {
    // Union-find over ids.
    let mut parent: Vec<usize> = (0..advisories.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    // Records of one flaw share an id or alias; but one CVE can name several
    // packages' own records (RustSec writes one advisory per crate:
    // RUSTSEC-2024-0348 for gix-index, -0349 for gix-worktree and -0350 for
    // gix-fs all alias CVE-2024-35186), and each package must keep citing
    // its own. So records merge when they are the same id, or share an id
    // or alias and a package, or one names no package (an alias record).
    let packages: Vec<BTreeSet<(Ecosystem, String)>> = advisories
        .iter()
        .map(|a| {
            a.affected
                .iter()
                .map(|x| (x.ecosystem, x.ecosystem.canonical_name(&x.name)))
                .collect()
        })
        .collect();
    let mut by_id: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, a) in advisories.iter().enumerate() {
        let ids: BTreeSet<&str> = std::iter::once(a.id.as_str())
            .chain(a.aliases.iter().map(String::as_str))
            .collect();
        for id in ids {
            by_id.entry(id).or_default().push(i);
        }
    }
    for records in by_id.values() {
        for (k, &i) in records.iter().enumerate() {
            for &j in &records[k + 1..] {
                let related = advisories[i].id == advisories[j].id
                    || packages[i].is_empty()
                    || packages[j].is_empty()
                    || !packages[i].is_disjoint(&packages[j]);
                if related {
                    let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                    parent[ri.max(rj)] = ri.min(rj);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<Advisory>> = BTreeMap::new();
    let roots: Vec<usize> = (0..advisories.len())
        .map(|i| root(&mut parent, i))
        .collect();
    for (a, r) in advisories.into_iter().zip(roots) {
        groups.entry(r).or_default().push(a);
    }
    let mut out: Vec<Advisory> = groups
        .into_values()
        .map(|mut group| {
            group.sort_by(|a, b| {
                preference(&a.id)
                    .cmp(&preference(&b.id))
                    .then(a.id.cmp(&b.id))
            });
            let mut ids: BTreeSet<String> = BTreeSet::new();
            let mut merged = group[0].clone();
            let mut covered: BTreeSet<(Ecosystem, String)> = merged
                .affected
                .iter()
                .map(|a| (a.ecosystem, a.ecosystem.canonical_name(&a.name)))
                .collect();
            for a in &group {
                ids.insert(a.id.clone());
                ids.extend(a.aliases.iter().cloned());
                merged.severity = merged.severity.or(a.severity);
                merged.published = merged.published.clone().or(a.published.clone());
                for affected in &a.affected {
                    if covered.insert((
                        affected.ecosystem,
                        affected.ecosystem.canonical_name(&affected.name),
                    )) {
                        merged.affected.push(affected.clone());
                    }
                }
            }
            ids.remove(&merged.id);
            merged.aliases = ids.into_iter().collect();
            merged
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

fn preference(id: &str) -> u8 {
    let prefix = id.split('-').next().unwrap_or(id);
    match prefix {
        "RUSTSEC" | "GO" | "PYSEC" | "MAL" => 0,
        "GHSA" => 1,
        _ => 2,
    }
}
