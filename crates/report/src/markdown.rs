//! The Markdown summary, for pull-request comments and wikis: the executive
//! summary, the drivers, the top hotspots and the first roadmap steps.

use std::fmt::Write as _;

use crate::escape::markdown as md;
use crate::{Report, costliest, fmt1, range1_of};

/// Rows per table.
const ROWS: usize = 10;

/// The Markdown summary.
pub fn markdown(r: &Report) -> String {
    let a = &r.assessment.assessment;
    let m = &r.meta;
    let sum = crate::summary(r);
    let mut out = String::new();
    let _ = writeln!(out, "## Execution capacity of {}\n", md(&m.repository));
    let _ = writeln!(out, "**{}**\n", md(&sum.headline));
    if r.trend.len() > 1 {
        let first = &r.trend[0];
        let _ = writeln!(
            out,
            "Trend: {} on {} → {} on {} ({} snapshots).\n",
            fmt1(first.index),
            md(&first.as_of),
            fmt1(r.trend[r.trend.len() - 1].index),
            md(&r.trend[r.trend.len() - 1].as_of),
            r.trend.len()
        );
    }
    for (q, text) in [
        ("What does friction cost?", &sum.cost),
        ("Where does it block delivery?", &sum.blocks),
        ("What risk does it carry?", &sum.risk),
        ("What first?", &sum.first),
    ] {
        let _ = writeln!(out, "- **{q}** {}", md(text));
    }
    let _ = writeln!(
        out,
        "\n| driver | weight | score | band | points lost |\n|---|---:|---:|---|---:|"
    );
    for d in &a.index.drivers {
        let _ = writeln!(
            out,
            "| {} | {:.2} | {} | {} | {} |",
            md(&d.title),
            d.weight,
            d.score
                .map_or_else(|| "not measured".into(), |v| format!("{v:.1}")),
            md(d.band.as_deref().unwrap_or("–")),
            fmt1(Some(d.points_lost))
        );
    }
    let files: Vec<_> = costliest(a).into_iter().filter(|f| f.hotspot).collect();
    if !files.is_empty() {
        // The incident column only when fix commits name incidents, so a
        // report without incident data is unchanged.
        let incidents = files.iter().any(|f| !f.incidents.is_empty());
        let _ = writeln!(
            out,
            "\n**Top hotspots**\n\n| file | health | revisions | cost a year (excess time + fix work) |{}\n|---|---:|---:|---:|{}",
            if incidents { " incidents |" } else { "" },
            if incidents { "---|" } else { "" }
        );
        for f in files.iter().take(ROWS) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |{}",
                md(&f.path),
                fmt1(f.health),
                f.revisions,
                md(&range1_of(&f.total_hours(), "h")),
                if incidents {
                    format!(" {} |", md(&crate::incident_cell(&f.incidents)))
                } else {
                    String::new()
                }
            );
        }
    }
    let tests = crate::test_code(a);
    if !tests.is_empty() {
        let _ = writeln!(
            out,
            "\n**Test code, apart**\n\n{}\n\n| file | kind | health | revisions | cost a year |\n|---|---|---:|---:|---:|",
            md(&crate::test_code_sentence(&a.cost.test_code))
        );
        for f in tests.iter().take(ROWS) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                md(&f.path),
                md(&f.kind),
                fmt1(f.health),
                f.revisions,
                md(&range1_of(&f.total_hours(), "h"))
            );
        }
    }
    let steps = &a.roadmap.steps;
    if !steps.is_empty() {
        let _ = writeln!(out, "\n**Roadmap, first steps**\n");
        for st in steps.iter().take(5) {
            let _ = writeln!(
                out,
                "{}. {} — {}, index → {}",
                st.step,
                md(&st.title),
                md(&range1_of(&st.effort_days, "days")),
                fmt1(st.projected_index)
            );
        }
    }
    if let Some(v) = crate::ai::view(r) {
        out.push_str(&crate::ai::markdown(&v));
    }
    if let Some(v) = crate::execution::view(r) {
        out.push_str(&crate::execution::markdown(&v));
    }
    let _ = writeln!(
        out,
        "\n<sub>friction {} · methodology {} · snapshot #{} of `{}` · manifest {} · generated {}</sub>",
        md(&m.tool_version),
        md(&m.methodology),
        m.snapshot,
        m.commit
            .chars()
            .take(12)
            .filter(char::is_ascii_hexdigit)
            .collect::<String>(),
        m.digest
            .chars()
            .take(12)
            .filter(char::is_ascii_hexdigit)
            .collect::<String>(),
        m.generated_at
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '+'))
            .collect::<String>()
    );
    out
}
