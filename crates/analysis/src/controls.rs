//! Compliance controls a repository's own files show: OpenSSF OSPS
//! Baseline (version 2026.02.19) controls, each present, missing or not
//! measurable offline, with the path (and line) that shows it.
//!
//! The caller passes the paths of the assessed commit's tree that
//! [`is_control_path`] keeps, the text of the CI and tool configurations
//! [`needs_text`] names, and the workflows read by
//! [`crate::workflows::Report`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::workflows::Report;

/// A control's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Present,
    Missing,
    /// The evidence lives in the hosting platform's settings (branch
    /// protection, MFA), which an offline read of the repository cannot see.
    NotMeasurableOffline,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Present => "present",
            Status::Missing => "missing",
            Status::NotMeasurableOffline => "not measurable offline",
        }
    }
}

/// One control of the mapping table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Definition {
    /// friction's id.
    pub id: &'static str,
    pub title: &'static str,
    /// The OSPS Baseline control it maps to.
    pub osps: &'static str,
    /// The control's OSPS Baseline maturity level (1–3).
    pub level: u8,
    /// What friction looks for.
    pub looks_for: &'static str,
}

/// The mapping table, in the methodology's order.
pub const CONTROLS: [Definition; 11] = [
    Definition {
        id: "security-policy",
        title: "Security policy with contacts",
        osps: "OSPS-VM-02.01",
        level: 1,
        looks_for: "`SECURITY.md` (or `.rst`, `.txt`, no extension) at the root, in `.github/` or `docs/`",
    },
    Definition {
        id: "licence",
        title: "Licence file",
        osps: "OSPS-LE-03.01",
        level: 1,
        looks_for: "`LICENSE*`, `LICENCE*`, `COPYING*` or a `LICENSE/`/`LICENSES/` directory at the root",
    },
    Definition {
        id: "contribution-guide",
        title: "Contribution process",
        osps: "OSPS-GV-03.01",
        level: 1,
        looks_for: "`CONTRIBUTING*` at the root, in `.github/` or `docs/`",
    },
    Definition {
        id: "secret-scanning",
        title: "Secret-scanning configuration",
        osps: "OSPS-BR-07.01",
        level: 1,
        looks_for: "gitleaks, detect-secrets, TruffleHog, ggshield or Talisman configured (`.gitleaks.toml`, `.secrets.baseline`, `.github/secret_scanning.yml`, …), run by a pre-commit hook or a CI step; GitHub's own secret scanning is a repository setting and not visible offline",
    },
    Definition {
        id: "dependency-updates",
        title: "Dependency-update tool",
        osps: "OSPS-VM-05.03",
        level: 3,
        looks_for: "Dependabot (`.github/dependabot.yml`), Renovate (`renovate.json`, `.renovaterc`, …) or Scala Steward configuration, as Scorecard's Dependency-Update-Tool check (partial mapping: the control asks for known vulnerabilities to block changes)",
    },
    Definition {
        id: "code-owners",
        title: "Code owners of record",
        osps: "OSPS-GV-01.01",
        level: 2,
        looks_for: "a CODEOWNERS file where GitHub or GitLab read it (partial mapping: owners of code, not every member with access)",
    },
    Definition {
        id: "ci-tests",
        title: "CI runs tests",
        osps: "OSPS-QA-06.01",
        level: 2,
        looks_for: "a CI job on pushes or pull requests (GitHub Actions, GitLab CI, CircleCI, Travis, Azure Pipelines, Jenkins, Bitbucket) with a step that runs tests (`cargo test`, `npm test`, `pytest`, `go test`, `mvn verify`, `gradle check`, `make test`, a script named `test`, …)",
    },
    Definition {
        id: "static-analysis",
        title: "Static security analysis in CI",
        osps: "OSPS-VM-06.02",
        level: 3,
        looks_for: "a CI step running a SAST tool Scorecard's SAST check knows (CodeQL, Semgrep, SonarQube/SonarCloud, Snyk, Qodana) or gosec, Bandit, Brakeman, zizmor (partial mapping: the control also asks for a blocking policy)",
    },
    Definition {
        id: "release-signing",
        title: "Release signing or provenance",
        osps: "OSPS-BR-06.01",
        level: 2,
        looks_for: "a CI step that signs or attests releases (Sigstore cosign, SLSA generator, `actions/attest-build-provenance`, `npm publish --provenance`, GPG detached signatures, minisign) or a GoReleaser `signs:` section",
    },
    Definition {
        id: "branch-protection",
        title: "Primary branch protected",
        osps: "OSPS-AC-03.01",
        level: 1,
        looks_for: "branch protection rules (a hosting-platform setting)",
    },
    Definition {
        id: "mfa",
        title: "Multi-factor authentication",
        osps: "OSPS-AC-01.01",
        level: 1,
        looks_for: "MFA enforced for the organisation (a hosting-platform setting)",
    },
];

