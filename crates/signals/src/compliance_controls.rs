//! Compliance controls: the OSPS Baseline controls a repository's own files
//! show.

use friction_analysis::controls::{self, Status};

use crate::{Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample};

pub struct ComplianceControls;

static DOC: Doc = Doc {
    title: "Compliance controls",
    measures: "The share of the OpenSSF OSPS Baseline controls that a repository's own files \
        can show which the assessed commit does show: security policy, licence, contribution \
        guide, secret-scanning configuration, dependency-update tool, code owners, CI that runs \
        tests, static security analysis in CI, release signing or provenance. Branch \
        protection and multi-factor authentication are platform settings: reported as not \
        measurable offline, and they lower the coverage.",
    why: "These are the controls auditors, customers and regulations (the EU Cyber Resilience \
        Act's due-diligence expectations among them) ask an engineering organisation to show; \
        each missing one is a gap someone must close before a release can be vouched for, and \
        the Baseline's level-1 controls are its floor for every project.",
    how: "The tree of the assessed commit is listed once: the files each control looks for are \
        found by name, and CI steps (GitHub Actions `run:` and `uses:`, GitLab CI, CircleCI, \
        Travis, Azure Pipelines, Jenkins, Bitbucket configuration) by the commands and actions \
        they name; the mapping table (control, OSPS Baseline id and level, what is looked for) \
        is in the methodology. Value = present controls / measurable controls × 100; \
        coverage = measurable / all controls of the table. Evidence: each control with its \
        status, its OSPS id and the path (and line) that shows it. Every repository is \
        measured (a repository without any of these files scores 0); not measured only when \
        the tree could not be read.",
    thresholds: "0 % → 0, 100 % → 100, linear (friction's choice: each control counts the \
        same, as the Baseline does not weight them). Weight 0.15 of the Security driver: \
        the controls are the evidence of the practices the driver stands for that the \
        repository itself holds.",
    sources: &[
        "OpenSSF Open Source Project Security Baseline, version 2026.02.19: controls and maturity levels (baseline.openssf.org; github.com/ossf/security-baseline, docs/versions/2026-02-19-checklist.md)",
        "OpenSSF Scorecard checks Security-Policy, License, Dependency-Update-Tool, SAST, CI-Tests, Signed-Releases and its OSPS Baseline coverage map (github.com/ossf/scorecard, docs/checks.md, docs/osps-baseline-coverage.md)",
    ],
};

static CURVE: Curve = Curve::linear(&[(0.0, 0.0), (100.0, 100.0)]);

impl crate::Signal for ComplianceControls {
    fn id(&self) -> &'static str {
        "compliance-controls"
    }
    fn family(&self) -> Family {
        Family::Security
    }
    fn weight(&self) -> f64 {
        0.15
    }
    fn unit(&self) -> &'static str {
        "% of controls present"
    }
    fn doc(&self) -> &'static Doc {
        &DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::Tree]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        let practice = match crate::ci::repository_practice(ctx) {
            Ok(p) => p,
            Err(why) => return Outcome::NotMeasured(why),
        };
        let all = &practice.controls;
        let measurable: Vec<_> = all
            .iter()
            .filter(|c| c.status != Status::NotMeasurableOffline)
            .collect();
        if measurable.is_empty() {
            return Outcome::NotMeasured("no control is measurable".into());
        }
        let present = measurable
            .iter()
            .filter(|c| c.status == Status::Present)
            .count();
        let title = |id: &str| {
            controls::definition(id).map_or_else(
                || id.to_owned(),
                |d| format!("{} (level {})", d.title, d.level),
            )
        };
        let mut evidence: Vec<Evidence> = measurable
            .iter()
            .map(|c| Evidence {
                kind: "control".into(),
                id: c.osps.clone(),
                // Missing controls first.
                value: if c.status == Status::Missing {
                    1.0
                } else {
                    0.0
                },
                label: format!("{}: {}", c.status.as_str(), title(&c.id)),
                cite: c.evidence.clone(),
            })
            .collect();
        let offline: Vec<_> = all
            .iter()
            .filter(|c| c.status == Status::NotMeasurableOffline)
            .collect();
        if !offline.is_empty() {
            evidence.push(Evidence {
                kind: "control".into(),
                id: offline
                    .iter()
                    .map(|c| c.osps.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                value: 0.5,
                label: format!(
                    "{}: {}",
                    Status::NotMeasurableOffline.as_str(),
                    offline
                        .iter()
                        .map(|c| title(&c.id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                cite: None,
            });
        }
        evidence.sort_by(|a, b| b.value.total_cmp(&a.value).then_with(|| a.id.cmp(&b.id)));
        evidence.truncate(crate::EVIDENCE_LIMIT);
        Outcome::Measured(Measured {
            value: crate::round2(100.0 * present as f64 / measurable.len() as f64),
            coverage: measurable.len() as f64 / all.len() as f64,
            figures: vec![
                Figure {
                    name: "controls present".into(),
                    value: present as f64,
                    unit: "controls".into(),
                },
                Figure {
                    name: "controls missing".into(),
                    value: (measurable.len() - present) as f64,
                    unit: "controls".into(),
                },
                Figure {
                    name: "not measurable offline".into(),
                    value: offline.len() as f64,
                    unit: "controls".into(),
                },
            ],
            evidence,
            sample: Sample::Fixed,
        })
    }
}
