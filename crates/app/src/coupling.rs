//! Change coupling (`friction coupling`): files that change together, from
//! the stored history.

use std::collections::BTreeMap;

use friction_analysis::components::{self, ComponentCoupling, Overlap};
use friction_analysis::coupling::{self, Commit, Coupling, Grouping, Options};
use friction_store::WalkMode;
use serde::Serialize;

use crate::calendar::{MONTH, date};
use crate::{Result, Session};

/// What `friction coupling` asks for.
#[derive(Debug, Clone, Copy)]
pub struct CouplingRequest {
    /// Window in months back from the newest stored commit; 0 = whole history.
    pub months: u32,
    /// How commits form change sets.
    pub grouping: Grouping,
    /// Thresholds; `options.parity` reproduces code-maat (paths as entities,
    /// every change).
    pub options: Options,
    /// Which view of history.
    pub mode: WalkMode,
    /// Pairs (and sums of coupling) kept; `None` keeps every one.
    pub limit: Option<usize>,
}

/// The coupled pairs of a window.
#[derive(Debug, Clone, Serialize)]
pub struct CouplingReport {
    pub schema: &'static str,
    /// `code-maat` (parity) or `friction`.
    pub mode: &'static str,
    /// 0 = the whole stored history.
    pub months: u32,
    pub from: Option<String>,
    pub to: Option<String>,
    pub grouping: Grouping,
    pub options: Options,
    pub commits: u64,
    /// Whether `pairs` lists every pair or only the first `--limit`.
    pub complete: bool,
    /// Pairs whose files belong to different components.
    pub structural_pairs: u64,
    /// Structural coupling summed per component pair.
    pub component_coupling: Vec<ComponentCoupling>,
    pub component_overlaps: Vec<Overlap>,
    #[serde(flatten)]
    pub coupling: Coupling,
}

impl Session {
    /// The coupled pairs of the window (`friction coupling`).
    pub fn coupling(&self, request: &CouplingRequest) -> Result<CouplingReport> {
        let store = self.store();
        let err = |e| self.read_error(e);
        let last = self.newest_commit_time()?;
        let months = request.months;
        let parity = request.options.parity;
        let since = if months == 0 {
            i64::MIN
        } else {
            last - i64::from(months) * MONTH
        };
        crate::project::require_view(store, &self.project().db, request.mode)?;
        let rows = store
            .activity_with(since, request.mode, parity)
            .map_err(err)?;
        let messages = if request.grouping == Grouping::Ticket {
            store.commit_messages(since).map_err(err)?
        } else {
            BTreeMap::new()
        };
        // Rows come ordered by time and commit: fold them into commits.
        let mut commits: Vec<Commit> = Vec::new();
        for r in rows {
            let entity = if parity { r.path } else { r.file_id };
            match commits.last_mut() {
                Some(c) if c.id == r.commit => c.entities.push(entity),
                _ => commits.push(Commit {
                    message: messages
                        .get(&r.commit)
                        .map(|m| m.2.clone())
                        .unwrap_or_default(),
                    id: r.commit,
                    author: r.author,
                    time: r.time,
                    entities: vec![entity],
                }),
            }
        }
        let sets = coupling::group(&commits, request.grouping);
        // Identities are named by the newest path of their chain, so a file
        // that exists at HEAD already shows where it lives now.
        let mut result = coupling::coupling(&sets, &request.options);
        let map = crate::project::component_map(&self.project().config()?)?;
        let component_coupling = components::annotate(&mut result, &map);
        let structural_pairs = result.pairs.iter().filter(|p| p.structural).count() as u64;
        let mut component_overlaps = map.overlaps(
            result
                .pairs
                .iter()
                .flat_map(|p| [p.entity.as_str(), p.coupled.as_str()]),
        );
        component_overlaps.sort_by(|a, b| a.path.cmp(&b.path));
        component_overlaps.dedup();
        let limit = request.limit.unwrap_or(usize::MAX);
        let complete = result.pairs.len() <= limit;
        result.pairs.truncate(limit);
        result.sum_of_coupling.truncate(limit);
        Ok(CouplingReport {
            schema: "friction.coupling/1",
            mode: if parity { "code-maat" } else { "friction" },
            months,
            from: (months > 0).then(|| date(since)),
            to: (months > 0).then(|| date(last)),
            grouping: request.grouping,
            options: request.options,
            commits: commits.len() as u64,
            complete,
            structural_pairs,
            component_coupling,
            component_overlaps,
            coupling: result,
        })
    }
}
