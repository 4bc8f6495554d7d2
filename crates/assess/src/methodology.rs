//! The versioned methodology: family weights, bands, the bootstrap, the cost
//! model's constants and the effort assumptions. Signals' own thresholds and
//! weights live in their modules; [`markdown`] renders all of it as
//! `docs/methodology.md`, and a test fails when that file is stale.

use friction_model::health::Band;
use friction_signals::{Family, METHODOLOGY_VERSION, REGISTRY};

/// Family weights in the index, with their rationale (in [`markdown`]).
pub fn family_weight(f: Family) -> f64 {
    match f {
        Family::Delivery => 0.35,
        Family::Reliability => 0.25,
        Family::Security => 0.15,
        Family::Operations => 0.10,
        Family::TeamExecution => 0.15,
    }
}

/// Score at or above which a level is healthy.
pub const HEALTHY_FROM: f64 = 75.0;
/// Score below which a level is an alert.
pub const ALERT_BELOW: f64 = 50.0;

/// The band of a 0–100 score.
pub fn band(score: f64) -> &'static str {
    if score >= HEALTHY_FROM {
        "healthy"
    } else if score >= ALERT_BELOW {
        "warning"
    } else {
        "alert"
    }
}

/// Bootstrap replicates per scope.
pub const BOOTSTRAP_REPLICATES: usize = 200;
/// Confidence level of the reported intervals.
pub const CI_LEVEL: f64 = 0.9;
/// The standard normal's quantile at `1 − (1 − CI_LEVEL) / 2` (the 95th
/// percentile): a signal's interval is its shrunk score ± this many
/// posterior standard deviations.
pub const CI_Z: f64 = 1.644_853_626_951_472_2;

/// Share of recurring-defect fix work removed when a file reaches the healthy
/// band, `[low, high]`, by the file's current band. High ends from Code Red's
/// defect ratios (yellow 3.81×, red 15.04× green: 1 − 1/3.81 ≈ 0.74,
/// 1 − 1/15 ≈ 0.93); low ends from CodeScene's published 90 % interval for
/// CH 2 → 10 (−84.8 %) for red and two thirds of the yellow ratio for yellow,
/// because the study does not control for size and churn.
pub fn defect_reduction(health: f64) -> [f64; 2] {
    match Band::of(health) {
        Band::Healthy => [0.0, 0.0],
        Band::Warning => [0.5, 0.74],
        Band::Alert => [0.85, 0.93],
    }
}

/// Refactoring throughput assumption, code lines per person-day `[slow, fast]`,
/// including tests and review.
pub const REFACTOR_LINES_PER_DAY: [f64; 2] = [150.0, 400.0];
/// Knowledge-spreading throughput, code lines per person-day `[slow, fast]`
/// (pairing on changes, walkthroughs, written notes).
pub const SPREAD_LINES_PER_DAY: [f64; 2] = [800.0, 2000.0];
/// Health a refactoring aims for (inside the healthy band).
pub const REFACTOR_TARGET_HEALTH: f64 = 9.5;
/// Default share of addressable cost the roadmap captures.
pub const DEFAULT_TARGET_SHARE: f64 = 0.8;
/// Interventions without a cost estimate enter the roadmap when they raise
/// the index by at least this many points on their own.
pub const MIN_INDEX_GAIN: f64 = 0.5;

/// The chance a year that a knowledge island's only active author leaves,
/// `[low, high]`: the low end is LinkedIn's 2018 Talent Turnover figure for
/// software (13.2 % a year); the high end is friction's allowance for open
/// source and contractor churn. An orphaned file (no active expert) has
/// lost its knowledge already: its chance is 1.
pub const KNOWLEDGE_LOSS_CHANCE: [f64; 2] = [0.13, 0.2];
/// Code lines a developer re-learns per hour when the only expert is gone,
/// `[fast, slow]`: the fast end is the upper bound of an effective code
/// review (400 lines an hour, SmartBear/Cisco 2006); the slow end is
/// friction's allowance for rebuilding a design without its author
/// (program comprehension takes about 58 % of developers' time, Xia et al.,
/// TSE 2018).
pub const REDISCOVERY_LINES_PER_HOUR: [f64; 2] = [400.0, 100.0];
/// The roadmap's order, stated in the reports (issue 20, item 8).
pub const ROADMAP_ORDER: &str = "steps are ordered by value per effort-day: the index points a step gains on its own per \
     person-day, plus the cost it removes (hours a year) per person-day, each relative to the best step's rate, \
     so both count equally; a step's dependencies come right before it";

