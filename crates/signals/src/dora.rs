//! What the DORA and lead-time signals share: the repository-scope rule, the
//! commands that produce their inputs, hour figures, DORA's clusters, and the
//! production deployments that required immediate intervention (read by both
//! the change failure rate and the failed-deployment recovery time).

use crate::delivery::{Cite, Delivery, Deploy, DeployResult};
use crate::{Context, Data, Evidence, Figure};

pub(crate) const HOUR: f64 = 3600.0;
pub(crate) const DAY: i64 = 86_400;

/// A successful production deployment this soon after the previous one
/// that ships only fix commits is a hotfix of it: DORA's "immediate
/// intervention" read as one day (friction's choice).
pub(crate) const HOTFIX_HOURS: i64 = 24;

/// A revert authored this soon after the deployment that shipped the
/// reverted commit marks that deployment failed (friction's choice: within
/// a week a revert answers a problem the deployment caused; later ones are
/// ordinary changes of mind).
pub(crate) const REVERT_DAYS: i64 = 7;

/// An incident of the repository's services starting this soon after a
/// successful production deployment (the last one before it) marks that
/// deployment failed: DORA's "deployments that require immediate
/// intervention" read as DevLake links incidents to deployments (the last
/// successful production deployment before the incident), bounded to the
/// day after it, as the hotfix rule is (friction's choice: later incidents
/// are no longer "immediate").
pub const CHANGE_INCIDENT_HOURS: i64 = 24;

/// Fewer decided production deployments than this in the window give no
/// change failure rate (friction's choice: below five, one failure moves
/// the rate by more than a DORA band is wide).
pub(crate) const MIN_DEPLOYS: usize = 5;

pub(crate) const DEPLOYS_HOWTO: &str = "ingest a deployment export with `friction ingest` \
    (`gh api --paginate 'repos/OWNER/REPO/deployments?per_page=100' > deployments.json` and \
    each deployment's statuses, `…/deployments/ID/statuses`; or releases, \
    `…/releases?per_page=100`), or set `[inputs] deploy_tags` to count release tags";

pub(crate) const PULLS_HOWTO: &str = "ingest the pull requests with their reviews and commits \
    with `friction ingest` (`gh api --paginate 'repos/OWNER/REPO/pulls?state=all&per_page=100' \
    > pulls.json`, `…/pulls/N/reviews`, `…/pulls/N/commits`, or DevLake's raw tables)";

/// What a delivery signal reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reads {
    Deployments,
    PullRequests,
}

/// The delivery facts when the scope is the repository and they hold what
/// the signal reads; else why not (the same words whether no export at all
/// or only other kinds were ingested, so unrelated inputs change nothing).
pub(crate) fn repository_facts<'a>(
    ctx: &Context<'a>,
    reads: Reads,
) -> Result<&'a Delivery, String> {
    match reads {
        Reads::Deployments => crate::ci::repository_facts(
            ctx,
            |d| !d.deploys.is_empty(),
            "deployments",
            DEPLOYS_HOWTO,
        ),
        Reads::PullRequests => {
            crate::ci::repository_facts(ctx, |d| !d.pulls.is_empty(), "pull requests", PULLS_HOWTO)
        }
    }
}

/// The facts a delivery signal measures from, or its outcome without
/// them: not measured (see [`repository_facts`]), or the what-if value a
/// roadmap step sets.
pub(crate) fn facts_or<'a>(
    ctx: &Context<'a>,
    id: &str,
    reads: Reads,
) -> Result<&'a Delivery, Box<crate::Outcome>> {
    let d =
        repository_facts(ctx, reads).map_err(|why| Box::new(crate::Outcome::NotMeasured(why)))?;
    match ctx.value_override(id) {
        Some(v) => Err(Box::new(crate::Outcome::Measured(crate::ci::what_if(v)))),
        None => Ok(d),
    }
}

/// `n thing` / `n things`.
pub(crate) fn count(n: usize, thing: &str) -> String {
    format!("{n} {thing}{}", if n == 1 { "" } else { "s" })
}

/// A figure rounded to two decimals.
pub(crate) fn figure(name: &str, value: f64, unit: &str) -> Figure {
    crate::ci::figure(name, crate::round2(value), unit)
}

/// `NAME p50` and `NAME p75` in hours, when there are values.
pub(crate) fn hour_quantiles(name: &str, hours: &[f64]) -> Vec<Figure> {
    let mut v = hours.to_vec();
    let mut out = Vec::new();
    for (q, label) in [(0.5, "p50"), (0.75, "p75")] {
        if let Some(x) = crate::quantile(&mut v, q) {
            out.push(figure(&format!("{name} {label}"), x, "hours"));
        }
    }
    out
}

