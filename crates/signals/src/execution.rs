//! Execution verification's signals (issue 19): the work reported done
//! checked against the history, read from the `execution` section the
//! application computed (`friction_analysis::execution`). Repository scope
//! only; without work items none is measured, and the Team execution driver
//! rests on its git signals with a lower coverage. Evidence names items (key
//! and title) and teams, never a person.

use friction_analysis::execution::{ExecutionVerification, ItemRef, TeamExecution};

use crate::{Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample};

/// Fewest items a share is computed from (friction's choice, as for
/// incidents: below five, one item moves the share by more than a band).
pub const MIN_ITEMS: u64 = 5;

/// Fewest judged weeks (of at least 3 linked commits) before a sustained
/// off-hours run means anything (friction's choice: a month of weeks).
pub const MIN_WEEKS: u64 = 4;

const HOWTO: &str = "no work items stored; `friction ingest` a Jira, GitHub or GitLab issues, \
    Linear or work-item CSV export (see README, Inputs beyond git)";

/// The section, when the scope is the repository and work items are stored;
/// else why not.
fn section<'a>(ctx: &Context<'a>) -> Result<&'a ExecutionVerification, &'static str> {
    if ctx.scope.kind != crate::ScopeKind::Repository {
        return Err(crate::ci::REPOSITORY_ONLY);
    }
    ctx.data.execution.as_ref().ok_or(HOWTO)
}

/// Share of the items whose category is known: the rest cannot be judged.
fn coverage(e: &ExecutionVerification) -> f64 {
    if e.items == 0 {
        return 0.0;
    }
    (e.items - e.unknown_category.min(e.items)) as f64 / e.items as f64
}

/// A ratio sample of `hits` units of 100 among `n` units.
fn share_sample(hits: u64, n: u64) -> Sample {
    let n = n.max(hits) as usize;
    let hits = hits as usize;
    let mut num = vec![100.0; hits];
    num.resize(n, 0.0);
    Sample::Ratio {
        num,
        den: vec![1.0; n],
    }
}

fn figure(name: &str, value: f64, unit: &str) -> Figure {
    Figure {
        name: name.into(),
        value,
        unit: unit.into(),
    }
}

/// The organisation's items with one of `findings`, as evidence.
fn items(o: &TeamExecution, findings: &[&str]) -> Vec<Evidence> {
    let evidence = o
        .findings
        .iter()
        .filter(|f| findings.contains(&f.finding.as_str()))
        .map(|f: &ItemRef| Evidence {
            kind: "work-item".into(),
            id: f.key.clone(),
            value: 1.0,
            label: format!("{}: {}", f.finding, f.title),
            cite: None,
        })
        .collect();
    crate::top_evidence(evidence)
}

/// A share of the organisation's items, `hits` of `of` (`what` they are),
/// in percent, with its figures and the items of `findings` behind it; at
/// least [`MIN_ITEMS`] of them.
fn share(
    e: &ExecutionVerification,
    what: &str,
    (hits, of): (u64, u64),
    figures: Vec<Figure>,
    findings: &[&str],
) -> Outcome {
    if of < MIN_ITEMS {
        return too_few(what, of);
    }
    let sample = share_sample(hits, of);
    Outcome::Measured(Measured {
        value: sample.value(None).unwrap_or(0.0),
        coverage: coverage(e),
        figures,
        evidence: items(&e.organisation, findings),
        sample,
    })
}

fn too_few(what: &str, n: u64) -> Outcome {
    Outcome::NotMeasured(format!(
        "{n} {what}; at least {MIN_ITEMS} are needed for a share"
    ))
}

/// Findings that leave an item reported done unverified.
const UNVERIFIED: [&str; 5] = [
    "ghost",
    "reverted",
    "unmerged",
    "not-deployed",
    "unverified",
];

// ---------------------------------------------------------------------------

pub struct VerifiedCompletion;

