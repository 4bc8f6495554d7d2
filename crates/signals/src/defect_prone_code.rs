//! Defect-prone code: files that fix after fix keeps returning to.

use friction_model::health::Band;
use std::collections::{BTreeMap, BTreeSet};

use crate::{
    Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Prior, Sample,
};

pub struct DefectProneCode;

/// A file touched by at least this many fix commits in the window is defect-prone.
pub const RECURRING_FIXES: usize = 2;

/// The figure naming the window's fix commits (the signal's evidence).
const FIX_COMMITS: &str = "fix commits";

/// Its share of Reliability from git alone.
const WEIGHT: f64 = 0.4;

/// Its share of Reliability when incidents of the repository's services are
/// known: the proxy gives way to what the incidents say (friction's choice:
/// half, the half that `incident-recurrence` and `incident-recovery` stand
/// for, so the driver's git share does not grow with the incident signals).
const WEIGHT_BESIDE_INCIDENTS: f64 = 0.2;

static DOC: Doc = Doc {
    title: "Defect-prone code",
    measures: "A proxy read from commit messages: the share of the code at the assessed commit in files touched by two or more fix \
        commits in the window.",
    why: "Defects cluster: a small part of the code attracts most fixes, and a file fixed again \
        and again is where the next incident is likely to come from. Code Red found 15× more \
        defects in low-health code; this signal finds the clusters from the history directly.",
    how: "A commit is a defect fix when its subject line says it fixes something — a fix \
        word (fix, fixes, fixed, fixing, bug, bugs, bugfix, hotfix, defect, regression, crash, \
        fault) or a conventional `fix:` type — what it fixes is not wording (typos, spelling, \
        grammar), documentation (docs, Javadoc, docstrings, comments, README, changelog), style \
        (formatting, whitespace, lint and style checkers, warnings, unused code), type hints, \
        tests or perfective maintenance (refactoring, clean-up, moves, renames, improvements, \
        dependencies), and it changed product code: a commit that changed only tests, \
        documentation, build or CI files, examples or benchmarks fixes no defect of the product. \
        Conventional-commit types other than `fix` (docs, test, style, refactor, chore, ci, \
        build, feat) are not fixes, and neither are reverts (their subject quotes the reverted \
        change). Fix words only in the message body do not count: on the hand-labelled sample \
        they were right about two times in three. `[assessment] fix_patterns` (ticket \
        conventions such as `^BUG-\\d+`) mark fixes whatever they changed. On 280 \
        hand-labelled public commits with a fix word, 29 % were defect fixes; 91 % of those \
        this rule counts are (`BENCHMARKS.md`). For every file at the assessed commit, the \
        distinct defect-fix commits in the window that changed it; value = code lines in files \
        with ≥ 2 fixes / all code lines (code lines from the health measurement, 1 per file when \
        unmeasured). Not measured when the window has no fix commit at all: the convention is \
        then probably not in use. A proxy: its weight is 0.4 of Reliability from git alone and \
        0.2 when incidents of the repository's services are ingested (`incident-recurrence` and \
        `incident-recovery` measure reliability directly).",
    thresholds: "2 % or less → 100, 25 % or more → 0, linear in between (friction's choice: \
        a quarter of the code under recurring fixes means reliability work competes with every \
        plan).",
    sources: &[
        "Tornhill & Borg, \"Code Red\", TechDebt 2022 (arXiv 2203.04374): defects concentrate in low-health code",
        "code-maat `messages` analysis: fix commits recognised from messages (github.com/adamtornhill/code-maat)",
        "Śliwerski, Zimmermann & Zeller, \"When do changes induce fixes?\", MSR 2005: fix commits found from message keywords (the SZZ algorithm)",
        "Mockus & Votta, \"Identifying reasons for software changes using historic databases\", ICSM 2000: corrective versus perfective (clean-up, rework) keywords in change messages",
        "Herzig, Just & Zeller, \"It's not a bug, it's a feature\", ICSE 2013: a third of \"bug\" reports are not defects, and the misclassification biases defect prediction",
        "Conventional Commits 1.0.0 (conventionalcommits.org): `fix:` patches a bug; `docs:`, `style:`, `refactor:`, `test:`, `build:`, `ci:`, `chore:` types from the Angular convention",
    ],
};