/// One control's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Control {
    pub id: String,
    pub osps: String,
    pub status: Status,
    /// The path (`path line N` for a CI step) that shows it.
    pub evidence: Option<String>,
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn stem_is(path: &str, dirs: &[&str], stem: &str) -> bool {
    let name = file_name(path).to_ascii_uppercase();
    dirs.contains(&dir(path))
        && (name == stem || name.split_once('.').is_some_and(|(s, _)| s == stem))
}

const DOC_DIRS: [&str; 3] = ["", ".github", "docs"];

fn is_security_policy(p: &str) -> bool {
    stem_is(p, &DOC_DIRS, "SECURITY")
}

fn is_licence(p: &str) -> bool {
    let top = p.split('/').next().unwrap_or("").to_ascii_uppercase();
    if p.contains('/') {
        return top == "LICENSE" || top == "LICENSES";
    }
    ["LICENSE", "LICENCE", "COPYING"]
        .iter()
        .any(|s| top.starts_with(s))
}

fn is_contributing(p: &str) -> bool {
    stem_is(p, &DOC_DIRS, "CONTRIBUTING")
}

const DEPENDENCY_UPDATE_FILES: [&str; 14] = [
    ".github/dependabot.yml",
    ".github/dependabot.yaml",
    "renovate.json",
    "renovate.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
    ".scala-steward.conf",
    ".config/.scala-steward.conf",
    ".github/.scala-steward.conf",
];

const SECRET_SCANNING_FILES: [&str; 7] = [
    ".gitleaks.toml",
    ".github/.gitleaks.toml",
    ".secrets.baseline",
    ".github/secret_scanning.yml",
    ".trufflehog.yml",
    ".gitguardian.yaml",
    ".talismanrc",
];

/// CI and tool configurations whose text the controls read.
const TEXT_FILES: [&str; 10] = [
    ".pre-commit-config.yaml",
    ".gitlab-ci.yml",
    ".circleci/config.yml",
    ".travis.yml",
    "azure-pipelines.yml",
    "Jenkinsfile",
    "bitbucket-pipelines.yml",
    ".goreleaser.yml",
    ".goreleaser.yaml",
    "Makefile",
];

/// Whether the controls need the text of `path` (not only its presence).
pub fn needs_text(path: &str) -> bool {
    TEXT_FILES.contains(&path)
}

/// Whether the controls look at `path` at all.
pub fn is_control_path(path: &str) -> bool {
    is_security_policy(path)
        || is_licence(path)
        || is_contributing(path)
        || DEPENDENCY_UPDATE_FILES.contains(&path)
        || SECRET_SCANNING_FILES.contains(&path)
        || needs_text(path)
}

const SECRET_TOOLS: [&str; 6] = [
    "gitleaks",
    "detect-secrets",
    "trufflehog",
    "ggshield",
    "talisman",
    "secret-scan",
];

const SAST_TOOLS: [&str; 11] = [
    "github/codeql-action",
    "codeql",
    "semgrep",
    "sonarsource/",
    "sonar-scanner",
    "snyk",
    "qodana",
    "gosec",
    "bandit",
    "brakeman",
    "zizmor",
];

const SIGNING: [&str; 9] = [
    "sigstore/",
    "cosign sign",
    "slsa-framework/slsa-github-generator",
    "actions/attest",
    "--provenance",
    "gh attestation",
    "gpg --detach-sign",
    "gpg --armor --detach-sign",
    "minisign",
];

/// Commands that run a test suite, matched on whole words of a script.
fn runs_tests(script: &str) -> bool {
    static WORDS: [&str; 6] = ["pytest", "tox", "nox", "ctest", "rspec", "phpunit"];
    let lower = script.to_ascii_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '"' | '\''))
        .filter(|t| !t.is_empty())
        .collect();
    let name = |t: &str| {
        let base = t.rsplit('/').next().unwrap_or(t);
        base.split('.').next().unwrap_or(base).to_owned()
    };
    tokens.iter().enumerate().any(|(i, t)| {
        let n = name(t);
        let next: Vec<String> = tokens[i + 1..].iter().take(6).map(|t| name(t)).collect();
        let has = |w: &[&str]| next.iter().any(|x| w.contains(&x.as_str()));
        WORDS.contains(&n.as_str())
            || matches!(
                n.as_str(),
                "test" | "tests" | "runtest" | "runtests" | "run-tests" | "run_tests"
            )
            || (matches!(n.as_str(), "cargo") && has(&["test", "nextest"]))
            || (matches!(n.as_str(), "npm" | "yarn" | "pnpm" | "bun") && has(&["test"]))
            || (matches!(n.as_str(), "go" | "dotnet" | "swift" | "mix" | "ant")
                && next.first().is_some_and(|x| x == "test"))
            || (matches!(n.as_str(), "mvn" | "mvnw") && has(&["test", "verify", "install"]))
            || (matches!(n.as_str(), "gradle" | "gradlew") && has(&["test", "check", "build"]))
            || (matches!(n.as_str(), "make" | "rake") && has(&["test", "check", "spec"]))
            || (n == "python" && has(&["pytest", "unittest"]))
    })
}

