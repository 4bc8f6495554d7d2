//! Risk concentration per component: where the window's defect fixes, the
//! security findings and the fragile knowledge of the code sit. A map shown
//! beside the hotspots, not a signal of the index: it carries no weight.
//!
//! Four parts, each in 0–1, and their mean:
//! - **reliability**: the share of the window's defect-fix commits that
//!   touched the component's files (a fix touching two components counts for
//!   both);
//! - **security**: the component's share of the security findings' weight:
//!   the ingested SARIF findings (severity-weighted, as `security_debt`) and
//!   the vulnerable dependencies at `HEAD`, at their dependency file (the
//!   weights of `vulnerable-dependencies`); measured once either source
//!   exists, every component's share 0 when it found nothing;
//! - **knowledge**: the share of the component's code at `HEAD` whose
//!   knowledge sits with one author (a knowledge island) or with no active
//!   author (orphaned);
//! - **ownership** (CODEOWNERS health): the share of the component's code at
//!   `HEAD` without an active owner — no CODEOWNERS rule owns it, or every
//!   owner its rule names is an individual who is stale or never committed
//!   (an `@org/team` counts as an owner: its members are not measurable
//!   offline). Not measured without a CODEOWNERS file.
//!
//! A part without data (no defect fix in the window, no security report
//! ingested and no advisory database stored, no measured code in the
//! component, no CODEOWNERS file) is *not measured*: it is
//! listed as such and left out of the mean, never counted as 0 risk.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::components::ComponentMap;

/// Names of the parts, as listed in `not_measured`.
pub const RELIABILITY: &str = "reliability";
pub const SECURITY: &str = "security";
pub const KNOWLEDGE: &str = "knowledge";
pub const OWNERSHIP: &str = "ownership";

/// A file's security findings: count and severity weight.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityMark {
    pub path: String,
    pub findings: u32,
    pub weight: f64,
}