/// Hours to rediscover the knowledge of a file of `code_lines`, `[low, high]`.
pub fn rediscovery_hours(code_lines: u32) -> [f64; 2] {
    let loc = f64::from(code_lines);
    [
        loc / REDISCOVERY_LINES_PER_HOUR[0],
        loc / REDISCOVERY_LINES_PER_HOUR[1],
    ]
}

/// How many of the flakiest tests one "quarantine and fix" step takes on.
pub const QUARANTINE_TESTS: usize = 5;
/// Person-days to quarantine and fix one flaky test, `[low, high]`
/// (friction's choice: quarantining is minutes; finding the cause — order,
/// timing, shared state, the network — takes half a day to a few days per
/// test, and flaky tests cluster around a few causes, which the low end
/// assumes).
pub const QUARANTINE_DAYS_PER_TEST: [f64; 2] = [0.5, 3.0];
/// Person-days to cut one workflow's p90 to the healthy edge, `[low, high]`
/// (friction's choice: caching dependencies and build outputs, splitting and
/// parallelising the slowest jobs, moving slow suites off the critical path).
pub const CUT_CI_DAYS: [f64; 2] = [3.0, 10.0];
/// Person-days to automate one manual CI step, `[low, high]` (friction's
/// choice: replacing a `when: manual` job or a hand-started workflow by a
/// trigger, a protected environment's rule or a scheduled run).
pub const AUTOMATE_STEP_DAYS: [f64; 2] = [1.0, 5.0];

/// Refactoring effort in person-days for a file, `[low, high]`: size at the
/// assumed throughput, scaled by up to 2× for the least healthy code.
pub fn refactor_effort(code_lines: u32, health: f64) -> [f64; 2] {
    let c = 1.0 + ((9.0 - health) / 9.0).clamp(0.0, 1.0);
    let loc = f64::from(code_lines);
    [
        0.5 + loc / REFACTOR_LINES_PER_DAY[1] * c,
        1.0 + loc / REFACTOR_LINES_PER_DAY[0] * c,
    ]
}

/// Knowledge-spreading effort in person-days, `[low, high]`.
pub fn spread_effort(code_lines: u32) -> [f64; 2] {
    let loc = f64::from(code_lines);
    [
        0.5 + loc / SPREAD_LINES_PER_DAY[1],
        1.0 + loc / SPREAD_LINES_PER_DAY[0],
    ]
}

/// Decoupling effort in person-days for a component pair whose co-changes
/// touch `files` distinct production files, `[low, high]`.
pub fn decouple_effort(files: usize) -> [f64; 2] {
    let n = files.min(50) as f64;
    [2.0 + n / 4.0, 5.0 + n]
}

