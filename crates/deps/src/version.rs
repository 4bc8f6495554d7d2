//! Version ordering by each ecosystem's own rules, as a sortable [`Key`].
//!
//! - crates.io and npm: Semantic Versioning 2.0 through the `semver` crate
//!   (npm's leading `v` or `=` removed, as npm does).
//! - Go: module versions are semver with a `v` (`v1.2.3`; OSV's events
//!   leave it out); pseudo-versions
//!   (`v0.0.0-20191109021931-daa7c04131f5`) are semver pre-releases and order
//!   as Go orders them; `+incompatible` is build metadata and ignored.
//! - PyPI: PEP 440 (epoch, release, `a`/`b`/`rc` pre-releases with their
//!   alternative spellings, post- and dev-releases; a local version label is
//!   ignored), written here: the PEP 440 crates pull in more than they add.
//! - Maven: `ComparableVersion`'s rules, simplified: items split at `.`, `-`
//!   and digit–letter changes; numbers numerically; qualifiers ordered
//!   `alpha` < `beta` < `milestone` < `rc` = `cr` < `snapshot` < release
//!   (`ga`, `final`, `release`, empty) < `sp` < any other qualifier (by name);
//!   a missing item counts as `0` or as the release.
//! - RubyGems: `Gem::Version`: segments split at `.` and digit–letter changes,
//!   a segment with letters marks a pre-release (`1.0.a1` < `1.0`), missing
//!   segments are `0`; a `-platform` suffix is not part of the version.
//! - Packagist: composer's normalisation (a leading `v` removed), then the
//!   RubyGems rules with `-` as a separator (`1.0.0-RC1` < `1.0.0`).

use std::cmp::Ordering;

use crate::Ecosystem;

/// A version's position in its ecosystem's order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Semver(semver::Version),
    Pep440(Pep440),
    Items(Items),
}

/// A Maven or RubyGems version: its items, compared one by one; a missing
/// item counts as `0` against a number and as the release against a
/// qualifier (so `1.0` = `1`, `1-rc1` < `1` < `1-sp1` < `1.0.1`).
#[derive(Debug, Clone)]
pub struct Items(Vec<Item>);

/// An item of a Maven or RubyGems version.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Number(u64),
    /// A qualifier with its rank (see the module documentation) and name.
    Qualifier(u8, String),
}

/// The rank of the release qualifier (Maven's `ga`, `final`, empty).
const RELEASE: u8 = 6;

fn compare_items(a: Option<&Item>, b: Option<&Item>) -> Ordering {
    use Item::{Number, Qualifier};
    let pad_for = |other: &Item| match other {
        Number(_) => Number(0),
        Qualifier(..) => Qualifier(RELEASE, String::new()),
    };
    let (a, b) = match (a, b) {
        (Some(a), Some(b)) => (a.clone(), b.clone()),
        (Some(a), None) => (a.clone(), pad_for(a)),
        (None, Some(b)) => (pad_for(b), b.clone()),
        (None, None) => return Ordering::Equal,
    };
    match (&a, &b) {
        (Number(x), Number(y)) => x.cmp(y),
        (Qualifier(r, x), Qualifier(s, y)) => (r, x).cmp(&(s, y)),
        (Number(_), Qualifier(..)) => Ordering::Greater,
        (Qualifier(..), Number(_)) => Ordering::Less,
    }
}

