//! Rework: changes that rewrite code written only days before.

use std::collections::{BTreeMap, VecDeque};

use crate::{Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample};

pub struct Rework;

/// Code younger than this counts as recent (LinearB's rework definition).
pub const RECENT_DAYS: i64 = 21;

static DOC: Doc = Doc {
    title: "Rework",
    measures: "The share of lines deleted or rewritten in the window that were written less \
        than 21 days earlier, relative to all lines added in the window.",
    why: "Code rewritten within days of being written is effort spent twice: unclear \
        requirements, rushed changes or defects caught late. LinearB and GitClear report this \
        rework (\"churn\") as a leading indicator of delivery waste.",
    how: "Without line-level blame, friction bounds rework per change: a change that deletes d \
        lines of a file to which other commits added a lines in the preceding 21 days reworks \
        min(d, a) lines (a change cannot rewrite more recent lines than exist). Value = Σ rework \
        / Σ added over the window's changes. This is an upper bound of line-level rework.",
    thresholds: "2 % or less → 100 (LinearB's elite rework rate), 10 % → 50, 25 % or more → 0 \
        (friction's choice), linear in between.",
    sources: &[
        "LinearB rework rate: changes to code less than 21 days old; elite < 2 % (linearb.helpdocs.io)",
        "DORA 2024 rework rate as a stability measure (dora.dev)",
    ],
};

static CURVE: Curve = Curve::linear(&[(2.0, 100.0), (10.0, 50.0), (25.0, 0.0)]);

impl crate::Signal for Rework {
    fn id(&self) -> &'static str {
        "rework"
    }
    fn family(&self) -> Family {
        Family::Delivery
    }
    fn weight(&self) -> f64 {
        0.09
    }
    fn unit(&self) -> &'static str {
        "% of added lines"
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
        let data = ctx.data;
        let horizon = data.from - RECENT_DAYS * 86_400;
        let start = data
            .changes
            .partition_point(|c| data.commits[c.commit as usize].time < horizon);
        // file → recent additions (time, commit, added)
        let mut recent: Vec<VecDeque<(i64, u32, u64)>> = Vec::new();
        let mut per_commit: BTreeMap<u32, (f64, f64)> = BTreeMap::new();
        let mut per_file: BTreeMap<usize, f64> = BTreeMap::new();
        for c in &data.changes[start..] {
            let commit = &data.commits[c.commit as usize];
            let k = c.key as usize;
            if recent.len() <= k {
                recent.resize_with(k + 1, VecDeque::new);
            }
            let q = &mut recent[k];
            while q
                .front()
                .is_some_and(|(t, _, _)| *t < commit.time - RECENT_DAYS * 86_400)
            {
                q.pop_front();
            }
            let in_scope = c.file.map(|i| i as usize).map(|i| (i, ctx.in_scope(i)));
            let counted = commit.time >= data.from
                && match in_scope {
                    Some((_, s)) => s,
                    None => ctx.scope.files.is_none(),
                };
            if counted {
                let fresh: u64 = q
                    .iter()
                    .filter(|(_, id, _)| *id != c.commit)
                    .map(|(_, _, a)| a)
                    .sum();
                let rework = c.deleted.min(fresh) as f64;
                let e = per_commit.entry(c.commit).or_default();
                e.0 += rework * 100.0;
                e.1 += c.added as f64;
                if let Some((i, _)) = in_scope {
                    *per_file.entry(i).or_default() += rework;
                }
            }
            if c.added > 0 {
                q.push_back((commit.time, c.commit, c.added));
            }
        }
        let (num, den): (Vec<f64>, Vec<f64>) = per_commit.values().copied().unzip();
        let reworked: f64 = num.iter().sum::<f64>() / 100.0;
        let sample = Sample::Ratio { num, den };
        let Some(value) = sample.value(None) else {
            return Outcome::NotMeasured("no lines added in the window".into());
        };
        let evidence = per_file
            .into_iter()
            .filter(|(_, r)| *r > 0.0)
            .map(|(i, r)| Evidence {
                kind: "file".into(),
                id: data.files[i].path.clone(),
                value: r,
                cite: None,
                label: "lines rewritten within 21 days".into(),
            })
            .collect();
        Outcome::Measured(Measured {
            value,
            coverage: 1.0,
            figures: vec![Figure {
                name: "lines reworked".into(),
                value: reworked,
                unit: "lines".into(),
            }],
            evidence: crate::top_evidence(evidence),
            sample,
        })
    }
}
