//! AI amplification: where AI-assisted change lands and what it costs
//! afterwards.
//!
//! A commit is AI-assisted when it carries an assistant's or agent's mark
//! (`friction_model::ai`: co-author trailers, attribution trailers, footers,
//! agent authors, aider's marks, `[ai] patterns`); nothing is guessed from
//! style. Besides the share, three signals compare AI-assisted change with
//! the other change of the window: where it lands (unhealthy code or not),
//! and — *within the same files*, so a tool used only on easy files does not
//! look better than the people around it — how much of it is reworked and
//! how often a fix follows.
//!
//! They carry weight 0: they are reported beside the index (assessment,
//! `explain`, reports, trend) and do not move it. Their curves say how an
//! organisation should read them; weighting them waits until a reference
//! population calibrates them (issue 20's method), as the methodology says.

use std::collections::BTreeMap;

use crate::{
    Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample, top_evidence,
};

/// Fewer AI-assisted commits than this in a scope is too little to compare:
/// friction's choice, the smallest group for which a bootstrap interval over
/// files means anything.
pub const MIN_COMMITS: usize = 5;

/// A team scope with fewer distinct authors in the window than this shows no
/// AI-assisted figure: in a smaller group the share points at a person
/// (friction's choice, the usual k-anonymity floor of people analytics).
pub const MIN_TEAM_AUTHORS: usize = 5;

/// Why a team scope is too small to show AI-assisted figures, if it is.
fn too_small(ctx: &Context<'_>) -> Option<String> {
    if ctx.scope.kind != crate::ScopeKind::Team {
        return None;
    }
    let authors: std::collections::BTreeSet<&str> = ctx
        .window_commits()
        .iter()
        .map(|(c, _)| ctx.data.commits[*c as usize].author.as_str())
        .collect();
    (authors.len() < MIN_TEAM_AUTHORS).then(|| {
        format!(
            "fewer than {MIN_TEAM_AUTHORS} authors changed this team's files in the window:              AI-assisted figures are not shown for groups this small"
        )
    })
}

/// Days after which a line rewritten is no longer rework, and within which a
/// fix to the same file follows a change; `[ai] rework_days` and
/// `[ai] fix_follow_days` in `friction.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AiSettings {
    pub rework_days: u32,
    pub fix_follow_days: u32,
}

impl Default for AiSettings {
    fn default() -> Self {
        AiSettings {
            // LinearB's rework horizon, as the `rework` signal.
            rework_days: 21,
            // Two weeks: a release cycle of most teams; friction's choice.
            fix_follow_days: 14,
        }
    }
}

const DAY: i64 = 86_400;

/// Comparisons in percentage points: AI-assisted minus other change. Equal
/// or better → 100, 10 points worse → 50, 25 points or more → 0
/// (friction's choice; uncalibrated, which is why the weight is 0).
static GAP: Curve = Curve::linear(&[(0.0, 100.0), (10.0, 50.0), (25.0, 0.0)]);
/// The share is context, not good or bad: every value scores the same.
static FLAT: Curve = Curve::linear(&[(0.0, 100.0), (100.0, 100.0)]);

const SOURCES: &[&str] = &[
    "DORA 2025 State of AI-assisted Software Development: AI amplifies an organisation's existing strengths and weaknesses (dora.dev/research/2025)",
    "GitClear 2024/2025 AI code quality reports: code churn (lines revised within two weeks) rises with AI-assisted change (gitclear.com)",
    "Assistant attribution formats: Claude Code, GitHub Copilot, Cursor, Codex, aider documentation (see friction_model::ai)",
];

/// AI-assisted commits of the window in scope.
fn ai_commits(ctx: &Context<'_>) -> usize {
    ctx.window_commits()
        .iter()
        .filter(|(c, _)| ctx.data.commits[*c as usize].ai)
        .count()
}

fn too_few(ctx: &Context<'_>) -> Option<String> {
    if !ctx.has_history() {
        return Some("no change in the window".into());
    }
    if let Some(why) = too_small(ctx) {
        return Some(why);
    }
    let n = ai_commits(ctx);
    if n == 0 {
        return Some(
            "no commit in the window carries an AI assistant's mark (co-author trailer, \
             attribution trailer, agent author or `[ai] patterns`)"
                .into(),
        );
    }
    (n < MIN_COMMITS).then(|| {
        format!(
            "{n} AI-assisted commit{} in the window; at least {MIN_COMMITS} are needed to compare",
            if n == 1 { "" } else { "s" }
        )
    })
}

