//! Supply chain exposure: the dependencies the assessed commit's lockfiles
//! and manifests resolve, and what the stored advisory databases say of
//! them. Three signals of the Security driver read it:
//! `vulnerable-dependencies`, `unpinned-dependencies` and
//! `unmaintained-dependencies`.

use serde::{Deserialize, Serialize};

use crate::{
    Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample, ScopeKind,
};

/// The dependency facts of the assessed commit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Supply {
    /// Every dependency file found (lockfiles and manifests), sorted by path.
    pub files: Vec<DependencyFile>,
    /// Packages of all files, in file order.
    pub packages: Vec<Dependency>,
    /// The advisory databases stored; `None` when none was imported.
    pub advisories: Option<AdvisoryState>,
    /// Package × advisory matches.
    pub findings: Vec<Finding>,
}

/// A lockfile or manifest of the assessed commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DependencyFile {
    pub path: String,
    /// `Cargo.lock`, `package.json`, `requirements.txt`, …
    pub format: String,
    /// A lockfile pins everything; a manifest declares requirements.
    pub lockfile: bool,
    /// For a manifest: whether a lockfile of its ecosystem sits in its
    /// directory or above it.
    pub locked: bool,
    /// Requirements that are not one exact version (manifests only).
    pub loose: u32,
    pub packages: u32,
    /// Why the file could not be read (it then counts as not measured).
    pub error: Option<String>,
}

/// A resolved or declared dependency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dependency {
    pub file: String,
    pub line: u32,
    /// OSV's ecosystem name.
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    pub pinned: bool,
    pub direct: Option<bool>,
}

/// What is known of the stored advisory databases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdvisoryState {
    pub databases: u32,
    /// The newest database's date (`YYYY-MM-DD`).
    pub newest: Option<String>,
}

/// A dependency an advisory covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Index into [`Supply::packages`].
    pub package: u32,
    pub advisory: String,
    /// `vulnerability`, `malicious`, `unmaintained`.
    pub kind: String,
    /// CVSS base score 0–10.
    pub severity: Option<f64>,
    /// Days from the advisory's publication to the end of the window, when a
    /// fixed version exists: how long the fix has been there to take.
    pub exposure_days: Option<f64>,
    pub fixed_in: Option<String>,
}

const NO_FILES: &str = "no lockfile or manifest at the assessed commit";
const NO_DATABASE: &str = "no advisory database is stored: run `friction advisories import PATH` \
    with an OSV export or a RustSec advisory-db checkout";
const REPOSITORY_ONLY: &str = "measured for the repository as a whole";

fn supply<'a>(ctx: &Context<'a>) -> Result<&'a Supply, String> {
    if ctx.scope.kind != ScopeKind::Repository {
        return Err(REPOSITORY_ONLY.into());
    }
    ctx.data
        .supply
        .as_ref()
        .filter(|s| !s.files.is_empty())
        .ok_or_else(|| NO_FILES.into())
}

/// Share of dependency files that could be read.
fn readable_share(s: &Supply) -> f64 {
    let read = s.files.iter().filter(|f| f.error.is_none()).count();
    read as f64 / s.files.len().max(1) as f64
}

fn cite(s: &Supply, f: &Finding) -> (String, String) {
    let p = &s.packages[f.package as usize];
    (
        format!("{} {} ({})", p.name, p.version, f.advisory),
        format!("{}:{} {}", p.file, p.line, f.advisory),
    )
}

/// Severity weight of a finding: the CVSS base score over 10; a malicious
/// package 1; no score 0.5 (a medium).
pub const UNKNOWN_SEVERITY: f64 = 0.5;
/// Exposure counted up to a year: a fix available a year or more doubles a
/// finding's weight.
pub const EXPOSURE_CAP_DAYS: f64 = 365.0;

