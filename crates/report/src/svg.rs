//! Hand-written SVG charts (no chart crate: the few shapes a report needs
//! are simpler to write than to configure, and the output stays byte-stable).
//!
//! Every chart has a `<title>` and `<desc>` (its text alternative), labelled
//! axes with units, and uses the Okabe–Ito palette, which stays distinct
//! under the common colour-vision deficiencies; colour is never the only
//! carrier of meaning (bands are also named in labels and tables).

use friction_model::health::Band;
use std::fmt::Write as _;

use crate::escape::html;

/// Okabe & Ito (2008), "Color Universal Design".
pub const BLUE: &str = "#0072B2";
pub const ORANGE: &str = "#E69F00";
pub const VERMILLION: &str = "#D55E00";
pub const SKY: &str = "#56B4E9";
pub const GREEN: &str = "#009E73";
pub const GREY: &str = "#8c8c8c";
pub const INK: &str = "#1f2328";

/// The colour of an index band (healthy ≥ 75, warning ≥ 50, alert).
pub fn band_colour(score: Option<f64>) -> &'static str {
    match score {
        Some(s) if s >= 75.0 => BLUE,
        Some(s) if s >= 50.0 => ORANGE,
        Some(_) => VERMILLION,
        None => GREY,
    }
}

/// The colour of a code-health score (CodeScene bands: healthy ≥ 9,
/// warning ≥ 4, alert).
pub fn health_colour(h: Option<f64>) -> &'static str {
    match h {
        Some(h) => match Band::of(h) {
            Band::Healthy => BLUE,
            Band::Warning => ORANGE,
            Band::Alert => VERMILLION,
        },
        None => GREY,
    }
}

fn open(out: &mut String, w: f64, h: f64, id: &str, title: &str, desc: &str) {
    open_sized(out, w, h, "100%", id, title, desc);
}

/// An SVG at its natural width (scaled down only when the page is narrower).
fn open_sized(out: &mut String, w: f64, h: f64, width: &str, id: &str, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{width}\" \
         role=\"img\" aria-labelledby=\"{id}-t {id}-d\" class=\"chart\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        html(title),
        html(desc)
    );
}

fn text(out: &mut String, x: f64, y: f64, anchor: &str, size: f64, fill: &str, s: &str) {
    let _ = write!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" font-size=\"{size}\" fill=\"{fill}\">{}</text>",
        html(s)
    );
}

/// A point of a time series.
#[derive(Debug, Clone)]
pub struct Point {
    pub label: String,
    pub value: Option<f64>,
    pub ci: Option<[f64; 2]>,
}

/// Room an x-axis label needs from the next one, pixels: a ten-character
/// date at 10 px is about 60 px wide, centred on its point, or starting at
/// the first and ending at the last.
const LABEL_GAP: f64 = 90.0;

/// Which of `n` evenly spaced points over `width` pixels get an x label: the
/// first and the last always, others only when they keep [`LABEL_GAP`] from
/// their neighbours (a label dropped near the end makes room for the last).
fn labelled(n: usize, width: f64) -> Vec<usize> {
    if n <= 1 {
        return (0..n).collect();
    }
    let step = width / (n - 1) as f64;
    let mut out: Vec<usize> = vec![0];
    for i in 1..n - 1 {
        let last = out[out.len() - 1];
        if (i - last) as f64 * step >= LABEL_GAP && (n - 1 - i) as f64 * step >= LABEL_GAP {
            out.push(i);
        }
    }
    out.push(n - 1);
    out
}

