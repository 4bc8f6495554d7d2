//! Coordination load: code several teams have to change.

use std::collections::{BTreeMap, BTreeSet};

use crate::{Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample};

pub struct CoordinationLoad;

static DOC: Doc = Doc {
    title: "Coordination load",
    measures: "The share of the window's revisions on files that authors of two or more teams \
        changed in the window.",
    why: "Code that several teams change needs coordination on every change: meetings, merge \
        conflicts, waiting for reviews from another team. Conway's law predicts it where team \
        boundaries and architecture diverge; CodeScene reports it as coordination needs.",
    how: "Authors map to teams through `[teams]` or `teams_csv` in friction.toml (authors no \
        rule maps form one \"(unmapped)\" team). For every file at the assessed commit changed \
        in the window: revisions and the set of teams whose authors made them. Value = \
        revisions on files with ≥ 2 teams / all revisions. Not measured without a team mapping.",
    thresholds: "10 % or less → 100, 50 % or more → 0, linear in between (friction's choice).",
    sources: &[
        "Conway, \"How Do Committees Invent?\", Datamation 1968",
        "CodeScene coordination needs and team-level change coupling (codescene.io/docs/guides/social/coordination.html)",
    ],
};

static CURVE: Curve = Curve::linear(&[(10.0, 100.0), (50.0, 0.0)]);

impl crate::Signal for CoordinationLoad {
    fn id(&self) -> &'static str {
        "coordination-load"
    }
    fn family(&self) -> Family {
        Family::TeamExecution
    }
    fn weight(&self) -> f64 {
        0.1
    }
    fn unit(&self) -> &'static str {
        "% of revisions"
    }
    fn doc(&self) -> &'static Doc {
        &DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::History, Input::Teams]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        let Some(teams) = &ctx.data.teams else {
            return Outcome::NotMeasured(
                "no team mapping; configure `[teams]` or `teams_csv` in friction.toml".into(),
            );
        };
        let data = ctx.data;
        let mut per_file: BTreeMap<usize, (BTreeSet<u32>, BTreeSet<&str>)> = BTreeMap::new();
        for c in &data.changes[data.window_start()..] {
            let Some(i) = c.file.map(|i| i as usize).filter(|&i| ctx.in_scope(i)) else {
                continue;
            };
            let author = &data.commits[c.commit as usize].author;
            let team = teams.get(author).map_or("(unmapped)", String::as_str);
            let e = per_file.entry(i).or_default();
            e.0.insert(c.commit);
            e.1.insert(team);
        }
        let (mut num, mut den, mut evidence) = (Vec::new(), Vec::new(), Vec::new());
        for (i, (commits, t)) in &per_file {
            let r = commits.len() as f64;
            let shared = t.len() >= 2;
            num.push(if shared { r * 100.0 } else { 0.0 });
            den.push(r);
            if shared {
                evidence.push(Evidence {
                    kind: "file".into(),
                    id: data.files[*i].path.clone(),
                    value: r,
                    cite: None,
                    label: format!(
                        "revisions by {} teams ({})",
                        t.len(),
                        t.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                });
            }
        }
        let shared = evidence.len();
        let sample = Sample::Ratio { num, den };
        let Some(value) = sample.value(None) else {
            return Outcome::NotMeasured("no file in scope changed in the window".into());
        };
        Outcome::Measured(Measured {
            value,
            coverage: 1.0,
            figures: vec![Figure {
                name: "files changed by several teams".into(),
                value: shared as f64,
                unit: "files".into(),
            }],
            evidence: crate::top_evidence(evidence),
            sample,
        })
    }
}
