//! Hotspots (`friction hotspots`): change frequency in a window joined with
//! the code health measured at `HEAD`, from the store a scan filled.

use friction_analysis::components::{self, ComponentActivity, ComponentMap, Overlap};
use friction_analysis::fixes::{PathKind, Touched};
use friction_analysis::hotspots::{self, Change, HeadFile, Hotspots};
use friction_analysis::risk::{self, ComponentRisk, KnowledgeMark, SecurityMark};
use friction_store::{Store, StoreError, WalkMode};
use serde::Serialize;

use crate::calendar::{MONTH, date};
use crate::{Error, HealthCache, Result, Session};

/// What `friction hotspots` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HotspotsRequest {
    /// Window length in months, counted back from the newest stored commit.
    pub months: u32,
    /// Which view of history.
    pub mode: WalkMode,
    /// The order of the product files.
    pub rank: Rank,
    /// Add the defect model's forecast per product file (implied by a
    /// `rank` other than [`Rank::Score`]).
    pub forecast: bool,
}

/// The order of the hotspot map's product files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Rank {
    /// friction's score, size × √(1 + changes): the default, which the
    /// back-test evidence keeps (`BENCHMARKS.md`, "Pre-registered test").
    #[default]
    Score,
    /// The defect model's expected defect fixes per 1,000 code lines (a
    /// file counted as at least 50 lines), highest first.
    Density,
    /// The defect model's chance of a defect fix, highest first.
    Risk,
}

impl Rank {
    pub fn as_str(self) -> &'static str {
        match self {
            Rank::Score => "score",
            Rank::Density => "density",
            Rank::Risk => "risk",
        }
    }
}

impl HotspotsRequest {
    /// Refuses a window no analysis can be made over.
    pub fn check(&self) -> Result<()> {
        if self.months == 0 {
            return Err(Error::input(
                "--months must be at least 1",
                Some("the window is counted back from the newest stored commit"),
            ));
        }
        Ok(())
    }
}

/// The window and the analysis.
#[derive(Debug, Clone, Serialize)]
pub struct HotspotReport {
    pub months: u32,
    /// Window bounds (author dates, UTC); the window ends at the newest stored commit.
    pub from: String,
    pub to: String,
    pub code_commit: String,
    /// The order of the product files (`score` unless asked otherwise).
    pub rank: Rank,
    /// The defect model's forecast at the window's end, when asked for
    /// (each product file's figures are in its `forecast`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast: Option<crate::backtest::Forecast>,
    #[serde(flatten)]
    pub hotspots: Hotspots,
    /// Roll-up per component (`[components]`, or top-level directories).
    pub components: Vec<ComponentActivity>,
    /// Changed files that several components claim (the most specific glob wins).
    pub component_overlaps: Vec<Overlap>,
    /// Risk concentration per component (reliability, security, knowledge);
    /// filled by [`Session::hotspots`], empty in the scan summary.
    pub risk: Vec<ComponentRisk>,
    /// What could not be read for the risk concentration, and why (the part
    /// it feeds is then measured without it, or not measured): never silent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub risk_notes: Vec<String>,
    /// Defect-fix commits of the window and security findings, per file at
    /// `HEAD`: the inputs of `risk` (not serialised).
    #[serde(skip)]
    pub risk_inputs: RiskInputs,
}

/// What the risk concentration reads besides knowledge.
#[derive(Debug, Clone, Default)]
pub struct RiskInputs {
    pub fixes: Vec<Vec<String>>,
    pub security: Option<Vec<SecurityMark>>,
}

impl HotspotReport {
    /// The report with only the hotspots among its product files, and the
    /// test and other non-product files changed at least as often as the
    /// hotspot cut-off (those the ranking would have shown, were they product
    /// code).
    pub fn hotspots_only(&self) -> HotspotReport {
        let mut only = self.clone();
        only.hotspots.files.retain(|f| f.hotspot);
        let cut = self.hotspots.cutoff_revisions;
        only.hotspots
            .test_code
            .files
            .retain(|f| cut.is_some_and(|c| f.revisions >= c));
        only
    }
}

/// The hotspot figures the scan summary names.
#[derive(Debug, Clone, Serialize)]
pub struct HotspotSummary {
    pub months: u32,
    pub hotspot_count: u64,
    pub hotspot_code_pct: f64,
    pub hotspot_activity_pct: f64,
    pub hotspot_health: Option<f64>,
    pub unhealthy_activity_pct: f64,
    /// Test and other non-product code's share of the window's changes, percent.
    pub test_activity_pct: f64,
    /// The most changed hotspots: (path, changes, health).
    pub top: Vec<(String, u64, Option<f64>)>,
}