/// A series on a 0–100 index axis with band shading and the interval;
/// `x_axis` names what the points are (snapshot dates, roadmap steps).
pub fn trend(id: &str, points: &[Point], title: &str, desc: &str, x_axis: &str) -> String {
    let (w, h) = (720.0, 260.0);
    let (left, right, top, bottom) = (48.0, 16.0, 16.0, 44.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let y = |v: f64| top + ph * (1.0 - v.clamp(0.0, 100.0) / 100.0);
    let n = points.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            left + pw / 2.0
        } else {
            left + pw * i as f64 / (n - 1) as f64
        }
    };
    let mut out = String::new();
    open(&mut out, w, h, id, title, desc);
    // Bands.
    for (lo, hi, fill, name) in [
        (75.0, 100.0, BLUE, "healthy"),
        (50.0, 75.0, ORANGE, "warning"),
        (0.0, 50.0, VERMILLION, "alert"),
    ] {
        let _ = write!(
            out,
            "<rect x=\"{left}\" y=\"{:.1}\" width=\"{pw}\" height=\"{:.1}\" fill=\"{fill}\" opacity=\"0.07\"/>",
            y(hi),
            y(lo) - y(hi)
        );
        text(
            &mut out,
            left + pw - 4.0,
            y(hi) + 12.0,
            "end",
            10.0,
            GREY,
            name,
        );
    }
    for v in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let _ = write!(
            out,
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#d0d7de\" stroke-width=\"0.5\"/>",
            left + pw,
            y(v),
            y(v)
        );
        text(
            &mut out,
            left - 6.0,
            y(v) + 4.0,
            "end",
            10.0,
            INK,
            &format!("{v:.0}"),
        );
    }
    // Interval band.
    let ci: Vec<(usize, [f64; 2])> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.ci.map(|c| (i, c)))
        .collect();
    if ci.len() > 1 {
        let mut d = String::new();
        for (k, (i, c)) in ci.iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.1},{:.1} ",
                if k == 0 { "M" } else { "L" },
                x(*i),
                y(c[1])
            );
        }
        for (i, c) in ci.iter().rev() {
            let _ = write!(d, "L{:.1},{:.1} ", x(*i), y(c[0]));
        }
        let _ = write!(
            out,
            "<path d=\"{}Z\" fill=\"{SKY}\" opacity=\"0.35\"/>",
            d.trim_end()
        );
    }
    // Line (broken where a point has no value) and dots.
    let mut d = String::new();
    let mut pen = false;
    for (i, p) in points.iter().enumerate() {
        match p.value {
            Some(v) => {
                let _ = write!(d, "{}{:.1},{:.1} ", if pen { "L" } else { "M" }, x(i), y(v));
                pen = true;
            }
            None => pen = false,
        }
    }
    if !d.is_empty() {
        let _ = write!(
            out,
            "<path d=\"{}\" fill=\"none\" stroke=\"{BLUE}\" stroke-width=\"2\"/>",
            d.trim_end()
        );
    }
    for (i, p) in points.iter().enumerate() {
        if let Some(v) = p.value {
            let _ = write!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{}\" stroke=\"white\"><title>{}: {v:.1}</title></circle>",
                x(i),
                y(v),
                band_colour(Some(v)),
                html(&p.label)
            );
        }
    }
    // X labels: first, last and as many between as have room.
    let shown = labelled(points.len(), pw);
    for (i, p) in points.iter().enumerate() {
        if shown.contains(&i) {
            let anchor = if n > 1 && i == 0 {
                "start"
            } else if n > 1 && i + 1 == n {
                "end"
            } else {
                "middle"
            };
            text(
                &mut out,
                x(i),
                h - bottom + 16.0,
                anchor,
                10.0,
                INK,
                &p.label,
            );
        }
    }
    text(
        &mut out,
        left + pw / 2.0,
        h - 6.0,
        "middle",
        11.0,
        INK,
        x_axis,
    );
    let _ = write!(
        out,
        "<text transform=\"translate(12 {:.1}) rotate(-90)\" text-anchor=\"middle\" font-size=\"11\" fill=\"{INK}\">index (0–100)</text>",
        top + ph / 2.0
    );
    out.push_str("</svg>");
    out
}

/// One bar of a waterfall.
#[derive(Debug, Clone)]
pub struct Step {
    pub label: String,
    /// Points (negative: lost).
    pub delta: f64,
    pub href: Option<String>,
}

