//! The cost model: what friction costs per year, as ranges, in engineer-hours
//! and — when `[economics] hourly_cost` is set — in money. Every figure is an
//! estimate and labelled so; see `methodology-cost.md` for the formulas.

use friction_analysis::fixes::PathKind;
use friction_analysis::hotspots;
use friction_model::health::Band;
use std::collections::{BTreeMap, BTreeSet};

use friction_signals::{Context, Data, Family, Overrides, Scope, round2, time_factor};
use serde::{Deserialize, Serialize};

/// `[economics]` of friction.toml.
#[derive(Debug, Clone, PartialEq)]
pub struct Economics {
    pub hourly_cost: Option<f64>,
    pub currency: String,
    pub hours_per_year: f64,
    pub engineers: Option<f64>,
    pub coding_share: [f64; 2],
}

impl Default for Economics {
    fn default() -> Self {
        Economics {
            hourly_cost: None,
            currency: "EUR".into(),
            hours_per_year: 1600.0,
            engineers: None,
            coding_share: [0.3, 0.5],
        }
    }
}

/// A low–high range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Range {
    pub low: f64,
    pub high: f64,
}

impl Range {
    pub fn new(low: f64, high: f64) -> Range {
        Range {
            low: round2(low.min(high)),
            high: round2(high.max(low)),
        }
    }
    pub fn zero() -> Range {
        Range {
            low: 0.0,
            high: 0.0,
        }
    }
    pub fn mid(&self) -> f64 {
        (self.low + self.high) / 2.0
    }
    pub fn add(&self, o: &Range) -> Range {
        Range::new(self.low + o.low, self.high + o.high)
    }
    pub fn scale(&self, k: f64) -> Range {
        Range::new(self.low * k, self.high * k)
    }
}

/// Money beside hours, when an hourly cost is configured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    /// Engineer-hours per year.
    pub hours: Range,
    /// `hours × hourly_cost`; `None` without `[economics] hourly_cost`.
    pub money: Option<Range>,
}

/// The estimate of one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileCost {
    pub path: String,
    pub component: String,
    pub health: Option<f64>,
    pub code_lines: u32,
    pub revisions: u64,
    pub fix_commits: u64,
    /// `product`, `test`, `example`, `benchmark`, `build` or `docs`
    /// ([`friction_analysis::fixes::PathKind`]); assessments recorded before
    /// it read back as `product`.
    #[serde(default = "product")]
    pub kind: String,
    /// Product code among the most changed files (the knee of the product
    /// files' change distribution) and outside the healthy band
    /// ([`friction_analysis::hotspots::is_hotspot`]).
    pub hotspot: bool,
    /// Excess time of its changes in unhealthy code (Delivery).
    pub friction: Cost,
    /// Fix work on it when it is defect-prone (Reliability).
    pub defect_work: Cost,
    /// The median gap between its revisions, days.
    pub median_gap_days: Option<f64>,
    /// Line coverage, percent, in the newest coverage report naming the file
    /// (absent without one, so an assessment without coverage facts is unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage_pct: Option<f64>,
    /// Flaky tests whose source is this file (absent when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flaky_tests: Option<u32>,
    /// Open SARIF findings on the file (absent when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_findings: Option<u32>,
    /// Security debt: the findings' weight × the file's revisions in the
    /// window ([`friction_analysis::hotspots::security_debt`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_debt: Option<f64>,
    /// The incidents (labels, sorted) whose fix commits changed this file:
    /// commits of the window whose message names the incident. Absent when
    /// none; two or more mark a file behind repeat incidents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<String>,
}

fn product() -> String {
    friction_analysis::fixes::PathKind::Product
        .as_str()
        .to_owned()
}

impl FileCost {
    /// Product code: ranked, and a candidate for hotspots and refactoring.
    pub fn is_product(&self) -> bool {
        self.kind == friction_analysis::fixes::PathKind::Product.as_str()
    }

    /// What the test facts say against the file, for the hotspot map
    /// ([`friction_signals::test_marks`]).
    pub fn test_marks(&self) -> Vec<&'static str> {
        friction_signals::test_marks(self.coverage_pct, self.flaky_tests)
    }

    /// The file's cost a year: its excess time (Delivery) plus its fix work
    /// (Reliability), engineer-hours. The one definition every output shows.
    pub fn total_hours(&self) -> Range {
        self.friction.hours.add(&self.defect_work.hours)
    }
}