/// Per-file counts of both groups, compared over the files that have both.
#[derive(Default, Clone, Copy)]
struct Pair {
    ai_num: f64,
    ai_den: f64,
    other_num: f64,
    other_den: f64,
}

fn compare(
    ctx: &Context<'_>,
    per_file: BTreeMap<usize, Pair>,
    evidence_label: &str,
    figures: impl FnOnce(&Sample) -> Vec<Figure>,
    nothing: &str,
) -> Outcome {
    let both: Vec<(usize, Pair)> = per_file
        .into_iter()
        .filter(|(_, p)| p.ai_den > 0.0 && p.other_den > 0.0)
        .collect();
    if both.is_empty() {
        return Outcome::NotMeasured(nothing.into());
    }
    let evidence = both
        .iter()
        .filter(|(_, p)| p.ai_num > 0.0)
        .map(|(i, p)| Evidence {
            kind: "file".into(),
            id: ctx.data.files[*i].path.clone(),
            value: p.ai_num,
            cite: None,
            label: evidence_label.into(),
        })
        .collect();
    let sample = Sample::Gap {
        a_num: both.iter().map(|(_, p)| p.ai_num).collect(),
        a_den: both.iter().map(|(_, p)| p.ai_den).collect(),
        b_num: both.iter().map(|(_, p)| p.other_num).collect(),
        b_den: both.iter().map(|(_, p)| p.other_den).collect(),
    };
    let Some(value) = sample.value(None) else {
        return Outcome::NotMeasured(nothing.into());
    };
    let mut fig = vec![Figure {
        name: "files compared".into(),
        value: both.len() as f64,
        unit: "files".into(),
    }];
    fig.extend(figures(&sample));
    Outcome::Measured(Measured {
        value,
        coverage: 1.0,
        figures: fig,
        evidence: top_evidence(evidence),
        sample,
    })
}

/// The two groups' rates behind a gap, as figures; `other` names the
/// comparison group.
fn rate_figures(sample: &Sample, what: &str, other: &str) -> Vec<Figure> {
    let Sample::Gap {
        a_num,
        a_den,
        b_num,
        b_den,
    } = sample
    else {
        return Vec::new();
    };
    let rate = |n: &[f64], d: &[f64]| {
        let d: f64 = d.iter().sum();
        if d > 0.0 {
            crate::round2(100.0 * n.iter().sum::<f64>() / d)
        } else {
            0.0
        }
    };
    vec![
        Figure {
            name: format!("{what}, AI-assisted"),
            value: rate(a_num, a_den),
            unit: "%".into(),
        },
        Figure {
            name: format!("{what}, {other}"),
            value: rate(b_num, b_den),
            unit: "%".into(),
        },
    ]
}

// ---------------------------------------------------------------------------

pub struct AiAssistedChange;

static SHARE_DOC: Doc = Doc {
    title: "AI-assisted change",
    measures: "The share of lines changed in the window (added plus deleted) by commits that \
        carry an AI assistant's or agent's mark.",
    why: "AI speeds change up without removing the friction underneath: before reading what \
        AI-assisted change costs, a leader needs to know how much of the change it is, and \
        where it is growing.",
    how: "A commit is AI-assisted when it has a co-author trailer with an assistant's address \
        (`Co-authored-by: Claude <noreply@anthropic.com>`, Copilot, Cursor, Codex, aider, …), an \
        attribution trailer naming a tool (`Made-with: Cursor`, `Assisted-by: …`), a \"Generated \
        with <tool>\" footer, an agent as author (Copilot's coding agent, Devin, Jules, …), \
        aider's `(aider)` author suffix or `aider:` prefix, or matches `[ai] patterns`. Value = \
        Σ lines changed by those commits / Σ lines changed, over the window's counted changes in \
        scope. Nothing is guessed from style: unsigned assistance counts as human, so this is a \
        lower bound. Weight 0: context beside the index.",
    thresholds: "Not scored (every value scores 100); weight 0.",
    sources: SOURCES,
};

