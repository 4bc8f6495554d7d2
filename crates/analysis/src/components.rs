//! Components: path globs → component names (`[components]` in
//! `friction.toml`), or each top-level directory when none are configured.
//! Hotspots and coupling roll up per component; coupling between files of
//! different components is *structural* coupling.

use std::collections::BTreeMap;

use friction_model::paths::{self, PathPatterns};
use serde::Serialize;

/// Files at the repository root, when components are top-level directories.
pub const ROOT: &str = "(root)";
/// Files no configured glob matches.
pub const UNASSIGNED: &str = "(unassigned)";

pub struct ComponentMap {
    /// Every configured pattern, in (component, pattern) order.
    patterns: PathPatterns,
    /// Pattern position → (component, specificity).
    owner: Vec<(String, usize)>,
}

/// A path several components claim, and the one that won.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overlap {
    pub path: String,
    pub components: Vec<String>,
    pub chosen: String,
}

impl ComponentMap {
    /// Compiles the configured patterns (`friction_model::paths` semantics, as
    /// CODEOWNERS and history exclusions).
    pub fn new(config: &BTreeMap<String, Vec<String>>) -> Result<ComponentMap, String> {
        let mut all = Vec::new();
        let mut owner = Vec::new();
        for (name, patterns) in config {
            for p in patterns {
                PathPatterns::new(std::slice::from_ref(p))
                    .map_err(|e| format!("component `{name}`: {e}"))?;
                all.push(p.clone());
                owner.push((name.clone(), paths::specificity(p)));
            }
        }
        let patterns = PathPatterns::new(&all).map_err(|e| format!("[components]: {e}"))?;
        Ok(ComponentMap { patterns, owner })
    }

    pub fn is_configured(&self) -> bool {
        !self.patterns.is_empty()
    }

    /// The component of `path`, and every component that claimed it.
    fn claims(&self, path: &str) -> (String, Vec<String>) {
        if self.patterns.is_empty() {
            let top = match path.split_once('/') {
                Some((dir, _)) => dir.to_owned(),
                None => ROOT.to_owned(),
            };
            return (top.clone(), vec![top]);
        }
        let mut best: Option<(usize, &str)> = None;
        let mut all: Vec<String> = Vec::new();
        for i in self.patterns.matches(path) {
            let (name, literal) = &self.owner[i];
            if !all.contains(name) {
                all.push(name.clone());
            }
            // The most specific pattern (longest literal prefix) wins; then the name.
            let better = match best {
                None => true,
                Some((l, n)) => *literal > l || (*literal == l && name.as_str() < n),
            };
            if better {
                best = Some((*literal, name));
            }
        }
        all.sort();
        match best {
            Some((_, n)) => (n.to_owned(), all),
            None => (UNASSIGNED.to_owned(), Vec::new()),
        }
    }

    pub fn component(&self, path: &str) -> String {
        self.claims(path).0
    }

    /// Paths claimed by more than one component (reported, never an error).
    pub fn overlaps<'a>(&self, paths: impl IntoIterator<Item = &'a str>) -> Vec<Overlap> {
        let mut out = Vec::new();
        for p in paths {
            let (chosen, all) = self.claims(p);
            if all.len() > 1 {
                out.push(Overlap {
                    path: p.to_owned(),
                    components: all,
                    chosen,
                });
            }
        }
        out
    }
}

/// Coupling between two components, summed over their coupled file pairs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentCoupling {
    pub component: String,
    pub coupled: String,
    pub pairs: u64,
    pub max_degree: u64,
    pub shared_revs: u64,
}

/// Marks each pair's components and whether it crosses a boundary, and sums
/// the structural pairs per component pair (most pairs first).
pub fn annotate(c: &mut crate::coupling::Coupling, map: &ComponentMap) -> Vec<ComponentCoupling> {
    let mut acc: BTreeMap<(String, String), (u64, u64, u64)> = BTreeMap::new();
    for p in &mut c.pairs {
        p.entity_component = map.component(&p.entity);
        p.coupled_component = map.component(&p.coupled);
        p.structural = p.entity_component != p.coupled_component;
        if p.structural {
            let key = if p.entity_component <= p.coupled_component {
                (p.entity_component.clone(), p.coupled_component.clone())
            } else {
                (p.coupled_component.clone(), p.entity_component.clone())
            };
            let e = acc.entry(key).or_default();
            e.0 += 1;
            e.1 = e.1.max(p.degree);
            e.2 += p.shared_revs;
        }
    }
    let mut out: Vec<ComponentCoupling> = acc
        .into_iter()
        .map(|((a, b), (n, d, s))| ComponentCoupling {
            component: a,
            coupled: b,
            pairs: n,
            max_degree: d,
            shared_revs: s,
        })
        .collect();
    out.sort_by(|a, b| {
        b.pairs
            .cmp(&a.pairs)
            .then(b.shared_revs.cmp(&a.shared_revs))
            .then(a.component.cmp(&b.component))
            .then(a.coupled.cmp(&b.coupled))
    });
    out
}