/// A file's code at `HEAD`, whether its knowledge is fragile (island or
/// orphaned) and, with a CODEOWNERS file, whether it has an active owner.
#[derive(Debug, Clone, PartialEq)]
pub struct KnowledgeMark {
    pub path: String,
    pub code_lines: u32,
    pub fragile: bool,
    /// `None` without a CODEOWNERS file.
    pub owned: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentRisk {
    pub component: String,
    /// Share of the window's defect-fix commits touching the component, 0–1.
    pub reliability: Option<f64>,
    pub fix_commits: u64,
    /// Share of the security findings' weight in the component, 0–1.
    pub security: Option<f64>,
    pub security_findings: u64,
    /// Share of the component's code with fragile knowledge, 0–1.
    pub knowledge: Option<f64>,
    pub fragile_code_lines: u64,
    pub code_lines: u64,
    /// Share of the component's code without an active CODEOWNERS owner, 0–1.
    pub ownership: Option<f64>,
    pub unowned_code_lines: u64,
    /// Mean of the measured parts; `None` when none was measured.
    pub combined: Option<f64>,
    /// Parts without data, left out of `combined`.
    pub not_measured: Vec<&'static str>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The risk concentration of every component named by the inputs, highest
/// combined figure first (unmeasured last, then by name).
///
/// `fixes`: per defect-fix commit of the window, the paths at `HEAD` it
/// touched. `security`: `None` when no security report was ingested and no
/// advisory database is stored.
pub fn concentration(
    map: &ComponentMap,
    fixes: &[Vec<String>],
    security: Option<&[SecurityMark]>,
    knowledge: &[KnowledgeMark],
) -> Vec<ComponentRisk> {
    #[derive(Default)]
    struct Acc {
        fixes: u64,
        findings: u64,
        weight: f64,
        lines: u64,
        fragile: u64,
        owner_lines: u64,
        unowned: u64,
    }
    let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
    for fix in fixes {
        let mut hit: Vec<String> = fix.iter().map(|p| map.component(p)).collect();
        hit.sort();
        hit.dedup();
        for c in hit {
            acc.entry(c).or_default().fixes += 1;
        }
    }
    let mut total_weight = 0.0;
    for s in security.unwrap_or_default() {
        let a = acc.entry(map.component(&s.path)).or_default();
        a.findings += u64::from(s.findings);
        a.weight += s.weight;
        total_weight += s.weight;
    }
    for k in knowledge {
        let a = acc.entry(map.component(&k.path)).or_default();
        a.lines += u64::from(k.code_lines);
        if k.fragile {
            a.fragile += u64::from(k.code_lines);
        }
        if let Some(owned) = k.owned {
            a.owner_lines += u64::from(k.code_lines);
            if !owned {
                a.unowned += u64::from(k.code_lines);
            }
        }
    }
    let total_fixes = fixes.len() as f64;
    let mut out: Vec<ComponentRisk> = acc
        .into_iter()
        .map(|(component, a)| {
            let reliability = (total_fixes > 0.0).then(|| round2(a.fixes as f64 / total_fixes));
            // With a source that found nothing, no component holds any of it.
            let security = security.is_some().then(|| {
                if total_weight > 0.0 {
                    round2(a.weight / total_weight)
                } else {
                    0.0
                }
            });
            let knowledge = (a.lines > 0).then(|| round2(a.fragile as f64 / a.lines as f64));
            let ownership =
                (a.owner_lines > 0).then(|| round2(a.unowned as f64 / a.owner_lines as f64));
            let parts = [
                (RELIABILITY, reliability),
                (SECURITY, security),
                (KNOWLEDGE, knowledge),
                (OWNERSHIP, ownership),
            ];
            let measured: Vec<f64> = parts.iter().filter_map(|p| p.1).collect();
            let combined = (!measured.is_empty())
                .then(|| round2(measured.iter().sum::<f64>() / measured.len() as f64));
            ComponentRisk {
                component,
                reliability,
                fix_commits: a.fixes,
                security,
                security_findings: a.findings,
                knowledge,
                fragile_code_lines: a.fragile,
                code_lines: a.lines,
                ownership,
                unowned_code_lines: a.unowned,
                combined,
                not_measured: parts
                    .iter()
                    .filter(|p| p.1.is_none())
                    .map(|p| p.0)
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let key = |c: &ComponentRisk| c.combined.unwrap_or(-1.0);
        key(b)
            .total_cmp(&key(a))
            .then(a.component.cmp(&b.component))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(path: &str, code_lines: u32, fragile: bool) -> KnowledgeMark {
        KnowledgeMark {
            path: path.to_owned(),
            code_lines,
            fragile,
            owned: None,
        }
    }

    #[test]
    fn parts_are_shares_and_combined_is_their_mean() {
        let map = ComponentMap::new(&BTreeMap::new()).unwrap();
        let fixes = vec![
            vec!["api/a.rs".to_owned()],
            vec!["api/a.rs".to_owned(), "web/b.ts".to_owned()],
            vec!["api/c.rs".to_owned()],
            vec!["api/a.rs".to_owned(), "api/c.rs".to_owned()],
        ];
        let security = vec![
            SecurityMark {
                path: "api/a.rs".to_owned(),
                findings: 3,
                weight: 3.0,
            },
            SecurityMark {
                path: "web/b.ts".to_owned(),
                findings: 1,
                weight: 1.0,
            },
        ];
        let knowledge = vec![
            k("api/a.rs", 60, true),
            k("api/c.rs", 40, false),
            k("web/b.ts", 10, false),
        ];
        let r = concentration(&map, &fixes, Some(&security), &knowledge);
        assert_eq!(r[0].component, "api");
        // 4 of 4 fixes, 3 of 4 weight, 60 of 100 lines.
        assert_eq!(r[0].reliability, Some(1.0));
        assert_eq!(r[0].security, Some(0.75));
        assert_eq!(r[0].knowledge, Some(0.6));
        assert_eq!(r[0].combined, Some(round2((1.0 + 0.75 + 0.6) / 3.0)));
        assert_eq!(r[1].component, "web");
        assert_eq!(r[1].reliability, Some(0.25));
        assert_eq!(r[1].security, Some(0.25));
        assert_eq!(r[1].knowledge, Some(0.0));
        assert_eq!(r[1].not_measured, vec![OWNERSHIP]);
    }

    #[test]
    fn ownership_is_the_share_of_code_without_an_active_owner() {
        let map = ComponentMap::new(&BTreeMap::new()).unwrap();
        let mark = |path: &str, lines, owned| KnowledgeMark {
            owned: Some(owned),
            ..k(path, lines, false)
        };
        let r = concentration(
            &map,
            &[],
            None,
            &[
                mark("api/a.rs", 30, false),
                mark("api/b.rs", 70, true),
                mark("web/c.ts", 5, true),
            ],
        );
        let api = r.iter().find(|c| c.component == "api").unwrap();
        assert_eq!(api.ownership, Some(0.3));
        assert_eq!(api.unowned_code_lines, 30);
        // Knowledge 0 and ownership 0.3: the mean of the two measured parts.
        assert_eq!(api.combined, Some(0.15));
        let web = r.iter().find(|c| c.component == "web").unwrap();
        assert_eq!(web.ownership, Some(0.0));
        assert_eq!(web.not_measured, vec![RELIABILITY, SECURITY]);
    }

    #[test]
    fn missing_data_is_not_measured_never_zero() {
        let map = ComponentMap::new(&BTreeMap::new()).unwrap();
        let r = concentration(&map, &[], None, &[k("api/a.rs", 10, true)]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].reliability, None);
        assert_eq!(r[0].security, None);
        assert_eq!(r[0].not_measured, vec![RELIABILITY, SECURITY, OWNERSHIP]);
        // The mean of the one measured part, not of three with zeros.
        assert_eq!(r[0].combined, Some(1.0));
    }
}