impl From<&HotspotReport> for HotspotSummary {
    fn from(r: &HotspotReport) -> Self {
        let h = &r.hotspots;
        HotspotSummary {
            months: r.months,
            hotspot_count: h.hotspot_count,
            hotspot_code_pct: h.hotspot_code_pct,
            hotspot_activity_pct: h.hotspot_activity_pct,
            hotspot_health: h.hotspot_health,
            unhealthy_activity_pct: h.unhealthy_activity_pct,
            test_activity_pct: h.test_code.activity_pct,
            top: h
                .files
                .iter()
                .filter(|f| f.hotspot)
                .take(3)
                .map(|f| (f.path.clone(), f.revisions, f.health))
                .collect(),
        }
    }
}

/// Loads the window's activity and `HEAD`'s measurements and runs the analysis.
/// `Ok(None)` when the store has no history or no code measurements yet.
pub fn compute(
    store: &Store,
    cache: &HealthCache,
    months: u32,
    mode: WalkMode,
    map: &ComponentMap,
    fix: Option<&crate::assess::FixRules>,
) -> Result<Option<HotspotReport>, StoreError> {
    let Some(last) = store.last_commit_time()? else {
        return Ok(None);
    };
    let Some(code_commit) = store.meta("code_head")? else {
        return Ok(None);
    };
    let since = last - i64::from(months) * MONTH;
    let rows = store.activity(since, mode)?;
    let changes: Vec<Change> = rows
        .iter()
        .map(|r| Change {
            commit: r.commit.clone(),
            author: r.author.clone(),
            file_id: r.file_id.clone(),
            churn: r.lines_added + r.lines_deleted,
        })
        .collect();
    let mut head = Vec::new();
    for (row, data) in store.measured_tree(&code_commit, friction_code::ANALYZER_VERSION)? {
        if row.excluded.is_some() {
            continue;
        }
        let (health, code_lines) = cache.health_of(&row.blob, &row.language, data.as_deref());
        let file_id = store.file_id(&row.path)?;
        head.push(HeadFile {
            path: row.path,
            file_id,
            health,
            code_lines,
        });
    }
    let mut hotspots = hotspots::hotspots(&changes, &head);
    let mut risk_inputs = RiskInputs::default();
    if let Some(fix) = fix {
        risk_inputs.fixes = fix_paths(store, &rows, &head, since, fix)?;
    }
    // Coverage and flaky tests from ingested reports, when there are any.
    let paths: Vec<&str> = head.iter().map(|f| f.path.as_str()).collect();
    let marks = crate::delivery::test_marks(store, &paths, since)?;
    if marks.security_ingested {
        risk_inputs.security = Some(
            marks
                .security
                .iter()
                .map(|(&i, &(findings, weight))| SecurityMark {
                    path: paths[i as usize].to_owned(),
                    findings,
                    weight,
                })
                .collect(),
        );
    }
    if !marks.coverage.is_empty() || !marks.flaky.is_empty() || !marks.security.is_empty() {
        let at: std::collections::HashMap<&str, u32> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (*p, i as u32))
            .collect();
        for f in hotspots
            .files
            .iter_mut()
            .chain(hotspots.test_code.files.iter_mut())
        {
            let i = at.get(f.path.as_str()).copied();
            f.coverage_pct = i.and_then(|i| marks.coverage.get(&i).copied());
            f.flaky_tests = i.and_then(|i| marks.flaky.get(&i).copied());
            if let Some(&(n, w)) = i.and_then(|i| marks.security.get(&i)) {
                f.security_findings = Some(n);
                f.security_debt = Some(hotspots::security_debt(w, f.revisions));
            }
        }
    }
    Ok(Some(HotspotReport {
        months,
        from: date(since),
        to: date(last),
        code_commit,
        rank: Rank::Score,
        forecast: None,
        components: components::rollup(&hotspots, map),
        component_overlaps: map.overlaps(hotspots.files.iter().map(|f| f.path.as_str())),
        hotspots,
        risk: Vec::new(),
        risk_notes: Vec::new(),
        risk_inputs,
    }))
}

/// Per defect-fix commit of the window, the paths at `HEAD` it touched
/// (files since deleted are left out; a fix touching none still counts).
fn fix_paths(
    store: &Store,
    rows: &[friction_store::ActivityRow],
    head: &[HeadFile],
    since: i64,
    fix: &crate::assess::FixRules,
) -> Result<Vec<Vec<String>>, StoreError> {
    use std::collections::{BTreeMap, BTreeSet, HashMap};
    let messages = store.commit_messages(since)?;
    let at_head: HashMap<&str, &str> = head
        .iter()
        .map(|f| (f.file_id.as_str(), f.path.as_str()))
        .collect();
    let mut touched: BTreeMap<&str, (Touched, BTreeSet<String>)> = BTreeMap::new();
    for r in rows {
        let e = touched.entry(&r.commit).or_default();
        e.0.add(PathKind::of(&r.path));
        if let Some(p) = at_head.get(r.file_id.as_str()) {
            e.1.insert((*p).to_owned());
        }
    }
    Ok(touched
        .into_iter()
        .filter(|(c, (t, _))| messages.get(*c).is_some_and(|m| fix.is_fix(&m.2, *t)))
        .map(|(_, (_, paths))| paths.into_iter().collect())
        .collect())
}

