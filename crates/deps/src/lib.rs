//! Dependency lockfiles and manifests into resolved packages.
//!
//! [`format_of`] recognises a file by its name, [`parse`] turns its bytes into
//! [`Package`]s: ecosystem, name, version, whether the version is an exact pin,
//! whether the dependency is direct (where the format says) and the line that
//! declares it, for citations. Parsers are pure functions of the bytes: no file
//! system (a `requirements.txt` names its `-r` includes in [`Manifest::includes`]
//! and the caller reads them), no store, no network. A malformed file or a
//! lockfile version this crate does not know is an [`Error`] naming the file and,
//! where known, the line; nothing panics on input.

pub mod advisory;
mod bun;
mod cargo;
mod composer;
pub mod cvss;
mod gemfile;
mod golang;
mod gradle;
mod maven;
mod npm;
pub mod osv;
mod pipfile;
mod pnpm;
mod poetry;
mod requirements;
mod text;
pub mod version;
mod yarn;

/// The package ecosystems, named as OSV names them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Ecosystem {
    CratesIo,
    Npm,
    PyPI,
    Go,
    RubyGems,
    Packagist,
    Maven,
}

impl Ecosystem {
    /// Every ecosystem.
    pub const ALL: [Ecosystem; 7] = [
        Ecosystem::CratesIo,
        Ecosystem::Npm,
        Ecosystem::PyPI,
        Ecosystem::Go,
        Ecosystem::RubyGems,
        Ecosystem::Packagist,
        Ecosystem::Maven,
    ];

    /// The OSV ecosystem name (`crates.io`, `npm`, `PyPI`, …).
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Maven => "Maven",
        }
    }

    /// The ecosystem of an OSV ecosystem name; a suffix after `:` (`Maven:…`,
    /// Debian-style releases) is ignored.
    pub fn from_osv(name: &str) -> Option<Ecosystem> {
        let base = name.split(':').next().unwrap_or(name);
        Ecosystem::ALL.into_iter().find(|e| e.osv_name() == base)
    }

    /// The name under which a package of this ecosystem is looked up:
    /// PyPI names are normalised as PEP 503 says (lower case, runs of `-`, `_`
    /// and `.` become one `-`); npm, Go, Maven, crates.io and RubyGems names
    /// are case-sensitive and kept; Packagist names are lower-cased.
    pub fn canonical_name(self, name: &str) -> String {
        match self {
            Ecosystem::PyPI => {
                let mut out = String::with_capacity(name.len());
                let mut separator = false;
                for c in name.trim().chars() {
                    if matches!(c, '-' | '_' | '.') {
                        separator = true;
                        continue;
                    }
                    if separator && !out.is_empty() {
                        out.push('-');
                    }
                    separator = false;
                    out.extend(c.to_lowercase());
                }
                out
            }
            Ecosystem::Packagist => name.to_ascii_lowercase(),
            _ => name.to_owned(),
        }
    }
}

/// The file formats friction reads dependencies from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    CargoLock,
    PackageLock,
    YarnLock,
    PnpmLock,
    BunLock,
    PoetryLock,
    PipfileLock,
    Requirements,
    GoMod,
    GoSum,
    GemfileLock,
    ComposerLock,
    PomXml,
    GradleLockfile,
}

impl Format {
    /// Whether the format pins every package (a lockfile) rather than
    /// declaring requirements (a manifest).
    pub fn is_lockfile(self) -> bool {
        !matches!(self, Format::Requirements | Format::PomXml | Format::GoMod)
    }

    /// The name friction uses for the format in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::CargoLock => "Cargo.lock",
            Format::PackageLock => "package-lock.json",
            Format::YarnLock => "yarn.lock",
            Format::PnpmLock => "pnpm-lock.yaml",
            Format::BunLock => "bun.lock",
            Format::PoetryLock => "poetry.lock",
            Format::PipfileLock => "Pipfile.lock",
            Format::Requirements => "requirements.txt",
            Format::GoMod => "go.mod",
            Format::GoSum => "go.sum",
            Format::GemfileLock => "Gemfile.lock",
            Format::ComposerLock => "composer.lock",
            Format::PomXml => "pom.xml",
            Format::GradleLockfile => "gradle.lockfile",
        }
    }
}

