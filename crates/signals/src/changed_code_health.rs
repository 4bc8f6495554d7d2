//! Code health of changed code: the health of the code people actually work in.

use crate::{
    Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample, round2,
    top_evidence,
};
use friction_model::health::Band;

pub struct ChangedCodeHealth;

static DOC: Doc = Doc {
    title: "Code health of changed code",
    measures: "The mean code health (1–10) of the files changed in the window, weighted by how \
        often each was changed.",
    why: "This is the code health developers experience day to day. CodeScene reports the same \
        idea as Hotspot Code Health; Code Red ties low health to 15× more defects and 124 % more \
        development time.",
    how: "Σ r·h / Σ r over files at the assessed commit changed in the window, r = revisions in \
        the window, h = the file's code health (see docs/methodology/code-health.md). Files \
        without a measured health are left out and lower the coverage.",
    thresholds: "Anchored at CodeScene's bands: health 10 → 100, 9 (healthy from here) → 75, \
        4 (alert below) → 25, 1 → 0, linear in between.",
    sources: &[
        "CodeScene Code Health bands: healthy ≥ 9, warning 4–9, alert < 4 (Code Red replication notebook categories)",
        "Tornhill & Borg, \"Code Red\", TechDebt 2022 (arXiv 2203.04374)",
    ],
};

static CURVE: Curve = Curve::linear(&[(1.0, 0.0), (4.0, 25.0), (9.0, 75.0), (10.0, 100.0)]);

impl crate::Signal for ChangedCodeHealth {
    fn id(&self) -> &'static str {
        "changed-code-health"
    }
    fn family(&self) -> Family {
        Family::Delivery
    }
    fn weight(&self) -> f64 {
        0.12
    }
    fn unit(&self) -> &'static str {
        "health (1-10)"
    }
    fn doc(&self) -> &'static Doc {
        &DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::History, Input::Code]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        if !ctx.data.code_measured {
            return Outcome::NotMeasured("code health was not measured (`scan --no-code`)".into());
        }
        let revisions = ctx.revisions();
        let total: u64 = revisions.values().sum();
        if total == 0 {
            return Outcome::NotMeasured("no file at HEAD changed in the window".into());
        }
        let (mut num, mut den, mut evidence) = (Vec::new(), Vec::new(), Vec::new());
        let mut measured = 0;
        for (&i, &r) in revisions {
            let Some(h) = ctx.health(i) else { continue };
            measured += r;
            num.push(r as f64 * h);
            den.push(r as f64);
            if !Band::is_healthy(h) {
                evidence.push(Evidence {
                    kind: "file".into(),
                    id: ctx.data.files[i].path.clone(),
                    value: round2(r as f64 * (10.0 - h)),
                    cite: None,
                    label: format!(
                        "health points below 10 × revisions (health {h:.1}, {r} revisions)"
                    ),
                });
            }
        }
        let sample = Sample::Ratio { num, den };
        let Some(value) = sample.value(None) else {
            return Outcome::NotMeasured("no changed file has a measured health".into());
        };
        Outcome::Measured(Measured {
            value,
            coverage: measured as f64 / total as f64,
            figures: vec![Figure {
                name: "files changed".into(),
                value: revisions.len() as f64,
                unit: "files".into(),
            }],
            evidence: top_evidence(evidence),
            sample,
        })
    }
}
