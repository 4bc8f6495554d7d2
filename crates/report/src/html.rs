//! The self-contained HTML report: one file, inline CSS and SVG, no script,
//! no external reference (a Content-Security-Policy forbids any request).

use std::fmt::Write as _;

use crate::escape::{anchor, html as h};
use crate::svg::{self, Point, Step, Tile};
use crate::tables::Table;
use crate::{Report, fmt1, range_of, range1_of};

/// Rows shown per table in the page; the CSV files carry every row.
const PAGE_ROWS: usize = 50;
/// Columns that are text whatever their cells look like.
const TEXT_COLUMNS: &[&str] = &[
    "path",
    "name",
    "id",
    "title",
    "intervention",
    "signal",
    "family",
    "component",
    "label",
    "input",
    "what",
    "sha256",
    "as_of",
    "kind",
    "band",
    "unit",
    "basis",
    "why",
    "depends_on",
];
/// Files drawn in the treemap; smaller ones are summed into one tile.
const TREEMAP_FILES: usize = 250;

const STYLE: &str = "
:root{--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--blue:#0072B2;--orange:#E69F00;--red:#D55E00;--bg:#f6f8fa}
*{box-sizing:border-box}body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--ink);margin:0;background:white}
header{background:var(--ink);color:white;padding:24px 32px}header h1{margin:0 0 4px;font-size:24px}header p{margin:0;color:#d0d7de}
nav{padding:8px 32px;border-bottom:1px solid var(--line);position:sticky;top:0;background:white;z-index:1}nav a{margin-right:16px;color:var(--blue);text-decoration:none}
main{max-width:1080px;margin:0 auto;padding:8px 32px 48px}section{margin-top:32px}h2{border-bottom:1px solid var(--line);padding-bottom:4px}
.kpis{display:flex;gap:16px;flex-wrap:wrap}.kpi{border:1px solid var(--line);border-radius:8px;padding:12px 16px;min-width:180px}
.kpi .v{font-size:32px;font-weight:700;white-space:nowrap}.kpi .v a{color:inherit;text-decoration:none}.kpi .l{color:var(--muted);font-size:13px}
.band{display:inline-block;padding:0 8px;border-radius:10px;color:white;font-size:13px}.healthy{background:var(--blue)}.warning{background:var(--orange);color:#1f2328}.alert{background:var(--red)}.none{background:#8c8c8c}
dl.q dt{font-weight:700;margin-top:12px}dl.q dd{margin:2px 0 0 0}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:var(--bg)}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td code{word-break:break-all}
details{border:1px solid var(--line);border-radius:6px;padding:6px 10px;margin:6px 0}summary{cursor:pointer}
.muted{color:var(--muted)}.chart{max-width:100%;height:auto;font-family:system-ui,sans-serif}
footer{color:var(--muted);font-size:12px;border-top:1px solid var(--line);margin-top:48px;padding-top:8px}
@media print{nav{display:none}details{border:none}section{break-inside:avoid-page}}
";

fn band_class(b: &str) -> &'static str {
    match b {
        "healthy" => "healthy",
        "warning" => "warning",
        "alert" => "alert",
        _ => "none",
    }
}

fn band(b: Option<&str>) -> String {
    let name = b.unwrap_or("not measured");
    format!(
        "<span class=\"band {}\">{}</span>",
        band_class(name),
        h(name)
    )
}