static VERIFIED_DOC: Doc = Doc {
    title: "Verified completion",
    measures: "The share of the work items reported done (and needing code) that have a linked \
        change merged to the default branch and not reverted — and deployed, when deployments \
        are known.",
    why: "Organisations fail silently when work is reported done but is not: the plan and the \
        product drift apart, and the gap surfaces late as rework, missed dates and lost trust. \
        Checking the tracker against the history is the cheapest objective test of reported \
        progress.",
    how: "Items are linked to commits by keys in messages and branch names (`PROJ-123`, `#12`, \
        `owner/name#12`, closing keywords, `[execution] key_patterns`), to pull requests by \
        title and head branch, and to what the tracker itself links. Items reported done are \
        those whose status category is done, minus not-delivered resolutions (won't do, \
        duplicate, …) and types or labels needing no code (`no_code_types`, \
        `no_code_labels`). Value = verified / reported done, in percent. Coverage is the \
        share of items whose status has a known category. Repository scope; at least 5 items \
        reported done.",
    thresholds: "Linear, friction's choice (no published benchmark): 95 % or more → 100 (the \
        odd item closed by a change the keys do not name), 85 % → 75, 70 % → 50 (one done item \
        in three without evidence), 40 % or less → 0.",
    sources: &[
        "Śliwerski, Zimmermann, Zeller, \"When do changes induce fixes?\", MSR 2005: linking issues to commits by keys in messages",
        "Bird et al., \"Fair and balanced? Bias in bug-fix datasets\", ESEC/FSE 2009: unlinked work and what it hides",
        "issue 19 of this project: work reported done against the evidence",
    ],
};

static VERIFIED_CURVE: Curve =
    Curve::linear(&[(40.0, 0.0), (70.0, 50.0), (85.0, 75.0), (95.0, 100.0)]);

impl crate::Signal for VerifiedCompletion {
    fn id(&self) -> &'static str {
        "verified-completion"
    }
    fn family(&self) -> Family {
        Family::TeamExecution
    }
    fn weight(&self) -> f64 {
        0.15
    }
    fn unit(&self) -> &'static str {
        "% of items done"
    }
    fn doc(&self) -> &'static Doc {
        &VERIFIED_DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &VERIFIED_CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::WorkItems, Input::History]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        let e = match section(ctx) {
            Ok(e) => e,
            Err(why) => return Outcome::NotMeasured(why.into()),
        };
        let o = &e.organisation;
        share(
            e,
            "items reported done that need code",
            (o.verified, o.reported_done),
            vec![
                figure("items reported done", o.reported_done as f64, "items"),
                figure("verified", o.verified as f64, "items"),
                figure("no linked change (ghosts)", o.ghosts as f64, "items"),
                figure(
                    "linked only to reverted, unmerged or undeployed changes",
                    o.unverified_linked as f64,
                    "items",
                ),
            ],
            &UNVERIFIED,
        )
    }
}

// ---------------------------------------------------------------------------

pub struct GhostCompletions;

static GHOST_DOC: Doc = Doc {
    title: "Ghost completions",
    measures: "The share of the work items reported done (and needing code) with no linked \
        change at all: no commit, pull request or tracker link names them.",
    why: "A done item with no trace in the code was either done elsewhere, done without \
        saying so, or not done. Each is a blind spot: the plan cannot be checked against the \
        product, and the item's cost and risk are invisible to everyone who reads the tracker.",
    how: "As verified completion's linking; an item is a ghost when nothing links it (an item \
        linked only to a reverted or unmerged change is unverified but not a ghost). Value = \
        ghosts / items reported done that need code, in percent. Repository scope; at least 5 \
        items reported done.",
    thresholds: "Linear, friction's choice: 5 % or less → 100, 10 % → 75, 20 % → 50, 40 % or \
        more → 0 (more done items without a trace than a team can explain item by item).",
    sources: &[
        "Bird et al., \"Fair and balanced? Bias in bug-fix datasets\", ESEC/FSE 2009",
        "Bachmann et al., \"The missing links: bugs and bug-fix commits\", FSE 2010",
    ],
};

static GHOST_CURVE: Curve = Curve::linear(&[(5.0, 100.0), (10.0, 75.0), (20.0, 50.0), (40.0, 0.0)]);