impl crate::Signal for AiAssistedChange {
    fn id(&self) -> &'static str {
        "ai-assisted-change"
    }
    fn family(&self) -> Family {
        Family::Delivery
    }
    fn weight(&self) -> f64 {
        0.0
    }
    fn unit(&self) -> &'static str {
        "% of changed lines"
    }
    fn doc(&self) -> &'static Doc {
        &SHARE_DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &FLAT
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::History]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        if !ctx.has_history() {
            return Outcome::NotMeasured("no change in the window".into());
        }
        if let Some(why) = too_small(ctx) {
            return Outcome::NotMeasured(why);
        }
        let mut num = Vec::new();
        let mut den = Vec::new();
        let mut evidence = Vec::new();
        let mut ai_commits = 0usize;
        for &(c, changes) in ctx.window_commits() {
            let lines: u64 = changes
                .iter()
                .filter(|ch| match ch.file {
                    Some(i) => ctx.in_scope(i as usize),
                    None => ctx.scope.files.is_none(),
                })
                .map(|ch| ch.added + ch.deleted)
                .sum();
            let commit = &ctx.data.commits[c as usize];
            let ai = commit.ai;
            if ai {
                ai_commits += 1;
                evidence.push(Evidence {
                    kind: "commit".into(),
                    id: commit.id.clone(),
                    value: lines as f64,
                    cite: None,
                    label: "lines changed".into(),
                });
            }
            num.push(if ai { 100.0 * lines as f64 } else { 0.0 });
            den.push(lines as f64);
        }
        if ai_commits == 0 {
            return Outcome::NotMeasured(
                "no commit in the window carries an AI assistant's mark; the share is a lower \
                 bound, so 0 % is not claimed"
                    .into(),
            );
        }
        let commits = num.len();
        let sample = Sample::Ratio { num, den };
        let Some(value) = sample.value(None) else {
            return Outcome::NotMeasured("no lines changed in the window".into());
        };
        Outcome::Measured(Measured {
            value,
            coverage: 1.0,
            figures: vec![
                Figure {
                    name: "AI-assisted commits".into(),
                    value: ai_commits as f64,
                    unit: "commits".into(),
                },
                Figure {
                    name: "AI-assisted share of commits".into(),
                    value: crate::round2(100.0 * ai_commits as f64 / commits as f64),
                    unit: "%".into(),
                },
            ],
            evidence: top_evidence(evidence),
            sample,
        })
    }
}

// ---------------------------------------------------------------------------

pub struct AiUnhealthyExposure;

static EXPOSURE_DOC: Doc = Doc {
    title: "AI-assisted change in unhealthy code",
    measures: "How much more (in percentage points) of AI-assisted change lands in unhealthy \
        code than of other change.",
    why: "AI amplifies what it is pointed at: accelerating change in unhealthy hotspots \
        multiplies the friction those files already cost. Stabilise a hotspot before \
        accelerating it.",
    how: "For every file at the assessed commit with measured health that changed in the \
        window: AI-assisted revisions and other revisions (distinct commits). Value = share of \
        AI-assisted revisions in files with health below 9 (CodeScene's healthy band) minus the \
        same share of other revisions, in percentage points. The interval resamples files. Not \
        measured with fewer than 5 AI-assisted commits.",
    thresholds: "0 points or less → 100, 10 → 50, 25 or more → 0 (friction's choice; weight 0 \
        until calibrated).",
    sources: SOURCES,
};