/// The methodology as Markdown: `docs/methodology.md`.
pub fn markdown() -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "# Assessment methodology `{METHODOLOGY_VERSION}`\n\n\
         <!-- Generated by `cargo run -p friction-assess --example methodology`; a test fails when stale. -->\n\n"
    ));
    s.push_str(include_str!("methodology-intro.md"));
    s.push_str("\n## Families\n\n| family | weight | signals |\n|---|---|---|\n");
    for f in Family::ALL {
        let ids: Vec<String> = REGISTRY
            .iter()
            .filter(|x| x.family() == f)
            .map(|x| format!("`{}` ({})", x.id(), x.weight()))
            .collect();
        s.push_str(&format!(
            "| {} | {} | {} |\n",
            f.title(),
            family_weight(f),
            if ids.is_empty() {
                "none yet: always *not measured*".to_owned()
            } else {
                ids.join(", ")
            }
        ));
    }
    s.push_str(&format!(
        "\nBands for every level: **healthy** ≥ {HEALTHY_FROM}, **warning** {ALERT_BELOW}–{HEALTHY_FROM}, \
         **alert** < {ALERT_BELOW}. Intervals: {}-replicate bootstrap, {} % level.\n",
        BOOTSTRAP_REPLICATES,
        CI_LEVEL * 100.0
    ));
    s.push_str(&population_section());
    s.push_str("\n## Signals\n");
    for x in REGISTRY {
        s.push_str(&signal_markdown(*x));
    }
    s.push_str(&security_tables());
    s.push_str(include_str!("methodology-cost.md"));
    s
}

/// The reference population the curves are calibrated on: which signals
/// it calibrates, and every repository with its measured commit.
fn population_section() -> String {
    use friction_signals::calibration::{self, MAX_TIE_SHARE, MIN_EVIDENCE, MIN_REPOSITORIES};
    let rows = calibration::population();
    let mut s = format!(
        "\n## Reference population\n\nThe curves of the signals below marked *calibrated* \
         are derived from {} public repositories of varied size, age and language, measured by \
         `scripts/calibrate.py` with git history and the tree at their newest stored commit only \
         (no CI, work-item or incident exports) and committed as \
         `crates/signals/calibration/population.csv`; friction derives every anchor from that \
         file when it starts, so the file and the curves cannot disagree. A repository's value \
         enters a signal's population with at least {MIN_EVIDENCE} units of evidence (or complete \
         evidence); a signal is calibrated when at least {MIN_REPOSITORIES} repositories remain \
         and no single value holds more than {} % of them. The score of a value is its \
         mid-rank: the share of the population with a worse value, ties counting half, \
         interpolated between the population's values (Alves, Ypma & Visser, ICSM 2010: \
         thresholds from benchmark data). A calibrated score of 80 reads \"better than 80 % of \
         the reference projects\"; 50 is their median, which is also the prior every score \
         shrinks toward.\n\n| signal | calibrated on | median |\n|---|---|---|\n",
        calibration::repositories(),
        MAX_TIE_SHARE * 100.0
    );
    for x in REGISTRY {
        let c = calibration::calibration(*x);
        if c.measured == 0 {
            continue;
        }
        let median = if c.n > 0 {
            format!("{} {}", friction_signals::round2(c.quantiles[2]), x.unit())
        } else {
            "–".to_owned()
        };
        s.push_str(&format!(
            "| `{}` | {} | {median} |\n",
            x.id(),
            match &c.reason {
                None => format!("{} repositories", c.n),
                Some(why) => format!("not calibrated: {why}"),
            }
        ));
    }
    s.push_str(
        "\nSignals no reference repository measures (they need CI, work-item, incident or \
         SLO exports) keep their researched curves.\n\n\
         | repository | language | commits | first – last commit | code lines | measured at |\n\
         |---|---|---|---|---|---|\n",
    );
    let mut seen = std::collections::BTreeSet::new();
    for r in rows {
        if seen.insert(r.repository.as_str()) {
            s.push_str(&format!(
                "| {} | {} | {} | {} – {} | {} | `{}`{} |\n",
                r.repository.replace('+', "/"),
                r.language,
                r.commits,
                r.first_commit,
                r.last_commit,
                r.code_lines,
                &r.commit[..r.commit.len().min(12)],
                if r.scan_errors > 0 {
                    format!(" ({} unreadable objects)", r.scan_errors)
                } else {
                    String::new()
                }
            ));
        }
    }
    s
}