impl crate::Signal for GhostCompletions {
    fn id(&self) -> &'static str {
        "ghost-completions"
    }
    fn family(&self) -> Family {
        Family::TeamExecution
    }
    fn weight(&self) -> f64 {
        0.1
    }
    fn unit(&self) -> &'static str {
        "% of items done"
    }
    fn doc(&self) -> &'static Doc {
        &GHOST_DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &GHOST_CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::WorkItems, Input::History]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        let e = match section(ctx) {
            Ok(e) => e,
            Err(why) => return Outcome::NotMeasured(why.into()),
        };
        let o = &e.organisation;
        share(
            e,
            "items reported done that need code",
            (o.ghosts, o.reported_done),
            vec![
                figure("items reported done", o.reported_done as f64, "items"),
                figure("ghosts", o.ghosts as f64, "items"),
                figure("done needing no code (left out)", e.no_code as f64, "items"),
            ],
            &["ghost"],
        )
    }
}

// ---------------------------------------------------------------------------

pub struct StaleInProgress;

static STALE_DOC: Doc = Doc {
    title: "Stale in-progress work",
    measures: "The share of the work items in progress that have been so for longer than \
        `stale_days` (14) without a linked commit.",
    why: "Work in progress that does not move is capacity spent without return: it holds \
        context in people's heads, blocks what depends on it and hides that the plan no \
        longer holds. Kanban limits and ages work in progress for this reason; by Little's law \
        old work in progress is long lead time.",
    how: "Items whose status category is in progress; an item is stale when both its last \
        move into progress and its last linked commit lie more than `[execution] stale_days` \
        (default 14) before the end of the assessed history. Value = stale / in progress, in \
        percent. Repository scope; at least 5 items in progress.",
    thresholds: "Linear, friction's choice: 10 % or less → 100, 25 % → 75, 50 % → 50 (half \
        the work in progress idle for two weeks), 80 % or more → 0.",
    sources: &[
        "Anderson, Kanban: Successful Evolutionary Change for Your Technology Business (2010): limiting and ageing work in progress",
        "Little, \"A proof for the queuing formula L = λW\", Operations Research 1961",
    ],
};

static STALE_CURVE: Curve =
    Curve::linear(&[(10.0, 100.0), (25.0, 75.0), (50.0, 50.0), (80.0, 0.0)]);

impl crate::Signal for StaleInProgress {
    fn id(&self) -> &'static str {
        "stale-in-progress"
    }
    fn family(&self) -> Family {
        Family::TeamExecution
    }
    fn weight(&self) -> f64 {
        0.05
    }
    fn unit(&self) -> &'static str {
        "% of items in progress"
    }
    fn doc(&self) -> &'static Doc {
        &STALE_DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &STALE_CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::WorkItems, Input::History]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        let e = match section(ctx) {
            Ok(e) => e,
            Err(why) => return Outcome::NotMeasured(why.into()),
        };
        let o = &e.organisation;
        share(
            e,
            "items in progress",
            (o.stale, o.in_progress),
            vec![
                figure("items in progress", o.in_progress as f64, "items"),
                figure("stale", o.stale as f64, "items"),
            ],
            &["stale"],
        )
    }
}

// ---------------------------------------------------------------------------

pub struct ReopenChurn;

static REOPEN_DOC: Doc = Doc {
    title: "Reopen churn and status-flow anomalies",
    measures: "Items moved from done back to another status, and items that reached done \
        without ever being in progress, per 100 work items.",
    why: "A reopened item was reported done too early: the work comes back as rework and the \
        progress reported before was not real. An item that jumps to done without being in \
        progress says the tracker is updated after the fact, so its flow (and every figure \
        read from it) describes bookkeeping rather than work.",
    how: "From each item's changelog: reopened = an item with at least one move from a done \
        status to another; done without progress = an item reported done with a changelog \
        that never entered an in-progress status (GitHub and GitLab issues, which have no \
        such status, are not counted). Value = (reopened + done without progress) / items × \
        100. Repository scope; at least 5 items.",
    thresholds: "Linear, friction's choice: 5 or fewer per 100 → 100, 10 → 75, 20 → 50, 40 or \
        more → 0.",
    sources: &[
        "Shihab et al., \"Predicting re-opened bugs: a case study on the Eclipse project\", WCRE 2010",
        "Zimmermann et al., \"Characterizing and predicting which bugs get reopened\", ICSE 2012",
    ],
};

