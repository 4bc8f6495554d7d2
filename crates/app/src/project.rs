//! A project: the repository, where its store lives, and its configuration.

use std::path::{Path, PathBuf};

use friction_analysis::components::ComponentMap;
use friction_history::Config;
use friction_store::Store;

use crate::error::{Error, Result};

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

    /// Opens the existing store; an error that says to scan first when there is none.
    pub fn open_store(&self) -> Result<Store> {
        if !self.db.exists() {
            return Err(Error::missing(
                format!("no store at {}", self.db.display()),
                Some("run `friction scan` on the repository first"),
            ));
        }
        Store::open(&self.db).map_err(|e| {
            Error::store(
                format!("cannot use the store at {}: {e}", self.db.display()),
                Some("choose another location with `--db PATH`"),
            )
        })
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

/// The store of the repository at `path`, or `db`; an error that says to scan
/// first when there is none.
pub fn open_store(path: PathBuf, db: Option<PathBuf>) -> Result<(Store, PathBuf)> {
    let project = Project::locate(path, db)?;
    let store = project.open_store()?;
    Ok((store, project.db))
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