/// A horizontal waterfall from `start` through `steps` to the result.
pub fn waterfall(
    id: &str,
    start: (&str, f64),
    steps: &[Step],
    end_label: &str,
    title: &str,
    desc: &str,
) -> String {
    let row = 30.0;
    let (left, right, top) = (150.0, 70.0, 10.0);
    let w = 720.0;
    let h = top + row * (steps.len() as f64 + 2.0) + 34.0;
    let pw = w - left - right;
    let x = |v: f64| left + pw * v.clamp(0.0, 100.0) / 100.0;
    let mut out = String::new();
    open(&mut out, w, h, id, title, desc);
    let bar = |out: &mut String,
               i: usize,
               from: f64,
               to: f64,
               fill: &str,
               label: &str,
               value: &str,
               href: Option<&str>| {
        let yy = top + row * i as f64;
        let (a, b) = if from <= to { (from, to) } else { (to, from) };
        if let Some(href) = href {
            let _ = write!(out, "<a href=\"#{}\">", html(href));
        }
        let _ = write!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\"><title>{}: {}</title></rect>",
            x(a),
            yy + 5.0,
            (x(b) - x(a)).max(1.0),
            row - 10.0,
            html(label),
            html(value)
        );
        text(
            out,
            left - 8.0,
            yy + row / 2.0 + 4.0,
            "end",
            12.0,
            INK,
            label,
        );
        text(
            out,
            x(b) + 6.0,
            yy + row / 2.0 + 4.0,
            "start",
            12.0,
            INK,
            value,
        );
        if href.is_some() {
            out.push_str("</a>");
        }
    };
    bar(
        &mut out,
        0,
        0.0,
        start.1,
        GREY,
        start.0,
        &format!("{:.1}", start.1),
        None,
    );
    let mut level = start.1;
    for (i, s) in steps.iter().enumerate() {
        let next = level + s.delta;
        bar(
            &mut out,
            i + 1,
            level,
            next,
            if s.delta < 0.0 { VERMILLION } else { GREEN },
            &s.label,
            &format!("{:+.1}", s.delta),
            s.href.as_deref(),
        );
        level = next;
    }
    bar(
        &mut out,
        steps.len() + 1,
        0.0,
        level,
        band_colour(Some(level)),
        end_label,
        &format!("{level:.1}"),
        None,
    );
    let axis_y = top + row * (steps.len() as f64 + 2.0) + 4.0;
    for v in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let _ = write!(
            out,
            "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{top}\" y2=\"{axis_y:.1}\" stroke=\"#d0d7de\" stroke-width=\"0.5\"/>",
            x(v),
            x(v)
        );
        text(
            &mut out,
            x(v),
            axis_y + 12.0,
            "middle",
            10.0,
            INK,
            &format!("{v:.0}"),
        );
    }
    text(
        &mut out,
        left + pw / 2.0,
        axis_y + 26.0,
        "middle",
        11.0,
        INK,
        "index points",
    );
    out.push_str("</svg>");
    out
}

/// A tile of a treemap.
#[derive(Debug, Clone)]
pub struct Tile {
    pub label: String,
    pub size: f64,
    pub health: Option<f64>,
    pub tooltip: String,
    pub href: Option<String>,
}

/// Squarified treemap layout (Bruls, Huizing & van Wijk 2000): rows of
/// tiles whose worst aspect ratio stops improving start a new row.
fn squarify(sizes: &[f64], x: f64, y: f64, w: f64, h: f64) -> Vec<[f64; 4]> {
    let total: f64 = sizes.iter().sum();
    if sizes.is_empty() || total <= 0.0 || w <= 0.0 || h <= 0.0 {
        return vec![[x, y, 0.0, 0.0]; sizes.len()];
    }
    let scale = w * h / total;
    let areas: Vec<f64> = sizes.iter().map(|s| s * scale).collect();
    let mut rects = Vec::with_capacity(sizes.len());
    let (mut x, mut y, mut w, mut h) = (x, y, w, h);
    let mut i = 0;
    while i < areas.len() {
        let side = w.min(h);
        let worst = |row: &[f64]| {
            let s: f64 = row.iter().sum();
            let max = row.iter().copied().fold(0.0, f64::max);
            let min = row.iter().copied().fold(f64::INFINITY, f64::min);
            ((side * side * max) / (s * s)).max((s * s) / (side * side * min))
        };
        let mut j = i + 1;
        while j < areas.len() && worst(&areas[i..=j]) <= worst(&areas[i..j]) {
            j += 1;
        }
        let row = &areas[i..j];
        let s: f64 = row.iter().sum();
        if w >= h {
            let rw = s / h;
            let mut yy = y;
            for a in row {
                let rh = a / rw;
                rects.push([x, yy, rw, rh]);
                yy += rh;
            }
            x += rw;
            w -= rw;
        } else {
            let rh = s / w;
            let mut xx = x;
            for a in row {
                let rw = a / rh;
                rects.push([xx, y, rw, rh]);
                xx += rw;
            }
            y += rh;
            h -= rh;
        }
        i = j;
    }
    rects
}