/// A finding's weight: its severity weight, up to doubled by its exposure.
pub fn weight(f: &Finding) -> f64 {
    let severity = match (f.kind.as_str(), f.severity) {
        ("malicious", _) => 1.0,
        (_, Some(s)) => s / 10.0,
        (_, None) => UNKNOWN_SEVERITY,
    };
    let exposure = f
        .exposure_days
        .map_or(0.0, |d| d.clamp(0.0, EXPOSURE_CAP_DAYS));
    severity * (1.0 + exposure / EXPOSURE_CAP_DAYS)
}

pub struct VulnerableDependencies;

static VULNERABLE_DOC: Doc = Doc {
    title: "Vulnerable dependencies",
    measures: "Known vulnerabilities (and malicious packages) in the dependencies the assessed \
        commit's lockfiles and manifests resolve, weighted by severity and by how long a fix \
        has been available.",
    why: "A dependency with a published vulnerability is the cheapest way in: the exploit is \
        often public and scanners find it. The longer a fixed version has existed, the longer \
        the exposure has been a choice; OpenSSF Scorecard's Vulnerabilities check scores open \
        vulnerabilities the same way, one point off per vulnerability.",
    how: "Dependencies come from Cargo.lock, package-lock.json, yarn.lock, pnpm-lock.yaml, \
        bun.lock, poetry.lock, Pipfile.lock, requirements files, go.mod (go.sum where no go.mod \
        sits beside it), Gemfile.lock, composer.lock, pom.xml and Gradle lockfiles in the \
        assessed commit's tree (not in `node_modules/`, `vendor/`, `third_party/` or test \
        fixture directories). Each is matched against the advisory databases stored with \
        `friction advisories import` by its ecosystem's version rules; records of one flaw \
        under several ids (RUSTSEC, GHSA, CVE, PYSEC, GO) count once. Each match weighs its \
        CVSS base score / 10 (no score: 0.5; a malicious package: 1) × (1 + days since the \
        advisory's publication, up to 365, / 365) when a fixed version exists, × 1 when none \
        does. Value = the sum. Coverage = the share of dependency files that could be read. \
        Not measured without dependency files or without a stored advisory database.",
    thresholds: "0 → 100, 10 or more → 0, linear (OpenSSF Scorecard's Vulnerabilities check: \
        10 minus the number of open vulnerabilities; a critical vulnerability whose fix is a \
        year old counts as two). Weight 0.2 of the Security driver: known vulnerabilities are \
        one of the five practices the driver stands for",
    sources: &[
        "OpenSSF Scorecard, Vulnerabilities check (github.com/ossf/scorecard/blob/main/docs/checks.md#vulnerabilities)",
        "OSV schema 1.6: ranges, events and their evaluation (ossf.github.io/osv-schema)",
        "FIRST, CVSS v3.1 Specification, section 7 (first.org/cvss/v3.1/specification-document)",
        "RustSec advisory format (github.com/rustsec/advisory-db#advisory-format)",
    ],
};

static VULNERABLE_CURVE: Curve = Curve::linear(&[(0.0, 100.0), (10.0, 0.0)]);

impl crate::Signal for VulnerableDependencies {
    fn id(&self) -> &'static str {
        "vulnerable-dependencies"
    }
    fn family(&self) -> Family {
        Family::Security
    }
    fn weight(&self) -> f64 {
        0.2
    }
    fn unit(&self) -> &'static str {
        "weighted vulnerabilities"
    }
    fn doc(&self) -> &'static Doc {
        &VULNERABLE_DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &VULNERABLE_CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::Dependencies, Input::Advisories]
    }
    /// Complete: a census of the assessed commit's dependencies, not a
    /// sample of events, so nothing to shrink.
    fn evidence(&self, _m: &Measured) -> Option<f64> {
        None
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        matched(
            ctx,
            &["vulnerability", "malicious"],
            weight,
            "severity × exposure",
        )
        .into()
    }
}

