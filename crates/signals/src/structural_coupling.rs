//! Structural coupling: changes that cannot stay inside one component.

use std::collections::{BTreeMap, BTreeSet};

use crate::context::is_test_path;
use crate::{Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample};

pub struct StructuralCoupling;

/// Change sets larger than this are left out, as code-maat does by default
/// (`--max-changeset-size 30`): mass edits (licence headers, renames) say
/// nothing about design.
pub const MAX_CHANGESET: usize = 30;

static DOC: Doc = Doc {
    title: "Structural (cross-component) coupling",
    measures: "The share of the window's multi-file changes whose production files span more \
        than one component.",
    why: "When a change cannot stay inside one component, components are not independent: \
        roadmaps stall on coordination and one team's change breaks another's code. Change \
        coupling across module boundaries is the classic symptom of architectural decay.",
    how: "Commits in the window touching 2 to 30 production files at the assessed commit (test \
        files are left out: tests changing with their code is healthy). A commit is cross-component \
        when those files belong to two or more components (`[components]` in friction.toml, else \
        top-level directories). Value = cross-component commits / multi-file commits. Evidence: the \
        component pairs changed together most often.",
    thresholds: "10 % or less → 100, 50 % or more → 0, linear in between (friction's choice: \
        below one change in ten crossing a boundary, components are effectively independent; at \
        half, the boundaries no longer separate work).",
    sources: &[
        "code-maat coupling analysis and its 30-file change-set cap (github.com/adamtornhill/code-maat)",
        "CodeScene change coupling across architectural components (codescene.io/docs/guides/technical/change-coupling.html)",
    ],
};

static CURVE: Curve = Curve::linear(&[(10.0, 100.0), (50.0, 0.0)]);

impl crate::Signal for StructuralCoupling {
    fn id(&self) -> &'static str {
        "structural-coupling"
    }
    fn family(&self) -> Family {
        Family::Delivery
    }
    fn weight(&self) -> f64 {
        0.09
    }
    fn unit(&self) -> &'static str {
        "% of multi-file changes"
    }
    fn doc(&self) -> &'static Doc {
        &DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::History]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        let components: BTreeSet<&str> = ctx
            .data
            .files
            .iter()
            .filter(|f| !f.test)
            .map(|f| f.component.as_str())
            .collect();
        if let Some(why) = ctx.files_unknown() {
            return Outcome::NotMeasured(why);
        }
        if components.len() < 2 {
            return Outcome::NotMeasured(
                "the repository has one component; configure `[components]` to measure coupling between them"
                    .into(),
            );
        }
        let (mut num, mut den) = (Vec::new(), Vec::new());
        let mut pairs: BTreeMap<(String, String), u64> = BTreeMap::new();
        for &(_, changes) in ctx.window_commits() {
            let mut comps: BTreeSet<&str> = BTreeSet::new();
            let mut n = 0;
            for c in changes {
                let Some(i) = c.file.map(|i| i as usize) else {
                    continue;
                };
                let f = &ctx.data.files[i];
                if f.test || is_test_path(&f.path) {
                    continue;
                }
                n += 1;
                comps.insert(&f.component);
            }
            if !(2..=MAX_CHANGESET).contains(&n) {
                continue;
            }
            let comps: Vec<&str> = comps.into_iter().collect();
            let mut cross = false;
            for (a, x) in comps.iter().enumerate() {
                for y in &comps[a + 1..] {
                    let key = ((*x).to_owned(), (*y).to_owned());
                    if ctx.decoupled(&key) {
                        continue;
                    }
                    cross = true;
                    *pairs.entry(key).or_default() += 1;
                }
            }
            num.push(if cross { 100.0 } else { 0.0 });
            den.push(1.0);
        }
        let multi = den.len();
        let sample = Sample::Ratio { num, den };
        let Some(value) = sample.value(None) else {
            return Outcome::NotMeasured("no multi-file change in the window".into());
        };
        let evidence = pairs
            .into_iter()
            .map(|((a, b), n)| Evidence {
                kind: "component-pair".into(),
                id: format!("{a} + {b}"),
                value: n as f64,
                cite: None,
                label: "changes spanning both".into(),
            })
            .collect();
        Outcome::Measured(Measured {
            value,
            coverage: 1.0,
            figures: vec![
                Figure {
                    name: "multi-file changes".into(),
                    value: multi as f64,
                    unit: "commits".into(),
                },
                Figure {
                    name: "components".into(),
                    value: components.len() as f64,
                    unit: "components".into(),
                },
            ],
            evidence: crate::top_evidence(evidence),
            sample,
        })
    }
}