/// A table; columns whose cells are all numbers are right-aligned.
fn table(out: &mut String, t: &Table, limit: usize, link: Option<(&str, &str)>) {
    let numeric: Vec<&str> = t
        .columns
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            // Names and paths stay text even when they look like numbers (`007`).
            if TEXT_COLUMNS.contains(&c.as_str()) {
                return false;
            }
            let cells = || {
                t.rows
                    .iter()
                    .map(|r| r[*i].as_str())
                    .filter(|c| !c.is_empty())
            };
            cells().next().is_some() && cells().all(|c| c.parse::<f64>().is_ok())
        })
        .map(|(_, c)| c.as_str())
        .collect();
    // Wide tables (the hotspot table has sixteen columns with test and
    // coverage marks) scroll inside the text column instead of spilling out.
    let _ = write!(out, "<div class=\"scroll\"><table><thead><tr>");
    for c in &t.columns {
        let class = if numeric.contains(&c.as_str()) {
            " class=\"n\""
        } else {
            ""
        };
        let _ = write!(out, "<th{class}>{}</th>", h(&c.replace('_', " ")));
    }
    out.push_str("</tr></thead><tbody>");
    for row in t.rows.iter().take(limit) {
        let id = link.and_then(|(col, prefix)| {
            t.columns
                .iter()
                .position(|c| c == col)
                .map(|i| anchor(prefix, &row[i]))
        });
        match &id {
            Some(id) => {
                let _ = write!(out, "<tr id=\"{id}\">");
            }
            None => out.push_str("<tr>"),
        }
        for (c, v) in t.columns.iter().zip(row) {
            if numeric.contains(&c.as_str()) {
                let shown = v.parse::<f64>().map_or_else(
                    |_| v.clone(),
                    |x| {
                        if x.fract() == 0.0 {
                            format!("{x:.0}")
                        } else {
                            format!("{x:.2}")
                        }
                    },
                );
                let _ = write!(out, "<td class=\"n\">{}</td>", h(&shown));
            } else {
                let _ = write!(out, "<td>{}</td>", h(v));
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    if t.rows.len() > limit {
        let _ = write!(
            out,
            "<p class=\"muted\">{} of {} rows shown; <code>{}.csv</code> has all of them.</p>",
            limit,
            t.rows.len(),
            t.name
        );
    }
}

/// The roadmap as a reader scans it: one range per cell (`roadmap.csv` keeps
/// the low and high columns apart), so the table fits the page's 1,016 px
/// column without hiding the projected index (issue 15.14). Every step is
/// shown: a board pack never drops the steps that move the index.
fn roadmap_table(out: &mut String, rm: &friction_assess::Roadmap) {
    // A range below ten in one decimal (0.2–2.2 weeks must not read 0–2);
    // above, whole numbers with thousands separators, as everywhere else.
    let one = |x: f64| format!("{x:.1}");
    let days = |r: &friction_assess::Range| {
        let wide = r.low.abs().max(r.high.abs()) >= 10.0;
        let one = |x: f64| if wide { crate::thousands(x) } else { one(x) };
        let (lo, hi) = (one(r.low), one(r.high));
        if lo == hi { lo } else { format!("{lo}–{hi}") }
    };
    out.push_str(
        "<table class=\"roadmap\"><thead><tr><th class=\"n\">step</th><th>intervention</th>\
         <th class=\"n\">effort (days)</th><th class=\"n\">cumulative effort (days)</th>\
         <th class=\"n\">benefit (hours a year)</th><th class=\"n\">time to impact (weeks)</th>\
         <th class=\"n\">own gain</th><th class=\"n\">gain so far</th>\
         <th class=\"n\">projected index</th></tr></thead><tbody>",
    );
    for st in &rm.steps {
        let so_far = match (st.projected_index, rm.index_before) {
            (Some(p), Some(b)) => format!("{:+.1}", p - b),
            _ => "–".to_owned(),
        };
        let _ = write!(
            out,
            "<tr><td class=\"n\">{}</td><td>{}<br><code class=\"muted\">{}</code>{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{:+.1}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            st.step,
            h(&st.title),
            h(&st.intervention),
            st.note.as_ref().map_or(String::new(), |n| format!(
                "<br><span class=\"muted\">{}</span>",
                h(n)
            )),
            h(&days(&st.effort_days)),
            h(&days(&st.cumulative_effort_days)),
            h(&days(&st.benefit.hours)),
            h(&days(&st.time_to_impact_weeks)),
            st.own_index_gain,
            h(&so_far),
            fmt1(st.projected_index),
        );
    }
    out.push_str("</tbody></table>");
}

fn find<'a>(ts: &'a [Table], name: &str) -> &'a Table {
    ts.iter().find(|t| t.name == name).unwrap_or(&ts[0])
}

