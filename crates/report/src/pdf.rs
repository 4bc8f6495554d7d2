//! The board pack: a few A4 pages for leaders plus an audit appendix, as a
//! PDF written by `pdf-writer` (typst's low-level writer: four small
//! dependencies, no layout engine). The layout here is deliberately simple —
//! headings, wrapped paragraphs, tables, bars and a line chart — so it is done
//! by hand with the standard Helvetica fonts (metrics in `metrics.rs`);
//! nothing is embedded and no browser is needed. `ARCHITECTURE.md` explains
//! why not Typst or Chromium.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::metrics::{HELVETICA, HELVETICA_BOLD};
use crate::{Report, costliest, fmt1, range_of, range1_of};

const W: f32 = 595.0;
const H: f32 = 842.0;
const MARGIN: f32 = 50.0;
const BODY: f32 = W - 2.0 * MARGIN;

type Rgb = (f32, f32, f32);
const INK: Rgb = (0.12, 0.14, 0.16);
const MUTED: Rgb = (0.34, 0.38, 0.42);
const LINE: Rgb = (0.82, 0.84, 0.87);
const BLUE: Rgb = (0.0, 0.447, 0.698);
const ORANGE: Rgb = (0.902, 0.624, 0.0);
const VERMILLION: Rgb = (0.835, 0.369, 0.0);
const GREY: Rgb = (0.55, 0.55, 0.55);

fn band_rgb(score: Option<f64>) -> Rgb {
    match score {
        Some(v) if v >= 75.0 => BLUE,
        Some(v) if v >= 50.0 => ORANGE,
        Some(_) => VERMILLION,
        None => GREY,
    }
}

/// Unicode → WinAnsiEncoding (the standard fonts' encoding). Characters it
/// lacks get a readable ASCII stand-in or `?`; invisible controls are shown.
fn winansi(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in crate::escape::visible(text).chars() {
        let code: Option<u8> = match c {
            ' '..='~' => Some(c as u8),
            '\u{A0}'..='\u{FF}' => Some(c as u32 as u8),
            '€' => Some(128),
            '‚' => Some(130),
            'ƒ' => Some(131),
            '„' => Some(132),
            '…' => Some(133),
            '†' => Some(134),
            '‡' => Some(135),
            'ˆ' => Some(136),
            '‰' => Some(137),
            'Š' => Some(138),
            '‹' => Some(139),
            'Œ' => Some(140),
            'Ž' => Some(142),
            '\u{2018}' => Some(145),
            '\u{2019}' => Some(146),
            '\u{201C}' => Some(147),
            '\u{201D}' => Some(148),
            '•' => Some(149),
            '–' => Some(150),
            '—' => Some(151),
            '˜' => Some(152),
            '™' => Some(153),
            'š' => Some(154),
            '›' => Some(155),
            'œ' => Some(156),
            'ž' => Some(158),
            'Ÿ' => Some(159),
            _ => None,
        };
        match code {
            Some(b) => out.push(b),
            None => {
                let stand_in = match c {
                    '≥' => ">=",
                    '≤' => "<=",
                    '→' => "->",
                    '←' => "<-",
                    '↔' => "<->",
                    '−' => "-",
                    '\n' | '\t' => " ",
                    _ => "?",
                };
                out.extend_from_slice(stand_in.as_bytes());
            }
        }
    }
    out
}

/// Width of `text` in points.
fn width(text: &str, size: f32, bold: bool) -> f32 {
    let table = if bold { &HELVETICA_BOLD } else { &HELVETICA };
    winansi(text)
        .iter()
        .map(|&b| f32::from(table[usize::from(b)]))
        .sum::<f32>()
        * size
        / 1000.0
}

/// Type size of table cells, and the room a cell leaves around its text.
const TABLE_SIZE: f32 = 8.5;
/// Height of a table row, points.
const TABLE_ROW: f32 = 14.0;
const CELL_PADDING: f32 = 6.0;
/// The hotspot table's file column, as a share of the body width.
const PATH_SHARE: f32 = 0.46;

