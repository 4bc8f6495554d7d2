//! Former-contributor knowledge loss: code whose knowing authors have all left.

use crate::{Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample};

pub struct FormerContributors;

static DOC: Doc = Doc {
    title: "Former-contributor knowledge loss",
    measures: "The share of the code (by code lines) in files none of whose knowing authors \
        committed in the window: the knowledge left with former contributors.",
    why: "Orphaned code has to be re-learned before it can be changed safely; changes to it are \
        slower and riskier (Borg, Tornhill & Mones found marginal owners need 45–93 % more time \
        in low-quality code). It also shows what off-boarding already cost.",
    how: "A file is orphaned when no author who committed in the window knows it. An author \
        knows a file when their degree of authorship (see truck-factor) reaches Avelino's \
        absolute threshold (DOA ≥ 3.293) or they created it; the truck factor's relative cut \
        (above 75 % of the file's best DOA) is not applied here, because it compares with the \
        file's top author of all time, who may have left, and would hide an active \
        maintainer. Value = code lines in orphaned files / code lines of files with history. \
        The share of all added lines written by former contributors is reported beside it.",
    thresholds: "0 % → 100, 40 % or more → 0, linear in between (friction's choice).",
    sources: &[
        "Avelino et al., ICPC 2016 (degree of authorship)",
        "Borg, Tornhill & Mones, \"U Owns the Code That Changes and How Marginal Owners Resolve Issues Slower in Low-Quality Source Code\", EASE 2023",
        "CodeScene off-boarding simulation and former contributors (codescene.io/docs/guides/social/knowledge-distribution.html)",
    ],
};

static CURVE: Curve = Curve::linear(&[(0.0, 100.0), (40.0, 0.0)]);

impl crate::Signal for FormerContributors {
    fn id(&self) -> &'static str {
        "former-contributors"
    }
    fn family(&self) -> Family {
        Family::TeamExecution
    }
    fn weight(&self) -> f64 {
        0.125
    }
    fn unit(&self) -> &'static str {
        "% of code"
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
        let files = crate::truck_factor::scoped(ctx);
        let (mut num, mut den, mut evidence) = (Vec::new(), Vec::new(), Vec::new());
        let (mut former, mut all) = (0.0, 0.0);
        for (i, k) in &files {
            let f = &ctx.data.files[*i];
            let lines = f64::from(f.code_lines.max(1));
            let orphaned = k.orphaned && !ctx.spread(&f.file_id);
            num.push(if orphaned { lines * 100.0 } else { 0.0 });
            den.push(lines);
            former += lines * (100.0 - k.active_share);
            all += lines;
            if orphaned {
                evidence.push(Evidence {
                    kind: "file".into(),
                    id: f.path.clone(),
                    value: f64::from(f.code_lines),
                    cite: None,
                    label: "code lines no active author knows".into(),
                });
            }
        }
        let orphaned = evidence.len();
        let sample = Sample::Ratio { num, den };
        let Some(value) = sample.value(None) else {
            return Outcome::NotMeasured(
                ctx.files_unknown()
                    .unwrap_or_else(|| "no file in scope has history".into()),
            );
        };
        Outcome::Measured(Measured {
            value,
            coverage: 1.0,
            figures: vec![
                Figure {
                    name: "orphaned files".into(),
                    value: orphaned as f64,
                    unit: "files".into(),
                },
                Figure {
                    name: "code written by former contributors".into(),
                    value: crate::round2(former / all.max(1.0)),
                    unit: "%".into(),
                },
            ],
            evidence: crate::top_evidence(evidence),
            sample,
        })
    }
}
