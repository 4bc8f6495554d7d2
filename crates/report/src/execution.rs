//! The "Execution verification" section (issue 19): work reported done
//! against the evidence, per team, with the execution risk and its credible
//! interval; the items behind the findings by key and title. Teams only —
//! no person is named. Rendered by the HTML, Markdown and PDF writers;
//! absent without work items.

use friction_analysis::execution::{ExecutionVerification, TeamExecution};

use crate::Report;

/// One row of the per-team table, as text.
pub(crate) struct Row {
    pub team: String,
    pub cells: [String; 9],
}

pub(crate) const HEADERS: [&str; 10] = [
    "team",
    "reported done",
    "verified",
    "ghosts",
    "stale in progress",
    "reopened",
    "done without progress",
    "cycle time (median days)",
    "execution risk (90 % interval)",
    "off-hours share (sustained weeks)",
];

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{:.0} %", v * 100.0))
}

fn row(t: &TeamExecution) -> Row {
    Row {
        team: t.team.clone(),
        cells: [
            t.reported_done.to_string(),
            format!("{} ({})", t.verified, pct(t.verified_rate)),
            t.ghosts.to_string(),
            format!("{} of {}", t.stale, t.in_progress),
            t.reopened.to_string(),
            t.skipped_progress.to_string(),
            t.cycle_days.map_or_else(
                || "–".into(),
                |d| format!("{d:.1} ({} items)", t.cycle_items),
            ),
            t.risk.map_or_else(
                || "–".into(),
                |r| {
                    format!(
                        "{:.0} % ({:.0}–{:.0} %)",
                        r.mean * 100.0,
                        r.low * 100.0,
                        r.high * 100.0
                    )
                },
            ),
            t.off_hours.as_ref().map_or_else(
                || "–".into(),
                |o| {
                    format!(
                        "{} ({} of {} weeks)",
                        pct(Some(o.share)),
                        o.sustained_weeks,
                        o.weeks
                    )
                },
            ),
        ],
    }
}

pub(crate) struct View<'a> {
    pub e: &'a ExecutionVerification,
    pub headline: String,
    pub rows: Vec<Row>,
}

pub(crate) fn view(r: &Report) -> Option<View<'_>> {
    let e = r.assessment.assessment.execution.as_ref()?;
    let o = &e.organisation;
    let headline = match (o.verified_rate, o.risk) {
        (Some(rate), Some(risk)) => format!(
            "Of {} items reported done that need code, {} ({:.0} %) have a change merged to the default branch{}; {} have no linked change at all. The estimated probability that an item reported done is not done is {:.0} % (90 % credible interval {:.0}–{:.0} %).",
            o.reported_done,
            o.verified,
            rate * 100.0,
            if e.deployments_known {
                " and deployed"
            } else {
                ""
            },
            o.ghosts,
            risk.mean * 100.0,
            risk.low * 100.0,
            risk.high * 100.0
        ),
        _ => format!(
            "{} work items read; none is reported done with code to verify.",
            e.items
        ),
    };
    let mut rows = vec![row(o)];
    rows.extend(e.teams.iter().map(row));
    Some(View { e, headline, rows })
}

pub(crate) fn notes(e: &ExecutionVerification) -> String {
    let mut n = format!(
        "{} work items; {} linked commits of {}; {} done as not delivered (won't do, duplicate, …) and {} done that need no code are left out; {} with a status no category is known for.",
        e.items, e.linked_commits, e.commits, e.not_delivered, e.no_code, e.unknown_category
    );
    if e.merged_teams > 0 {
        n.push_str(&format!(
            " {} team(s) with fewer than 5 contributors are merged into `other`{}.",
            e.merged_teams,
            if e.suppressed_items > 0 {
                format!(
                    ", or counted in the organisation's row only ({} items)",
                    e.suppressed_items
                )
            } else {
                String::new()
            }
        ));
    }
    n
}

pub(crate) fn html(v: &View<'_>) -> String {
    use crate::escape::html as h;
    use std::fmt::Write as _;
    let mut out = String::from("<section id=\"execution\"><h2>Execution verification</h2>");
    let _ = write!(out, "<p>{}</p><table><thead><tr>", h(&v.headline));
    for (i, head) in HEADERS.iter().enumerate() {
        let class = if i == 0 { "" } else { " class=\"n\"" };
        let _ = write!(out, "<th{class}>{}</th>", h(head));
    }
    out.push_str("</tr></thead><tbody>");
    for r in &v.rows {
        let _ = write!(out, "<tr><td>{}</td>", h(&r.team));
        for c in &r.cells {
            let _ = write!(out, "<td class=\"n\">{}</td>", h(c));
        }
        out.push_str("</tr>");
    }
    let _ = write!(
        out,
        "</tbody></table><p class=\"muted\">{}</p>",
        h(&notes(v.e))
    );
    let findings: Vec<_> = std::iter::once(&v.e.organisation)
        .flat_map(|t| &t.findings)
        .collect();
    if !findings.is_empty() {
        out.push_str(
            "<details><summary>Items behind the findings</summary><table><thead><tr>\
             <th>item</th><th>title</th><th>finding</th></tr></thead><tbody>",
        );
        for f in findings {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                h(&f.key),
                h(&f.title),
                h(&f.finding)
            );
        }
        out.push_str("</tbody></table></details>");
    }
    if !v.e.over_time.is_empty() {
        out.push_str(
            "<details><summary>Execution risk by quarter of resolution</summary><table><thead><tr>\
             <th>quarter</th><th class=\"n\">reported done</th><th class=\"n\">unverified</th>\
             <th class=\"n\">execution risk (90 % interval)</th></tr></thead><tbody>",
        );
        for p in &v.e.over_time {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.0} % ({:.0}–{:.0} %)</td></tr>",
                h(&p.quarter),
                p.reported_done,
                p.unverified,
                p.risk.mean * 100.0,
                p.risk.low * 100.0,
                p.risk.high * 100.0
            );
        }
        out.push_str("</tbody></table></details>");
    }
    out.push_str("</section>");
    out
}

pub(crate) fn markdown(v: &View<'_>) -> String {
    use crate::escape::markdown as md;
    use std::fmt::Write as _;
    let mut out = format!("\n**Execution verification**\n\n{}\n\n|", md(&v.headline));
    for head in HEADERS {
        let _ = write!(out, " {head} |");
    }
    out.push_str("\n|---|");
    for _ in 1..HEADERS.len() {
        out.push_str("---:|");
    }
    out.push('\n');
    for r in &v.rows {
        let _ = write!(out, "| {} |", md(&r.team));
        for c in &r.cells {
            let _ = write!(out, " {} |", md(c));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "\n{}", md(&notes(v.e)));
    out
}