/// The sum of `weigh` over the findings of `kinds`, with their evidence.
fn matched(
    ctx: &Context<'_>,
    kinds: &[&str],
    weigh: fn(&Finding) -> f64,
    label: &str,
) -> Result<Measured, String> {
    let s = supply(ctx)?;
    if s.advisories.is_none() {
        return Err(NO_DATABASE.into());
    }
    let mut value = 0.0;
    let mut evidence = Vec::new();
    let mut packages = std::collections::BTreeSet::new();
    let mut fixable = 0;
    for f in s
        .findings
        .iter()
        .filter(|f| kinds.contains(&f.kind.as_str()))
    {
        let w = weigh(f);
        value += w;
        packages.insert(f.package);
        fixable += usize::from(f.exposure_days.is_some());
        let (id, cite) = cite(s, f);
        evidence.push(Evidence {
            kind: "dependency".into(),
            id,
            value: crate::round2(w),
            label: label.into(),
            cite: Some(cite),
        });
    }
    let count = evidence.len();
    Ok(Measured {
        value,
        coverage: readable_share(s),
        figures: vec![
            Figure {
                name: "advisories matched".into(),
                value: count as f64,
                unit: "advisories".into(),
            },
            Figure {
                name: "packages affected".into(),
                value: packages.len() as f64,
                unit: "packages".into(),
            },
            Figure {
                name: "with a fix available".into(),
                value: fixable as f64,
                unit: "advisories".into(),
            },
            Figure {
                name: "packages resolved".into(),
                value: s.packages.len() as f64,
                unit: "packages".into(),
            },
        ],
        evidence: crate::top_evidence(evidence),
        sample: Sample::Fixed,
    })
}

pub struct UnmaintainedDependencies;

static UNMAINTAINED_DOC: Doc = Doc {
    title: "Unmaintained dependencies",
    measures: "Dependencies an advisory database marks unmaintained (RustSec's informational \
        `unmaintained` advisories, in its own layout or in OSV form).",
    why: "An unmaintained package gets no security fixes: the next vulnerability in it has no \
        fixed version to move to, only a migration. cargo-audit reports these as warnings for \
        the same reason.",
    how: "Matched like `vulnerable-dependencies`; each unmaintained package counts 1. Value = \
        the count. Yanked releases are not measurable offline (the registry's index says which \
        are yanked), so they are not counted. Unsound and notice advisories count nowhere. Not \
        measured without dependency files or without a stored advisory database.",
    thresholds: "0 → 100, 10 or more → 0, linear (friction's choice, on the scale of \
        `vulnerable-dependencies`: an unmaintained package weighs as a medium vulnerability \
        whose fix is half a year old). Weight 0.1 of the Security driver: half of dependency \
        hygiene, one of the five practices the driver stands for",
    sources: &[
        "RustSec advisory format, `informational = \"unmaintained\"` (github.com/rustsec/advisory-db#advisory-format)",
        "cargo-audit: unmaintained crates reported as warnings (docs.rs/cargo-audit)",
    ],
};

static UNMAINTAINED_CURVE: Curve = Curve::linear(&[(0.0, 100.0), (10.0, 0.0)]);

impl crate::Signal for UnmaintainedDependencies {
    fn id(&self) -> &'static str {
        "unmaintained-dependencies"
    }
    fn family(&self) -> Family {
        Family::Security
    }
    fn weight(&self) -> f64 {
        0.1
    }
    fn unit(&self) -> &'static str {
        "packages"
    }
    fn doc(&self) -> &'static Doc {
        &UNMAINTAINED_DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &UNMAINTAINED_CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::Dependencies, Input::Advisories]
    }
    /// Complete: a census of the assessed commit's dependencies, not a
    /// sample of events, so nothing to shrink.
    fn evidence(&self, _m: &Measured) -> Option<f64> {
        None
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        matched(ctx, &["unmaintained"], |_| 1.0, "unmaintained package").into()
    }
}

pub struct UnpinnedDependencies;