static REOPEN_CURVE: Curve =
    Curve::linear(&[(5.0, 100.0), (10.0, 75.0), (20.0, 50.0), (40.0, 0.0)]);

impl crate::Signal for ReopenChurn {
    fn id(&self) -> &'static str {
        "reopen-churn"
    }
    fn family(&self) -> Family {
        Family::TeamExecution
    }
    fn weight(&self) -> f64 {
        0.05
    }
    fn unit(&self) -> &'static str {
        "per 100 items"
    }
    fn doc(&self) -> &'static Doc {
        &REOPEN_DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &REOPEN_CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::WorkItems]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        let e = match section(ctx) {
            Ok(e) => e,
            Err(why) => return Outcome::NotMeasured(why.into()),
        };
        let o = &e.organisation;
        if o.items < MIN_ITEMS {
            return too_few("work items", o.items);
        }
        let anomalies = o.reopened + o.skipped_progress;
        let n = o.items.max(anomalies) as usize;
        let mut num = vec![100.0; anomalies as usize];
        num.resize(n, 0.0);
        let mut den = vec![1.0; o.items as usize];
        den.resize(n, 0.0);
        let sample = Sample::Ratio { num, den };
        let value = sample.value(None).unwrap_or(0.0);
        let mut figures = vec![
            figure("work items", o.items as f64, "items"),
            figure("reopened", o.reopened as f64, "items"),
            figure("moves from done back", o.reopens as f64, "moves"),
            figure("done without progress", o.skipped_progress as f64, "items"),
        ];
        if let Some(days) = o.cycle_days {
            figures.push(figure(
                "median cycle time (in progress → done)",
                crate::round2(days),
                "days",
            ));
        }
        Outcome::Measured(Measured {
            value,
            coverage: coverage(e),
            figures,
            evidence: items(o, &["reopened", "skipped-progress"]),
            sample,
        })
    }
}

// ---------------------------------------------------------------------------

pub struct ExecutionRisk;

static RISK_DOC: Doc = Doc {
    title: "Execution risk",
    measures: "The estimated probability that an item reported done is not done, for the team \
        where it is highest (the organisation when no team is shown on its own).",
    why: "Verified completion is a raw share; a team with few items can look perfect or \
        hopeless by chance. The posterior shrinks each team towards the organisation by as \
        much as its evidence is thin, so the highest estimate points at a team whose reported \
        progress is least trustworthy, not at the smallest team.",
    how: "Per team (teams of at least 5 contributors; smaller ones merged into `other`): a \
        Beta-binomial posterior of the unverified share of its items reported done, with the \
        organisation's pooled rate as the prior mean and a strength estimated from how much \
        the teams differ (method of moments, 2 to 100 pseudo-items; 10 with fewer than three \
        teams). Value = the highest posterior mean, in percent; the evidence lists each team's \
        estimate with its 90 % credible interval and the unverified items behind it. \
        Repository scope; at least one item reported done.",
    thresholds: "Linear, friction's choice, one band stricter than verified completion's \
        because the estimate is already shrunk: 5 % or less → 100, 15 % → 75, 30 % → 50, 60 % \
        or more → 0.",
    sources: &[
        "Gelman et al., Bayesian Data Analysis, 3rd ed. (2013), ch. 5: hierarchical Beta-binomial models with an estimated prior",
        "Efron and Morris, \"Data analysis using Stein's estimator and its generalizations\", JASA 1975",
    ],
};

static RISK_CURVE: Curve = Curve::linear(&[(5.0, 100.0), (15.0, 75.0), (30.0, 50.0), (60.0, 0.0)]);