/// Hotspot figures of one component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentActivity {
    pub component: String,
    pub changed_files: u64,
    pub revisions: u64,
    /// Share of the window's changes, percent.
    pub activity_pct: f64,
    pub hotspots: u64,
    /// Code-line-weighted health of the component's hotspots.
    pub hotspot_health: Option<f64>,
    /// Code-line-weighted health of the component's changed files.
    pub changed_health: Option<f64>,
}

/// Hotspots rolled up per component, most changed first.
pub fn rollup(h: &crate::hotspots::Hotspots, map: &ComponentMap) -> Vec<ComponentActivity> {
    #[derive(Default)]
    struct Acc {
        files: u64,
        revs: u64,
        hot: u64,
        hot_w: (f64, f64),
        all_w: (f64, f64),
    }
    let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
    for f in &h.files {
        let a = acc.entry(map.component(&f.path)).or_default();
        a.files += 1;
        a.revs += f.revisions;
        if let Some(health) = f.health {
            let w = f64::from(f.code_lines.max(1));
            a.all_w.0 += health * w;
            a.all_w.1 += w;
            if f.hotspot {
                a.hot_w.0 += health * w;
                a.hot_w.1 += w;
            }
        }
        if f.hotspot {
            a.hot += 1;
        }
    }
    let mean = |(s, w): (f64, f64)| (w > 0.0).then(|| (s / w * 100.0).round() / 100.0);
    let total = h.revisions.max(1) as f64;
    let mut out: Vec<ComponentActivity> = acc
        .into_iter()
        .map(|(c, a)| ComponentActivity {
            component: c,
            changed_files: a.files,
            revisions: a.revs,
            activity_pct: (a.revs as f64 * 1000.0 / total).round() / 10.0,
            hotspots: a.hot,
            hotspot_health: mean(a.hot_w),
            changed_health: mean(a.all_w),
        })
        .collect();
    out.sort_by(|a, b| {
        b.revisions
            .cmp(&a.revisions)
            .then(a.component.cmp(&b.component))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(spec: &[(&str, &[&str])]) -> ComponentMap {
        let m: BTreeMap<String, Vec<String>> = spec
            .iter()
            .map(|(n, g)| ((*n).to_owned(), g.iter().map(|s| (*s).to_owned()).collect()))
            .collect();
        ComponentMap::new(&m).unwrap()
    }

    #[test]
    fn top_level_directories_by_default() {
        let m = map(&[]);
        assert_eq!(m.component("src/a.rs"), "src");
        assert_eq!(m.component("README.md"), ROOT);
    }

    #[test]
    fn configured_globs_and_the_most_specific_wins() {
        let m = map(&[
            ("core", &["src/**"]),
            ("api", &["src/api/**", "proto/"]),
            ("web", &["web"]),
        ]);
        assert_eq!(m.component("src/lib.rs"), "core");
        assert_eq!(m.component("src/api/v1.rs"), "api");
        assert_eq!(m.component("proto/x.proto"), "api");
        assert_eq!(m.component("web/index.ts"), "web");
        assert_eq!(m.component("docs/a.md"), UNASSIGNED);
        let o = m.overlaps(["src/api/v1.rs", "src/lib.rs"]);
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].components, vec!["api", "core"]);
        assert_eq!(o[0].chosen, "api");
    }

    #[test]
    fn components_read_patterns_as_codeowners_does() {
        let m = map(&[
            ("docs", &["docs/*"]),
            ("logs", &["logs/"]),
            ("api", &["/api"]),
        ]);
        assert_eq!(m.component("docs/a.md"), "docs");
        // A wildcard last segment stays at its level.
        assert_eq!(m.component("docs/sub/b.md"), UNASSIGNED);
        // No slash before the end: any depth; a leading slash anchors.
        assert_eq!(m.component("build/logs/x.log"), "logs");
        assert_eq!(m.component("api/v1/a.rs"), "api");
        assert_eq!(m.component("src/api/a.rs"), UNASSIGNED);
    }

    #[test]
    fn structural_coupling_is_summed_per_component_pair() {
        let sets: Vec<Vec<String>> = (0..5)
            .map(|_| {
                vec![
                    "api/a.rs".to_owned(),
                    "api/b.rs".to_owned(),
                    "web/c.ts".to_owned(),
                ]
            })
            .collect();
        let mut c = crate::coupling::coupling(&sets, &crate::coupling::Options::default());
        let cc = annotate(&mut c, &map(&[]));
        assert_eq!(c.pairs.len(), 3);
        assert_eq!(c.pairs.iter().filter(|p| p.structural).count(), 2);
        assert_eq!(cc.len(), 1);
        assert_eq!(
            (
                cc[0].component.as_str(),
                cc[0].coupled.as_str(),
                cc[0].pairs
            ),
            ("api", "web", 2)
        );
    }

    #[test]
    fn bad_globs_are_named() {
        let m: BTreeMap<String, Vec<String>> = [("x".to_owned(), vec!["src/[".to_owned()])].into();
        let err = ComponentMap::new(&m).err().unwrap();
        assert!(
            err.contains("component `x`") && err.contains("src/["),
            "{err}"
        );
    }
}