/// Triggers under which a workflow counts as CI on changes.
const CHANGE_TRIGGERS: [&str; 4] = ["push", "pull_request", "pull_request_target", "merge_group"];

/// The controls of a tree. `paths` are the tree's paths [`is_control_path`]
/// keeps, `texts` the contents of those [`needs_text`] names, `codeowners`
/// the CODEOWNERS path found.
pub fn assess(
    paths: &[String],
    texts: &BTreeMap<String, String>,
    workflows: &Report,
    codeowners: Option<&str>,
) -> Vec<Control> {
    let first = |f: &dyn Fn(&str) -> bool| paths.iter().find(|p| f(p)).cloned();
    // A CI step whose text names one of `words`, as `path line N`.
    let step = |words: &[&str], ci_only: bool| -> Option<String> {
        for (path, w) in &workflows.workflows {
            if ci_only
                && !w
                    .triggers
                    .iter()
                    .any(|t| CHANGE_TRIGGERS.contains(&t.as_str()))
            {
                continue;
            }
            for s in &w.steps {
                let lower = s.text.to_ascii_lowercase();
                if words.iter().any(|x| lower.contains(x)) {
                    return Some(format!("{path} line {}", s.line));
                }
            }
        }
        None
    };
    let in_text = |names: &[&str], words: &[&str]| -> Option<String> {
        names.iter().find_map(|n| {
            let text = texts.get(*n)?;
            text.lines().enumerate().find_map(|(i, l)| {
                let lower = l.to_ascii_lowercase();
                words
                    .iter()
                    .any(|x| lower.contains(x))
                    .then(|| format!("{n} line {}", i + 1))
            })
        })
    };
    const CI_CONFIGS: [&str; 6] = [
        ".gitlab-ci.yml",
        ".circleci/config.yml",
        ".travis.yml",
        "azure-pipelines.yml",
        "Jenkinsfile",
        "bitbucket-pipelines.yml",
    ];
    let ci_tests = || -> Option<String> {
        for (path, w) in &workflows.workflows {
            if !w
                .triggers
                .iter()
                .any(|t| CHANGE_TRIGGERS.contains(&t.as_str()))
            {
                continue;
            }
            if let Some(s) = w.steps.iter().find(|s| !s.uses && runs_tests(&s.text)) {
                return Some(format!("{path} line {}", s.line));
            }
        }
        CI_CONFIGS.iter().find_map(|n| {
            let text = texts.get(*n)?;
            text.lines()
                .enumerate()
                .find(|(_, l)| runs_tests(l))
                .map(|(i, _)| format!("{n} line {}", i + 1))
        })
    };
    let goreleaser_signs = || in_text(&[".goreleaser.yml", ".goreleaser.yaml"], &["signs:"]);
    CONTROLS
        .iter()
        .map(|d| {
            let (status, evidence) = match d.id {
                "branch-protection" | "mfa" => (Status::NotMeasurableOffline, None),
                id => {
                    let found = match id {
                        "security-policy" => first(&is_security_policy),
                        "licence" => first(&is_licence),
                        "contribution-guide" => first(&is_contributing),
                        "dependency-updates" => {
                            first(&|p: &str| DEPENDENCY_UPDATE_FILES.contains(&p))
                        }
                        "secret-scanning" => first(&|p: &str| SECRET_SCANNING_FILES.contains(&p))
                            .or_else(|| in_text(&[".pre-commit-config.yaml"], &SECRET_TOOLS))
                            .or_else(|| step(&SECRET_TOOLS, false))
                            .or_else(|| in_text(&CI_CONFIGS, &SECRET_TOOLS)),
                        "code-owners" => codeowners.map(str::to_owned),
                        "ci-tests" => ci_tests(),
                        "static-analysis" => {
                            step(&SAST_TOOLS, false).or_else(|| in_text(&CI_CONFIGS, &SAST_TOOLS))
                        }
                        "release-signing" => step(&SIGNING, false)
                            .or_else(|| in_text(&CI_CONFIGS, &SIGNING))
                            .or_else(goreleaser_signs),
                        _ => None,
                    };
                    match found {
                        Some(e) => (Status::Present, Some(e)),
                        None => (Status::Missing, None),
                    }
                }
            };
            Control {
                id: d.id.to_owned(),
                osps: d.osps.to_owned(),
                status,
                evidence,
            }
        })
        .collect()
}

