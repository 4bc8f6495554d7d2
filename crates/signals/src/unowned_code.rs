//! Unowned code: code no CODEOWNERS rule assigns to anyone.

use crate::{Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample};

pub struct UnownedCode;

static DOC: Doc = Doc {
    title: "Unowned code",
    measures: "The share of the code at the assessed commit that no CODEOWNERS rule covers.",
    why: "Code without an owner has no required reviewer: changes to it get no accountable \
        review, and security fixes have nobody to route to. OpenSSF Scorecard's Code-Review \
        check and branch-protection practice rely on owners being defined.",
    how: "The CODEOWNERS file is looked up where GitHub and GitLab look (`CODEOWNERS`, \
        `.github/`, `docs/`, `.gitlab/`) in the assessed commit's tree; patterns follow \
        GitHub's documented rules (`docs/*` covers `docs/a.md`, not `docs/sub/b.md`), the \
        last matching pattern wins and a rule without owners un-assigns; GitLab sections \
        decide each on their own and a file is owned when any section gives it an owner. Value = code lines of files without owners / all code lines. Not \
        measured when the repository has no CODEOWNERS file.",
    thresholds: "0 % → 100, 50 % or more → 0, linear in between (friction's choice: half the \
        code without a reviewer of record is no ownership model at all). Weight 0.2 of the \
        Security driver: ownership of review is one of the practices the driver stands \
        for (reviewed changes, dependency hygiene, known vulnerabilities, secret handling, \
        static analysis and the pipeline, as OpenSSF Scorecard's checks group them; \
        `workflow-risks` and `compliance-controls` measure others, and what no signal \
        measures yet lowers the driver's coverage). The CODEOWNERS file is read from the assessed commit, never from \
        uncommitted files.",
    sources: &[
        "GitHub CODEOWNERS syntax (docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners)",
        "OpenSSF Scorecard Code-Review and Branch-Protection checks (github.com/ossf/scorecard/blob/main/docs/checks.md)",
    ],
};

static CURVE: Curve = Curve::linear(&[(0.0, 100.0), (50.0, 0.0)]);

impl crate::Signal for UnownedCode {
    fn id(&self) -> &'static str {
        "unowned-code"
    }
    fn family(&self) -> Family {
        Family::Security
    }
    /// A fifth of the Security driver: ownership of review is one of the
    /// practices the driver stands for (reviewed changes, dependency
    /// hygiene, known vulnerabilities, secret handling, static analysis, the
    /// pipeline; OpenSSF Scorecard's checks group the same way).
    fn weight(&self) -> f64 {
        0.2
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
        &[Input::CodeOwners]
    }
    /// Complete: a census of the assessed tree's files, not a sample of
    /// events, so nothing to shrink (the files are resampled only for the
    /// interval).
    fn evidence(&self, _m: &Measured) -> Option<f64> {
        None
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        if ctx.data.codeowners.is_none() {
            return Outcome::NotMeasured("the repository has no CODEOWNERS file".into());
        }
        if let Some(why) = ctx.files_unknown() {
            return Outcome::NotMeasured(why);
        }
        if let Some(v) = ctx.value_override(self.id()) {
            return Outcome::Measured(Measured {
                value: v,
                coverage: 1.0,
                figures: Vec::new(),
                evidence: Vec::new(),
                sample: Sample::Fixed,
            });
        }
        let (mut num, mut den, mut evidence) = (Vec::new(), Vec::new(), Vec::new());
        for (_, f) in ctx.files() {
            let lines = f64::from(f.code_lines.max(1));
            let unowned = f.owned == Some(false);
            num.push(if unowned { lines * 100.0 } else { 0.0 });
            den.push(lines);
            if unowned {
                evidence.push(Evidence {
                    kind: "file".into(),
                    id: f.path.clone(),
                    value: f64::from(f.code_lines),
                    cite: None,
                    label: "code lines without an owner".into(),
                });
            }
        }
        let unowned_files = evidence.len();
        let sample = Sample::Ratio { num, den };
        let Some(value) = sample.value(None) else {
            return Outcome::NotMeasured("no file in scope".into());
        };
        Outcome::Measured(Measured {
            value,
            coverage: 1.0,
            figures: vec![Figure {
                name: "files without owner".into(),
                value: unowned_files as f64,
                unit: "files".into(),
            }],
            evidence: crate::top_evidence(evidence),
            sample,
        })
    }
}