impl crate::Signal for AiUnhealthyExposure {
    fn id(&self) -> &'static str {
        "ai-unhealthy-exposure"
    }
    fn family(&self) -> Family {
        Family::Delivery
    }
    fn weight(&self) -> f64 {
        0.0
    }
    fn unit(&self) -> &'static str {
        "percentage points"
    }
    fn doc(&self) -> &'static Doc {
        &EXPOSURE_DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &GAP
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::History, Input::Code]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        if let Some(why) = ctx.files_unknown() {
            return Outcome::NotMeasured(why);
        }
        if let Some(why) = too_few(ctx) {
            return Outcome::NotMeasured(why);
        }
        let mut per_file: BTreeMap<usize, Pair> = BTreeMap::new();
        let mut last: BTreeMap<usize, u32> = BTreeMap::new();
        for c in &ctx.data.changes[ctx.data.window_start()..] {
            let Some(i) = c.file.map(|i| i as usize) else {
                continue;
            };
            if !ctx.in_scope(i) || last.insert(i, c.commit) == Some(c.commit) {
                continue;
            }
            let Some(h) = ctx.health(i) else { continue };
            let unhealthy = if friction_model::health::Band::is_healthy(h) {
                0.0
            } else {
                1.0
            };
            let p = per_file.entry(i).or_default();
            if ctx.data.commits[c.commit as usize].ai {
                p.ai_num += unhealthy;
                p.ai_den += 1.0;
            } else {
                p.other_num += unhealthy;
                p.other_den += 1.0;
            }
        }
        // Exposure compares files with each other, so every file counts, not
        // only those both groups changed: a file only AI changed still says
        // where AI-assisted change lands.
        let totals = per_file.values().fold(Pair::default(), |a, p| Pair {
            ai_num: a.ai_num + p.ai_num,
            ai_den: a.ai_den + p.ai_den,
            other_num: a.other_num + p.other_num,
            other_den: a.other_den + p.other_den,
        });
        if totals.ai_den == 0.0 || totals.other_den == 0.0 {
            return Outcome::NotMeasured(
                "the window's AI-assisted or other changes touch no file with measured health"
                    .into(),
            );
        }
        let evidence = per_file
            .iter()
            .filter(|(_, p)| p.ai_num > 0.0)
            .map(|(i, p)| Evidence {
                kind: "file".into(),
                id: ctx.data.files[*i].path.clone(),
                value: p.ai_num,
                cite: None,
                label: "AI-assisted revisions in unhealthy code".into(),
            })
            .collect();
        let sample = Sample::Gap {
            a_num: per_file.values().map(|p| p.ai_num).collect(),
            a_den: per_file.values().map(|p| p.ai_den).collect(),
            b_num: per_file.values().map(|p| p.other_num).collect(),
            b_den: per_file.values().map(|p| p.other_den).collect(),
        };
        let Some(value) = sample.value(None) else {
            return Outcome::NotMeasured("nothing to compare".into());
        };
        Outcome::Measured(Measured {
            value,
            coverage: 1.0,
            figures: std::iter::once(Figure {
                name: "files compared".into(),
                value: per_file.len() as f64,
                unit: "files".into(),
            })
            .chain(rate_figures(
                &sample,
                "revisions in unhealthy code",
                "other change",
            ))
            .collect(),
            evidence: top_evidence(evidence),
            sample,
        })
    }
}

// ---------------------------------------------------------------------------

pub struct AiRework;

static REWORK_DOC: Doc = Doc {
    title: "Rework of AI-assisted lines",
    measures: "How much more (in percentage points) of the lines AI-assisted commits added is \
        rewritten within 21 days (`[ai] rework_days`) than of the lines other commits added to \
        the same files.",
    why: "Change that is fast to write but rewritten within days is effort spent twice; \
        GitClear reports churn rising with AI-assisted code. Comparing within the same files \
        keeps a tool used on easy files from looking better.",
    how: "As the `rework` signal, without line-level blame: a change deleting d lines of a file \
        to which other commits of the window added lines in the preceding rework_days reworks \
        min(d, those lines), shared between AI-assisted and other additions in proportion to \
        their size. Per file: reworked / added for both groups, over files both groups added \
        lines to in the window; value = AI-assisted rate minus other rate in percentage points. \
        The interval resamples files. Not measured with fewer than 5 AI-assisted commits.",
    thresholds: "0 points or less → 100, 10 → 50, 25 or more → 0 (friction's choice; weight 0 \
        until calibrated).",
    sources: SOURCES,
};

impl crate::Signal for AiRework {
    fn id(&self) -> &'static str {
        "ai-rework"
    }
    fn family(&self) -> Family {
        Family::Delivery
    }
    fn weight(&self) -> f64 {
        0.0
    }
    fn unit(&self) -> &'static str {
        "percentage points"
    }
    fn doc(&self) -> &'static Doc {
        &REWORK_DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &GAP
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::History]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        if let Some(why) = too_few(ctx) {
            return Outcome::NotMeasured(why);
        }
        let data = ctx.data;
        let horizon = i64::from(data.ai.rework_days) * DAY;
        // file key → recent in-window additions (time, commit, added, ai)
        let mut recent: BTreeMap<u32, Vec<(i64, u32, u64, bool)>> = BTreeMap::new();
        let mut per_file: BTreeMap<usize, Pair> = BTreeMap::new();
        for c in &data.changes[data.window_start()..] {
            let Some(i) = c.file.map(|i| i as usize) else {
                continue;
            };
            if !ctx.in_scope(i) {
                continue;
            }
            let commit = &data.commits[c.commit as usize];
            let q = recent.entry(c.key).or_default();
            q.retain(|(t, _, _, _)| *t >= commit.time - horizon);
            let (mut fresh_ai, mut fresh_other) = (0u64, 0u64);
            for (_, id, a, ai) in q.iter() {
                if *id != c.commit {
                    if *ai {
                        fresh_ai += a;
                    } else {
                        fresh_other += a;
                    }
                }
            }
            let fresh = fresh_ai + fresh_other;
            let p = per_file.entry(i).or_default();
            if fresh > 0 {
                let rework = c.deleted.min(fresh) as f64;
                p.ai_num += rework * fresh_ai as f64 / fresh as f64;
                p.other_num += rework * fresh_other as f64 / fresh as f64;
            }
            if commit.ai {
                p.ai_den += c.added as f64;
            } else {
                p.other_den += c.added as f64;
            }
            if c.added > 0 {
                q.push((commit.time, c.commit, c.added, commit.ai));
            }
        }
        compare(
            ctx,
            per_file,
            "AI-assisted lines rewritten within the rework horizon",
            |s| rate_figures(s, "lines reworked", "other change to the same files"),
            "no file had lines added by both AI-assisted and other commits in the window",
        )
    }
}

