//! Review wait, with the four lead-time drivers of merged pull requests.

use crate::delivery::Pull;
use crate::dora::{self, HOUR};
use crate::{Context, Curve, Doc, Family, Input, Measured, Outcome, Sample};

pub struct ReviewWait;

/// Fewer merged pull requests than this in the window give no review wait.
pub(crate) const MIN_MERGED: usize = 5;
/// Fewer of them reviewed by someone other than the author than this give
/// no median (friction's choice: the smallest sample with a middle value
/// that is not an end).
pub(crate) const MIN_REVIEWED: usize = 3;

static DOC: Doc = Doc {
    title: "Review wait",
    measures: "How long merged pull requests wait for review: the median of pickup + review \
        time in hours, with the four lead-time drivers (coding, pickup, review, deploy) as \
        figures.",
    why: "Waiting for review is usually the largest avoidable part of lead time, and it grows \
        with batch size and with the load on a few reviewers. Google's engineering practices \
        put the cost plainly: slow reviews slow the whole team and push authors toward bigger, \
        riskier changes.",
    how: "Pull requests merged in the window (drafts and unmerged ones left out and counted). \
        For each, as Apache DevLake and LinearB split cycle time: coding = first commit (author \
        time) → opened; pickup = opened → first review submitted by someone other than the \
        author (the author's own reviews are ignored; a review after the merge is no review); \
        review = first review → merged; deploy = merged → the first successful production \
        deployment containing the merge commit. The value is the median over reviewed pull \
        requests of pickup + review, in hours; merged pull requests without a review by someone \
        else are counted, not timed. A driver is timed only when both its ends are known and in \
        order (a negative duration is an inconsistent record and is counted). Figures: p50 and \
        p75 of each driver. Times are UTC. Repository scope only; at least 5 merged pull \
        requests, 3 of them reviewed.",
    thresholds: "Log scale: 12 hours or less → 100 (LinearB's elite pickup under 7 h plus review \
        under 5 h), 24 hours → 75 (Google's engineering practices: one business day is the most \
        a review request should wait for a response; placing the healthy band's edge there is \
        friction's choice), 72 hours → 50 and 1 week (168 h) or more → 0 (friction's choice: a \
        weekend plus a day, and a change waiting a whole week).",
    sources: &[
        "Apache DevLake change lead time: coding, pickup, review and deploy time of pull requests (backend/plugins/dora/tasks/change_lead_time_calculator.go)",
        "LinearB engineering benchmarks: cycle time phases; elite pickup < 7 h, review < 5 h (linearb.helpdocs.io)",
        "Google engineering practices, \"Speed of code reviews\": one business day at most to respond (google.github.io/eng-practices/review/reviewer/speed.html)",
        "Sadowski et al., \"Modern Code Review: A Case Study at Google\", ICSE-SEIP 2018: median review latency under 4 hours",
    ],
};

static CURVE: Curve = Curve::log(&[(12.0, 100.0), (24.0, 75.0), (72.0, 50.0), (168.0, 0.0)]);

/// Hours from `a` to `b`, when both are known; `Err` when `b` comes first.
fn span(a: Option<i64>, b: Option<i64>) -> Option<Result<f64, ()>> {
    match (a, b) {
        (Some(a), Some(b)) if b >= a => Some(Ok((b - a) as f64 / HOUR)),
        (Some(_), Some(_)) => Some(Err(())),
        _ => None,
    }
}

/// The four drivers of a merged pull request.
#[derive(Default)]
struct Drivers {
    coding: Vec<f64>,
    pickup: Vec<f64>,
    review: Vec<f64>,
    deploy: Vec<f64>,
    /// pickup + review of reviewed pull requests.
    wait: Vec<f64>,
    inconsistent: usize,
}