/// The HTML report.
pub fn html(r: &Report) -> String {
    let doc = &r.assessment;
    let a = &doc.assessment;
    let idx = &a.index;
    let m = &r.meta;
    let sum = crate::summary(r);
    let ts = crate::tables(r);
    // The file rows the page shows (link targets); the CSV has the rest.
    let shown: std::collections::BTreeSet<&str> = crate::costliest(a)
        .into_iter()
        .take(PAGE_ROWS)
        .map(|f| f.path.as_str())
        .collect();
    let mut out = String::with_capacity(256 * 1024);
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <title>friction report — {}</title><style>{STYLE}</style></head><body>",
        h(&m.repository)
    );
    let _ = write!(
        out,
        "<header><h1>Execution capacity of {}</h1><p>Snapshot #{} ({}) of commit <code>{}</code>, window {} to {} ({} months) · methodology {} · friction {}</p></header>",
        h(&m.repository),
        m.snapshot,
        h(&m.kind),
        h(&m.commit.chars().take(12).collect::<String>()),
        h(&doc.window_from),
        h(&doc.window_to),
        a.window_months,
        h(&m.methodology),
        h(&m.tool_version)
    );
    out.push_str(
        "<nav aria-label=\"Sections\"><a href=\"#summary\">Summary</a><a href=\"#index\">Index</a>\
         <a href=\"#drivers\">Drivers</a><a href=\"#cost\">Cost</a><a href=\"#hotspots\">Hotspots</a><a href=\"#coupling\">Coupling</a>\
         <a href=\"#knowledge\">Knowledge</a><a href=\"#roadmap\">Roadmap</a><a href=\"#ai\">AI-assisted change</a><a href=\"#evidence\">Evidence</a>\
         <a href=\"#appendix\">Appendix</a></nav><main>",
    );

    // Executive summary.
    let _ = write!(
        out,
        "<section id=\"summary\"><h2>Executive summary</h2><div class=\"kpis\">\
         <div class=\"kpi\" id=\"kpi-index\"><div class=\"v\"><a href=\"#drivers\">{}</a></div><div class=\"l\">Execution Capacity Index (0–100) {}</div></div>\
         <div class=\"kpi\"><div class=\"v\">{:.0} %</div><div class=\"l\">coverage of the methodology</div></div>\
         <div class=\"kpi\"><div class=\"v\"><a href=\"#cost\">{}</a></div><div class=\"l\">friction cost a year (estimate)</div></div>\
         <div class=\"kpi\"><div class=\"v\"><a href=\"#roadmap\">{}</a></div><div class=\"l\">roadmap steps</div></div></div>",
        fmt1(idx.score),
        band(idx.band.as_deref()),
        idx.coverage * 100.0,
        h(&match &a.cost.total.money {
            Some(money) => range_of(money, &a.cost.currency),
            None => range_of(&a.cost.total.hours, "h"),
        }),
        a.roadmap.steps.len()
    );
    let _ = write!(
        out,
        "<p>{}</p><dl class=\"q\"><dt>What does friction cost?</dt><dd>{}</dd>\
         <dt>Where does it block delivery?</dt><dd>{}</dd><dt>What risk does it carry?</dt><dd>{}</dd>\
         <dt>What first?</dt><dd>{}</dd></dl></section>",
        h(&sum.headline),
        h(&sum.cost),
        h(&sum.blocks),
        h(&sum.risk),
        h(&sum.first)
    );

    // Index and trend.
    let points: Vec<Point> = r
        .trend
        .iter()
        .map(|p| Point {
            label: p.as_of.clone(),
            value: p.index,
            ci: p.ci,
        })
        .collect();
    let desc = match (r.trend.first(), r.trend.last()) {
        (Some(f), Some(l)) if r.trend.len() > 1 => format!(
            "The index went from {} on {} to {} on {} over {} snapshots.",
            fmt1(f.index),
            f.as_of,
            fmt1(l.index),
            l.as_of,
            r.trend.len()
        ),
        _ => "One snapshot so far; run friction backfill for a trend.".into(),
    };
    let _ = write!(
        out,
        "<section id=\"index\"><h2>The index over time</h2>{}<p class=\"muted\">{}</p>",
        svg::trend(
            "trend",
            &points,
            "Execution Capacity Index over time, with its 90 % interval",
            &desc,
            "snapshot date (window end)"
        ),
        h(&desc)
    );
    table(&mut out, find(&ts, "trend"), PAGE_ROWS, None);
    out.push_str("</section>");

    // Drivers.
    let drivers = &idx.drivers;
    let steps: Vec<Step> = drivers
        .iter()
        .filter(|d| d.score.is_some())
        .map(|d| Step {
            label: d.title.clone(),
            delta: -d.points_lost,
            href: Some(anchor("driver", d.family.as_str())),
        })
        .collect();
    let lost: Vec<String> = steps
        .iter()
        .map(|st| format!("{} {:+.1}", st.label, st.delta))
        .collect();
    let _ = write!(
        out,
        "<section id=\"drivers\"><h2>What the index is made of</h2>\
         <p>Each measured driver family takes its weight's share of 100 points and loses what its score misses; \
         the losses add up to the gap between 100 and the index. Families without data are not measured and \
         lower coverage instead.</p>{}",
        svg::waterfall(
            "waterfall",
            ("maximum", 100.0),
            &steps,
            "index",
            "Index points lost per driver",
            &format!("From 100: {}; index {}.", lost.join(", "), fmt1(idx.score))
        )
    );
    table(&mut out, find(&ts, "drivers"), PAGE_ROWS, None);
    out.push_str("</section>");

    // Cost.
    let cost = &a.cost;
    let _ = write!(
        out,
        "<section id=\"cost\"><h2>What friction costs</h2><p>{}</p>",
        h(&format!(
            "An estimate, as a range: {} engineers ({}), {} of development a year; friction takes {} of it{}.",
            range1_of(&cost.engineers, "").trim_end(),
            cost.engineers_source,
            range_of(&cost.development_hours, "hours"),
            range_of(&cost.total.hours, "hours"),
            match &cost.total.money {
                Some(money) => format!(" ({})", range_of(money, &cost.currency)),
                None => " (set [economics] hourly_cost in friction.toml for money)".to_owned(),
            }
        ))
    );
    table(&mut out, find(&ts, "cost"), PAGE_ROWS, None);
    out.push_str("<p class=\"muted\">Per file, the estimate is in the hotspot table below; the method is in the appendix.</p></section>");

    // Hotspot map.
    let files = find(&ts, "hotspots");
    let mut by_size: Vec<&friction_assess::cost::FileCost> =
        a.cost.files.iter().filter(|f| f.is_product()).collect();
    by_size.sort_by(|x, y| {
        y.code_lines
            .cmp(&x.code_lines)
            .then_with(|| x.path.cmp(&y.path))
    });
    let mut tiles: Vec<Tile> = by_size
        .iter()
        .take(TREEMAP_FILES)
        .map(|f| Tile {
            label: f.path.clone(),
            size: f64::from(f.code_lines).max(1.0),
            health: f.health,
            tooltip: format!(
                "{} — health {}, {} code lines, {} revisions, cost {} (excess time + fix work)",
                f.path,
                fmt1(f.health),
                f.code_lines,
                f.revisions,
                range1_of(&f.total_hours(), "h a year")
            ),
            href: shown
                .contains(f.path.as_str())
                .then(|| anchor("file", &f.path)),
        })
        .collect();
    if by_size.len() > TREEMAP_FILES {
        let rest: f64 = by_size[TREEMAP_FILES..]
            .iter()
            .map(|f| f64::from(f.code_lines))
            .sum();
        tiles.push(Tile {
            label: format!("{} smaller files", by_size.len() - TREEMAP_FILES),
            size: rest.max(1.0),
            health: None,
            tooltip: format!(
                "{} smaller files, {rest:.0} code lines",
                by_size.len() - TREEMAP_FILES
            ),
            href: None,
        });
    }
    let hot_count = a.cost.files.iter().filter(|f| f.hotspot).count();
    let _ = write!(
        out,
        "<section id=\"hotspots\"><h2>Hotspot map</h2><p>Product files changed in the window, sized by code lines and \
         coloured by code health; {hot_count} are hotspots (changed often and unhealthy; a healthy file never is). \
         Test code is listed apart below. Select a tile for its row.</p>{}",
        svg::treemap(
            "treemap",
            &tiles,
            "Files changed in the window by size and code health",
            &format!(
                "{} product files; {hot_count} hotspots; the table below lists them costliest first.",
                by_size.len()
            )
        )
    );
    table(&mut out, files, PAGE_ROWS, Some(("path", "file")));
    let tests = find(&ts, "test-code");
    if !tests.rows.is_empty() {
        let t = &a.cost.test_code;
        let _ = write!(
            out,
            "<h3 id=\"test-code\">Test code, apart</h3><p>{}</p>",
            h(&crate::test_code_sentence(t))
        );
        table(&mut out, tests, PAGE_ROWS, None);
    }
    out.push_str("</section>");

    // Components.
    let components = find(&ts, "components");
    if !components.rows.is_empty() {
        out.push_str("<section id=\"components\"><h2>Components</h2><p>The same index computed over each component's files and the changes that touched them.</p>");
        table(&mut out, components, PAGE_ROWS, None);
        out.push_str("</section>");
    }

    // Coupling across components.
    let signals = || {
        idx.drivers
            .iter()
            .flat_map(|d| d.signals.iter().map(move |x| (d, x)))
    };
    let coupling = signals().find(|(_, x)| x.id == "structural-coupling");
    out.push_str("<section id=\"coupling\"><h2>Coupling across components</h2>");
    let pairs: Vec<(String, String, f64)> = coupling
        .map(|(_, x)| {
            x.evidence
                .iter()
                .filter(|e| e.kind == "component-pair")
                .filter_map(|e| {
                    let (p, q) = e.id.split_once(" + ")?;
                    Some((p.to_owned(), q.to_owned(), e.value))
                })
                .collect()
        })
        .unwrap_or_default();
    if pairs.is_empty() {
        out.push_str("<p class=\"muted\">No change in the window crossed two components (or structural coupling was not measured).</p>");
    } else {
        let mut names: Vec<String> = pairs
            .iter()
            .flat_map(|(p, q, _)| [p.clone(), q.clone()])
            .collect();
        names.sort();
        names.dedup();
        let cells: Vec<(usize, usize, f64)> = pairs
            .iter()
            .map(|(p, q, v)| {
                (
                    names.iter().position(|x| x == p).unwrap_or(0),
                    names.iter().position(|x| x == q).unwrap_or(0),
                    *v,
                )
            })
            .collect();
        let _ = write!(
            out,
            "<p>{}</p>{}",
            h(&format!(
                "{} of multi-file changes in the window crossed a component boundary; the pairs that changed together most:",
                coupling.map_or("–".into(), |(_, x)| format!("{} %", fmt1(x.value)))
            )),
            svg::matrix(
                "coupling",
                &names,
                &cells,
                "changes spanning both",
                "Changes spanning two components",
                &pairs
                    .iter()
                    .map(|(p, q, v)| format!("{p} and {q}: {v:.0}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        );
        out.push_str("<table><thead><tr><th>components</th><th class=\"n\">changes spanning both</th></tr></thead><tbody>");
        for (p, q, v) in &pairs {
            let _ = write!(
                out,
                "<tr><td>{} ↔ {}</td><td class=\"n\">{v:.0}</td></tr>",
                h(p),
                h(q)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>");

    // Knowledge risk.
    out.push_str("<section id=\"knowledge\"><h2>Knowledge risk</h2>");
    let teams = find(&ts, "teams");
    if teams.rows.is_empty() {
        out.push_str("<p class=\"muted\">No team mapping is configured (<code>[teams]</code> or <code>teams_csv</code> in friction.toml), so knowledge risk is shown for the repository.</p>");
    } else {
        out.push_str(
            "<p>The index of each team's code (the files it changed most in the window):</p>",
        );
        table(&mut out, teams, PAGE_ROWS, None);
    }
    out.push_str("<table><thead><tr><th>signal</th><th class=\"n\">value</th><th>unit</th><th class=\"n\">score</th></tr></thead><tbody>");
    for (_, x) in signals().filter(|(d, _)| d.family.as_str() == "team-execution") {
        let _ = write!(
            out,
            "<tr><td><a href=\"#{}\">{}</a></td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            anchor("signal", &x.id),
            h(&x.title),
            fmt1(x.value),
            h(&x.unit),
            x.score
                .map_or_else(|| "not measured".into(), |v| format!("{v:.0}"))
        );
    }
    out.push_str("</tbody></table></section>");

    // Roadmap.
    let rm = &a.roadmap;
    let proj: Vec<Point> = std::iter::once(Point {
        label: "today".into(),
        value: rm.index_before,
        ci: None,
    })
    .chain(rm.steps.iter().map(|st| Point {
        label: format!("{:.0} d", st.cumulative_effort_days.mid()),
        value: st.projected_index,
        ci: None,
    }))
    .collect();
    let _ = write!(
        out,
        "<section id=\"roadmap\"><h2>Roadmap</h2><p>{} steps capture {:.0} % of the addressable friction cost ({}){}. \
         Efforts and benefits are ranges; the projected index applies every step so far to the facts and measures again. {}</p>{}",
        rm.steps.len(),
        rm.captured_share * 100.0,
        h(&range_of(&rm.addressable_hours, "engineer-hours a year")),
        rm.budget_days.map_or(String::new(), |b| format!(
            " within a budget of {b:.0} person-days"
        )),
        h(&crate::roadmap_rule(rm)),
        svg::trend(
            "projection",
            &proj,
            "Cumulative index gain against cumulative effort",
            &format!(
                "From {} today to {} after the last step.",
                fmt1(rm.index_before),
                fmt1(proj.last().and_then(|p| p.value))
            ),
            "cumulative effort, person-days (mid-point): today, then after each step"
        )
    );
    roadmap_table(&mut out, rm);
    out.push_str("</section>");

    // AI-assisted change (beside the index, weight 0).
    if let Some(v) = crate::ai::view(r) {
        out.push_str(&crate::ai::html(&v));
    }
    if let Some(v) = crate::execution::view(r) {
        out.push_str(&crate::execution::html(&v));
    }

    // Evidence: every driver and signal, drill-down target of the figures above.
    out.push_str("<section id=\"evidence\"><h2>Evidence</h2><p>Every figure above comes from these signals; each lists what it measured and the items that weigh most.</p>");
    for d in drivers {
        let _ = write!(
            out,
            "<h3 id=\"{}\">{} — {} {}</h3><p class=\"muted\">methodology weight {:.2}, {}; coverage {:.0} %, 90 % interval {}</p>",
            anchor("driver", d.family.as_str()),
            h(&d.title),
            d.score.map_or_else(|| "not measured".into(), |v| format!("{v:.1}")),
            band(d.band.as_deref()),
            d.weight,
            idx.effective_weight(d.family).map_or_else(
                || "not in the index (not measured)".into(),
                |w| format!("{w:.2} of the index (× its measured share, renormalised over the measured drivers)")
            ),
            d.coverage * 100.0,
            match d.ci {
                Some([lo, hi]) => format!("{}–{}", fmt1(Some(lo)), fmt1(Some(hi))),
                None => "–".into(),
            }
        );
        for x in &d.signals {
            let _ = write!(
                out,
                "<details id=\"{}\"><summary><strong>{}</strong> (<code>{}</code>): {}</summary>",
                anchor("signal", &x.id),
                h(&x.title),
                h(&x.id),
                h(&match x.value {
                    Some(v) => format!(
                        "{v:.2} {} → score {} ({})",
                        x.unit,
                        fmt1(x.score),
                        x.band.as_deref().unwrap_or_default()
                    ),
                    None => format!(
                        "not measured — {}",
                        x.not_measured.as_deref().unwrap_or_default()
                    ),
                })
            );
            if !x.figures.is_empty() {
                out.push_str("<p>");
                let figs: Vec<String> = x
                    .figures
                    .iter()
                    .map(|f| format!("{}: {} {}", f.name, fmt1(Some(f.value)), f.unit))
                    .collect();
                out.push_str(&h(&figs.join(" · ")));
                out.push_str("</p>");
            }
            if !x.evidence.is_empty() {
                out.push_str("<table><thead><tr><th>item</th><th>what</th><th class=\"n\">value</th></tr></thead><tbody>");
                for e in x.evidence.iter().take(PAGE_ROWS) {
                    let item = e.id.as_str();
                    let cell = if e.kind == "file" && shown.contains(item) {
                        format!(
                            "<a href=\"#{}\"><code>{}</code></a>",
                            anchor("file", item),
                            h(item)
                        )
                    } else {
                        format!("<code>{}</code>", h(item))
                    };
                    let what = match &e.cite {
                        Some(c) => format!(
                            "{} <span class=\"muted\">(from {})</span>",
                            h(&e.label),
                            h(c)
                        ),
                        None => h(&e.label),
                    };
                    let _ = write!(
                        out,
                        "<tr><td>{cell}</td><td>{what}</td><td class=\"n\">{}</td></tr>",
                        fmt1(Some(e.value))
                    );
                }
                out.push_str("</tbody></table>");
            }
            let _ = write!(
                out,
                "<p class=\"muted\">Method: <code>friction explain {}</code> and docs/methodology.md.</p></details>",
                h(&x.id)
            );
        }
    }
    out.push_str("</section>");

    // Appendix.
    let _ = write!(
        out,
        "<section id=\"appendix\"><h2>Methodology and audit</h2><table><tbody>\
         <tr><th>methodology</th><td>{}</td></tr><tr><th>tool version</th><td>friction {}</td></tr>\
         <tr><th>snapshot</th><td>#{} ({})</td></tr><tr><th>commit</th><td><code>{}</code></td></tr>\
         <tr><th>as of</th><td>{}</td></tr><tr><th>manifest digest (SHA-256)</th><td><code>{}</code></td></tr>\
         </tbody></table><h3>Inputs</h3>",
        h(&m.methodology),
        h(&m.tool_version),
        m.snapshot,
        h(&m.kind),
        h(&m.commit),
        h(&m.as_of),
        h(&m.digest)
    );
    table(&mut out, find(&ts, "manifest"), PAGE_ROWS, None);
    let _ = write!(
        out,
        "<p>Weights, thresholds and their sources are in the versioned methodology (docs/methodology.md, \
         <code>friction explain SIGNAL</code>). {} Costs are estimates with ranges; authors appear only as pseudonyms. \
         Missing data lowers coverage and is never scored. Every table of this report is also a CSV file beside it.</p></section>",
        h(&crate::calibration_note(&m.methodology))
    );
    let _ = writeln!(
        out,
        "</main><footer><main>Generated {} by friction {} from snapshot #{}.</main></footer></body></html>",
        h(&m.generated_at),
        h(&m.tool_version),
        m.snapshot
    );
    out
}
