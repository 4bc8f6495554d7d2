//! The Markdown summary, for pull-request comments and wikis: the executive
//! summary, the drivers, the top hotspots and the first roadmap steps.

use std::fmt::Write as _;

use crate::escape::markdown as md;
use crate::{Report, arr, fmt1, num, range1, s};

/// Rows per table.
const ROWS: usize = 10;

/// The Markdown summary.
pub fn markdown(r: &Report) -> String {
    let json = r.json();
    let a = &json;
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
    for d in arr(&a["index"]["drivers"]) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            md(s(&d["title"])),
            num(&d["weight"]).map_or_else(|| "–".into(), |w| format!("{w:.2}")),
            num(&d["score"]).map_or_else(|| "not measured".into(), |v| format!("{v:.1}")),
            md(d["band"].as_str().unwrap_or("–")),
            fmt1(num(&d["points_lost"]))
        );
    }
    let files: Vec<&serde_json::Value> = crate::files_by_cost(a)
        .into_iter()
        .filter(|f| f["hotspot"] == true)
        .collect();
    if !files.is_empty() {
        let _ = writeln!(
            out,
            "\n**Top hotspots**\n\n| file | health | revisions | cost a year (excess time + fix work) |\n|---|---:|---:|---:|"
        );
        for f in files.iter().take(ROWS) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                md(s(&f["path"])),
                fmt1(num(&f["health"])),
                num(&f["revisions"]).unwrap_or(0.0),
                md(&crate::file_cost(f, "h"))
            );
        }
    }
    let steps = arr(&a["roadmap"]["steps"]);
    if !steps.is_empty() {
        let _ = writeln!(out, "\n**Roadmap, first steps**\n");
        for st in steps.iter().take(5) {
            let _ = writeln!(
                out,
                "{}. {} — {}, index → {}",
                num(&st["step"]).unwrap_or(0.0),
                md(s(&st["title"])),
                md(&range1(&st["effort_days"], "days")),
                fmt1(num(&st["projected_index"]))
            );
        }
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