/// The definition of control `id`.
pub fn definition(id: &str) -> Option<&'static Definition> {
    CONTROLS.iter().find(|d| d.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(controls: &[Control], id: &str) -> (Status, Option<String>) {
        let c = controls.iter().find(|c| c.id == id).expect(id);
        (c.status, c.evidence.clone())
    }

    #[test]
    fn policy_files_are_found_where_github_reads_them() {
        assert!(is_security_policy("SECURITY.md"));
        assert!(is_security_policy(".github/SECURITY.md"));
        assert!(is_security_policy("docs/security.rst"));
        assert!(!is_security_policy("src/security.rs"));
        assert!(is_licence("LICENSE-MIT"));
        assert!(is_licence("COPYING"));
        assert!(is_licence("LICENSES/Apache-2.0.txt"));
        assert!(!is_licence("src/license.rs"));
        assert!(is_contributing("CONTRIBUTING.md"));
        assert!(!is_contributing("contrib/README"));
    }

    #[test]
    fn an_empty_tree_misses_every_file_control_and_cannot_see_platform_settings() {
        let c = assess(&[], &BTreeMap::new(), &Report::default(), None);
        assert_eq!(c.len(), CONTROLS.len());
        for x in &c {
            let want = if x.id == "branch-protection" || x.id == "mfa" {
                Status::NotMeasurableOffline
            } else {
                Status::Missing
            };
            assert_eq!(x.status, want, "{}", x.id);
        }
    }

    #[test]
    fn workflow_steps_show_tests_analysis_and_signing_with_their_line() {
        let wf = "on: [push]\npermissions: read-all\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: github/codeql-action/init@v3\n      - run: cargo test --workspace\n      - uses: sigstore/cosign-installer@v3\n";
        let r = Report::read(&[(".github/workflows/ci.yml".into(), wf.into())]);
        let c = assess(
            &["LICENSE".into(), ".github/dependabot.yml".into()],
            &BTreeMap::new(),
            &r,
            Some(".github/CODEOWNERS"),
        );
        assert_eq!(
            status(&c, "ci-tests"),
            (
                Status::Present,
                Some(".github/workflows/ci.yml line 8".into())
            )
        );
        assert_eq!(
            status(&c, "static-analysis"),
            (
                Status::Present,
                Some(".github/workflows/ci.yml line 7".into())
            )
        );
        assert_eq!(status(&c, "release-signing").0, Status::Present);
        assert_eq!(
            status(&c, "dependency-updates"),
            (Status::Present, Some(".github/dependabot.yml".into()))
        );
        assert_eq!(status(&c, "code-owners").0, Status::Present);
        assert_eq!(status(&c, "security-policy").0, Status::Missing);
    }

    #[test]
    fn tests_only_count_in_ci_that_changes_trigger() {
        let wf = "on: [workflow_dispatch]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n";
        let r = Report::read(&[(".github/workflows/manual.yml".into(), wf.into())]);
        let c = assess(&[], &BTreeMap::new(), &r, None);
        assert_eq!(status(&c, "ci-tests").0, Status::Missing);
    }

    #[test]
    fn pre_commit_hooks_and_other_ci_configs_count() {
        let texts = BTreeMap::from([
            (
                ".pre-commit-config.yaml".to_owned(),
                "repos:\n  - repo: https://github.com/gitleaks/gitleaks\n".to_owned(),
            ),
            (
                ".gitlab-ci.yml".to_owned(),
                "test:\n  script:\n    - go test ./...\n".to_owned(),
            ),
        ]);
        let c = assess(&[], &texts, &Report::default(), None);
        assert_eq!(
            status(&c, "secret-scanning"),
            (
                Status::Present,
                Some(".pre-commit-config.yaml line 2".into())
            )
        );
        assert_eq!(
            status(&c, "ci-tests"),
            (Status::Present, Some(".gitlab-ci.yml line 3".into()))
        );
    }

    #[test]
    fn test_commands_are_recognised_as_words_not_substrings() {
        for yes in [
            "cargo test --all",
            "npm run test",
            "python -m pytest -q",
            "./runtest --verbose",
            "mvn -B verify",
            "./gradlew check",
            "make -j4 test",
            "go test ./...",
        ] {
            assert!(runs_tests(yes), "{yes}");
        }
        for no in ["cargo build", "npm ci", "echo attestation", "go vet ./..."] {
            assert!(!runs_tests(no), "{no}");
        }
    }
}
