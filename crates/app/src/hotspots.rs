//! Hotspots (`friction hotspots`): change frequency in a window joined with
//! the code health measured at `HEAD`, from the store a scan filled.

use friction_analysis::components::{self, ComponentActivity, ComponentMap, Overlap};
use friction_analysis::hotspots::{self, Change, HeadFile, Hotspots};
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
    #[serde(flatten)]
    pub hotspots: Hotspots,
    /// Roll-up per component (`[components]`, or top-level directories).
    pub components: Vec<ComponentActivity>,
    /// Changed files that several components claim (the most specific glob wins).
    pub component_overlaps: Vec<Overlap>,
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
) -> Result<Option<HotspotReport>, StoreError> {
    let Some(last) = store.last_commit_time()? else {
        return Ok(None);
    };
    let Some(code_commit) = store.meta("code_head")? else {
        return Ok(None);
    };
    let since = last - i64::from(months) * MONTH;
    let changes: Vec<Change> = store
        .activity(since, mode)?
        .into_iter()
        .map(|r| Change {
            commit: r.commit,
            author: r.author,
            file_id: r.file_id,
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
    // Coverage and flaky tests from ingested reports, when there are any.
    let paths: Vec<&str> = head.iter().map(|f| f.path.as_str()).collect();
    let marks = crate::delivery::test_marks(store, &paths, since)?;
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
        components: components::rollup(&hotspots, map),
        component_overlaps: map.overlaps(hotspots.files.iter().map(|f| f.path.as_str())),
        hotspots,
    }))
}

impl Session {
    /// The hotspots of the window (`friction hotspots`); an error says to
    /// scan first when the store has no history or no code measurements.
    pub fn hotspots(&self, request: &HotspotsRequest) -> Result<HotspotReport> {
        request.check()?;
        let map = crate::project::component_map(&self.project().config()?)?;
        crate::project::require_view(self.store(), &self.project().db, request.mode)?;
        compute(
            self.store(),
            self.health(),
            request.months,
            request.mode,
            &map,
        )
        .map_err(|e| self.read_error(e))?
        .ok_or_else(|| {
            Error::input(
                "the store has no history or no code measurements yet",
                Some("run `friction scan` (without `--no-code`) on the repository first"),
            )
        })
    }
}
