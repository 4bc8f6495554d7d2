//! A project: the repository, where its store lives, and its configuration.

use std::path::{Path, PathBuf};

use friction_analysis::components::ComponentMap;
use friction_history::Config;
use friction_store::{Store, StoreError, WalkMode};

use crate::error::{Error, Result};
use crate::lock::StoreLock;
use crate::progress::Progress;

/// A repository and the store of its facts.
#[derive(Debug, Clone)]
pub struct Project {
    /// The repository (work tree or bare); it may be absent when only a store is given.
    pub path: PathBuf,
    /// The store: `--db`, or `.friction/friction.db` in the repository.
    pub db: PathBuf,
}

impl Project {
    /// The project of the repository at `path`, with its store at `db` or at
    /// its default place (`.friction/friction.db` in the work tree, or in the
    /// git directory of a bare repository).
    pub fn locate(path: PathBuf, db: Option<PathBuf>) -> Result<Project> {
        let db = match db {
            Some(p) => p,
            None => {
                let repo = friction_history::open(&path).map_err(|e| {
                    Error::repository(
                        e.to_string(),
                        Some("give the repository path, or the store with `--db PATH`"),
                    )
                })?;
                default_store(&repo)
            }
        };
        Ok(Project { path, db })
    }

    /// An error that says to scan first when the store does not exist.
    fn existing(&self) -> Result<()> {
        if self.db.exists() {
            return Ok(());
        }
        Err(Error::missing(
            format!("no store at {}", self.db.display()),
            Some("run `friction scan` on the repository first"),
        ))
    }

    /// Opens the existing store read-only: reading never creates, migrates
    /// or writes a store.
    pub fn open_store(&self) -> Result<Store> {
        self.existing()?;
        Store::open_reader(&self.db).map_err(|e| store_open_error(&self.db, &e))
    }

    /// Opens the existing store for writing (bringing it up to date) under
    /// its write lock, which the caller holds while it writes.
    pub fn open_store_to_write(&self, progress: &dyn Progress) -> Result<(Store, StoreLock)> {
        self.existing()?;
        let lock = lock_for_writing(&self.db, progress)?;
        let store = Store::open(&self.db).map_err(|e| store_open_error(&self.db, &e))?;
        Ok((store, lock))
    }

    /// The repository's `friction.toml`; the defaults when there is no
    /// repository or no file.
    pub fn config(&self) -> Result<Config> {
        project_config(&self.path)
    }
}

/// Where the store of a repository lives by default.
pub fn default_store(repo: &friction_history::Repo) -> PathBuf {
    repo.workdir()
        .unwrap_or_else(|| repo.git_dir())
        .join(".friction")
        .join("friction.db")
}

/// The store of the repository at `path`, or `db`, opened read-only; an
/// error that says to scan first when there is none.
pub fn open_store(path: PathBuf, db: Option<PathBuf>) -> Result<(Store, PathBuf)> {
    let project = Project::locate(path, db)?;
    let store = project.open_store()?;
    Ok((store, project.db))
}

/// The store of the repository at `path`, or `db`, opened for writing under
/// its write lock.
pub fn open_store_to_write(
    path: PathBuf,
    db: Option<PathBuf>,
    progress: &dyn Progress,
) -> Result<(Store, PathBuf, StoreLock)> {
    let project = Project::locate(path, db)?;
    let (store, lock) = project.open_store_to_write(progress)?;
    Ok((store, project.db, lock))
}

/// Checks that `db` may become or stay friction's store (absent, empty or
/// ours; see `Store::probe`), then takes its write lock. A refused file gets
/// no lock file beside it. A store another writer is creating looks foreign
/// for a moment (its migrations half applied): when a lock file shows that a
/// writer is or was there, wait for its lock and look again.
pub fn lock_for_writing(db: &Path, progress: &dyn Progress) -> Result<StoreLock> {
    match Store::probe(db) {
        Ok(()) => crate::lock::lock(db, progress),
        Err(StoreError::Foreign { .. }) if crate::lock::lock_path(db).exists() => {
            let lock = crate::lock::lock(db, progress)?;
            Store::probe(db).map_err(|e| store_open_error(db, &e))?;
            Ok(lock)
        }
        Err(e) => Err(store_open_error(db, &e)),
    }
}

/// Refuses to read `mode`'s view of history from a store whose scans took
/// only the other one (it would read as no changes at all).
pub fn require_view(store: &Store, db: &Path, mode: WalkMode) -> Result<()> {
    let views = store
        .scanned_views()
        .map_err(|e| store_open_error(db, &e))?;
    if mode == WalkMode::FirstParent && !views.is_empty() && !views.contains(&mode) {
        return Err(Error::input(
            format!(
                "the store at {} was scanned without --first-parent: it holds the full history, not the first-parent view",
                db.display()
            ),
            Some(
                "run `friction scan --first-parent` to add that view (stored commits are not mined again), or leave out --first-parent",
            ),
        ));
    }
    Ok(())
}

/// The error of a store that cannot be opened, with what to do about it.
pub fn store_open_error(db: &Path, e: &StoreError) -> Error {
    let help = match e {
        StoreError::PermissionDenied { .. } => {
            "ask for access to the file and its directory, or give a copy with `--db PATH`"
        }
        StoreError::Foreign { .. } => {
            "give friction's store with `--db PATH`, or a new file name for a new store"
        }
        StoreError::NotMigrated { .. } => {
            "run `friction scan` once: it upgrades the store and mines only new commits"
        }
        StoreError::TooNew { .. } => "use the friction that wrote this store, or a newer one",
        StoreError::Database(_) => "choose another location with `--db PATH`",
    };
    Error::store(
        format!("cannot use the store at {}: {e}", db.display()),
        Some(help),
    )
}

/// Parses a `friction.toml` text; `origin` names it in the error.
pub fn parse_config(origin: &str, text: &str) -> Result<Config> {
    Config::parse(text).map_err(|e| {
        Error::input(
            format!("{origin} is not valid: {}", e.message().trim()),
            Some("see the `friction.toml` section of the README for the accepted keys"),
        )
    })
}

/// `friction.toml` of the repository at `path`; the defaults when there is no
/// repository or no file.
pub fn project_config(path: &Path) -> Result<Config> {
    let Ok(repo) = friction_history::open(path) else {
        return Ok(Config::default());
    };
    match repo.config_text() {
        Ok(Some((origin, text))) => parse_config(&origin, &text),
        _ => Ok(Config::default()),
    }
}

/// The component map of a configuration.
pub fn component_map(config: &Config) -> Result<ComponentMap> {
    ComponentMap::new(&config.components).map_err(|e| {
        Error::input(
            format!("friction.toml: {e}"),
            Some("globs follow gitignore syntax: `*`, `**`, `?`, `[abc]`"),
        )
    })
}