static UNPINNED_DOC: Doc = Doc {
    title: "Unpinned dependencies",
    measures: "The share of dependency files that do not pin what they install: manifests with \
        no lockfile beside or above them, and requirement lists with loose ranges.",
    why: "Without a pinned version every install may resolve something new: builds stop being \
        reproducible, a compromised release flows in unreviewed, and a vulnerability report \
        cannot say which version is deployed. OpenSSF Scorecard's Pinned-Dependencies check \
        scores the pinned share the same way.",
    how: "Units are the dependency files of the assessed commit: lockfiles are pinned; \
        `package.json`, `Cargo.toml`, `pyproject.toml`, `Pipfile`, `Gemfile` and \
        `composer.json` are pinned when their ecosystem's lockfile sits in their directory or \
        one above it (a workspace's lock); `requirements*.txt` and `pom.xml` are pinned when \
        every requirement is one exact version (`==1.2.3`, a `<version>` that is not a range \
        and resolves); `go.mod` pins by design. Value = unpinned files / files × 100. Coverage \
        = the share of files that could be read.",
    thresholds: "0 % → 100, 100 % → 0, linear (OpenSSF Scorecard's Pinned-Dependencies check \
        scores the pinned proportion on the same scale). Weight 0.1 of the Security driver: \
        half of dependency hygiene, one of the five practices the driver stands for",
    sources: &[
        "OpenSSF Scorecard, Pinned-Dependencies check (github.com/ossf/scorecard/blob/main/docs/checks.md#pinned-dependencies)",
        "pip: repeatable installs, `==` pins and hashes (pip.pypa.io/en/stable/topics/repeatable-installs)",
    ],
};

static UNPINNED_CURVE: Curve = Curve::linear(&[(0.0, 100.0), (100.0, 0.0)]);

impl crate::Signal for UnpinnedDependencies {
    fn id(&self) -> &'static str {
        "unpinned-dependencies"
    }
    fn family(&self) -> Family {
        Family::Security
    }
    fn weight(&self) -> f64 {
        0.1
    }
    fn unit(&self) -> &'static str {
        "% of dependency files"
    }
    fn doc(&self) -> &'static Doc {
        &UNPINNED_DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &UNPINNED_CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::Dependencies]
    }
    /// Complete: a census of the assessed commit's dependencies, not a
    /// sample of events, so nothing to shrink.
    fn evidence(&self, _m: &Measured) -> Option<f64> {
        None
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        self.measured(ctx).into()
    }
}

impl UnpinnedDependencies {
    fn measured(&self, ctx: &Context<'_>) -> Result<Measured, String> {
        let s = supply(ctx)?;
        let (mut num, mut den, mut evidence) = (Vec::new(), Vec::new(), Vec::new());
        for f in s.files.iter().filter(|f| f.error.is_none()) {
            let unpinned = if f.lockfile {
                false
            } else {
                !f.locked || f.loose > 0
            };
            num.push(if unpinned { 100.0 } else { 0.0 });
            den.push(1.0);
            if unpinned {
                let why = if f.loose > 0 {
                    format!(
                        "{} of {} requirements not one exact version",
                        f.loose, f.packages
                    )
                } else {
                    format!("{} without a lockfile", f.format)
                };
                evidence.push(Evidence {
                    kind: "file".into(),
                    id: f.path.clone(),
                    value: f64::from(f.loose.max(1)),
                    label: why,
                    cite: None,
                });
            }
        }
        let sample = Sample::Ratio { num, den };
        let value = sample
            .value(None)
            .ok_or_else(|| "no dependency file could be read".to_owned())?;
        Ok(Measured {
            value,
            coverage: readable_share(s),
            figures: vec![
                Figure {
                    name: "unpinned files".into(),
                    value: evidence.len() as f64,
                    unit: "files".into(),
                },
                Figure {
                    name: "dependency files".into(),
                    value: s.files.len() as f64,
                    unit: "files".into(),
                },
            ],
            evidence: crate::top_evidence(evidence),
            sample,
        })
    }
}
