//! Change batch size: how big a typical change is.

use crate::{Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample};

pub struct BatchSize;

static DOC: Doc = Doc {
    title: "Change batch size",
    measures: "The 75th percentile of lines changed (added + deleted, excluded files left out) \
        per commit in the window.",
    why: "Small batches are a core DORA capability: large changes are slower to review, riskier \
        to deploy and harder to roll back. The upper quartile shows how big the changes that \
        dominate review and risk are, without being moved by a single mass edit.",
    how: "For every commit in the window with counted changes (merges contribute none), the \
        sum of added and deleted lines over its counted files; the value is the 75th percentile \
        (linear interpolation). In a squash-merge workflow a commit is a pull request; with \
        `--first-parent`, merges are diffed against their first parent, so a merge is one batch.",
    thresholds: "Log scale: 98 lines or less → 100 and 219 lines → 75 (LinearB's elite p75 and \
        average pull-request size), 1,000 lines or more → 0 (friction's choice: a change that \
        size is rarely reviewed line by line).",
    sources: &[
        "DORA capability \"Working in small batches\" (dora.dev/capabilities/working-in-small-batches)",
        "LinearB engineering benchmarks: elite PR size < 219 changes, p75 < 98 (linearb.helpdocs.io)",
    ],
};

static CURVE: Curve = Curve::log(&[(98.0, 100.0), (219.0, 75.0), (1000.0, 0.0)]);

impl crate::Signal for BatchSize {
    fn id(&self) -> &'static str {
        "batch-size"
    }
    fn family(&self) -> Family {
        Family::Delivery
    }
    fn weight(&self) -> f64 {
        0.09
    }
    fn unit(&self) -> &'static str {
        "lines per commit (p75)"
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
        if let Some(v) = ctx.value_override(self.id()) {
            return Outcome::Measured(Measured {
                value: v,
                coverage: 1.0,
                figures: Vec::new(),
                evidence: Vec::new(),
                sample: Sample::Fixed,
            });
        }
        let mut values = Vec::new();
        let mut evidence = Vec::new();
        for &(commit, changes) in ctx.window_commits() {
            let lines: u64 = changes.iter().map(|c| c.added + c.deleted).sum();
            values.push(lines as f64);
            evidence.push(Evidence {
                kind: "commit".into(),
                id: ctx.data.commits[commit as usize].id.clone(),
                value: lines as f64,
                cite: None,
                label: format!("lines changed in {} files", changes.len()),
            });
        }
        let commits = values.len();
        let median = crate::quantile(&mut values.clone(), 0.5).unwrap_or(0.0);
        let sample = Sample::Quantile { values, q: 0.75 };
        let Some(value) = sample.value(None) else {
            return Outcome::NotMeasured("no commit in the window".into());
        };
        Outcome::Measured(Measured {
            value,
            coverage: 1.0,
            figures: vec![
                Figure {
                    name: "commits".into(),
                    value: commits as f64,
                    unit: "commits".into(),
                },
                Figure {
                    name: "median".into(),
                    value: median,
                    unit: "lines per commit".into(),
                },
            ],
            evidence: crate::top_evidence(evidence),
            sample,
        })
    }
}
