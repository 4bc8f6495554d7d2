//! Knowledge islands: code only one active person knows.

use crate::{Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample};

pub struct KnowledgeIslands;

static DOC: Doc = Doc {
    title: "Knowledge islands",
    measures: "The share of the code (by code lines) in files at least 95 % written by one \
        author who is still active.",
    why: "An island is fast while its author stays and a bottleneck every time they are busy, \
        on leave or gone. CodeScene flags the same concentration as a key-person risk.",
    how: "Ownership by added lines over the whole history; a file is an island when its main \
        author wrote ≥ 95 % of its added lines and committed in the window. Value = code lines \
        in island files / code lines of files with history.",
    thresholds: "5 % or less → 100, 50 % or more → 0, linear in between (friction's choice).",
    sources: &[
        "CodeScene knowledge islands: files ≥ 95 % written by one active developer (codescene.io/docs/guides/social/knowledge-distribution.html)",
    ],
};

static CURVE: Curve = Curve::linear(&[(5.0, 100.0), (50.0, 0.0)]);

impl crate::Signal for KnowledgeIslands {
    fn id(&self) -> &'static str {
        "knowledge-islands"
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
        for (i, k) in &files {
            let f = &ctx.data.files[*i];
            let lines = f64::from(f.code_lines.max(1));
            let island = k.island && !ctx.spread(&f.file_id);
            num.push(if island { lines * 100.0 } else { 0.0 });
            den.push(lines);
            if island {
                evidence.push(Evidence {
                    kind: "file".into(),
                    id: f.path.clone(),
                    value: f64::from(f.code_lines),
                    cite: None,
                    label: format!(
                        "code lines, {:.0} % by {}",
                        k.main_share,
                        ctx.data
                            .pseudonym(&ctx.data.known().authors[k.main_author as usize])
                    ),
                });
            }
        }
        let islands = evidence.len();
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
            figures: vec![Figure {
                name: "island files".into(),
                value: islands as f64,
                unit: "files".into(),
            }],
            evidence: crate::top_evidence(evidence),
            sample,
        })
    }
}
