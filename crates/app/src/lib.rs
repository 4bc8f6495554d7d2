//! The operations of friction as a typed API, under every front-end.
//!
//! A [`Project`] names a repository and its store; a [`Session`] holds the
//! open store and the bounded caches of one piece of work. Operations take
//! what they need as parameters — a [`Progress`] for long ones — and return
//! typed results or one [`Error`]. Nothing here parses arguments, prints, or
//! keeps process-wide state: the CLI (and any later front-end) renders.

pub mod advisories;
pub mod assess;
pub mod backtest;
pub mod cache;
pub mod calendar;
pub mod code;
pub mod coupling;
pub mod delivery;
pub mod error;
mod execution;
pub mod explain;
pub mod hotspots;
pub mod ingest;
pub mod knowledge;
pub mod lock;
pub mod maat;
pub mod portfolio;
pub mod progress;
pub mod project;
pub mod report;
pub mod scan;
pub(crate) mod service_levels;
pub mod snapshot;
pub mod supply;
pub mod timeline;

use friction_assess::Assessment;
use friction_store::{Store, StoreError, WalkMode};

pub use cache::HealthCache;
pub use error::{Error, Result};
pub use progress::{Progress, Silent};
pub use project::Project;

/// An open store of a project, with the caches of one piece of work.
pub struct Session {
    project: Project,
    store: Store,
    health: HealthCache,
}

/// The options of an assessment that the person asking chooses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AssessRequest {
    /// Months of activity, counted back from the newest stored commit.
    pub months: u32,
    /// Which view of history (`--first-parent` or not).
    pub mode: WalkMode,
    /// A budget in person-days for the roadmap, if any.
    pub budget: Option<f64>,
    /// The share of addressable cost the roadmap aims at.
    pub target: f64,
}

impl Default for AssessRequest {
    fn default() -> Self {
        AssessRequest {
            months: 12,
            mode: WalkMode::Full,
            budget: None,
            target: friction_assess::methodology::DEFAULT_TARGET_SHARE,
        }
    }
}

impl AssessRequest {
    /// Refuses options no assessment can be made with.
    pub fn check(&self) -> Result<()> {
        if self.months == 0 {
            return Err(Error::input("--months must be at least 1", None));
        }
        if !(self.target > 0.0 && self.target <= 1.0) {
            return Err(Error::input(
                "--target must be a share between 0 and 1",
                Some("for example --target 0.8 for 80 % of the addressable cost"),
            ));
        }
        if self.budget.is_some_and(|b| !(b.is_finite() && b > 0.0)) {
            return Err(Error::input(
                "--budget must be a positive number of person-days",
                None,
            ));
        }
        Ok(())
    }
}

/// An assessment with the facts it was made from.
pub struct Assessed {
    pub loaded: assess::Loaded,
    pub assessment: Assessment,
    pub inputs: assess::Inputs,
}

impl Session {
    /// Opens the project's existing store (an error says to scan first when
    /// there is none).
    pub fn open(project: Project) -> Result<Session> {
        let store = project.open_store()?;
        Ok(Session {
            project,
            store,
            health: HealthCache::default(),
        })
    }

    /// The project.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// The open store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The open store, for operations that write.
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// The health cache shared by the measurements and loads of this session.
    pub fn health(&self) -> &HealthCache {
        &self.health
    }

    /// The time of the newest stored commit, where analysis windows end; an
    /// error that says to scan first when there is none.
    pub fn newest_commit_time(&self) -> Result<i64> {
        self.store()
            .last_commit_time()
            .map_err(|e| self.read_error(e))?
            .ok_or_else(|| {
                Error::input(
                    "the store holds no history",
                    Some("run `friction scan` on the repository first"),
                )
            })
    }

    /// A store that failed while being read.
    pub(crate) fn read_error(&self, e: StoreError) -> Error {
        Error::input(
            format!("reading {}: {e}", self.project().db.display()),
            None,
        )
    }

    /// Loads the facts as a scan of `at` (default: everything stored and the
    /// measured `HEAD`) would have them; `None` when there is no history.
    pub fn load(
        &self,
        months: u32,
        mode: WalkMode,
        at: Option<&str>,
    ) -> Result<Option<assess::Loaded>> {
        let inputs = assess::Inputs::read(&self.project.path, at)?;
        let mut history = assess::History::read(&self.store, mode)?;
        assess::load(&self.store, &self.health, &mut history, &inputs, months, at)
    }

    /// The assessment of the store's current state (`friction assess`);
    /// `None` when the store has no history yet.
    pub fn assess(&self, request: &AssessRequest) -> Result<Option<Assessed>> {
        self.assess_with(request, &Silent)
    }

    /// As [`Session::assess`], reporting its phases (reading, loading,
    /// assessing) to `progress`.
    pub fn assess_with(
        &self,
        request: &AssessRequest,
        progress: &dyn Progress,
    ) -> Result<Option<Assessed>> {
        request.check()?;
        project::require_view(&self.store, &self.project.db, request.mode)?;
        Ok(assess::run_assessment(
            &self.store,
            &self.health,
            &self.project.path,
            request,
            progress,
        )?
        .map(|(loaded, assessment, inputs)| Assessed {
            loaded,
            assessment,
            inputs,
        }))
    }
}
