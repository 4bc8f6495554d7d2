//! The "AI-assisted change" section every format shows (issue 22): how much
//! of the change carries an assistant's mark, and how that change compares
//! with the other change (rework and fixes within the same files). One view, rendered by the HTML,
//! Markdown and PDF writers.

use friction_assess::index::{IndexResult, SignalResult};

use crate::Report;

/// The comparisons, in the order shown.
const COMPARISONS: [(&str, &str); 3] = [
    ("ai-unhealthy-exposure", "changes landing in unhealthy code"),
    ("ai-rework", "lines rewritten within the rework horizon"),
    ("ai-fix-follow", "changes a fix followed"),
];

/// One comparison: what, AI-assisted rate, other rate, gap, files compared;
/// or the reason it was not measured.
pub(crate) struct Comparison {
    pub what: &'static str,
    pub ai: Option<f64>,
    pub other: Option<f64>,
    pub gap: Option<f64>,
    pub files: Option<f64>,
    pub not_measured: Option<String>,
}

/// A component or team with its share and gaps.
pub(crate) struct ScopeRow {
    pub kind: &'static str,
    pub name: String,
    pub share: Option<f64>,
    pub gaps: [Option<f64>; 3],
}

pub(crate) struct AiView {
    /// The sentence that opens the section.
    pub headline: String,
    /// Empty when nothing was AI-assisted.
    pub comparisons: Vec<Comparison>,
    pub scopes: Vec<ScopeRow>,
    /// Files where AI-assisted change lands in unhealthy code, most first:
    /// (path, AI-assisted revisions there).
    pub unhealthy_files: Vec<(String, f64)>,
    /// The share over the snapshots that measured it, oldest first: (date,
    /// % of changed lines); empty with fewer than two.
    pub trend: Vec<(String, f64)>,
}

/// At most this many trend points are listed (the latest).
const TREND_POINTS: usize = 12;

fn signal<'a>(index: &'a IndexResult, id: &str) -> Option<&'a SignalResult> {
    index
        .drivers
        .iter()
        .flat_map(|d| &d.signals)
        .find(|s| s.id == id)
}

fn figure(s: &SignalResult, starts: &str) -> Option<f64> {
    s.figures
        .iter()
        .find(|f| f.name.starts_with(starts))
        .map(|f| f.value)
}

/// The section's content; `None` when the assessment predates the signals.
pub(crate) fn view(r: &Report) -> Option<AiView> {
    let a = &r.assessment.assessment;
    let share = signal(&a.index, "ai-assisted-change")?;
    let Some(value) = share.value else {
        return Some(AiView {
            headline: format!(
                "No AI-assisted change measured: {}.",
                share
                    .not_measured
                    .as_deref()
                    .unwrap_or("no value")
                    .trim_end_matches('.')
            ),
            comparisons: Vec::new(),
            scopes: Vec::new(),
            unhealthy_files: Vec::new(),
            trend: Vec::new(),
        });
    };
    let commits = figure(share, "AI-assisted commits").unwrap_or(0.0);
    let commit_share = figure(share, "AI-assisted share of commits").unwrap_or(0.0);
    let headline = format!(
        "{value:.1} % of the lines changed in the window ({} commits, {commit_share:.1} % of all) \
         carry an AI assistant's mark — a lower bound: only signed assistance is recognised. \
         Compared with the other change (rework and fixes: of the same files; percentage points, positive is worse):",
        crate::thousands(commits)
    );
    let comparisons = COMPARISONS
        .iter()
        .filter_map(|(id, what)| {
            let s = signal(&a.index, id)?;
            let rates: Vec<f64> = s
                .figures
                .iter()
                .filter(|f| f.unit == "%")
                .map(|f| f.value)
                .collect();
            Some(Comparison {
                what,
                ai: rates.first().copied(),
                other: rates.get(1).copied(),
                gap: s.value,
                files: figure(s, "files compared"),
                not_measured: s.not_measured.clone(),
            })
        })
        .collect();
    let scopes = a
        .components
        .iter()
        .map(|c| ("component", c))
        .chain(a.teams.iter().map(|t| ("team", t)))
        .filter_map(|(kind, sc)| {
            let share = signal(&sc.index, "ai-assisted-change").and_then(|s| s.value)?;
            let gap = |id: &str| signal(&sc.index, id).and_then(|s| s.value);
            Some(ScopeRow {
                kind,
                name: sc.name.clone(),
                share: Some(share),
                gaps: [
                    gap(COMPARISONS[0].0),
                    gap(COMPARISONS[1].0),
                    gap(COMPARISONS[2].0),
                ],
            })
        })
        .collect();
    let unhealthy_files = signal(&a.index, "ai-unhealthy-exposure")
        .map(|s| {
            s.evidence
                .iter()
                .filter(|e| e.kind == "file")
                .map(|e| (e.id.clone(), e.value))
                .collect()
        })
        .unwrap_or_default();
    let mut trend: Vec<(String, f64)> = r
        .trend
        .iter()
        .filter_map(|p| p.ai_share.map(|v| (p.as_of.clone(), v)))
        .collect();
    if trend.len() < 2 {
        trend.clear();
    }
    let cut = trend.len().saturating_sub(TREND_POINTS);
    trend.drain(..cut);
    Some(AiView {
        headline,
        comparisons,
        scopes,
        unhealthy_files,
        trend,
    })
}