impl crate::Signal for ExecutionRisk {
    fn id(&self) -> &'static str {
        "execution-risk"
    }
    fn family(&self) -> Family {
        Family::TeamExecution
    }
    fn weight(&self) -> f64 {
        0.1
    }
    fn unit(&self) -> &'static str {
        "% probability"
    }
    fn doc(&self) -> &'static Doc {
        &RISK_DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &RISK_CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::WorkItems, Input::History]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        let e = match section(ctx) {
            Ok(e) => e,
            Err(why) => return Outcome::NotMeasured(why.into()),
        };
        let groups: Vec<&TeamExecution> = if e.teams.is_empty() {
            vec![&e.organisation]
        } else {
            e.teams.iter().collect()
        };
        let estimated: Vec<(&TeamExecution, friction_analysis::execution::Estimate)> = groups
            .into_iter()
            .filter_map(|t| t.risk.map(|r| (t, r)))
            .collect();
        let Some(&(worst, risk)) = estimated
            .iter()
            .max_by(|a, b| a.1.mean.total_cmp(&b.1.mean).then(b.0.team.cmp(&a.0.team)))
        else {
            return Outcome::NotMeasured("no item reported done that needs code".into());
        };
        let evidence = estimated
            .iter()
            .map(|(t, r)| {
                let unverified: Vec<String> = t
                    .findings
                    .iter()
                    .filter(|f| UNVERIFIED.contains(&f.finding.as_str()))
                    .take(5)
                    .map(|f| format!("{} {}", f.key, f.title))
                    .collect();
                Evidence {
                    kind: "team".into(),
                    id: t.team.clone(),
                    value: crate::round2(r.mean * 100.0),
                    label: format!(
                        "% estimated not done (90 % interval {:.0}–{:.0} %), {} of {} reported \
                         done unverified",
                        r.low * 100.0,
                        r.high * 100.0,
                        t.reported_done - t.verified,
                        t.reported_done
                    ),
                    cite: (!unverified.is_empty()).then(|| unverified.join("; ")),
                }
            })
            .collect();
        let mut figures = vec![
            figure(
                &format!("{}: 90 % interval, low", worst.team),
                crate::round2(risk.low * 100.0),
                "%",
            ),
            figure(
                &format!("{}: 90 % interval, high", worst.team),
                crate::round2(risk.high * 100.0),
                "%",
            ),
            figure(
                "prior strength",
                crate::round2(e.prior.alpha + e.prior.beta),
                "pseudo-items",
            ),
        ];
        if let Some(r) = e.organisation.risk {
            figures.push(figure(
                "organisation",
                crate::round2(r.mean * 100.0),
                "% probability",
            ));
        }
        Outcome::Measured(Measured {
            value: risk.mean * 100.0,
            coverage: coverage(e),
            figures,
            evidence: crate::top_evidence(evidence),
            sample: Sample::Fixed,
        })
    }
}

// ---------------------------------------------------------------------------

pub struct OffHoursLoad;

static OFF_HOURS_DOC: Doc = Doc {
    title: "Sustained off-hours load",
    measures: "The longest run of consecutive weeks in which more than a quarter of a team's \
        linked commits (and the CI runs started by hand on them) were made outside working \
        hours or at weekends, in each author's own time zone — for the team where it is \
        longest.",
    why: "Work that keeps spilling into evenings and weekends is capacity borrowed from \
        recovery: sustained, it predicts burnout, mistakes and departures. A late fix before a \
        release is normal; weeks of it are a plan that does not fit the team.",
    how: "The commits linked to a team's items, by the author's local time (the commit's own \
        UTC offset), and the CI runs a person started by hand on those commits (GitHub \
        `workflow_dispatch`, GitLab `web`, from the ingested CI exports), at the commit's \
        offset — the export does not give the person's zone: outside `[execution] work_hours` \
        (default 8–19) or on Saturday or Sunday. Weeks with at least 3 such commits and runs \
        are judged; a week is an off-hours week when more than 25 % of them are outside. Value = the longest consecutive run of off-hours \
        weeks among the teams shown (the organisation's when none is). Team level only: no \
        person's hours are shown. Repository scope; at least 4 judged weeks.",
    thresholds: "Linear, friction's choice: 2 weeks or fewer → 100 (a release crunch), 4 → 75, \
        8 → 50 (two months), 16 or more → 0 (a season).",
    sources: &[
        "Claes et al., \"Do programmers work at night or during the weekend?\", ICSE 2018: commit timestamps in the author's time zone",
        "Beck, Extreme Programming Explained (1999): sustainable pace",
        "Forsgren, Humble, Kim, Accelerate (2018), ch. 9: burnout and its predictors",
    ],
};