/// `text` cut to `max` points with an ellipsis.
fn fit(text: &str, size: f32, bold: bool, max: f32) -> String {
    if width(text, size, bold) <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    for c in text.chars() {
        if width(&format!("{out}{c}…"), size, bold) > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// A path cut from the left to `max` points (`…/sansio/app.py`): the file
/// name is what tells two files apart, so it is kept whole when it fits.
fn fit_path(path: &str, size: f32, bold: bool, max: f32) -> String {
    if width(path, size, bold) <= max {
        return path.to_owned();
    }
    let cuts = path.char_indices().map(|(i, _)| i).skip(1);
    let at_slash = cuts.clone().filter(|&i| path[i..].starts_with('/'));
    for i in at_slash.chain(cuts) {
        let candidate = format!("…{}", &path[i..]);
        if width(&candidate, size, bold) <= max {
            return candidate;
        }
    }
    "…".to_owned()
}

/// The largest size from `size` down to `min` at which `text` fits `max`
/// points (at `min` it may still not fit; `fit` cuts it then).
fn shrink_to_fit(text: &str, size: f32, bold: bool, max: f32, min: f32) -> f32 {
    let mut s = size;
    while s > min && width(text, s, bold) > max {
        s -= 0.5;
    }
    s
}

/// Lines of at most `max` points; words longer than a line are broken.
fn wrap(text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if width(&candidate, size, bold) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut piece = String::new();
        for c in word.chars() {
            if width(&format!("{piece}{c}"), size, bold) > max && !piece.is_empty() {
                lines.push(std::mem::take(&mut piece));
            }
            piece.push(c);
        }
        line = piece;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
    Center,
}

/// One page being drawn; `y` runs down from the top edge.
struct Page {
    c: Content,
    y: f32,
}

impl Page {
    fn new() -> Page {
        Page {
            c: Content::new(),
            y: MARGIN,
        }
    }

    // A drawing primitive: position, size, weight, colour, text, alignment.
    #[allow(clippy::too_many_arguments)]
    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, rgb: Rgb, text: &str, align: Align) {
        let dx = match align {
            Align::Left => 0.0,
            Align::Right => -width(text, size, bold),
            Align::Center => -width(text, size, bold) / 2.0,
        };
        let bytes = winansi(text);
        self.c.set_fill_rgb(rgb.0, rgb.1, rgb.2);
        self.c.begin_text();
        self.c
            .set_font(Name(if bold { b"F2" } else { b"F1" }), size);
        self.c.set_text_matrix([1.0, 0.0, 0.0, 1.0, x + dx, H - y]);
        self.c.show(Str(&bytes));
        self.c.end_text();
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, rgb: Rgb) {
        self.c.set_fill_rgb(rgb.0, rgb.1, rgb.2);
        self.c.rect(x, H - y - h, w, h);
        self.c.fill_nonzero();
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, w: f32, rgb: Rgb) {
        self.c.set_stroke_rgb(rgb.0, rgb.1, rgb.2);
        self.c.set_line_width(w);
        self.c.move_to(x1, H - y1);
        self.c.line_to(x2, H - y2);
        self.c.stroke();
    }

    fn heading(&mut self, text: &str) {
        self.y += 10.0;
        self.text(MARGIN, self.y + 14.0, 15.0, true, INK, text, Align::Left);
        self.y += 20.0;
        self.line(MARGIN, self.y, W - MARGIN, self.y, 0.5, LINE);
        self.y += 10.0;
    }

    fn paragraph(&mut self, text: &str, size: f32, bold: bool, rgb: Rgb) {
        self.paragraph_lines(text, size, bold, rgb, usize::MAX);
    }

    /// A paragraph of at most `max` lines (the last one ends in `…` when cut),
    /// so hostile or long content cannot push a page past its bottom.
    fn paragraph_lines(&mut self, text: &str, size: f32, bold: bool, rgb: Rgb, max: usize) {
        let mut lines = wrap(text, size, bold, BODY);
        if lines.len() > max {
            lines.truncate(max);
            if let Some(last) = lines.last_mut() {
                *last = fit(&format!("{last} …"), size, bold, BODY);
            }
        }
        for l in lines {
            self.y += size * 1.35;
            self.text(MARGIN, self.y, size, bold, rgb, &l, Align::Left);
        }
        self.y += size * 0.6;
    }

    /// How many rows of [`Page::table`] (after its header row) fit above the
    /// footer from the current position.
    fn rows_that_fit(&self) -> usize {
        let bottom = H - 44.0;
        (((bottom - self.y - TABLE_ROW - 8.0) / TABLE_ROW)
            .floor()
            .max(0.0)) as usize
    }

    /// A table: column widths as shares of the body, right-aligned numeric columns.
    fn table(&mut self, header: &[&str], shares: &[f32], numeric: &[bool], rows: &[Vec<String>]) {
        let size = TABLE_SIZE;
        let row_h = TABLE_ROW;
        let xs: Vec<f32> = shares
            .iter()
            .scan(MARGIN, |x, s| {
                let at = *x;
                *x += s * BODY;
                Some(at)
            })
            .collect();
        let cell = |page: &mut Page, i: usize, y: f32, t: &str, bold: bool, rgb: Rgb| {
            let w = shares[i] * BODY - CELL_PADDING;
            let t = fit(t, size, bold, w);
            if numeric[i] {
                page.text(xs[i] + w + 3.0, y, size, bold, rgb, &t, Align::Right);
            } else {
                page.text(xs[i] + 3.0, y, size, bold, rgb, &t, Align::Left);
            }
        };
        self.rect(MARGIN, self.y, BODY, row_h, (0.965, 0.973, 0.98));
        for (i, h) in header.iter().enumerate() {
            cell(self, i, self.y + 10.0, h, true, INK);
        }
        self.y += row_h;
        for row in rows {
            for (i, v) in row.iter().enumerate() {
                cell(self, i, self.y + 10.0, v, false, INK);
            }
            self.y += row_h;
            self.line(MARGIN, self.y, W - MARGIN, self.y, 0.3, LINE);
        }
        self.y += 8.0;
    }

    fn footer(&mut self, r: &Report, n: usize, total: usize) {
        let m = &r.meta;
        self.line(MARGIN, H - 36.0, W - MARGIN, H - 36.0, 0.3, LINE);
        self.text(
            MARGIN,
            H - 24.0,
            7.5,
            false,
            MUTED,
            &fit(
                &format!(
                    "{} · snapshot #{} · {} · methodology {} · friction {}",
                    m.repository, m.snapshot, m.as_of, m.methodology, m.tool_version
                ),
                7.5,
                false,
                BODY - 160.0,
            ),
            Align::Left,
        );
        // The timestamp in a text run of its own (ASCII, written literally).
        self.text(
            W - MARGIN - 30.0,
            H - 24.0,
            7.5,
            false,
            MUTED,
            &format!("generated {}", m.generated_at),
            Align::Right,
        );
        self.text(
            W - MARGIN,
            H - 24.0,
            7.5,
            false,
            MUTED,
            &format!("{n} / {total}"),
            Align::Right,
        );
    }
}

/// The "Execution verification" section on a page of its own: the headline,
/// the per-team table (without the cycle-time and done-without-progress
/// columns, which the HTML and Markdown reports carry) and the items behind
/// the organisation's findings by key and title — never a person.
fn execution_section(p: &mut Page, v: &crate::execution::View<'_>) {
    p.heading("Execution verification");
    p.paragraph_lines(&v.headline, 9.0, false, INK, 6);
    let rows: Vec<Vec<String>> = v
        .rows
        .iter()
        .take(p.rows_that_fit().saturating_sub(20))
        .map(|r| {
            let c = &r.cells;
            vec![
                r.team.clone(),
                c[0].clone(),
                c[1].clone(),
                c[2].clone(),
                c[3].clone(),
                c[4].clone(),
                c[7].clone(),
                c[8].clone(),
            ]
        })
        .collect();
    p.table(
        &[
            "team",
            "done",
            "verified",
            "ghosts",
            "stale",
            "reopened",
            "execution risk (90 %)",
            "off-hours (weeks)",
        ],
        &[0.15, 0.08, 0.13, 0.08, 0.1, 0.09, 0.19, 0.18],
        &[false, true, true, true, true, true, true, true],
        &rows,
    );
    p.paragraph_lines(&crate::execution::notes(v.e), 8.0, false, MUTED, 5);
    let findings: Vec<Vec<String>> =
        v.e.organisation
            .findings
            .iter()
            .take(p.rows_that_fit().saturating_sub(1))
            .map(|f| vec![f.key.clone(), f.title.clone(), f.finding.clone()])
            .collect();
    if !findings.is_empty() {
        p.paragraph("Items behind the findings (by key):", 9.0, true, INK);
        p.table(
            &["item", "title", "finding"],
            &[0.16, 0.64, 0.2],
            &[false, false, false],
            &findings,
        );
    }
}

fn ci_text(v: Option<[f64; 2]>) -> String {
    match v {
        Some([lo, hi]) => format!("{}–{}", fmt1(Some(lo)), fmt1(Some(hi))),
        None => "–".into(),
    }
}

/// The PDF board pack.
pub fn pdf(r: &Report) -> Vec<u8> {
    let doc = &r.assessment;
    let a = &doc.assessment;
    let idx = &a.index;
    let m = &r.meta;
    let sum = crate::summary(r);
    let mut pages: Vec<Page> = Vec::new();

    // Page 1: the answer.
    let mut p = Page::new();
    p.rect(0.0, 0.0, W, 92.0, INK);
    p.text(
        MARGIN,
        42.0,
        20.0,
        true,
        (1.0, 1.0, 1.0),
        &fit(
            &format!("Execution capacity of {}", m.repository),
            20.0,
            true,
            BODY,
        ),
        Align::Left,
    );
    p.text(
        MARGIN,
        64.0,
        9.5,
        false,
        (0.82, 0.84, 0.87),
        &fit(
            &format!(
                "Board pack · window {} to {} · commit {} · snapshot #{}",
                doc.window_from,
                doc.window_to,
                m.commit.chars().take(12).collect::<String>(),
                m.snapshot
            ),
            9.5,
            false,
            BODY,
        ),
        Align::Left,
    );
    p.y = 112.0;
    // KPI boxes.
    let score = idx.score;
    let kpis = [
        (
            fmt1(score),
            format!("index (0–100), {}", idx.band.as_deref().unwrap_or_default()),
            band_rgb(score),
        ),
        (
            format!("{:.0} %", idx.coverage * 100.0),
            "coverage of the methodology".to_owned(),
            INK,
        ),
        (
            match &a.cost.total.money {
                Some(money) => range_of(money, &a.cost.currency),
                None => range_of(&a.cost.total.hours, "h"),
            },
            "friction cost a year (estimate)".to_owned(),
            INK,
        ),
        (
            a.roadmap.steps.len().to_string(),
            "roadmap steps".to_owned(),
            INK,
        ),
    ];
    let bw = (BODY - 3.0 * 10.0) / 4.0;
    for (i, (v, l, rgb)) in kpis.iter().enumerate() {
        let x = MARGIN + i as f32 * (bw + 10.0);
        p.rect(x, p.y, bw, 62.0, (0.965, 0.973, 0.98));
        p.rect(x, p.y, 4.0, 62.0, *rgb);
        // A long cost range takes smaller type rather than losing digits.
        let size = shrink_to_fit(v, 20.0, true, bw - 16.0, 9.0);
        p.text(
            x + 12.0,
            p.y + 30.0,
            size,
            true,
            INK,
            &fit(v, size, true, bw - 16.0),
            Align::Left,
        );
        p.text(
            x + 12.0,
            p.y + 50.0,
            7.5,
            false,
            MUTED,
            &fit(l, 7.5, false, bw - 16.0),
            Align::Left,
        );
    }
    p.y += 80.0;
    p.paragraph_lines(&sum.headline, 10.5, true, INK, 3);
    for (q, t) in [
        ("What does friction cost?", &sum.cost),
        ("Where does it block delivery?", &sum.blocks),
        ("What risk does it carry?", &sum.risk),
        ("What first?", &sum.first),
    ] {
        p.y += 4.0;
        p.paragraph(q, 11.0, true, INK);
        p.paragraph_lines(t, 10.0, false, INK, 7);
    }
    pages.push(p);

    // Page 2: index over time and its drivers.
    let mut p = Page::new();
    p.heading("The index over time");
    let (cx, cy, cw, ch) = (MARGIN + 30.0, p.y + 4.0, BODY - 40.0, 170.0);
    let yv = |v: f64| cy + ch * (1.0 - (v.clamp(0.0, 100.0) as f32) / 100.0);
    for (lo, hi, rgb) in [
        (75.0, 100.0, BLUE),
        (50.0, 75.0, ORANGE),
        (0.0, 50.0, VERMILLION),
    ] {
        let tint = (
            1.0 - (1.0 - rgb.0) * 0.1,
            1.0 - (1.0 - rgb.1) * 0.1,
            1.0 - (1.0 - rgb.2) * 0.1,
        );
        p.rect(cx, yv(hi), cw, yv(lo) - yv(hi), tint);
    }
    for v in [0.0, 25.0, 50.0, 75.0, 100.0] {
        p.line(cx, yv(v), cx + cw, yv(v), 0.3, LINE);
        p.text(
            cx - 6.0,
            yv(v) + 3.0,
            7.5,
            false,
            INK,
            &format!("{v:.0}"),
            Align::Right,
        );
    }
    let n = r.trend.len().max(1);
    let xv = |i: usize| {
        if n == 1 {
            cx + cw / 2.0
        } else {
            cx + cw * i as f32 / (n - 1) as f32
        }
    };
    let mut last: Option<(f32, f32)> = None;
    for (i, t) in r.trend.iter().enumerate() {
        if let Some(v) = t.index {
            let pt = (xv(i), yv(v));
            if let Some(prev) = last {
                p.line(prev.0, prev.1, pt.0, pt.1, 1.6, BLUE);
            }
            p.rect(pt.0 - 2.0, pt.1 - 2.0, 4.0, 4.0, band_rgb(Some(v)));
            if t.partial.is_some() {
                // Marked as trend's text marks it: `*`, explained below.
                p.text(pt.0, pt.1 - 5.0, 9.0, true, INK, "*", Align::Center);
            }
            last = Some(pt);
        } else {
            last = None;
        }
    }
    if let (Some(f), Some(l)) = (r.trend.first(), r.trend.last()) {
        p.text(cx, cy + ch + 12.0, 7.5, false, INK, &f.as_of, Align::Left);
        if n > 1 {
            p.text(
                cx + cw,
                cy + ch + 12.0,
                7.5,
                false,
                INK,
                &l.as_of,
                Align::Right,
            );
        }
    }
    p.text(
        cx + cw / 2.0,
        cy + ch + 24.0,
        8.0,
        false,
        MUTED,
        "index (0–100) by snapshot date; bands: healthy ≥ 75, warning ≥ 50, alert",
        Align::Center,
    );
    p.y = cy + ch + 36.0;
    // A partial snapshot (issue 15.11) says what its scan could not read, as
    // `friction trend` does, so a dip is not read as a change in the code.
    for t in r.trend.iter().filter(|t| t.partial.is_some()) {
        let why = t.partial.as_deref().unwrap_or_default();
        p.text(
            MARGIN,
            p.y,
            7.5,
            false,
            MUTED,
            &format!("* #{} ({}) is partial: {why}", t.snapshot, t.as_of),
            Align::Left,
        );
        p.y += 10.0;
    }
    p.heading("What the index is made of");
    p.paragraph(
        "Each measured driver family takes its weight's share of 100 points and loses what its score misses; the losses add up to the gap between 100 and the index.",
        9.0,
        false,
        MUTED,
    );
    let drivers = &idx.drivers;
    let bar_x = MARGIN + 120.0;
    let bar_w = BODY - 170.0;
    let mut level = 100.0_f32;
    for d in drivers {
        let label = d.title.as_str();
        let lost = d.points_lost as f32;
        p.text(
            bar_x - 8.0,
            p.y + 11.0,
            9.0,
            false,
            INK,
            label,
            Align::Right,
        );
        if d.score.is_some() {
            let x0 = bar_x + bar_w * (level - lost) / 100.0;
            p.rect(
                x0,
                p.y + 2.0,
                (bar_w * lost / 100.0).max(0.8),
                12.0,
                VERMILLION,
            );
            p.text(
                bar_x + bar_w * level / 100.0 + 6.0,
                p.y + 11.0,
                9.0,
                false,
                INK,
                &format!("−{lost:.1}"),
                Align::Left,
            );
            level -= lost;
        } else {
            p.text(
                bar_x,
                p.y + 11.0,
                9.0,
                false,
                MUTED,
                "not measured (lowers coverage)",
                Align::Left,
            );
        }
        p.y += 18.0;
    }
    p.text(
        bar_x - 8.0,
        p.y + 11.0,
        9.0,
        true,
        INK,
        "index",
        Align::Right,
    );
    p.rect(
        bar_x,
        p.y + 2.0,
        bar_w * level.max(0.0) / 100.0,
        12.0,
        band_rgb(score),
    );
    p.text(
        bar_x + bar_w * level.max(0.0) / 100.0 + 6.0,
        p.y + 11.0,
        9.0,
        true,
        INK,
        &fmt1(score),
        Align::Left,
    );
    p.y += 28.0;
    let rows: Vec<Vec<String>> = drivers
        .iter()
        .map(|d| {
            vec![
                d.title.clone(),
                format!("{:.2}", d.weight),
                d.score
                    .map_or_else(|| "not measured".into(), |v| format!("{v:.1}")),
                ci_text(d.ci),
                format!("{:.0} %", d.coverage * 100.0),
                format!("{:.1}", d.points_lost),
            ]
        })
        .collect();
    p.table(
        &[
            "driver",
            "weight",
            "score",
            "90 % interval",
            "coverage",
            "points lost",
        ],
        &[0.28, 0.12, 0.16, 0.18, 0.12, 0.14],
        &[false, true, true, true, true, true],
        &rows,
    );
    pages.push(p);

    // Page 3: where to act.
    let mut p = Page::new();
    p.heading("Hotspots: where change costs most");
    // A file's row; the last column is its fix work (product) or its kind (tests).
    let file_row = |f: &&friction_assess::cost::FileCost, last: String| {
        vec![
            fit_path(&f.path, TABLE_SIZE, false, PATH_SHARE * BODY - CELL_PADDING),
            fmt1(f.health),
            f.revisions.to_string(),
            range1_of(&f.total_hours(), "h"),
            last,
        ]
    };
    let rows: Vec<Vec<String>> = costliest(a)
        .iter()
        .take(12)
        .map(|f| file_row(f, range1_of(&f.defect_work.hours, "h")))
        .collect();
    if rows.is_empty() {
        p.paragraph("No file changed in the window.", 10.0, false, MUTED);
    } else {
        p.table(
            &[
                "file",
                "health",
                "revisions",
                "cost a year",
                "of it fix work",
            ],
            &[PATH_SHARE, 0.1, 0.12, 0.16, 0.16],
            &[false, true, true, true, true],
            &rows,
        );
    }
    let tests: Vec<Vec<String>> = crate::test_code(a)
        .iter()
        .take(5)
        .map(|f| file_row(f, f.kind.clone()))
        .collect();
    if !tests.is_empty() {
        p.paragraph(
            &crate::test_code_sentence(&a.cost.test_code),
            9.0,
            false,
            MUTED,
        );
        p.table(
            &["test code", "health", "revisions", "cost a year", "kind"],
            &[PATH_SHARE, 0.1, 0.12, 0.16, 0.16],
            &[false, true, true, true, false],
            &tests,
        );
    }
    pages.push(p);

    // Page 4: the roadmap, every step (at most about 40, which fit a page).
    let mut p = Page::new();
    p.heading("Roadmap");
    let rm = &a.roadmap;
    p.paragraph(
        &format!(
            "{} steps capture {:.0} % of the addressable friction cost ({}). Efforts are ranges; the projected index applies every step so far. {}",
            rm.steps.len(),
            rm.captured_share * 100.0,
            range_of(&rm.addressable_hours, "engineer-hours a year"),
            crate::roadmap_rule(rm)
        ),
        9.0,
        false,
        MUTED,
    );
    let rows: Vec<Vec<String>> = rm
        .steps
        .iter()
        .map(|st| {
            vec![
                st.step.to_string(),
                st.title.clone(),
                range1_of(&st.effort_days, "d"),
                range1_of(&st.cumulative_effort_days, "d"),
                match (st.projected_index, rm.index_before) {
                    (Some(p), Some(b)) => format!("{:+.1}", p - b),
                    _ => "–".to_owned(),
                },
                fmt1(st.projected_index),
            ]
        })
        .collect();
    if rows.is_empty() {
        p.paragraph("The roadmap proposes no move.", 10.0, false, MUTED);
    } else {
        p.table(
            &[
                "#",
                "move",
                "effort",
                "cumulative effort",
                "gain so far",
                "index after",
            ],
            &[0.05, 0.43, 0.13, 0.15, 0.12, 0.12],
            &[true, false, true, true, true, true],
            &rows,
        );
    }
    pages.push(p);

    // AI-assisted change (beside the index, weight 0), then the appendix.
    let mut p = Page::new();
    if let Some(v) = crate::ai::view(r) {
        p.heading("AI-assisted change");
        p.paragraph_lines(&v.headline, 9.0, false, INK, 6);
        if let (Some(first), Some(last)) = (v.trend.first(), v.trend.last()) {
            p.paragraph(
                &format!(
                    "Over time: {:.1} % of changed lines on {} → {:.1} % on {} ({} snapshots).",
                    first.1,
                    first.0,
                    last.1,
                    last.0,
                    v.trend.len()
                ),
                9.0,
                false,
                INK,
            );
        }
        let rows: Vec<Vec<String>> = v
            .comparisons
            .iter()
            .map(|c| match &c.not_measured {
                Some(why) => vec![
                    c.what.to_owned(),
                    fit(
                        &format!("not measured: {why}"),
                        TABLE_SIZE,
                        false,
                        BODY * 0.6,
                    ),
                    String::new(),
                    String::new(),
                ],
                None => vec![
                    c.what.to_owned(),
                    crate::ai::pct(c.ai),
                    crate::ai::pct(c.other),
                    crate::ai::gap(c.gap),
                ],
            })
            .collect();
        if !rows.is_empty() {
            p.table(
                &["share of", "AI-assisted", "other change", "gap (points)"],
                &[0.4, 0.2, 0.22, 0.18],
                &[false, true, true, true],
                &rows,
            );
        }
        if !v.unhealthy_files.is_empty() {
            let files: Vec<String> = v
                .unhealthy_files
                .iter()
                .take(5)
                .map(|(f, n)| {
                    format!(
                        "{} ({})",
                        fit_path(f, 9.0, false, BODY / 3.0),
                        crate::thousands(*n)
                    )
                })
                .collect();
            p.paragraph_lines(
                &format!(
                    "Stabilise before accelerating — unhealthy files where AI-assisted change lands (AI-assisted revisions): {}.",
                    files.join(", ")
                ),
                9.0,
                false,
                INK,
                4,
            );
        }
        p.paragraph(
            "Weight 0: beside the index, never in it. Only commits an assistant signed are recognised (a lower bound).",
            8.0,
            false,
            MUTED,
        );
    }
    if let Some(v) = crate::execution::view(r) {
        if p.y > MARGIN {
            pages.push(p);
            p = Page::new();
        }
        execution_section(&mut p, &v);
        pages.push(p);
        p = Page::new();
    }
    p.heading("Appendix: methodology and audit");
    let audit = vec![
        vec!["methodology".to_owned(), m.methodology.clone()],
        vec![
            "tool version".to_owned(),
            format!("friction {}", m.tool_version),
        ],
        vec![
            "snapshot".to_owned(),
            format!("#{} ({})", m.snapshot, m.kind),
        ],
        vec!["commit".to_owned(), m.commit.clone()],
        vec![
            "window".to_owned(),
            format!("{} to {}", doc.window_from, doc.window_to),
        ],
        vec!["manifest digest".to_owned(), m.digest.clone()],
    ];
    p.table(&["item", "value"], &[0.25, 0.75], &[false, false], &audit);
    let mut inputs = Vec::new();
    if let Some(o) = m.manifest["inputs"].as_object() {
        for (k, v) in o {
            inputs.push(vec![
                k.clone(),
                v["path"].as_str().map_or_else(
                    || {
                        if v.is_null() {
                            "absent".to_owned()
                        } else {
                            format!("{} commits, {} changes", v["commits"], v["changes"])
                        }
                    },
                    str::to_owned,
                ),
                v["sha256"].as_str().unwrap_or("–").to_owned(),
            ]);
        }
    }
    p.table(
        &["input", "what", "SHA-256"],
        &[0.12, 0.22, 0.66],
        &[false, false, false],
        &inputs,
    );
    p.paragraph(
        &format!("Every weight and threshold is in the versioned methodology (docs/methodology.md; \"friction explain SIGNAL\"), each with its source or stated rationale. {} Costs are estimates with ranges, never measurements. Missing data lowers coverage and is never scored. Authors appear only as pseudonyms. The HTML report drills down from every figure to its evidence; the CSV files carry every table whole.", crate::calibration_note(&m.methodology)),
        9.0,
        false,
        INK,
    );
    let rows: Vec<Vec<String>> = idx
        .drivers
        .iter()
        .flat_map(|d| d.signals.iter().map(move |x| (d, x)))
        .map(|(d, x)| {
            vec![
                x.id.clone(),
                d.title.clone(),
                x.value
                    .map_or_else(|| "not measured".into(), |v| format!("{v:.2} {}", x.unit)),
                fmt1(x.score),
                format!("{:.0} %", x.coverage * 100.0),
            ]
        })
        .collect();
    // Every signal is listed (43 in eci/7): what does not fit above the
    // footer continues on a page of its own, with the header repeated.
    let mut rest: &[Vec<String>] = &rows;
    loop {
        let fit = p.rows_that_fit();
        let (now, later) = rest.split_at(fit.min(rest.len()));
        p.table(
            &["signal", "driver", "value", "score", "coverage"],
            &[0.26, 0.18, 0.32, 0.1, 0.14],
            &[false, false, true, true, true],
            now,
        );
        pages.push(p);
        if later.is_empty() {
            break;
        }
        rest = later;
        p = Page::new();
        p.heading("Appendix: signals (continued)");
    }

    // Assemble.
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let total = pages.len();
    let page_ids: Vec<Ref> = (0..total).map(|i| Ref::new(10 + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(total as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    let title = format!(
        "Execution capacity of {}",
        crate::escape::visible(&m.repository)
    );
    pdf.document_info(info)
        .title(TextStr(&title))
        .producer(TextStr(&format!("friction {}", m.tool_version)));
    for (i, mut page) in pages.into_iter().enumerate() {
        page.footer(r, i + 1, total);
        let id = page_ids[i];
        let content_id = Ref::new(11 + 2 * i as i32);
        let mut pg = pdf.page(id);
        pg.media_box(Rect::new(0.0, 0.0, W, H));
        pg.parent(tree);
        pg.contents(content_id);
        let mut resources = pg.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"F1"), regular);
        fonts.pair(Name(b"F2"), bold);
        fonts.finish();
        resources.finish();
        pg.finish();
        let data = page.c.finish();
        pdf.stream(content_id, &data);
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_cut_where_the_footer_begins() {
        let mut p = Page::new();
        let fresh = p.rows_that_fit();
        // A fresh A4 page holds 40 of the 43 signals of eci/7.
        assert!(fresh >= 40, "{fresh}");
        p.y = H - 60.0;
        assert_eq!(p.rows_that_fit(), 0);
        // Drawing as many rows as fit ends above the footer line (H − 36).
        let mut p = Page::new();
        p.y = 500.0;
        let n = p.rows_that_fit();
        let rows = vec![vec!["x".to_owned()]; n];
        p.table(&["h"], &[1.0], &[false], &rows);
        assert!(p.y <= H - 36.0, "{} > {}", p.y, H - 36.0);
    }

    #[test]
    fn paths_are_cut_from_the_left_and_keep_their_file_name() {
        let p = "src/flask/sansio/deeply/nested/package/app.py";
        let cut = fit_path(p, 8.5, false, 90.0);
        assert!(cut.starts_with("…/") && cut.ends_with("/app.py"), "{cut}");
        assert!(width(&cut, 8.5, false) <= 90.0);
        assert_eq!(fit_path("a/b.py", 8.5, false, 90.0), "a/b.py");
    }

    #[test]
    fn long_figures_take_smaller_type_down_to_a_minimum() {
        let v = "112,199–220,382 USD";
        let size = shrink_to_fit(v, 20.0, true, 100.0, 9.0);
        assert!(size < 20.0 && width(v, size, true) <= 100.0, "{size}");
        assert_eq!(shrink_to_fit("81", 20.0, true, 100.0, 9.0), 20.0);
    }

    #[test]
    fn text_is_encoded_for_the_standard_fonts() {
        assert_eq!(winansi("a–b “c” €"), b"a\x96b \x93c\x94 \x80");
        assert_eq!(winansi("≥ 75 ✓"), b">= 75 ?");
        assert_eq!(winansi("x\u{202E}y"), b"x<U+202E>y");
    }

    #[test]
    fn widths_follow_the_helvetica_metrics() {
        // AFM: space 278, W 944 (regular), 944 bold.
        assert!((width(" ", 10.0, false) - 2.78).abs() < 1e-4);
        assert!((width("W", 1000.0, true) - 944.0).abs() < 1e-3);
        assert!(width("iii", 10.0, false) < width("MMM", 10.0, false));
    }

    #[test]
    fn wrapping_and_fitting_respect_the_width() {
        let lines = wrap(
            "a long sentence that must wrap over several short lines",
            10.0,
            false,
            80.0,
        );
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| width(l, 10.0, false) <= 80.0));
        let long = "src/averyveryveryveryverylongdirectoryname/andafile.rs";
        assert!(
            wrap(long, 10.0, false, 60.0)
                .iter()
                .all(|l| width(l, 10.0, false) <= 60.0)
        );
        let f = fit(long, 10.0, false, 60.0);
        assert!(f.ends_with('…') && width(&f, 10.0, false) <= 60.0);
    }
}
