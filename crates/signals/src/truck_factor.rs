//! Truck factor: how many people would have to leave before most of the code
//! has nobody who knows it.

use std::collections::{BTreeMap, BTreeSet};

use friction_analysis::knowledge::{FileKnowledge, TF_COVERAGE};

use crate::{Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample};

pub struct TruckFactor;

static DOC: Doc = Doc {
    title: "Truck factor",
    measures: "The smallest number of authors whose departure leaves more than half of the \
        files without any author who knows them (Avelino et al.'s truck factor).",
    why: "A low truck factor is a concentration risk: one resignation or reorganisation can \
        stall delivery on most of the code. Avelino et al. found a truck factor of 1 or 2 in \
        most of the popular GitHub projects they studied.",
    how: "Degree of authorship per file and author, DOA = 3.293 + 1.098·FA + 0.164·DL − \
        0.321·ln(1 + AC) over the whole history (FA: created the file, DL: own commits, AC: \
        others' commits); an author knows a file when DOA/max ≥ 0.75 and DOA ≥ 3.293. The \
        greedy algorithm removes the author who knows the most files until fewer than half the \
        files are known; the truck factor is how many were removed. Authors are shown as \
        pseudonyms. This is a count, not a rate: it is not bootstrapped, and large scopes can \
        reach higher values than small ones.",
    thresholds: "1 → 0, 2 → 50, 4 or more → 100, linear in between (friction's choice: one \
        departure orphaning half the code is the worst case; Avelino et al. report 1–2 as the \
        common, risky case).",
    sources: &[
        "Avelino, Passos, Hora & Valente, \"A Novel Approach for Estimating Truck Factors\", ICPC 2016",
    ],
};

static CURVE: Curve = Curve::linear(&[(1.0, 0.0), (2.0, 50.0), (4.0, 100.0)]);

/// The greedy truck factor over files' knowing authors.
pub(crate) fn truck_factor(sets: &[BTreeSet<String>]) -> Vec<String> {
    let n = sets.len();
    let mut sets: Vec<BTreeSet<String>> = sets.to_vec();
    let mut removed = Vec::new();
    loop {
        let covered = sets.iter().filter(|s| !s.is_empty()).count();
        if n == 0 || (covered as f64) < TF_COVERAGE * n as f64 {
            break;
        }
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &sets {
            for a in s {
                *counts.entry(a).or_default() += 1;
            }
        }
        let Some(top) = counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(a, _)| (*a).to_owned())
        else {
            break;
        };
        for s in &mut sets {
            s.remove(&top);
        }
        removed.push(top);
    }
    removed
}

/// The knowledge of the scope's files (those with history).
pub(crate) fn scoped<'a>(ctx: &Context<'a>) -> Vec<&'a FileKnowledge> {
    let k = ctx.data.knowledge();
    let paths: BTreeSet<&str> = ctx.files().map(|(_, f)| f.path.as_str()).collect();
    k.files
        .iter()
        .filter(|f| paths.contains(f.path.as_str()))
        .collect()
}

impl crate::Signal for TruckFactor {
    fn id(&self) -> &'static str {
        "truck-factor"
    }
    fn family(&self) -> Family {
        Family::TeamExecution
    }
    fn weight(&self) -> f64 {
        0.3
    }
    fn unit(&self) -> &'static str {
        "authors"
    }
    fn doc(&self) -> &'static Doc {
        &DOC
    }
    fn curve(&self) -> &'static Curve {
        &CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::History]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        let files = scoped(ctx);
        if files.is_empty() {
            return Outcome::NotMeasured("no file in scope has history".into());
        }
        let by_path: BTreeMap<&str, &str> = ctx
            .data
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.file_id.as_str()))
            .collect();
        let sets: Vec<BTreeSet<String>> = files
            .iter()
            .map(|f| {
                let mut s: BTreeSet<String> = f.doa_authors.iter().cloned().collect();
                if by_path
                    .get(f.path.as_str())
                    .is_some_and(|id| ctx.overrides.spread.contains(*id))
                {
                    s.insert(format!("\u{0}spread:{}", f.path));
                }
                s
            })
            .collect();
        let removed = truck_factor(&sets);
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &sets {
            for a in s {
                *counts.entry(a).or_default() += 1;
            }
        }
        let evidence = removed
            .iter()
            .filter(|a| !a.starts_with('\u{0}'))
            .map(|a| Evidence {
                kind: "author",
                id: ctx.data.pseudonym(a),
                value: counts.get(a.as_str()).copied().unwrap_or(0) as f64,
                label: "files this author knows".into(),
            })
            .collect();
        Outcome::Measured(Measured {
            value: removed.len() as f64,
            coverage: 1.0,
            figures: vec![Figure {
                name: "files with history",
                value: files.len() as f64,
                unit: "files",
            }],
            evidence: crate::top_evidence(evidence),
            sample: Sample::Fixed,
        })
    }
}
