//! Every table of the report, as rows of text: the CSV files carry them
//! whole, the HTML page and the Markdown summary show their first rows.

use serde_json::Value;

use crate::Report;

/// One table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// File stem of its CSV (`hotspots` → `hotspots.csv`).
    pub name: &'static str,
    pub title: &'static str,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn cols(names: &[&str]) -> Vec<String> {
    names.iter().map(|c| (*c).to_owned()).collect()
}

/// A manifest value as text.
fn n(v: &Value) -> String {
    match v {
        Value::Number(x) => x.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::String(t) => t.clone(),
        _ => String::new(),
    }
}

/// A number as the assessment JSON writes it (`70.0`, `0.35`), so the CSV
/// cells read as the JSON does.
fn x(v: f64) -> String {
    serde_json::Number::from_f64(v).map_or_else(String::new, |n| n.to_string())
}

fn o(v: Option<f64>) -> String {
    v.map(x).unwrap_or_default()
}

fn ci(v: Option<[f64; 2]>, i: usize) -> String {
    v.map(|c| x(c[i])).unwrap_or_default()
}

fn t(v: Option<&str>) -> String {
    v.unwrap_or_default().to_owned()
}

/// The tables of a report, in report order.
pub fn tables(r: &Report) -> Vec<Table> {
    let a = &r.assessment.assessment;
    let mut out = Vec::new();

    out.push(Table {
        name: "drivers",
        title: "Drivers",
        columns: cols(&[
            "family",
            "title",
            "weight",
            "score",
            "band",
            "ci_low",
            "ci_high",
            "coverage",
            "contribution",
            "points_lost",
        ]),
        rows: a
            .index
            .drivers
            .iter()
            .map(|d| {
                vec![
                    d.family.as_str().to_owned(),
                    d.title.clone(),
                    x(d.weight),
                    o(d.score),
                    t(d.band.as_deref()),
                    ci(d.ci, 0),
                    ci(d.ci, 1),
                    x(d.coverage),
                    x(d.contribution),
                    x(d.points_lost),
                ]
            })
            .collect(),
    });

    let signals = || a.index.drivers.iter().flat_map(|d| &d.signals);
    out.push(Table {
        name: "signals",
        title: "Signals",
        columns: cols(&[
            "id",
            "family",
            "title",
            "value",
            "unit",
            "score",
            "band",
            "ci_low",
            "ci_high",
            "coverage",
            "weight",
            "not_measured",
        ]),
        rows: signals()
            .map(|s| {
                vec![
                    s.id.clone(),
                    s.family.as_str().to_owned(),
                    s.title.clone(),
                    o(s.value),
                    s.unit.clone(),
                    o(s.score),
                    t(s.band.as_deref()),
                    ci(s.ci, 0),
                    ci(s.ci, 1),
                    x(s.coverage),
                    x(s.weight),
                    t(s.not_measured.as_deref()),
                ]
            })
            .collect(),
    });

    out.push(Table {
        name: "cost",
        title: "Friction cost by driver (estimate, per year)",
        columns: cols(&[
            "family",
            "hours_low",
            "hours_high",
            "money_low",
            "money_high",
            "currency",
            "basis",
        ]),
        rows: a
            .cost
            .drivers
            .iter()
            .map(|d| {
                let hours = d.cost.as_ref().map(|c| c.hours);
                let money = d.cost.as_ref().and_then(|c| c.money);
                vec![
                    d.family.as_str().to_owned(),
                    o(hours.map(|h| h.low)),
                    o(hours.map(|h| h.high)),
                    o(money.map(|m| m.low)),
                    o(money.map(|m| m.high)),
                    if money.is_some() {
                        a.cost.currency.clone()
                    } else {
                        String::new()
                    },
                    d.basis.clone(),
                ]
            })
            .collect(),
    });

    out.push(Table {
        name: "evidence",
        title: "Evidence",
        columns: cols(&["signal", "kind", "id", "label", "value", "source"]),
        rows: signals()
            .flat_map(|s| {
                s.evidence.iter().map(move |e| {
                    vec![
                        s.id.clone(),
                        e.kind.clone(),
                        e.id.clone(),
                        e.label.clone(),
                        x(e.value),
                        e.cite.clone().unwrap_or_default(),
                    ]
                })
            })
            .collect(),
    });

    // The test columns only when test or coverage facts say something, so
    // a git-only report is unchanged.
    let testing = a
        .cost
        .files
        .iter()
        .any(|f| f.coverage_pct.is_some() || f.flaky_tests.is_some());
    let mut columns = cols(&[
        "path",
        "component",
        "health",
        "code_lines",
        "revisions",
        "fix_commits",
        "hotspot",
        "friction_hours_low",
        "friction_hours_high",
        "defect_hours_low",
        "defect_hours_high",
        "median_gap_days",
    ]);
    if testing {
        columns.extend(cols(&["coverage_pct", "flaky_tests", "test_risk"]));
    }
    // Security debt only when SARIF findings name a file of the list.
    let security = a.cost.files.iter().any(|f| f.security_findings.is_some());
    if security {
        columns.extend(cols(&["security_findings", "security_debt"]));
    }
    // The incident column only when fix commits name incidents.
    let incidents = a.cost.files.iter().any(|f| !f.incidents.is_empty());
    if incidents {
        columns.extend(cols(&["incidents"]));
    }
    // One row per file; the test-code table starts with the file's kind.
    let file_row = |f: &&friction_assess::cost::FileCost, with_kind: bool| {
        let mut row = if with_kind {
            vec![f.kind.clone()]
        } else {
            Vec::new()
        };
        row.extend([
            f.path.clone(),
            f.component.clone(),
            o(f.health),
            f.code_lines.to_string(),
            f.revisions.to_string(),
            f.fix_commits.to_string(),
            f.hotspot.to_string(),
            x(f.friction.hours.low),
            x(f.friction.hours.high),
            x(f.defect_work.hours.low),
            x(f.defect_work.hours.high),
            o(f.median_gap_days),
        ]);
        if testing {
            row.extend([
                o(f.coverage_pct),
                f.flaky_tests.map(|n| n.to_string()).unwrap_or_default(),
                f.test_marks().join(", "),
            ]);
        }
        if security {
            row.extend([
                f.security_findings
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                o(f.security_debt),
            ]);
        }
        if incidents {
            row.push(crate::incident_cell(&f.incidents));
        }
        row
    };
    out.push(Table {
        name: "hotspots",
        title: "Product files changed in the window, costliest first",
        columns: columns.clone(),
        rows: crate::costliest(a)
            .iter()
            .map(|f| file_row(f, false))
            .collect(),
    });
    out.push(Table {
        name: "test-code",
        title: "Test and other non-product files changed in the window, apart from the ranking",
        columns: [cols(&["kind"]), columns].concat(),
        rows: crate::test_code(a)
            .iter()
            .map(|f| file_row(f, true))
            .collect(),
    });

    for (name, title, scopes) in [
        ("components", "Components", &a.components),
        ("teams", "Teams", &a.teams),
    ] {
        out.push(Table {
            name,
            title,
            columns: cols(&[
                "name",
                "files",
                "code_lines",
                "index",
                "band",
                "ci_low",
                "ci_high",
                "coverage",
            ]),
            rows: scopes
                .iter()
                .map(|c| {
                    vec![
                        c.name.clone(),
                        c.files.to_string(),
                        c.code_lines.to_string(),
                        o(c.index.score),
                        t(c.index.band.as_deref()),
                        ci(c.index.ci, 0),
                        ci(c.index.ci, 1),
                        x(c.index.coverage),
                    ]
                })
                .collect(),
        });
    }

    out.push(Table {
        name: "interventions",
        title: "Interventions",
        columns: cols(&[
            "id",
            "kind",
            "title",
            "why",
            "effort_days_low",
            "effort_days_high",
            "benefit_hours_low",
            "benefit_hours_high",
            "index_gain",
            "time_to_impact_weeks_low",
            "time_to_impact_weeks_high",
            "depends_on",
            "risk_reduction",
        ]),
        rows: a
            .interventions
            .iter()
            .map(|i| {
                vec![
                    i.id.clone(),
                    i.kind.clone(),
                    i.title.clone(),
                    i.why.clone(),
                    x(i.effort_days.low),
                    x(i.effort_days.high),
                    x(i.benefit.hours.low),
                    x(i.benefit.hours.high),
                    x(i.index_gain),
                    x(i.time_to_impact_weeks.low),
                    x(i.time_to_impact_weeks.high),
                    i.depends_on.join(" "),
                    i.risk_reduction.clone(),
                ]
            })
            .collect(),
    });

    out.push(Table {
        name: "roadmap",
        title: "Roadmap",
        columns: cols(&[
            "step",
            "intervention",
            "title",
            "effort_days_low",
            "effort_days_high",
            "cumulative_effort_days_low",
            "cumulative_effort_days_high",
            "benefit_hours_low",
            "benefit_hours_high",
            "time_to_impact_weeks_low",
            "time_to_impact_weeks_high",
            "projected_index",
            "own_index_gain",
            "index_contribution",
            "gain_per_day",
            "hours_per_day",
            "note",
        ]),
        rows: a
            .roadmap
            .steps
            .iter()
            .map(|st| {
                vec![
                    st.step.to_string(),
                    st.intervention.clone(),
                    st.title.clone(),
                    x(st.effort_days.low),
                    x(st.effort_days.high),
                    x(st.cumulative_effort_days.low),
                    x(st.cumulative_effort_days.high),
                    x(st.benefit.hours.low),
                    x(st.benefit.hours.high),
                    x(st.time_to_impact_weeks.low),
                    x(st.time_to_impact_weeks.high),
                    o(st.projected_index),
                    x(st.own_index_gain),
                    o(st.index_contribution),
                    x(st.gain_per_day),
                    x(st.hours_per_day),
                    st.note.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    });

    let families: Vec<String> = r
        .trend
        .last()
        .map(|p| p.drivers.keys().cloned().collect())
        .unwrap_or_default();
    let mut columns = cols(&[
        "snapshot", "as_of", "index", "ci_low", "ci_high", "coverage",
    ]);
    columns.extend(families.iter().cloned());
    // Only a trend with a partial snapshot has the column, which says what
    // that snapshot's scan could not read.
    let any_partial = r.trend.iter().any(|p| p.partial.is_some());
    if any_partial {
        columns.push("partial".into());
    }
    out.push(Table {
        name: "trend",
        title: "Trend",
        columns,
        rows: r
            .trend
            .iter()
            .map(|p| {
                let mut row = vec![
                    p.snapshot.to_string(),
                    p.as_of.clone(),
                    p.index.map(|v| v.to_string()).unwrap_or_default(),
                    p.ci.map(|c| c[0].to_string()).unwrap_or_default(),
                    p.ci.map(|c| c[1].to_string()).unwrap_or_default(),
                    p.coverage.to_string(),
                ];
                for f in &families {
                    row.push(
                        p.drivers
                            .get(f)
                            .copied()
                            .flatten()
                            .map(|v| v.to_string())
                            .unwrap_or_default(),
                    );
                }
                if any_partial {
                    row.push(p.partial.clone().unwrap_or_default());
                }
                row
            })
            .collect(),
    });

    let inputs = &r.meta.manifest["inputs"];
    let mut rows = Vec::new();
    if let Some(o) = inputs.as_object() {
        for (k, v) in o {
            if v.is_null() {
                rows.push(vec![k.clone(), String::new(), "absent".into()]);
            } else {
                let what = v["path"].as_str().map(str::to_owned).unwrap_or_else(|| {
                    format!(
                        "{} commits, {} changes, {} files",
                        n(&v["commits"]),
                        n(&v["changes"]),
                        n(&v["files"])
                    )
                });
                rows.push(vec![k.clone(), what, n(&v["sha256"])]);
            }
        }
    }
    out.push(Table {
        name: "manifest",
        title: "Input manifest",
        columns: cols(&["input", "what", "sha256"]),
        rows,
    });
    out
}

/// CSV text: the one writer of every CSV friction writes (reports, and the
/// CLI's `--csv` and `maat` tables). RFC 4180 quoting through the `csv`
/// crate, `\n` line ends (as code-maat writes them), and every cell, header
/// included, made safe for spreadsheets by [`crate::escape::csv_cell`].
pub fn csv_text<H, R, C>(header: &[H], rows: impl IntoIterator<Item = R>) -> String
where
    H: AsRef<str>,
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let cells = |row: &mut dyn Iterator<Item = &str>| -> Vec<String> {
        row.map(crate::escape::csv_cell).collect()
    };
    // Writing into a Vec cannot fail, and every cell is UTF-8.
    let _ = w.write_record(cells(&mut header.iter().map(AsRef::as_ref)));
    for row in rows {
        let row: Vec<C> = row.into_iter().collect();
        let _ = w.write_record(cells(&mut row.iter().map(AsRef::as_ref)));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Every table as `(file name, CSV text)`.
pub fn csv_files(r: &Report) -> Vec<(String, String)> {
    tables(r)
        .iter()
        .map(|t| (format!("{}.csv", t.name), csv_text(&t.columns, &t.rows)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::csv_text;

    #[test]
    fn csv_quotes_after_neutralising_and_keeps_numbers() {
        let text = csv_text(
            &["path", "delta"],
            [
                ["=HYPERLINK(\"x\"),y", "-2.5"],
                ["@a", "+3"],
                ["-x", "1e-3"],
            ],
        );
        assert_eq!(
            text,
            "path,delta\n\"'=HYPERLINK(\"\"x\"\"),y\",-2.5\n'@a,+3\n'-x,1e-3\n"
        );
    }
}
