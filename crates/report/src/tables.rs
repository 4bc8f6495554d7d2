//! Every table of the report, as rows of text: the CSV files carry them
//! whole, the HTML page and the Markdown summary show their first rows.

use serde_json::Value;

use crate::{Report, arr, signals};

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

fn n(v: &Value) -> String {
    match v {
        Value::Number(x) => x.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::String(t) => t.clone(),
        _ => String::new(),
    }
}

fn ci(v: &Value, i: usize) -> String {
    arr(v).get(i).map(n).unwrap_or_default()
}

/// The tables of a report, in report order.
pub fn tables(r: &Report) -> Vec<Table> {
    let json = r.json();
    let a = &json;
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
        rows: arr(&a["index"]["drivers"])
            .iter()
            .map(|d| {
                vec![
                    n(&d["family"]),
                    n(&d["title"]),
                    n(&d["weight"]),
                    n(&d["score"]),
                    n(&d["band"]),
                    ci(&d["ci"], 0),
                    ci(&d["ci"], 1),
                    n(&d["coverage"]),
                    n(&d["contribution"]),
                    n(&d["points_lost"]),
                ]
            })
            .collect(),
    });

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
        rows: signals(a)
            .into_iter()
            .map(|(d, x)| {
                vec![
                    n(&x["id"]),
                    n(&d["family"]),
                    n(&x["title"]),
                    n(&x["value"]),
                    n(&x["unit"]),
                    n(&x["score"]),
                    n(&x["band"]),
                    ci(&x["ci"], 0),
                    ci(&x["ci"], 1),
                    n(&x["coverage"]),
                    n(&x["weight"]),
                    n(&x["not_measured"]),
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
        rows: arr(&a["cost"]["drivers"])
            .iter()
            .map(|d| {
                let c = &d["cost"];
                vec![
                    n(&d["family"]),
                    n(&c["hours"]["low"]),
                    n(&c["hours"]["high"]),
                    n(&c["money"]["low"]),
                    n(&c["money"]["high"]),
                    if c["money"].is_object() {
                        n(&a["cost"]["currency"])
                    } else {
                        String::new()
                    },
                    n(&d["basis"]),
                ]
            })
            .collect(),
    });

    out.push(Table {
        name: "evidence",
        title: "Evidence",
        columns: cols(&["signal", "kind", "id", "label", "value"]),
        rows: signals(a)
            .into_iter()
            .flat_map(|(_, x)| {
                arr(&x["evidence"]).iter().map(move |e| {
                    vec![
                        n(&x["id"]),
                        n(&e["kind"]),
                        n(&e["id"]),
                        n(&e["label"]),
                        n(&e["value"]),
                    ]
                })
            })
            .collect(),
    });

    let files = crate::files_by_cost(a);
    out.push(Table {
        name: "hotspots",
        title: "Files changed in the window, costliest first",
        columns: cols(&[
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
        ]),
        rows: files
            .iter()
            .map(|f| {
                vec![
                    n(&f["path"]),
                    n(&f["component"]),
                    n(&f["health"]),
                    n(&f["code_lines"]),
                    n(&f["revisions"]),
                    n(&f["fix_commits"]),
                    n(&f["hotspot"]),
                    n(&f["friction"]["hours"]["low"]),
                    n(&f["friction"]["hours"]["high"]),
                    n(&f["defect_work"]["hours"]["low"]),
                    n(&f["defect_work"]["hours"]["high"]),
                    n(&f["median_gap_days"]),
                ]
            })
            .collect(),
    });

    for (name, title, key) in [
        ("components", "Components", "components"),
        ("teams", "Teams", "teams"),
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
            rows: arr(&a[key])
                .iter()
                .map(|c| {
                    vec![
                        n(&c["name"]),
                        n(&c["files"]),
                        n(&c["code_lines"]),
                        n(&c["score"]),
                        n(&c["band"]),
                        ci(&c["ci"], 0),
                        ci(&c["ci"], 1),
                        n(&c["coverage"]),
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
        rows: arr(&a["interventions"])
            .iter()
            .map(|i| {
                vec![
                    n(&i["id"]),
                    n(&i["kind"]),
                    n(&i["title"]),
                    n(&i["why"]),
                    n(&i["effort_days"]["low"]),
                    n(&i["effort_days"]["high"]),
                    n(&i["benefit"]["hours"]["low"]),
                    n(&i["benefit"]["hours"]["high"]),
                    n(&i["index_gain"]),
                    n(&i["time_to_impact_weeks"]["low"]),
                    n(&i["time_to_impact_weeks"]["high"]),
                    arr(&i["depends_on"])
                        .iter()
                        .map(n)
                        .collect::<Vec<_>>()
                        .join(" "),
                    n(&i["risk_reduction"]),
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
        ]),
        rows: arr(&a["roadmap"]["steps"])
            .iter()
            .map(|st| {
                vec![
                    n(&st["step"]),
                    n(&st["intervention"]),
                    n(&st["title"]),
                    n(&st["effort_days"]["low"]),
                    n(&st["effort_days"]["high"]),
                    n(&st["cumulative_effort_days"]["low"]),
                    n(&st["cumulative_effort_days"]["high"]),
                    n(&st["benefit"]["hours"]["low"]),
                    n(&st["benefit"]["hours"]["high"]),
                    n(&st["time_to_impact_weeks"]["low"]),
                    n(&st["time_to_impact_weeks"]["high"]),
                    n(&st["projected_index"]),
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