impl Ord for Items {
    fn cmp(&self, other: &Items) -> Ordering {
        let n = self.0.len().max(other.0.len());
        (0..n)
            .map(|i| compare_items(self.0.get(i), other.0.get(i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for Items {
    fn partial_cmp(&self, other: &Items) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Items {
    fn eq(&self, other: &Items) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Items {}

/// A PEP 440 version as a sort key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pep440 {
    epoch: u64,
    release: Vec<u64>,
    /// (0, …) a dev-release of the release itself, (1, kind, n) a
    /// pre-release, (2, 0, 0) none.
    pre: (u8, u8, u64),
    /// 0 none, n + 1 for `.postN`.
    post: u64,
    /// `u64::MAX` none (a dev-release sorts before its release).
    dev: u64,
}

/// The sort key of `version` in `ecosystem`, or `None` when it does not
/// follow the ecosystem's rules.
pub fn key(ecosystem: Ecosystem, version: &str) -> Option<Key> {
    let version = version.trim();
    match ecosystem {
        Ecosystem::CratesIo => semver::Version::parse(version).ok().map(Key::Semver),
        Ecosystem::Npm => {
            let v = version.trim_start_matches(['v', '=']);
            semver::Version::parse(v).ok().map(Key::Semver)
        }
        Ecosystem::Go => {
            // go.mod writes `v1.2.3`, OSV's SEMVER events `1.2.3`.
            let v = version.strip_prefix('v').unwrap_or(version);
            let v = v.strip_suffix("+incompatible").unwrap_or(v);
            semver::Version::parse(v).ok().map(|mut v| {
                v.build = semver::BuildMetadata::EMPTY;
                Key::Semver(v)
            })
        }
        Ecosystem::PyPI => pep440(version).map(Key::Pep440),
        Ecosystem::Maven => maven(version).map(Key::Items),
        Ecosystem::RubyGems => gem(version.split('-').next().unwrap_or(version)).map(Key::Items),
        Ecosystem::Packagist => {
            let v = version.strip_prefix(['v', 'V']).unwrap_or(version);
            gem(&v.replace('-', ".")).map(Key::Items)
        }
    }
}

/// Compares two versions of an ecosystem; `None` when either does not parse.
pub fn compare(ecosystem: Ecosystem, a: &str, b: &str) -> Option<Ordering> {
    Some(key(ecosystem, a)?.cmp(&key(ecosystem, b)?))
}

fn pep440(version: &str) -> Option<Pep440> {
    let v = version.to_ascii_lowercase();
    let v = v.strip_prefix('v').unwrap_or(&v);
    let v = v.split('+').next().unwrap_or(v);
    let (epoch, rest) = match v.split_once('!') {
        Some((e, r)) => (e.parse().ok()?, r),
        None => (0, v),
    };
    let bytes = rest.as_bytes();
    let mut i = 0;
    let number = |i: &mut usize| -> Option<u64> {
        let start = *i;
        while *i < bytes.len() && bytes[*i].is_ascii_digit() {
            *i += 1;
        }
        if start == *i {
            None
        } else {
            rest[start..*i].parse().ok()
        }
    };
    let mut release = vec![number(&mut i)?];
    while i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
        i += 1;
        release.push(number(&mut i)?);
    }
    while release.len() > 1 && release.last() == Some(&0) {
        release.pop();
    }
    let word = |i: &mut usize| -> &str {
        while *i < bytes.len() && matches!(bytes[*i], b'.' | b'-' | b'_') {
            *i += 1;
        }
        let start = *i;
        while *i < bytes.len() && bytes[*i].is_ascii_alphabetic() {
            *i += 1;
        }
        &rest[start..*i]
    };
    let optional_number = |i: &mut usize| -> u64 {
        while *i < bytes.len()
            && matches!(bytes[*i], b'.' | b'-' | b'_')
            && bytes.get(*i + 1).is_some_and(u8::is_ascii_digit)
        {
            *i += 1;
        }
        number(i).unwrap_or(0)
    };
    let mut pre = None;
    let mut post = 0;
    let mut dev = u64::MAX;
    loop {
        if i >= bytes.len() {
            break;
        }
        let before = i;
        let w = word(&mut i);
        match w {
            "a" | "alpha" if pre.is_none() => pre = Some((1, 0, optional_number(&mut i))),
            "b" | "beta" if pre.is_none() => pre = Some((1, 1, optional_number(&mut i))),
            "rc" | "c" | "pre" | "preview" if pre.is_none() => {
                pre = Some((1, 2, optional_number(&mut i)));
            }
            "post" | "rev" | "r" if post == 0 => post = optional_number(&mut i) + 1,
            "dev" if dev == u64::MAX => dev = optional_number(&mut i),
            // `1.0-1` is a post-release.
            "" if bytes[before] == b'-' && post == 0 => {
                post = number(&mut i)? + 1;
            }
            _ => return None,
        }
    }
    let pre = match pre {
        Some(p) => p,
        None if post == 0 && dev != u64::MAX => (0, 0, 0),
        None => (2, 0, 0),
    };
    Some(Pep440 {
        epoch,
        release,
        pre,
        post,
        dev,
    })
}

/// Items split at `.`, `-`, `_` and where digits and letters meet.
fn items(version: &str) -> Option<Vec<(bool, &str)>> {
    if version.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = version.as_bytes();
    for i in 1..=bytes.len() {
        let boundary = i == bytes.len()
            || matches!(bytes[i], b'.' | b'-' | b'_')
            || matches!(bytes[i - 1], b'.' | b'-' | b'_')
            || bytes[i].is_ascii_digit() != bytes[i - 1].is_ascii_digit();
        if boundary {
            let item = &version[start..i];
            if !matches!(item, "." | "-" | "_") {
                if !item.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return None;
                }
                out.push((item.as_bytes()[0].is_ascii_digit(), item));
            }
            start = i;
        }
    }
    Some(out)
}

fn maven(version: &str) -> Option<Items> {
    let out: Vec<Item> = items(&version.to_ascii_lowercase())?
        .into_iter()
        .map(|(digit, s)| {
            if digit {
                Item::Number(s.parse().unwrap_or(u64::MAX))
            } else {
                let rank = match s {
                    "alpha" | "a" => 1,
                    "beta" | "b" => 2,
                    "milestone" | "m" => 3,
                    "rc" | "cr" => 4,
                    "snapshot" => 5,
                    "ga" | "final" | "release" => RELEASE,
                    "sp" => RELEASE + 1,
                    _ => RELEASE + 2,
                };
                let name = if rank == RELEASE + 2 {
                    s.to_owned()
                } else {
                    String::new()
                };
                Item::Qualifier(rank, name)
            }
        })
        .collect();
    Some(Items(out))
}

fn gem(version: &str) -> Option<Items> {
    let out: Vec<Item> = items(version)?
        .into_iter()
        .map(|(digit, s)| {
            if digit {
                Item::Number(s.parse().unwrap_or(u64::MAX))
            } else {
                // A pre-release marker: below every number, by name.
                Item::Qualifier(0, s.to_owned())
            }
        })
        .collect();
    Some(Items(out))
}
