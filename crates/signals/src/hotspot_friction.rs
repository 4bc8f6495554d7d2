//! Hotspot friction: the development time lost to unhealthy code where the
//! changes actually happen.

use crate::{
    Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample, round2,
    top_evidence,
};
use friction_model::health::Band;

pub struct HotspotFriction;

/// How much longer a change takes in code of a given health than in healthy
/// code, as a `[low, high]` range.
///
/// The high ends are the Code Red band means (Tornhill & Borg, TechDebt 2022,
/// recomputed from the public replication data: mean time per issue 1.78× in
/// yellow and 2.24× in red code, relative to green). The low ends halve the
/// excess: red files in that data set are about ten times larger and six
/// times busier than green ones, and the study does not control for either,
/// so part of the excess is size and churn rather than health.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeFactor {
    pub low: f64,
    pub high: f64,
}

/// The time factor of code with this health (no interpolation inside a band:
/// the study reports band means only).
pub fn time_factor(health: f64) -> TimeFactor {
    match Band::of(health) {
        Band::Healthy => TimeFactor {
            low: 1.0,
            high: 1.0,
        },
        Band::Warning => TimeFactor {
            low: 1.39,
            high: 1.78,
        },
        Band::Alert => TimeFactor {
            low: 1.62,
            high: 2.24,
        },
    }
}

static DOC: Doc = Doc {
    title: "Hotspot friction",
    measures: "The extra development time that changes in the window spent in unhealthy code, \
        as a percentage of the time the same changes would take in healthy code.",
    why: "Unhealthy code only costs delivery where it is changed. A complex file nobody touches is \
        cheap; a moderately unhealthy file changed every week is where the organisation pays. \
        Weighting code health by change frequency is the core of behavioural code analysis \
        (Tornhill, *Your Code as a Crime Scene*).",
    how: "For every file at the assessed commit changed in the window: revisions r (distinct \
        commits) and code health h. Each revision is charged the Code Red excess time of its \
        file's band (yellow 4 ≤ h < 9: +78 %, red h < 4: +124 %, healthy: 0). The value is \
        Σ r·excess / Σ r. Revisions on files whose health could not be measured are left out \
        and lower the coverage.",
    thresholds: "Linear from 0 % (no excess, score 100) to 124 % (every change in red code, \
        score 0): the score is the share of change effort not lost to code-health friction, \
        on the Code Red scale.",
    sources: &[
        "Tornhill & Borg, \"Code Red: The Business Impact of Code Quality\", TechDebt 2022 (arXiv 2203.04374): 124 % more time per issue in low-quality code; band means recomputed from the replication data",
        "CodeScene hotspots: change frequency × code health (codescene.io/docs/guides/technical/hotspots.html)",
    ],
};

static CURVE: Curve = Curve::linear(&[(0.0, 100.0), (124.0, 0.0)]);

impl crate::Signal for HotspotFriction {
    fn id(&self) -> &'static str {
        "hotspot-friction"
    }
    fn family(&self) -> Family {
        Family::Delivery
    }
    fn weight(&self) -> f64 {
        0.21
    }
    fn unit(&self) -> &'static str {
        "% excess time"
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
        let mut measured = 0u64;
        for (&i, &r) in revisions {
            let Some(h) = ctx.health(i) else { continue };
            measured += r;
            let excess = (time_factor(h).high - 1.0) * 100.0;
            num.push(r as f64 * excess);
            den.push(r as f64);
            if excess > 0.0 {
                evidence.push(Evidence {
                    kind: "file".into(),
                    id: ctx.data.files[i].path.clone(),
                    value: round2(r as f64 * excess / 100.0),
                    cite: None,
                    label: format!(
                        "revision-equivalents lost ({r} revisions at health {h:.1}, +{excess:.0} %)"
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
            figures: vec![
                Figure {
                    name: "revisions".into(),
                    value: total as f64,
                    unit: "file revisions".into(),
                },
                Figure {
                    name: "files changed".into(),
                    value: revisions.len() as f64,
                    unit: "files".into(),
                },
            ],
            evidence: top_evidence(evidence),
            sample,
        })
    }
}