/// Each path's shortest run of trailing components that no other path ends
/// with: `app.py` alone when it is the only one, `flask/app.py` beside
/// `sansio/app.py`.
fn distinct_names(paths: &[&str]) -> Vec<String> {
    let suffix = |p: &str, k: usize| -> String {
        let parts: Vec<&str> = p.split('/').collect();
        parts[parts.len().saturating_sub(k)..].join("/")
    };
    paths
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let depth = p.split('/').count();
            (1..=depth)
                .map(|k| suffix(p, k))
                .find(|s| {
                    paths.iter().enumerate().all(|(j, q)| {
                        j == i || q == p || !(q.ends_with(&format!("/{s}")) || *q == s.as_str())
                    })
                })
                .unwrap_or_else(|| (*p).to_owned())
        })
        .collect()
}

/// Files sized by code lines and coloured by health; each labelled by the
/// end of its path that tells it from the others.
pub fn treemap(id: &str, tiles: &[Tile], title: &str, desc: &str) -> String {
    let (w, h) = (720.0, 400.0);
    let mut out = String::new();
    open(&mut out, w, h + 28.0, id, title, desc);
    let sizes: Vec<f64> = tiles.iter().map(|t| t.size.max(0.0)).collect();
    let labels: Vec<&str> = tiles.iter().map(|t| t.label.as_str()).collect();
    let names = distinct_names(&labels);
    for ((t, [x, y, rw, rh]), name) in tiles
        .iter()
        .zip(squarify(&sizes, 0.0, 0.0, w, h))
        .zip(&names)
    {
        if let Some(href) = &t.href {
            let _ = write!(out, "<a href=\"#{}\">", html(href));
        }
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{rw:.1}\" height=\"{rh:.1}\" fill=\"{}\" stroke=\"white\" stroke-width=\"1\"><title>{}</title></rect>",
            health_colour(t.health),
            html(&t.tooltip)
        );
        let count = name.chars().count();
        if rw > 7.0 * count.min(24) as f64 && rh > 16.0 {
            // Too long: its end, which names the file.
            let shown: String = if count > 24 {
                let tail: String = name.chars().skip(count - 23).collect();
                format!("…{tail}")
            } else {
                name.clone()
            };
            // Dark text on the light orange, white on the dark colours (contrast).
            let ink = if health_colour(t.health) == ORANGE {
                INK
            } else {
                "white"
            };
            text(&mut out, x + 4.0, y + 13.0, "start", 11.0, ink, &shown);
        }
        if t.href.is_some() {
            out.push_str("</a>");
        }
    }
    let mut lx = 0.0;
    for (fill, name) in [
        (BLUE, "healthy (9–10)"),
        (ORANGE, "warning (4–9)"),
        (VERMILLION, "alert (1–4)"),
        (GREY, "not measured"),
    ] {
        let _ = write!(
            out,
            "<rect x=\"{lx}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{fill}\"/>",
            h + 10.0
        );
        text(&mut out, lx + 16.0, h + 20.0, "start", 11.0, INK, name);
        lx += 150.0;
    }
    text(&mut out, w, h + 20.0, "end", 11.0, INK, "area: code lines");
    out.push_str("</svg>");
    out
}