/// Cost per driver family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriverCost {
    pub family: Family,
    /// `None`: no cost formula for this family yet.
    pub cost: Option<Cost>,
    pub basis: String,
}

/// Test code and the other non-product files, apart from the ranking:
/// their own share of the effort.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TestCodeShare {
    /// Non-product files at the assessed commit changed in the window.
    pub files: u64,
    /// Their revisions in the window.
    pub revisions: u64,
    /// Their share of the window's revisions on files at the assessed commit, percent.
    pub revisions_pct: f64,
    /// Their cost a year (excess time + fix work), engineer-hours.
    pub hours: Range,
    /// Their share of the cost of every file (mid-points), percent.
    pub cost_pct: f64,
}

/// The cost model's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostModel {
    /// Always true: every figure here is an estimate.
    pub estimate: bool,
    pub currency: String,
    pub hourly_cost: Option<f64>,
    /// Engineers working on the repository, full-time equivalents.
    pub engineers: Range,
    /// `configured` or `estimated from activity`.
    pub engineers_source: String,
    /// Engineer-hours per year spent changing this code.
    pub development_hours: Range,
    pub total: Cost,
    pub drivers: Vec<DriverCost>,
    /// Files with a cost, the most expensive first (all of them; reports cut).
    pub files: Vec<FileCost>,
    /// Test and other non-product code's share of the effort (zero in
    /// assessments recorded before it).
    #[serde(default)]
    pub test_code: TestCodeShare,
}

fn money(e: &Economics, hours: Range) -> Cost {
    Cost {
        hours,
        money: e.hourly_cost.map(|c| hours.scale(c)),
    }
}

/// Full-time equivalents from activity: an author active in a week (low) or
/// a month (high) of the window counts that week or month as worked.
pub fn estimate_engineers(data: &Data) -> Range {
    let start = data.window_start();
    let mut weeks: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    let mut months: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    for c in &data.changes[start..] {
        let commit = &data.commits[c.commit as usize];
        let dt = commit.time - data.from;
        weeks
            .entry(&commit.author)
            .or_default()
            .insert(dt / 604_800);
        months
            .entry(&commit.author)
            .or_default()
            .insert(dt / 2_629_746);
    }
    let span = (data.to - data.from).max(1) as f64;
    let n_weeks = (span / 604_800.0).ceil().max(1.0);
    let n_months = (span / 2_629_746.0).ceil().max(1.0);
    let w: usize = weeks.values().map(BTreeSet::len).sum();
    let m: usize = months.values().map(BTreeSet::len).sum();
    Range::new(w as f64 / n_weeks, m as f64 / n_months)
}