/// `+3.2` / `−1.0` / `–`.
pub(crate) fn gap(v: Option<f64>) -> String {
    match v {
        Some(v) if v > 0.0 => format!("+{v:.1}"),
        Some(v) if v < 0.0 => format!("−{:.1}", -v),
        Some(_) => "0.0".into(),
        None => "–".into(),
    }
}

/// `12.5 %` / `–`.
pub(crate) fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.1} %"))
}

/// The HTML section (`id="ai"`).
pub(crate) fn html(v: &AiView) -> String {
    use crate::escape::html as h;
    use std::fmt::Write as _;
    let mut out = String::from("<section id=\"ai\"><h2>AI-assisted change</h2>");
    let _ = write!(out, "<p>{}</p>", h(&v.headline));
    if !v.comparisons.is_empty() {
        out.push_str(
            "<table><thead><tr><th>share of</th><th class=\"n\">AI-assisted</th>\
             <th class=\"n\">other change</th><th class=\"n\">gap (points)</th>\
             <th class=\"n\">files compared</th></tr></thead><tbody>",
        );
        for c in &v.comparisons {
            match &c.not_measured {
                Some(why) => {
                    let _ = write!(
                        out,
                        "<tr><td>{}</td><td colspan=\"4\" class=\"muted\">not measured: {}</td></tr>",
                        h(c.what),
                        h(why)
                    );
                }
                None => {
                    let _ = write!(
                        out,
                        "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                         <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                        h(c.what),
                        h(&pct(c.ai)),
                        h(&pct(c.other)),
                        h(&gap(c.gap)),
                        c.files.map_or_else(|| "–".into(), crate::thousands)
                    );
                }
            }
        }
        out.push_str("</tbody></table>");
    }
    if !v.trend.is_empty() {
        out.push_str(
            "<details><summary>AI-assisted share of changed lines over time</summary>\
             <table><thead><tr><th>snapshot date</th><th class=\"n\">share of changed lines \
             (window ending then)</th></tr></thead><tbody>",
        );
        for (date, share) in &v.trend {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"n\">{share:.1} %</td></tr>",
                h(date)
            );
        }
        out.push_str("</tbody></table></details>");
    }
    if !v.scopes.is_empty() {
        out.push_str(
            "<details><summary>By component and team</summary><table><thead><tr><th>scope</th>\
             <th class=\"n\">AI-assisted share of lines</th><th class=\"n\">unhealthy-code gap</th>\
             <th class=\"n\">rework gap</th><th class=\"n\">fix-follow gap</th></tr></thead><tbody>",
        );
        for s in &v.scopes {
            let _ = write!(
                out,
                "<tr><td>{} <span class=\"muted\">{}</span></td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                h(&s.name),
                s.kind,
                h(&pct(s.share)),
                h(&gap(s.gaps[0])),
                h(&gap(s.gaps[1])),
                h(&gap(s.gaps[2]))
            );
        }
        out.push_str("</tbody></table></details>");
    }
    if !v.unhealthy_files.is_empty() {
        out.push_str(
            "<p>Where AI-assisted change lands in unhealthy code — stabilise these before \
             accelerating them:</p><table><thead><tr><th>file</th>\
             <th class=\"n\">AI-assisted revisions</th></tr></thead><tbody>",
        );
        for (path, n) in &v.unhealthy_files {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td class=\"n\">{}</td></tr>",
                h(path),
                crate::thousands(*n)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str(
        "<p class=\"muted\">Weight 0: these figures sit beside the index and never move it. \
         Method: <code>friction explain ai-assisted-change</code> (and <code>ai-rework</code>, \
         <code>ai-fix-follow</code>, <code>ai-unhealthy-exposure</code>).</p></section>",
    );
    out
}

/// The Markdown section.
pub(crate) fn markdown(v: &AiView) -> String {
    use crate::escape::markdown as md;
    use std::fmt::Write as _;
    let mut out = format!("\n**AI-assisted change**\n\n{}\n", md(&v.headline));
    if let (Some(first), Some(last)) = (v.trend.first(), v.trend.last()) {
        let _ = writeln!(
            out,
            "\nTrend: {:.1} % on {} → {:.1} % on {} ({} snapshots).",
            first.1,
            md(&first.0),
            last.1,
            md(&last.0),
            v.trend.len()
        );
    }
    if !v.comparisons.is_empty() {
        out.push_str(
            "\n| share of | AI-assisted | other change | gap (points) |\n|---|---:|---:|---:|\n",
        );
        for c in &v.comparisons {
            match &c.not_measured {
                Some(why) => {
                    let _ = writeln!(out, "| {} | not measured: {} | | |", md(c.what), md(why));
                }
                None => {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} |",
                        md(c.what),
                        pct(c.ai),
                        pct(c.other),
                        gap(c.gap)
                    );
                }
            }
        }
    }
    out
}