// ---------------------------------------------------------------------------

pub struct AiFixFollow;

static FIX_DOC: Doc = Doc {
    title: "Fixes following AI-assisted change",
    measures: "How much more often (in percentage points) a fix commit touches a file within 14 \
        days (`[ai] fix_follow_days`) after an AI-assisted change to it than after another \
        change to the same files.",
    why: "A change that needs a fix soon after shipped a defect. If AI-assisted change needs \
        more follow-up fixes than the other change of the same files, acceleration is being \
        paid for in reliability.",
    how: "For every change of the window whose follow-up period ends inside the window: \
        followed when a different defect-fix commit (as `defect-prone-code` counts them) changes \
        the same file within fix_follow_days. Per file: followed / changes for both groups, over \
        files both groups changed; value = AI-assisted rate minus other rate in percentage \
        points. The interval resamples files. Not measured with fewer than 5 AI-assisted commits.",
    thresholds: "0 points or less → 100, 10 → 50, 25 or more → 0 (friction's choice; weight 0 \
        until calibrated).",
    sources: SOURCES,
};

impl crate::Signal for AiFixFollow {
    fn id(&self) -> &'static str {
        "ai-fix-follow"
    }
    fn family(&self) -> Family {
        Family::Reliability
    }
    fn weight(&self) -> f64 {
        0.0
    }
    fn unit(&self) -> &'static str {
        "percentage points"
    }
    fn doc(&self) -> &'static Doc {
        &FIX_DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &GAP
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::History]
    }
    fn proxy(&self) -> bool {
        true
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        if let Some(why) = too_few(ctx) {
            return Outcome::NotMeasured(why);
        }
        let data = ctx.data;
        let follow = i64::from(data.ai.fix_follow_days) * DAY;
        let changes = &data.changes[data.window_start()..];
        // file key → times of fix commits (with the commit), ascending.
        let mut fixes: BTreeMap<u32, Vec<(i64, u32)>> = BTreeMap::new();
        for c in changes {
            let commit = &data.commits[c.commit as usize];
            if commit.fix {
                fixes
                    .entry(c.key)
                    .or_default()
                    .push((commit.time, c.commit));
            }
        }
        let mut per_file: BTreeMap<usize, Pair> = BTreeMap::new();
        for c in changes {
            let Some(i) = c.file.map(|i| i as usize) else {
                continue;
            };
            let commit = &data.commits[c.commit as usize];
            if !ctx.in_scope(i) || commit.time + follow > data.to {
                continue;
            }
            let followed = fixes.get(&c.key).is_some_and(|f| {
                let from = f.partition_point(|(t, _)| *t < commit.time);
                f[from..]
                    .iter()
                    .take_while(|(t, _)| *t <= commit.time + follow)
                    .any(|(_, id)| *id != c.commit)
            });
            let hit = if followed { 1.0 } else { 0.0 };
            let p = per_file.entry(i).or_default();
            if commit.ai {
                p.ai_num += hit;
                p.ai_den += 1.0;
            } else {
                p.other_num += hit;
                p.other_den += 1.0;
            }
        }
        compare(
            ctx,
            per_file,
            "AI-assisted changes a fix followed",
            |s| {
                rate_figures(
                    s,
                    "changes followed by a fix",
                    "other change to the same files",
                )
            },
            "no file was changed by both AI-assisted and other commits early enough in the window \
             for a follow-up fix to be seen",
        )
    }
}