/// The workflow rules and the compliance-control mapping table.
fn security_tables() -> String {
    use friction_analysis::controls::CONTROLS;
    use friction_analysis::workflows::Rule;
    let mut s = String::from(
        "\n## Workflow rules\n\n`workflow-risks` reads `.github/workflows/*.yml` of the assessed \
         commit with these rules (details in the signal's section):\n\n\
         | rule | check | risk weight |\n|---|---|---|\n",
    );
    for r in Rule::ALL {
        s.push_str(&format!(
            "| `{}` | {} | {} |\n",
            r.id(),
            r.check().title(),
            r.check().risk_weight()
        ));
    }
    s.push_str(
        "\n## Compliance controls\n\n`compliance-controls` maps what the repository's files show \
         to controls of the OpenSSF OSPS Baseline, version 2026.02.19 (level 1 is the floor \
         for every project; the table also holds the level-2 and level-3 controls a repository's \
         files can show):\n\n\
         | control | OSPS Baseline | level | looked for |\n|---|---|---|---|\n",
    );
    for c in CONTROLS {
        s.push_str(&format!(
            "| {} (`{}`) | {} | {} | {} |\n",
            c.title, c.id, c.osps, c.level, c.looks_for
        ));
    }
    s
}

/// One signal's documentation sections, as `friction explain` and the
/// methodology page show them.
pub fn signal_markdown(x: &dyn friction_signals::Signal) -> String {
    let d = x.doc();
    let mut s = format!(
        "\n### `{}`: {}\n\nFamily **{}**, weight {} in the family; unit: {}; needs: {}.\n\n",
        x.id(),
        d.title,
        x.family().title(),
        x.weight(),
        x.unit(),
        x.needs()
            .iter()
            .map(|i| i.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    s.push_str(&format!("**What it measures.** {}\n\n", d.measures));
    s.push_str(&format!("**Why it matters.** {}\n\n", d.why));
    s.push_str(&format!("**How it is computed.** {}\n\n", d.how));
    s.push_str(&format!(
        "**Thresholds.** {}\n\n",
        friction_signals::calibration::thresholds(x)
    ));
    s.push_str(&format!(
        "**Shrinkage.** The score shrinks {}.\n\n**Sources.**\n\n",
        x.prior().describe(x.proxy())
    ));
    let mut out = s;
    for src in d.sources {
        out.push_str(&format!("- {src}\n"));
    }
    out
}

/// The weight of a repository in a portfolio roll-up: its measured code
/// lines (see "Portfolio roll-ups" in the methodology). A repository without
/// code measured weighs as the mean measured one; groups where none has code
/// measured weigh their repositories equally.
pub fn portfolio_weight(code_lines: u64) -> f64 {
    code_lines as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normal_quantile_matches_the_level() {
        // Φ(CI_Z) = 0.95 to eight decimals (Abramowitz & Stegun 26.2.17).
        let x = CI_Z;
        let t = 1.0 / (1.0 + 0.231_641_9 * x);
        let poly = t
            * (0.319_381_530
                + t * (-0.356_563_782
                    + t * (1.781_477_937 + t * (-1.821_255_978 + t * 1.330_274_429))));
        let phi = 1.0 - (-x * x / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt() * poly;
        assert!((phi - (1.0 - (1.0 - CI_LEVEL) / 2.0)).abs() < 1e-6, "{phi}");
    }

    #[test]
    fn family_weights_sum_to_one() {
        let w: f64 = Family::ALL.iter().map(|f| family_weight(*f)).sum();
        assert!((w - 1.0).abs() < 1e-9);
    }

    #[test]
    fn methodology_document_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/methodology.md");
        let current = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            current == markdown(),
            "docs/methodology.md is stale: run `cargo run -p friction-assess --example methodology > docs/methodology.md`"
        );
    }

    #[test]
    fn effort_grows_with_size_and_poor_health() {
        let a = refactor_effort(500, 8.0);
        let b = refactor_effort(2000, 8.0);
        let c = refactor_effort(2000, 2.0);
        assert!(a[0] < a[1] && a[1] < b[1] && b[1] < c[1]);
    }
}