static OFF_HOURS_CURVE: Curve =
    Curve::linear(&[(2.0, 100.0), (4.0, 75.0), (8.0, 50.0), (16.0, 0.0)]);

impl crate::Signal for OffHoursLoad {
    fn id(&self) -> &'static str {
        "off-hours-load"
    }
    fn family(&self) -> Family {
        Family::TeamExecution
    }
    fn weight(&self) -> f64 {
        0.05
    }
    fn unit(&self) -> &'static str {
        "weeks"
    }
    fn doc(&self) -> &'static Doc {
        &OFF_HOURS_DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &OFF_HOURS_CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::WorkItems, Input::History]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        let e = match section(ctx) {
            Ok(e) => e,
            Err(why) => return Outcome::NotMeasured(why.into()),
        };
        let groups: Vec<&TeamExecution> = if e.teams.is_empty() {
            vec![&e.organisation]
        } else {
            e.teams.iter().collect()
        };
        let judged: Vec<(&TeamExecution, &friction_analysis::execution::OffHours)> = groups
            .into_iter()
            .filter_map(|t| t.off_hours.as_ref().map(|o| (t, o)))
            .filter(|(_, o)| o.weeks >= MIN_WEEKS)
            .collect();
        let Some(&(worst, off)) = judged.iter().max_by(|a, b| {
            a.1.sustained_weeks
                .cmp(&b.1.sustained_weeks)
                .then(b.0.team.cmp(&a.0.team))
        }) else {
            return Outcome::NotMeasured(format!(
                "no team has {MIN_WEEKS} weeks with at least 3 linked commits"
            ));
        };
        let evidence = judged
            .iter()
            .map(|(t, o)| Evidence {
                kind: "team".into(),
                id: t.team.clone(),
                value: o.sustained_weeks as f64,
                label: format!(
                    "consecutive off-hours weeks; {:.0} % of {} linked commits{} off hours, {} \
                     weeks judged",
                    o.share * 100.0,
                    o.commits,
                    if o.manual_runs > 0 {
                        format!(" and {} manual CI runs", o.manual_runs)
                    } else {
                        String::new()
                    },
                    o.weeks
                ),
                cite: None,
            })
            .collect();
        Outcome::Measured(Measured {
            value: off.sustained_weeks as f64,
            coverage: coverage(e),
            figures: vec![
                figure(
                    &format!("{}: off-hours share", worst.team),
                    crate::round2(off.share * 100.0),
                    "% of linked commits",
                ),
                figure(
                    &format!("{}: judged weeks", worst.team),
                    off.weeks as f64,
                    "weeks",
                ),
            ],
            evidence: crate::top_evidence(evidence),
            sample: Sample::Fixed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Signal;
    use crate::dora::fixture::{FROM, data, measure, measure_component, measured, reason};
    use friction_analysis::execution::{Commit, Item, Settings, verify};

    const DAY: i64 = 86_400;

    fn item(key: &str, category: &str) -> Item {
        Item {
            source: "jira".into(),
            key: key.into(),
            title: format!("Title of {key}"),
            kind: "Story".into(),
            category: category.into(),
            resolution: if category == "done" { "Done" } else { "" }.into(),
            project: "PAY".into(),
            team_field: "payments".into(),
            created_at: Some(FROM),
            ..Item::default()
        }
    }

    /// Team `payments`, five authors: PAY-1…PAY-5 done with a change, PAY-6 done
    /// with a reverted change only, PAY-7 and PAY-8 done with nothing; PAY-9 and
    /// PAY-10 in progress.
    fn section() -> ExecutionVerification {
        let mut items: Vec<Item> = (1..=8).map(|n| item(&format!("PAY-{n}"), "done")).collect();
        items.push(item("PAY-9", "indeterminate"));
        items.push(item("PAY-10", "indeterminate"));
        let mut commits: Vec<Commit> = (1..=6)
            .map(|n| Commit {
                id: format!("{n:040}"),
                time: FROM + n * DAY,
                author: format!("person{}@example.com", n % 5),
                message: format!("PAY-{n}: the change"),
                ..Commit::default()
            })
            .collect();
        commits[5].reverted = true;
        verify(
            &items,
            &commits,
            &[],
            &|_| None,
            &Settings::default(),
            FROM + 30 * DAY,
        )
    }

    fn with_section(e: Option<ExecutionVerification>) -> crate::Data {
        let mut d = data(365, &[]);
        d.execution = e;
        d
    }

    #[test]
    fn verified_completion_is_the_share_of_done_items_with_an_unreverted_change() {
        let d = with_section(Some(section()));
        let m = measured(measure(&VerifiedCompletion, &d));
        assert!((m.value - 100.0 * 5.0 / 8.0).abs() < 1e-9, "{}", m.value);
        let keys: Vec<&str> = m.evidence.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(keys, ["PAY-6", "PAY-7", "PAY-8"]);
        assert_eq!(m.evidence[0].label, "reverted: Title of PAY-6");
        assert_eq!(m.coverage, 1.0);
    }

    #[test]
    fn ghost_completions_name_the_done_items_nothing_links() {
        let d = with_section(Some(section()));
        let m = measured(measure(&GhostCompletions, &d));
        assert!((m.value - 25.0).abs() < 1e-9, "{}", m.value);
        let keys: Vec<&str> = m.evidence.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(keys, ["PAY-7", "PAY-8"]);
    }

    #[test]
    fn execution_risk_is_the_posterior_of_the_team_with_the_organisation_as_prior() {
        let d = with_section(Some(section()));
        let m = measured(measure(&ExecutionRisk, &d));
        // One team: the prior is the pooled rate 3/8 with strength 10.
        let (alpha, beta) = (3.0 / 8.0 * 10.0, 5.0 / 8.0 * 10.0);
        let expected = 100.0 * (alpha + 3.0) / (alpha + beta + 8.0);
        assert!(
            (m.value - expected).abs() < 1e-9,
            "{} vs {expected}",
            m.value
        );
        assert_eq!(m.evidence[0].kind, "team");
        assert_eq!(m.evidence[0].id, "payments");
        let cite = m.evidence[0].cite.as_deref().unwrap_or_default();
        assert!(cite.contains("PAY-7 Title of PAY-7"), "{cite}");
    }

    #[test]
    fn too_few_items_in_progress_leave_stale_work_not_measured() {
        let d = with_section(Some(section()));
        assert!(reason(measure(&StaleInProgress, &d)).starts_with("2 items in progress"));
    }

    #[test]
    fn no_output_names_an_author() {
        let d = with_section(Some(section()));
        for s in EXECUTION {
            if let Outcome::Measured(m) = measure(s, &d) {
                let text = format!("{:?} {:?}", m.figures, m.evidence);
                assert!(!text.contains("person"), "{}: {text}", s.id());
            }
        }
    }

    const EXECUTION: [&dyn Signal; 6] = [
        &VerifiedCompletion,
        &GhostCompletions,
        &StaleInProgress,
        &ReopenChurn,
        &ExecutionRisk,
        &OffHoursLoad,
    ];

    #[test]
    fn without_work_items_or_outside_the_repository_scope_nothing_is_measured() {
        let none = with_section(None);
        let some = with_section(Some(section()));
        for s in EXECUTION {
            assert!(
                reason(measure(s, &none)).contains("friction ingest"),
                "{}",
                s.id()
            );
            assert_eq!(
                reason(measure_component(s, &some)),
                crate::ci::REPOSITORY_ONLY,
                "{}",
                s.id()
            );
        }
    }
}