/// A DORA cluster, 1 (elite) to 4 (low), as a figure; `by` names the
/// benchmark (`DORA 2024`, `DevLake 2023`).
pub(crate) fn cluster_figure(by: &str, cluster: u8) -> Figure {
    let name = ["elite", "high", "medium", "low"][usize::from(cluster.clamp(1, 4) - 1)];
    Figure {
        name: format!("{by} cluster (1 elite … 4 low)"),
        value: f64::from(cluster),
        unit: name.into(),
    }
}

/// The figure that says deployments were inferred from tags or releases.
pub(crate) fn inferred_figure(d: &Delivery, deploys: usize) -> Option<Figure> {
    d.deploys_inferred.then(|| {
        figure(
            "deployments inferred from release tags (no deployment export)",
            deploys as f64,
            "deployments",
        )
    })
}

pub(crate) fn evidence(
    kind: &str,
    id: String,
    value: f64,
    label: &str,
    cite: Option<String>,
) -> Evidence {
    Evidence {
        kind: kind.into(),
        id,
        value: crate::round2(value),
        label: label.into(),
        cite,
    }
}

pub(crate) fn cite(d: &Delivery, c: Option<Cite>) -> Option<String> {
    c.map(|c| d.cite(c))
}

/// The deployment's record, and for a change-caused incident the
/// incidents' records too.
pub(crate) fn judged_cite(d: &Delivery, x: &Judged<'_>) -> Option<String> {
    let mut parts: Vec<String> = cite(d, x.deploy.cite).into_iter().collect();
    if x.failure == Some(Failure::Incident) {
        parts.extend(
            x.incidents
                .iter()
                .map(|i| format!("{} ({})", i.label(), d.cite(i.cite))),
        );
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Why a production deployment required immediate intervention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Its own latest status says it failed.
    Failed,
    /// The next production deployment shipped a commit an earlier
    /// deployment had already shipped (a rollback).
    RolledBack,
    /// A commit it shipped was reverted within [`REVERT_DAYS`].
    Reverted,
    /// The next production deployment came within [`HOTFIX_HOURS`] and
    /// shipped only fix commits.
    Hotfixed,
    /// An incident of the repository's services began within
    /// [`CHANGE_INCIDENT_HOURS`] of it, before the next deployment.
    Incident,
}

impl Failure {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Failure::Failed => "failed deployment",
            Failure::RolledBack => "deployment rolled back",
            Failure::Reverted => "deployment's change reverted",
            Failure::Hotfixed => "deployment hotfixed",
            Failure::Incident => "incident after the deployment",
        }
    }
}

/// The window's production deployments with a decided outcome, each with
/// why it required intervention (if it did) and when a successful
/// deployment restored service (if one did).
pub(crate) struct Judged<'a> {
    pub deploy: &'a Deploy,
    pub failure: Option<Failure>,
    pub restored: Option<i64>,
    /// The previous decided production deployment failed too: one episode.
    pub continues_failure: bool,
    /// Incidents that began within [`CHANGE_INCIDENT_HOURS`] after it and
    /// before the next production deployment (whatever else it failed by).
    pub incidents: Vec<&'a crate::incidents::Incident>,
}

/// What [`judge`] found, with the deployments it left out.
pub(crate) struct Judgement<'a> {
    pub judged: Vec<Judged<'a>>,
    /// Production deployments of the window still in progress.
    pub in_progress: usize,
    /// Production deployments of the window whose status is unknown or
    /// inactive (replaced before it finished): neither success nor failure.
    pub undecided: usize,
}

impl Judgement<'_> {
    /// The deployments left out, and whether they were inferred from tags.
    pub(crate) fn left_out_figures(&self, d: &Delivery) -> Vec<Figure> {
        let mut v = vec![
            figure(
                "left out: in progress",
                self.in_progress as f64,
                "deployments",
            ),
            figure(
                "left out: unknown or inactive status",
                self.undecided as f64,
                "deployments",
            ),
        ];
        v.extend(inferred_figure(d, self.judged.len()));
        v
    }
}