/// The cost model over the repository, with what-if overrides.
pub fn cost_model(data: &Data, economics: &Economics, overrides: &Overrides) -> CostModel {
    let scope = Scope::repository();
    let ctx = Context::new(data, &scope, overrides);
    let (engineers, engineers_source) = match economics.engineers {
        Some(n) => (Range::new(n, n), "configured"),
        None => (estimate_engineers(data), "estimated from activity"),
    };
    let years = (f64::from(data.months) / 12.0).max(1.0 / 12.0);
    let dev = Range::new(
        engineers.low * economics.hours_per_year * economics.coding_share[0],
        engineers.high * economics.hours_per_year * economics.coding_share[1],
    );
    // Revisions per file in the window (every file, not only those at HEAD,
    // so that development time spreads over all the work).
    let start = data.window_start();
    // file → (revisions, fix commits, revision times)
    type PerFile = (BTreeSet<u32>, BTreeSet<u32>, Vec<i64>);
    let mut per_file: BTreeMap<&str, PerFile> = BTreeMap::new();
    for c in &data.changes[start..] {
        let commit = &data.commits[c.commit as usize];
        let e = per_file.entry(&c.file_id).or_default();
        if e.0.insert(c.commit) {
            e.2.push(commit.time);
        }
        if commit.fix {
            e.1.insert(c.commit);
        }
    }
    let health_of = |id: &str| ctx.file_index(id).and_then(|i| ctx.health(i));
    // Σ r·factor at both ends: a healthy revision's time t0 = T / Σ r·factor.
    let (mut weighted_low, mut weighted_high) = (0.0, 0.0);
    for (id, (revs, _, _)) in &per_file {
        let f = health_of(id).map_or(
            friction_signals::TimeFactor {
                low: 1.0,
                high: 1.0,
            },
            time_factor,
        );
        weighted_low += revs.len() as f64 * f.low;
        weighted_high += revs.len() as f64 * f.high;
    }
    let t0 = Range::new(
        if weighted_low > 0.0 {
            dev.low / weighted_low
        } else {
            0.0
        },
        if weighted_high > 0.0 {
            dev.high / weighted_high
        } else {
            0.0
        },
    );
    let kind_of = |i: usize| PathKind::of(&data.files[i].path);
    // The hotspot cut-off reads product code only (issue 20, item 7).
    let revs_sorted: Vec<u64> = {
        let mut v: Vec<u64> = per_file
            .iter()
            .filter(|(id, _)| {
                ctx.file_index(id)
                    .is_some_and(|i| kind_of(i) == PathKind::Product)
            })
            .map(|(_, e)| e.0.len() as u64)
            .collect();
        v.sort_unstable_by(|a, b| b.cmp(a));
        v
    };
    let cutoff = hotspots::cutoff(&revs_sorted);
    let mut test_code = TestCodeShare::default();
    let mut all_revisions = 0u64;
    // What the test facts say of each file, for the hotspot map.
    let coverage: BTreeMap<u32, f64> = data
        .delivery
        .iter()
        .flat_map(|d| &d.coverage)
        .filter_map(|c| Some((c.file, c.line_pct()?)))
        .collect();
    let flaky = data
        .delivery
        .as_ref()
        .map(friction_signals::flaky_tests_by_file)
        .unwrap_or_default();
    let security = data
        .delivery
        .as_ref()
        .and_then(|d| d.security.as_ref())
        .map(friction_signals::security_findings::weighted_by_file)
        .unwrap_or_default();
    let mut incidents_of: BTreeMap<u32, Vec<&friction_signals::incidents::IncidentLink>> =
        BTreeMap::new();
    for link in data.delivery.iter().flat_map(|d| &d.incident_commits) {
        incidents_of.entry(link.commit).or_default().push(link);
    }
    let mut files = Vec::new();
    let (mut friction_total, mut defect_total) = (Range::zero(), Range::zero());
    for (id, (revs, fixes, times)) in &per_file {
        let Some(i) = ctx.file_index(id) else {
            continue;
        };
        let f = &data.files[i];
        let kind = kind_of(i);
        all_revisions += revs.len() as u64;
        if kind != PathKind::Product {
            test_code.files += 1;
            test_code.revisions += revs.len() as u64;
        }
        let r_per_year = revs.len() as f64 / years;
        let health = ctx.health(i);
        let tf = health.map(time_factor);
        let friction = match tf {
            Some(tf) => Range::new(
                r_per_year * t0.low * (tf.low - 1.0),
                r_per_year * t0.high * (tf.high - 1.0),
            ),
            None => Range::zero(),
        };
        let prone = fixes.len() >= friction_signals::RECURRING_FIXES
            && !overrides
                .health
                .get(id as &str)
                .is_some_and(|h| Band::is_healthy(*h));
        let defect = if prone {
            let fixes_per_year = fixes.len() as f64 / years;
            Range::new(fixes_per_year * t0.low, fixes_per_year * t0.high)
        } else {
            Range::zero()
        };
        friction_total = friction_total.add(&friction);
        defect_total = defect_total.add(&defect);
        let mut gaps: Vec<f64> = times
            .windows(2)
            .map(|w| (w[1] - w[0]) as f64 / 86_400.0)
            .collect();
        let median_gap_days = friction_signals::quantile(&mut gaps, 0.5).map(round2);
        if friction.high > 0.0 || defect.high > 0.0 {
            files.push(FileCost {
                path: f.path.clone(),
                component: f.component.clone(),
                health: health.map(round2),
                code_lines: f.code_lines,
                revisions: revs.len() as u64,
                fix_commits: fixes.len() as u64,
                kind: kind.as_str().to_owned(),
                hotspot: hotspots::is_hotspot(kind, revs.len() as u64, health, cutoff),
                friction: money(economics, friction),
                defect_work: money(economics, defect),
                median_gap_days,
                coverage_pct: coverage.get(&(i as u32)).copied(),
                flaky_tests: flaky.get(&(i as u32)).copied(),
                security_findings: security.get(&(i as u32)).map(|s| s.0),
                security_debt: security
                    .get(&(i as u32))
                    .map(|s| friction_analysis::hotspots::security_debt(s.1, revs.len() as u64)),
                incidents: revs
                    .iter()
                    .filter_map(|c| incidents_of.get(c))
                    .flatten()
                    .filter(|l| l.files.as_ref().is_none_or(|f| f.contains(&(i as u32))))
                    .map(|l| l.label.clone())
                    .collect::<BTreeSet<String>>()
                    .into_iter()
                    .collect(),
            });
        }
    }
    files.sort_by(|a, b| {
        let ka = a.friction.hours.high + a.defect_work.hours.high;
        let kb = b.friction.hours.high + b.defect_work.hours.high;
        kb.total_cmp(&ka).then_with(|| a.path.cmp(&b.path))
    });
    test_code.revisions_pct = pct(test_code.revisions as f64, all_revisions as f64);
    test_code.hours = files
        .iter()
        .filter(|f| !f.is_product())
        .fold(Range::zero(), |acc, f| acc.add(&f.total_hours()));
    test_code.cost_pct = pct(
        test_code.hours.mid(),
        friction_total.add(&defect_total).mid(),
    );
    let drivers = Family::ALL
        .iter()
        .map(|&family| match family {
            Family::Delivery => DriverCost {
                family,
                cost: data.code_measured.then(|| money(economics, friction_total)),
                basis: "excess development time of changes in unhealthy code (Code Red band ratios)".into(),
            },
            Family::Reliability => DriverCost {
                family,
                cost: Some(money(economics, defect_total)),
                basis: "time spent on fix commits in defect-prone files, at healthy-code speed (the excess is counted under Delivery)".into(),
            },
            _ => DriverCost {
                family,
                cost: None,
                basis: "no cost formula for this family yet".into(),
            },
        })
        .collect();
    CostModel {
        estimate: true,
        currency: economics.currency.clone(),
        hourly_cost: economics.hourly_cost,
        engineers,
        engineers_source: engineers_source.into(),
        development_hours: dev,
        total: money(economics, friction_total.add(&defect_total)),
        drivers,
        files,
        test_code,
    }
}