impl Session {
    /// The hotspots of the window (`friction hotspots`); an error says to
    /// scan first when the store has no history or no code measurements.
    pub fn hotspots(&self, request: &HotspotsRequest) -> Result<HotspotReport> {
        request.check()?;
        let map = crate::project::component_map(&self.project().config()?)?;
        crate::project::require_view(self.store(), &self.project().db, request.mode)?;
        let fix = crate::assess::FixRules::new(&self.project().config()?)?;
        let mut report = compute(
            self.store(),
            self.health(),
            request.months,
            request.mode,
            &map,
            Some(&fix),
        )
        .map_err(|e| self.read_error(e))?
        .ok_or_else(|| {
            Error::input(
                "the store has no history or no code measurements yet",
                Some("run `friction scan` (without `--no-code`) on the repository first"),
            )
        })?;
        // Knowledge of the code at HEAD, with `friction knowledge`'s defaults.
        let knowledge = self.knowledge(&crate::knowledge::KnowledgeRequest {
            active_months: crate::knowledge::ACTIVE_MONTHS,
            without: Vec::new(),
            names: false,
            mode: request.mode,
        })?;
        let marks: Vec<KnowledgeMark> = knowledge
            .knowledge
            .files
            .iter()
            .map(|f| KnowledgeMark {
                path: f.path.clone(),
                code_lines: f.code_lines,
                fragile: f.island || f.orphaned,
                owned: knowledge
                    .without_active_owner
                    .as_ref()
                    .map(|w| !w.contains(&f.path)),
            })
            .collect();
        // Vulnerable dependencies at HEAD, at their dependency file, when an
        // advisory database is stored and the tree has dependency files.
        let supply = match crate::supply::audit(self.store(), &self.project().path) {
            Ok(s) => Some(s),
            Err(e) => {
                report.risk_notes.push(format!(
                    "vulnerable dependencies not read ({e:#}): security counts the ingested \
                     findings only"
                ));
                None
            }
        }
        .filter(|s| s.advisories.is_some() && !s.files.is_empty());
        let mut security = report.risk_inputs.security.take();
        if let Some(s) = &supply {
            let mut by_file: std::collections::BTreeMap<&str, (u32, f64)> =
                std::collections::BTreeMap::new();
            // Vulnerabilities and malicious packages, as
            // `vulnerable-dependencies` counts them (unmaintained ones are
            // another signal's).
            for f in s.findings.iter().filter(|f| f.kind != "unmaintained") {
                let e = by_file
                    .entry(s.packages[f.package as usize].file.as_str())
                    .or_default();
                e.0 += 1;
                e.1 += friction_signals::supply::weight(f);
            }
            security
                .get_or_insert_with(Vec::new)
                .extend(
                    by_file
                        .into_iter()
                        .map(|(path, (findings, weight))| SecurityMark {
                            path: path.to_owned(),
                            findings,
                            weight,
                        }),
                );
        }
        report.risk =
            risk::concentration(&map, &report.risk_inputs.fixes, security.as_deref(), &marks);
        if request.forecast || request.rank != Rank::Score {
            self.add_forecast(&mut report, request.rank, &fix)?;
        }
        Ok(report)
    }

    /// The defect model's forecast per product file, and the product files
    /// in the asked order (stable: ties keep friction's order).
    fn add_forecast(
        &self,
        report: &mut HotspotReport,
        rank: Rank,
        fix: &crate::assess::FixRules,
    ) -> Result<()> {
        let Some(forecast) = crate::backtest::forecast(self.store(), &report.code_commit, fix)
            .map_err(|e| self.read_error(e))?
        else {
            return Ok(());
        };
        if rank != Rank::Score && !forecast.measured {
            return Err(Error::input(
                format!(
                    "cannot rank by {}: the defect model's forecast is not measured (no \
                     defect-fix commit in the {} months before {} to train on)",
                    rank.as_str(),
                    3 * forecast.horizon_months,
                    forecast.cut
                ),
                Some("rank by `score` (the default), or see `friction explain defect-prone-code`"),
            ));
        }
        for f in &mut report.hotspots.files {
            f.forecast = forecast.files.get(&f.path).copied();
        }
        let key = |f: &friction_analysis::hotspots::FileActivity| match (rank, f.forecast) {
            (Rank::Density, Some(p)) => p.density_per_kloc,
            (Rank::Risk, Some(p)) => p.risk,
            _ => f64::NEG_INFINITY,
        };
        if rank != Rank::Score {
            report
                .hotspots
                .files
                .sort_by(|a, b| key(b).total_cmp(&key(a)));
        }
        report.rank = rank;
        report.forecast = Some(forecast);
        Ok(())
    }
}