/// Judges the window's production deployments (see [`Failure`]).
/// Deployments before the window serve only as the earlier deployments a
/// rollback returns to.
pub(crate) fn judge<'a>(data: &Data, d: &'a Delivery) -> Judgement<'a> {
    let production: Vec<&Deploy> = d.deploys.iter().filter(|x| x.production).collect();
    let mut in_progress = 0;
    let mut undecided = 0;
    for x in production.iter().filter(|x| x.time >= data.from) {
        match x.result {
            DeployResult::InProgress => in_progress += 1,
            DeployResult::Unknown | DeployResult::Inactive => undecided += 1,
            DeployResult::Success | DeployResult::Failure => {}
        }
    }
    let decided: Vec<&Deploy> = production
        .into_iter()
        .filter(|x| matches!(x.result, DeployResult::Success | DeployResult::Failure))
        .collect();
    let commit_of: std::collections::HashMap<&str, usize> = data
        .commits
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let deployed = |sha: &str| -> Option<i64> {
        commit_of
            .get(sha)
            .and_then(|&i| d.commit_deployed.get(i).copied().flatten())
    };
    let reverted = reverted_deploys(data, d);
    let window = CHANGE_INCIDENT_HOURS * 3600;
    let mut judged = Vec::new();
    for (i, x) in decided.iter().enumerate() {
        if x.time < data.from {
            continue;
        }
        let next_success = decided[i + 1..]
            .iter()
            .find(|n| n.result == DeployResult::Success);
        let continues_failure = x.result == DeployResult::Failure
            && i > 0
            && decided[i - 1].result == DeployResult::Failure;
        let (failure, restored) = if x.result == DeployResult::Failure {
            (Some(Failure::Failed), next_success.map(|n| n.time))
        } else {
            match decided
                .get(i + 1)
                .filter(|n| n.result == DeployResult::Success)
            {
                Some(n) if rolls_back(x, n, &decided[..i], deployed) => {
                    (Some(Failure::RolledBack), Some(n.time))
                }
                _ if reverted.contains_key(&x.time) => (Some(Failure::Reverted), reverted[&x.time]),
                Some(n) if hotfixes(data, d, x, n) => (Some(Failure::Hotfixed), Some(n.time)),
                _ => (None, None),
            }
        };
        // Incidents of the day after it, before the next production deployment.
        let next = decided.get(i + 1).map(|n| n.time);
        let incidents: Vec<&crate::incidents::Incident> = d
            .incidents
            .iter()
            .filter(|c| {
                c.started >= x.time
                    && c.started - x.time <= window
                    && next.is_none_or(|n| c.started < n)
            })
            .collect();
        let (failure, restored) = match failure {
            None if x.result == DeployResult::Success && !incidents.is_empty() => {
                // Service is restored when every such incident is resolved.
                let restored = incidents
                    .iter()
                    .map(|c| c.resolved)
                    .try_fold(x.time, |a, r| r.map(|r| a.max(r)));
                (Some(Failure::Incident), restored)
            }
            other => (other, restored),
        };
        judged.push(Judged {
            deploy: x,
            failure,
            restored,
            continues_failure,
            incidents,
        });
    }
    Judgement {
        judged,
        in_progress,
        undecided,
    }
}

/// `next` returns to a commit shipped before `x`: an earlier deployment
/// deployed it, or the first deployment containing it came before `next`.
fn rolls_back(
    x: &Deploy,
    next: &Deploy,
    earlier: &[&Deploy],
    deployed: impl Fn(&str) -> Option<i64>,
) -> bool {
    if next.sha.is_empty() || next.sha == x.sha {
        return false;
    }
    earlier
        .iter()
        .any(|e| e.result == DeployResult::Success && e.sha == next.sha)
        || deployed(&next.sha).is_some_and(|t| t <= x.time)
}