/// `part` of `whole`, percent to one decimal; 0 of nothing.
fn pct(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        (part * 1000.0 / whole).round() / 10.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_carry_their_coverage_and_flaky_tests_only_when_test_facts_exist() {
        use friction_signals::delivery::{Cite, Coverage, Delivery, TestCase};
        let economics = Economics::default();
        let none = Overrides::default();
        let mut data = crate::fixture::one_file(5.0);
        let plain = cost_model(&data, &economics, &none);
        let json = serde_json::to_string(&plain.files).unwrap_or_default();
        assert!(
            !json.contains("coverage_pct") && !json.contains("flaky_tests"),
            "{json}"
        );
        assert!(plain.files[0].test_marks().is_empty());

        let flaky = |key: &str, path: Option<u32>| TestCase {
            key: key.into(),
            file: String::new(),
            path,
            outcome: "passed".into(),
            flaky_attempts: 1,
            reruns: 0,
            commit: None,
            report: 0,
            cite: Cite::default(),
        };
        data.delivery = Some(Delivery {
            coverage: vec![Coverage {
                file: 0,
                lines_found: 8,
                lines_hit: 4,
                branches_found: 0,
                branches_hit: 0,
                cite: Cite::default(),
            }],
            // Two flaky tests in the file, one whose file is unknown.
            tests: vec![
                flaky("t1", Some(0)),
                flaky("t2", Some(0)),
                flaky("t3", None),
            ],
            ..Delivery::default()
        });
        let marked = cost_model(&data, &economics, &none);
        let f = &marked.files[0];
        assert_eq!((f.coverage_pct, f.flaky_tests), (Some(50.0), Some(2)));
        assert_eq!(f.test_marks(), ["low coverage", "flaky tests"]);
        // At the threshold, coverage is not low.
        let mut at = f.clone();
        at.coverage_pct = Some(friction_signals::LOW_COVERAGE_PCT);
        at.flaky_tests = None;
        assert!(at.test_marks().is_empty());
    }

    #[test]
    fn ranges_order_and_round() {
        let r = Range::new(3.004, 1.0);
        assert_eq!((r.low, r.high), (1.0, 3.0));
        assert_eq!(r.mid(), 2.0);
    }
}