/// Its prior: the middle of the scale, worth this many fix commits.
static PRIOR: Prior = Prior {
    score: crate::shrink::PRIOR_SCORE,
    strength: 20.0,
    unit: "fix commits in the window",
    rationale: "friction's choice: a file is defect-prone from two fixes, so a window of a handful of \
        fixes flips files in and out of the count by chance; at twenty fixes the window shows \
        where fixes recur and the evidence weighs as much as the prior (on the issue's small \
        Python web framework a year holds 10–30 of them)",
};

static CURVE: Curve = Curve::linear(&[(2.0, 100.0), (25.0, 0.0)]);

impl crate::Signal for DefectProneCode {
    fn id(&self) -> &'static str {
        "defect-prone-code"
    }
    fn family(&self) -> Family {
        Family::Reliability
    }
    fn weight(&self) -> f64 {
        WEIGHT
    }
    fn weight_in(&self, data: &crate::Data) -> f64 {
        if data
            .delivery
            .as_ref()
            .is_some_and(|d| !d.incidents.is_empty())
        {
            WEIGHT_BESIDE_INCIDENTS
        } else {
            WEIGHT
        }
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
    fn prior(&self) -> &'static Prior {
        &PRIOR
    }
    fn proxy(&self) -> bool {
        true
    }
    /// The window's fix commits: the events the share is read from.
    fn evidence(&self, m: &Measured) -> Option<f64> {
        m.figures
            .iter()
            .find(|f| f.name == FIX_COMMITS)
            .map(|f| f.value)
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        if let Some(why) = ctx.files_unknown() {
            return Outcome::NotMeasured(why);
        }
        let data = ctx.data;
        let mut fixes: BTreeMap<usize, BTreeSet<u32>> = BTreeMap::new();
        let mut fix_commits = BTreeSet::new();
        for c in &data.changes[data.window_start()..] {
            if !data.commits[c.commit as usize].fix {
                continue;
            }
            fix_commits.insert(c.commit);
            if let Some(i) = c.file.map(|i| i as usize).filter(|&i| ctx.in_scope(i)) {
                fixes.entry(i).or_default().insert(c.commit);
            }
        }
        if fix_commits.is_empty() {
            return Outcome::NotMeasured(
                "no fix commit recognised in the window; set `[assessment] fix_patterns` to your convention"
                    .into(),
            );
        }
        let (mut num, mut den, mut evidence) = (Vec::new(), Vec::new(), Vec::new());
        for (i, f) in ctx.files() {
            let lines = f64::from(f.code_lines.max(1));
            let n = fixes.get(&i).map_or(0, BTreeSet::len);
            // A what-if refactoring (a health override that raises the file
            // into the healthy band) takes it out; a lower health never does.
            let refactored = ctx
                .health_override(&f.file_id)
                .is_some_and(|h| Band::is_healthy(h) && f.health.is_none_or(|now| h > now));
            let prone = n >= RECURRING_FIXES && !refactored;
            num.push(if prone { lines * 100.0 } else { 0.0 });
            den.push(lines);
            if n >= RECURRING_FIXES {
                evidence.push(Evidence {
                    kind: "file".into(),
                    id: f.path.clone(),
                    value: n as f64,
                    cite: None,
                    label: "fix commits in the window".into(),
                });
            }
        }
        let prone_files = evidence.len();
        let sample = Sample::Ratio { num, den };
        let Some(value) = sample.value(None) else {
            return Outcome::NotMeasured("no file in scope".into());
        };
        Outcome::Measured(Measured {
            value,
            coverage: 1.0,
            figures: vec![
                Figure {
                    name: FIX_COMMITS.into(),
                    value: fix_commits.len() as f64,
                    unit: "commits".into(),
                },
                Figure {
                    name: "defect-prone files".into(),
                    value: prone_files as f64,
                    unit: "files".into(),
                },
            ],
            evidence: crate::top_evidence(evidence),
            sample,
        })
    }
}