/// The format of a file, from its path (`/`-separated, relative to the
/// repository root); `None` for a file that declares no dependencies.
pub fn format_of(path: &str) -> Option<Format> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let format = match name {
        "Cargo.lock" => Format::CargoLock,
        "package-lock.json" | "npm-shrinkwrap.json" => Format::PackageLock,
        "yarn.lock" => Format::YarnLock,
        "pnpm-lock.yaml" => Format::PnpmLock,
        "bun.lock" => Format::BunLock,
        "poetry.lock" => Format::PoetryLock,
        "Pipfile.lock" => Format::PipfileLock,
        "go.mod" => Format::GoMod,
        "go.sum" => Format::GoSum,
        "Gemfile.lock" | "gems.locked" => Format::GemfileLock,
        "composer.lock" => Format::ComposerLock,
        "pom.xml" => Format::PomXml,
        "gradle.lockfile" | "buildscript-gradle.lockfile" => Format::GradleLockfile,
        _ if name.ends_with(".lockfile") && path.contains("gradle/dependency-locks/") => {
            Format::GradleLockfile
        }
        _ if is_requirements_name(name) => Format::Requirements,
        _ => return None,
    };
    Some(format)
}

/// `requirements.txt`, `requirements-dev.txt`, `dev-requirements.txt`,
/// `requirements/base.txt`-style names are pip requirements files.
fn is_requirements_name(name: &str) -> bool {
    name.ends_with(".txt") && name.contains("requirements")
}

/// One dependency a file declares or pins.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Package {
    pub ecosystem: Ecosystem,
    /// The name as the file spells it (`@babel/core`, `org.jsoup:jsoup`,
    /// `github.com/gin-gonic/gin`).
    pub name: String,
    /// The exact version when [`Package::pinned`], else the declared
    /// requirement (`>=1.2`, `^4.0`, empty when none).
    pub version: String,
    /// Whether `version` is one exact version.
    pub pinned: bool,
    /// `Some(true)` for a dependency the project itself declares,
    /// `Some(false)` for one only other packages need, `None` when the format
    /// does not say.
    pub direct: Option<bool>,
    /// The 1-based line that declares the package.
    pub line: usize,
}

/// What a file declares.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Manifest {
    pub packages: Vec<Package>,
    /// Other requirement files this one includes (`-r other.txt`, `-c
    /// constraints.txt`), as written, relative to this file's directory.
    pub includes: Vec<String>,
}

/// A file friction could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct Error {
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
}

/// The dependencies declared by the file at `path` (its name decides the
/// format, see [`format_of`]).
pub fn parse(path: &str, bytes: &[u8]) -> Result<Manifest, Error> {
    let format = format_of(path).ok_or_else(|| Error {
        path: path.to_owned(),
        line: None,
        message: "not a lockfile or manifest friction reads".to_owned(),
    })?;
    parse_as(format, path, bytes)
}

/// The dependencies of `bytes` read as `format`.
pub fn parse_as(format: Format, path: &str, bytes: &[u8]) -> Result<Manifest, Error> {
    let fail = |e: Failure| Error {
        path: path.to_owned(),
        line: e.line,
        message: e.message,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        fail(Failure::at(
            text::line_of_offset(bytes, e.valid_up_to()),
            "not UTF-8 text",
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let packages = match format {
        Format::CargoLock => cargo::parse(text),
        Format::PackageLock => npm::parse(text),
        Format::YarnLock => yarn::parse(text),
        Format::PnpmLock => pnpm::parse(text),
        Format::BunLock => bun::parse(text),
        Format::PoetryLock => poetry::parse(text),
        Format::PipfileLock => pipfile::parse(text),
        Format::Requirements => {
            let (packages, includes) = requirements::parse(text).map_err(fail)?;
            return Ok(Manifest { packages, includes });
        }
        Format::GoMod => golang::parse_mod(text),
        Format::GoSum => golang::parse_sum(text),
        Format::GemfileLock => gemfile::parse(text),
        Format::ComposerLock => composer::parse(text),
        Format::PomXml => maven::parse(text),
        Format::GradleLockfile => gradle::parse(text),
    }
    .map_err(fail)?;
    Ok(Manifest {
        packages,
        includes: Vec::new(),
    })
}

/// A parser's failure, before the path is attached.
#[derive(Debug)]
pub(crate) struct Failure {
    line: Option<usize>,
    message: String,
}

impl Failure {
    pub(crate) fn at(line: usize, message: impl Into<String>) -> Failure {
        Failure {
            line: Some(line),
            message: message.into(),
        }
    }

    pub(crate) fn whole(message: impl Into<String>) -> Failure {
        Failure {
            line: None,
            message: message.into(),
        }
    }

    pub(crate) fn json(e: &serde_json::Error) -> Failure {
        Failure::at(e.line(), format!("malformed JSON: {e}"))
    }

    pub(crate) fn toml(text: &str, e: &toml::de::Error) -> Failure {
        let line = e
            .span()
            .map(|s| text::line_of_offset(text.as_bytes(), s.start));
        Failure {
            line,
            message: format!("malformed TOML: {}", e.message()),
        }
    }
}