impl Drivers {
    fn add(&mut self, v: Option<Result<f64, ()>>, to: fn(&mut Drivers) -> &mut Vec<f64>) {
        match v {
            Some(Ok(h)) => to(self).push(h),
            Some(Err(())) => self.inconsistent += 1,
            None => {}
        }
    }
}

/// The first review by someone else, if it came before the merge.
fn first_review(p: &Pull) -> Option<i64> {
    p.first_review()
        .filter(|&t| p.merged.is_some_and(|m| t <= m))
}

impl crate::Signal for ReviewWait {
    fn id(&self) -> &'static str {
        "review-wait"
    }
    fn family(&self) -> Family {
        Family::Delivery
    }
    fn weight(&self) -> f64 {
        0.05
    }
    fn unit(&self) -> &'static str {
        "hours (median)"
    }
    fn doc(&self) -> &'static Doc {
        &DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::PullRequests]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        let d = match dora::facts_or(ctx, self.id(), dora::Reads::PullRequests) {
            Ok(d) => d,
            Err(outcome) => return *outcome,
        };
        let data = ctx.data;
        let (mut drafts, mut unmerged, mut unreviewed) = (0usize, 0usize, 0usize);
        let mut t = Drivers::default();
        let mut evidence = Vec::new();
        let mut merged = 0usize;
        for p in &d.pulls {
            if p.draft {
                drafts += 1;
                continue;
            }
            let Some(m) = p.merged else {
                unmerged += 1;
                continue;
            };
            if m < data.from {
                continue;
            }
            merged += 1;
            let review = first_review(p);
            t.add(span(p.commit_times.first().copied(), p.created), |t| {
                &mut t.coding
            });
            t.add(span(p.merged, p.deployed), |t| &mut t.deploy);
            if review.is_none() {
                unreviewed += 1;
                continue;
            }
            let (pickup, rev) = (span(p.created, review), span(review, p.merged));
            t.add(pickup, |t| &mut t.pickup);
            t.add(rev, |t| &mut t.review);
            if let (Some(Ok(a)), Some(Ok(b))) = (pickup, rev) {
                t.wait.push(a + b);
                evidence.push(dora::evidence(
                    "pull-request",
                    format!("#{}", p.number),
                    a + b,
                    "hours from opened to merged waiting for and in review",
                    Some(d.cite(p.cite)),
                ));
            }
        }
        if merged < MIN_MERGED || t.wait.len() < MIN_REVIEWED {
            return Outcome::NotMeasured(format!(
                "{} in the window, {} of them reviewed by someone other than the author; at \
                 least {MIN_MERGED} merged and {MIN_REVIEWED} reviewed are needed ({drafts} \
                 drafts and {unmerged} unmerged left out): {}",
                dora::count(merged, "merged pull request"),
                t.wait.len(),
                dora::PULLS_HOWTO
            ));
        }
        let sample = Sample::Quantile {
            values: t.wait.clone(),
            q: 0.5,
        };
        let value = sample.value(None).unwrap_or(0.0);
        let mut figures = vec![
            dora::figure("merged pull requests", merged as f64, "pull requests"),
            dora::figure(
                "reviewed by someone other than the author",
                t.wait.len() as f64,
                "pull requests",
            ),
            dora::figure(
                "merged without a review by someone else",
                unreviewed as f64,
                "pull requests",
            ),
        ];
        for (name, v) in [
            ("coding", &t.coding),
            ("pickup", &t.pickup),
            ("review", &t.review),
            ("deploy", &t.deploy),
        ] {
            figures.extend(dora::hour_quantiles(name, v));
        }
        figures.extend([
            dora::figure("left out: drafts", drafts as f64, "pull requests"),
            dora::figure("left out: not merged", unmerged as f64, "pull requests"),
        ]);
        if t.inconsistent > 0 {
            figures.push(dora::figure(
                "left out: durations ending before they start",
                t.inconsistent as f64,
                "durations",
            ));
        }
        Outcome::Measured(Measured {
            value,
            coverage: 1.0,
            figures,
            evidence: crate::top_evidence(evidence),
            sample,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::Delivery;
    use crate::dora::fixture::*;

    fn pulls() -> Vec<Pull> {
        let t = |h: i64| FROM + h * H;
        let mut p1 = pull(
            1,
            t(0),
            Some(t(10)),
            vec![review("alice", t(1)), review("bob", t(3))],
        );
        p1.commit_times = vec![t(-5), t(-2)];
        p1.deployed = Some(t(12));
        // A tie: the author and a reviewer at the same second.
        let mut p2 = pull(
            2,
            t(0),
            Some(t(2)),
            vec![review("alice", t(1)), review("carol", t(1))],
        );
        p2.commit_times = vec![t(-1)];
        let p3 = pull(3, t(0), Some(t(24)), vec![review("bob", t(4))]);
        let p4 = pull(4, t(0), Some(t(5)), vec![review("alice", t(1))]);
        let p5 = pull(5, t(0), Some(t(1)), vec![review("bob", t(3))]);
        let mut p6 = pull(6, t(0), None, vec![review("bob", t(1))]);
        p6.draft = true;
        let p7 = pull(7, t(0), None, vec![review("bob", t(1))]);
        // Reviewed before it was opened: an inconsistent record.
        let p8 = pull(8, t(10), Some(t(20)), vec![review("bob", t(5))]);
        vec![p1, p2, p3, p4, p5, p6, p7, p8]
    }

    fn facts(pulls: Vec<Pull>) -> crate::Data {
        with(
            data(365, &[]),
            Delivery {
                pulls,
                ..Delivery::default()
            },
        )
    }

    #[test]
    fn pickup_plus_review_of_merged_pull_requests_reviewed_by_someone_else() {
        let m = measured(measure(&ReviewWait, &facts(pulls())));
        // Waits 10, 2 and 24 hours (#1, #2, #3).
        assert_eq!(m.value, 10.0);
        assert_eq!(fig(&m, "merged pull requests"), 6.0);
        assert_eq!(fig(&m, "reviewed by someone other than the author"), 3.0);
        // #4 only reviewed by its author, #5 reviewed after the merge.
        assert_eq!(fig(&m, "merged without a review by someone else"), 2.0);
        assert_eq!(fig(&m, "pickup p50"), 3.0);
        assert_eq!(fig(&m, "pickup p75"), 3.5);
        // Reviews 7, 1, 20 and 15 hours (#8's review time is consistent).
        assert_eq!(fig(&m, "review p50"), 11.0);
        assert_eq!(fig(&m, "review p75"), 16.25);
        assert_eq!(fig(&m, "coding p50"), 3.0);
        assert_eq!(fig(&m, "coding p75"), 4.0);
        assert_eq!(fig(&m, "deploy p50"), 2.0);
        assert_eq!(fig(&m, "left out: drafts"), 1.0);
        assert_eq!(fig(&m, "left out: not merged"), 1.0);
        assert_eq!(fig(&m, "left out: durations ending before they start"), 1.0);
        assert_eq!(m.evidence[0].id, "#3");
        assert_eq!(m.evidence[0].value, 24.0);
    }

    #[test]
    fn too_few_merged_or_reviewed_pull_requests_are_not_measured() {
        let few: Vec<Pull> = pulls().into_iter().filter(|p| p.number != 3).collect();
        let why = reason(measure(&ReviewWait, &facts(few)));
        assert!(
            why.starts_with("5 merged pull requests in the window, 2 of them reviewed"),
            "{why}"
        );
        assert!(why.contains("friction ingest"), "{why}");
        let none = data(365, &[]);
        assert!(
            reason(measure(&ReviewWait, &none)).starts_with("pull requests: none in the window; ")
        );
        assert_eq!(
            reason(measure_component(&ReviewWait, &facts(pulls()))),
            "measured for the repository as a whole"
        );
    }
}