/// A symmetric matrix of counts between named items (component coupling).
pub fn matrix(
    id: &str,
    names: &[String],
    cells: &[(usize, usize, f64)],
    unit: &str,
    title: &str,
    desc: &str,
) -> String {
    let n = names.len();
    let cell = (480.0 / n.max(1) as f64).clamp(14.0, 48.0);
    let left = 160.0;
    let top = 150.0;
    let w = left + cell * n as f64 + 20.0;
    let h = top + cell * n as f64 + 30.0;
    let max = cells.iter().map(|c| c.2).fold(0.0, f64::max).max(1.0);
    let mut out = String::new();
    open_sized(&mut out, w, h, &format!("{w:.0}"), id, title, desc);
    for (i, name) in names.iter().enumerate() {
        let short: String = name.chars().take(22).collect();
        text(
            &mut out,
            left - 6.0,
            top + cell * i as f64 + cell / 2.0 + 4.0,
            "end",
            11.0,
            INK,
            &short,
        );
        let cx = left + cell * i as f64 + cell / 2.0;
        let _ = write!(
            out,
            "<text transform=\"translate({cx:.1} {:.1}) rotate(-60)\" font-size=\"11\" fill=\"{INK}\">{}</text>",
            top - 6.0,
            html(&short)
        );
    }
    for &(i, j, v) in cells {
        for (a, b) in [(i, j), (j, i)] {
            let _ = write!(
                out,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{VERMILLION}\" fill-opacity=\"{:.2}\" stroke=\"#d0d7de\"><title>{} ↔ {}: {v:.0} {}</title></rect>",
                left + cell * b as f64,
                top + cell * a as f64,
                cell,
                cell,
                0.15 + 0.85 * v / max,
                html(&names[i]),
                html(&names[j]),
                html(unit)
            );
        }
    }
    text(
        &mut out,
        left,
        h - 8.0,
        "start",
        11.0,
        INK,
        &format!("cell: {unit} (darker = more)"),
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squarified_tiles_cover_the_area_in_proportion() {
        let sizes = [6.0, 6.0, 4.0, 3.0, 2.0, 2.0, 1.0];
        let rects = squarify(&sizes, 0.0, 0.0, 600.0, 400.0);
        let total: f64 = rects.iter().map(|r| r[2] * r[3]).sum();
        assert!((total - 240_000.0).abs() < 1e-6);
        for (s, r) in sizes.iter().zip(&rects) {
            assert!((r[2] * r[3] - s / 24.0 * 240_000.0).abs() < 1e-6);
            assert!(
                r[0] >= -1e-9
                    && r[1] >= -1e-9
                    && r[0] + r[2] <= 600.0 + 1e-6
                    && r[1] + r[3] <= 400.0 + 1e-6
            );
        }
    }

    #[test]
    fn treemap_names_tell_files_of_one_name_apart() {
        assert_eq!(
            distinct_names(&["src/flask/app.py", "src/flask/sansio/app.py", "README.md"]),
            ["flask/app.py", "sansio/app.py", "README.md"]
        );
        assert_eq!(distinct_names(&["a/b/c.rs"]), ["c.rs"]);
    }

    #[test]
    fn x_labels_keep_their_distance_and_show_both_ends() {
        let width = 656.0;
        for n in 2..60 {
            let shown = labelled(n, width);
            assert_eq!(shown.first(), Some(&0));
            assert_eq!(shown.last(), Some(&(n - 1)));
            let step = width / (n - 1) as f64;
            for pair in shown.windows(2) {
                assert!(
                    (pair[1] - pair[0]) as f64 * step >= LABEL_GAP,
                    "{n} points: labels {pair:?} overlap"
                );
            }
        }
    }

    #[test]
    fn charts_carry_text_alternatives_and_escape_labels() {
        let svg = trend(
            "t",
            &[
                Point {
                    label: "2026-01-01".into(),
                    value: Some(40.0),
                    ci: Some([38.0, 42.0]),
                },
                Point {
                    label: "<x>".into(),
                    value: Some(80.0),
                    ci: Some([70.0, 85.0]),
                },
            ],
            "Index over time",
            "rose from 40 to 80",
            "snapshot date (window end)",
        );
        assert!(svg.contains(">snapshot date (window end)</text>"));
        assert!(svg.contains("<title id=\"t-t\">Index over time</title>"));
        assert!(svg.contains("&lt;x&gt;"));
        assert!(!svg.contains("<x>"));
        let w = waterfall(
            "w",
            ("maximum", 100.0),
            &[Step {
                label: "delivery".into(),
                delta: -30.0,
                href: None,
            }],
            "index",
            "t",
            "d",
        );
        assert!(w.contains("-30.0") && w.contains("70.0"));
    }
}