/// Deployment time → when service was restored (the first successful
/// production deployment containing the revert, if any), for deployments
/// that shipped a commit reverted within [`REVERT_DAYS`].
fn reverted_deploys(data: &Data, d: &Delivery) -> std::collections::HashMap<i64, Option<i64>> {
    let mut out: std::collections::HashMap<i64, Option<i64>> = std::collections::HashMap::new();
    if d.commit_deployed.len() != data.commits.len() {
        return out;
    }
    for r in &d.reverts {
        let Some(k) = data
            .commits
            .iter()
            .position(|c| c.id.starts_with(&r.reverted))
        else {
            continue;
        };
        let (Some(shipped), Some(revert)) = (
            d.commit_deployed[k],
            data.commits.get(r.commit as usize).map(|c| c.time),
        ) else {
            continue;
        };
        if revert < shipped || revert - shipped > REVERT_DAYS * DAY {
            continue;
        }
        let restored = d.commit_deployed[r.commit as usize];
        let slot = out.entry(shipped).or_insert(restored);
        *slot = match (*slot, restored) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    out
}

/// `next` came within [`HOTFIX_HOURS`] of `x` and every commit it shipped
/// first (and there is one) is a fix.
fn hotfixes(data: &Data, d: &Delivery, x: &Deploy, next: &Deploy) -> bool {
    if next.time - x.time > HOTFIX_HOURS * 3600 || d.commit_deployed.len() != data.commits.len() {
        return false;
    }
    let mut shipped = d
        .commit_deployed
        .iter()
        .zip(&data.commits)
        .filter(|(t, _)| **t == Some(next.time))
        .peekable();
    shipped.peek().is_some() && shipped.all(|(_, c)| c.fix)
}

/// The UTC day of an epoch time.
pub(crate) fn day(t: i64) -> i64 {
    t.div_euclid(DAY)
}

/// Hand-built facts for the delivery signals' unit tests.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::delivery::{Delivery, Deploy, DeployResult, Pull, PullReview};
    use crate::{Commit, Context, Data, Outcome, Overrides, Scope, ScopeKind, Signal};

    /// The window's start: 2023-11-14 00:00:00 UTC (a day boundary).
    pub const FROM: i64 = 19_675 * 86_400;
    pub const H: i64 = 3600;
    pub(crate) use super::DAY;

    /// A window of `days` from [`FROM`] with these commits (id, time, fix).
    pub fn data(days: i64, commits: &[(&str, i64, bool)]) -> Data {
        let commits = commits
            .iter()
            .map(|&(id, time, fix)| Commit {
                id: id.into(),
                time,
                author: "a@example.com".into(),
                fix,
                ai: false,
            })
            .collect();
        Data::new(
            FROM,
            FROM + days * DAY - 1,
            12,
            "salt".into(),
            Vec::new(),
            commits,
            Vec::new(),
            None,
            None,
            true,
        )
    }

    pub fn deploy(id: &str, sha: &str, time: i64, state: &str) -> Deploy {
        Deploy {
            id: id.into(),
            sha: sha.into(),
            environment: "production".into(),
            production: true,
            time,
            result: DeployResult::of(state),
            inferred: false,
            cite: None,
        }
    }

    pub fn review(author: &str, at: i64) -> PullReview {
        PullReview {
            author: author.into(),
            state: "APPROVED".into(),
            submitted: Some(at),
            ..PullReview::default()
        }
    }

    pub fn pull(number: u64, created: i64, merged: Option<i64>, reviews: Vec<PullReview>) -> Pull {
        Pull {
            number,
            state: if merged.is_some() { "closed" } else { "open" }.into(),
            author: "alice".into(),
            created: Some(created),
            merged,
            reviews,
            ..Pull::default()
        }
    }

    pub fn with(mut data: Data, delivery: Delivery) -> Data {
        data.delivery = Some(delivery);
        data
    }

    pub fn measure(signal: &dyn Signal, data: &Data) -> Outcome {
        let scope = Scope::repository();
        let o = Overrides::default();
        signal.measure(&Context::new(data, &scope, &o))
    }

    pub fn measure_component(signal: &dyn Signal, data: &Data) -> Outcome {
        let scope = Scope {
            kind: ScopeKind::Component,
            name: "core".into(),
            files: Some(Default::default()),
        };
        let o = Overrides::default();
        signal.measure(&Context::new(data, &scope, &o))
    }

    /// The measurement, or a panic naming why there is none.
    pub fn measured(o: Outcome) -> crate::Measured {
        match o {
            Outcome::Measured(m) => m,
            Outcome::NotMeasured(why) => panic!("not measured: {why}"),
        }
    }

    pub fn reason(o: Outcome) -> String {
        match o {
            Outcome::Measured(m) => panic!("measured {}", m.value),
            Outcome::NotMeasured(why) => why,
        }
    }

    /// Production deployments before and in a window: d1 ok; d2 failed
    /// (restored 3 h later by d3); d4 rolled back by d5, which redeploys
    /// d3's commit 12 h later; d6 hotfixed by d7 2 h later (only fix
    /// commits); then one in progress, one of an unknown status and a
    /// failed staging deployment. Decided: 7, failures: 3.
    pub fn seven() -> Data {
        let t = |h: i64| FROM + h * H;
        let mut staging = deploy("s1", "a1", t(220), "failure");
        staging.production = false;
        let deploys = vec![
            deploy("d0", "a0", FROM - 10 * DAY, "success"),
            deploy("d1", "a1", t(10), "success"),
            deploy("d2", "a2", t(20), "error"),
            deploy("d3", "a3", t(23), "success"),
            deploy("d4", "a4", t(40), "success"),
            deploy("d5", "a3", t(52), "success"),
            deploy("d6", "a6", t(100), "success"),
            deploy("d7", "a7", t(102), "success"),
            deploy("d8", "a8", t(200), "in_progress"),
            deploy("d9", "a9", t(210), "exploded"),
            staging,
        ];
        let commits = [
            ("a0", FROM - 11 * DAY, false, Some(FROM - 10 * DAY)),
            ("a1", t(5), false, Some(t(10))),
            ("a2", t(15), false, Some(t(23))),
            ("a3", t(16), false, Some(t(23))),
            ("a4", t(30), false, Some(t(40))),
            ("a5", t(90), false, Some(t(100))),
            ("a6", t(95), false, Some(t(100))),
            ("f1", t(100), true, Some(t(102))),
            ("a7", t(101), true, Some(t(102))),
        ];
        let ids: Vec<(&str, i64, bool)> = commits.iter().map(|c| (c.0, c.1, c.2)).collect();
        with(
            data(365, &ids),
            Delivery {
                deploys,
                commit_deployed: commits.iter().map(|c| c.3).collect(),
                ..Delivery::default()
            },
        )
    }

    /// The figure with this name.
    pub fn fig(m: &crate::Measured, name: &str) -> f64 {
        m.figures
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no figure {name:?} in {:?}", m.figures))
            .value
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::*;
    use super::*;

    fn failures(data: &Data) -> Vec<(String, Option<Failure>, Option<i64>)> {
        let d = data.delivery.as_ref().unwrap();
        judge(data, d)
            .judged
            .iter()
            .map(|j| (j.deploy.id.clone(), j.failure, j.restored))
            .collect()
    }

    #[test]
    fn failed_rolled_back_and_hotfixed_deployments_need_intervention() {
        let data = seven();
        let t = |h: i64| Some(FROM + h * H);
        assert_eq!(
            failures(&data),
            vec![
                ("d1".into(), None, None),
                ("d2".into(), Some(Failure::Failed), t(23)),
                ("d3".into(), None, None),
                ("d4".into(), Some(Failure::RolledBack), t(52)),
                ("d5".into(), None, None),
                ("d6".into(), Some(Failure::Hotfixed), t(102)),
                ("d7".into(), None, None),
            ]
        );
        let j = judge(&data, data.delivery.as_ref().unwrap());
        assert_eq!((j.in_progress, j.undecided), (1, 1));
    }

    #[test]
    fn a_fix_too_late_or_mixed_with_other_work_is_no_hotfix() {
        let mut late = seven();
        let d = late.delivery.as_mut().unwrap();
        d.deploys[7].time = d.deploys[6].time + (HOTFIX_HOURS + 1) * 3600;
        let fixed = d.deploys[7].time;
        d.commit_deployed[7] = Some(fixed);
        d.commit_deployed[8] = Some(fixed);
        assert_eq!(failures(&late)[5].1, None);
        let mut mixed = seven();
        mixed.commits[7].fix = false;
        assert_eq!(failures(&mixed)[5].1, None);
    }

    /// `seven` with d7 shipping a revert of d6's commit a6, authored `after`
    /// d6, instead of fixes.
    fn reverted(after: i64) -> Data {
        let mut data = seven();
        data.commits[7].fix = false;
        data.commits[8].fix = false;
        data.commits.push(crate::Commit {
            id: "r1".into(),
            time: FROM + 100 * H + after,
            author: "a@example.com".into(),
            fix: false,
            ai: false,
        });
        let d = data.delivery.as_mut().unwrap();
        d.commit_deployed.push(Some(FROM + 102 * H));
        d.reverts.push(crate::delivery::Revert {
            commit: 9,
            reverted: "a6".into(),
        });
        data
    }

    #[test]
    fn a_deployment_whose_change_was_reverted_within_a_week_needed_intervention() {
        let data = reverted(H);
        assert_eq!(
            failures(&data)[5],
            ("d6".into(), Some(Failure::Reverted), Some(FROM + 102 * H))
        );
        let later = reverted((REVERT_DAYS + 1) * DAY);
        assert_eq!(failures(&later)[5].1, None);
    }

    #[test]
    fn redeploying_a_commit_an_earlier_deployment_contained_is_a_rollback() {
        // d5 deploys a2, never deployed itself but contained in d3.
        let mut data = seven();
        data.delivery.as_mut().unwrap().deploys[5].sha = "a2".into();
        assert_eq!(failures(&data)[3].1, Some(Failure::RolledBack));
        // Redeploying the same commit is no rollback.
        data.delivery.as_mut().unwrap().deploys[5].sha = "a4".into();
        assert_eq!(failures(&data)[3].1, None);
    }
}
