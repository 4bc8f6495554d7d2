//! Workflow risks: GitHub Actions workflows that hand attackers code
//! execution, write tokens or mutable dependencies.

use friction_analysis::workflows::{Check, Rule};

use crate::{Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample};

pub struct WorkflowRisks;

static DOC: Doc = Doc {
    title: "Workflow risks",
    measures: "How far the GitHub Actions workflows of the assessed commit fall short of OpenSSF \
        Scorecard's Dangerous-Workflow, Token-Permissions and Pinned-Dependencies checks, and \
        whether pull requests can run code on self-hosted runners: the share of the checks' \
        risk-weighted ideal they miss.",
    why: "A workflow is code that runs with the repository's token and secrets. A \
        `pull_request_target` or `workflow_run` workflow that checks out the pull request runs \
        an outsider's code with them (a \"pwn request\"); an issue title or branch name \
        expanded into a `run:` script is a shell injection; a token that can write, or an \
        action pinned by a movable tag, lets one compromised step push to the repository or \
        its releases (the tj-actions/changed-files compromise of March 2025 rewrote tags).",
    how: "Every `.github/workflows/*.yml` of the assessed commit is read (YAML with line \
        numbers; a file that is not a workflow mapping is reported and lowers coverage). \
        Rules: `untrusted-checkout` — a `pull_request_target` or `workflow_run` workflow whose \
        `actions/checkout` `ref` reads `github.event.pull_request…`, `github.event.workflow_run…` \
        or `github.head_ref`; `script-injection` — a `${{ }}` expression in a `run:` script \
        reading an attacker-controlled field (Scorecard's list: issue, pull-request, comment, \
        review and discussion titles and bodies, commit messages and author names, head \
        branch names and labels, plus `workflow_run`'s head branch and title; \
        `github.event.inputs` and numbers are not); `permissions-missing` — no top-level \
        `permissions:` while a job declares none either (Scorecard also flags workflows \
        whose every job declares its own; friction does not, since no job gets the default \
        token); `permissions-write-all`; `permissions-top-level-write` — a write scope every \
        job gets; `unpinned-action` and `unpinned-first-party-action` — a `uses:` not pinned \
        by a 40-hex commit (containers: an `@sha256:` digest; local `./` actions are \
        versioned with the workflow), GitHub-owned actions (`actions/*`, `github/*`) apart; \
        `self-hosted-runner` — a job whose `runs-on` names `self-hosted` in a workflow \
        pull requests trigger (friction cannot tell offline whether the repository is \
        public, so it assumes it is; labels read from a matrix are not resolved). Each check \
        misses a share of its ideal: Dangerous-Workflow and self-hosted runners 1 when any \
        finding, else 0 (Scorecard scores Dangerous-Workflow 0 or 10); Token-Permissions the \
        share of workflows with a permissions finding; Pinned-Dependencies one minus the \
        pinned share, third-party actions weighing 0.8 and GitHub-owned ones 0.2 (Scorecard's \
        8 and 2 of 10). Value = 100 × Σ risk weight × missed / Σ risk weight, with \
        Scorecard's risk weights (Critical 10 for Dangerous-Workflow, High 7.5 for \
        Token-Permissions and self-hosted runners, Medium 5 for Pinned-Dependencies). \
        Evidence: each finding with its rule, file and line. Not measured when the commit \
        has no workflow.",
    thresholds: "0 % → 100, 60 % or more → 0, linear in between (friction's choice: one \
        dangerous workflow alone misses 33 % of the ideal and scores 44, in the alert band, as \
        Scorecard rates its risk Critical; permissions and tag pins alone stay in the warning \
        band). Weight 0.15 of the Security driver: hardened CI is one of the practices the \
        driver stands for (reviewed changes, dependency hygiene, known vulnerabilities, secret \
        handling, static analysis and the pipeline that builds and releases, as OpenSSF \
        Scorecard's checks group them).",
    sources: &[
        "OpenSSF Scorecard checks Dangerous-Workflow, Token-Permissions, Pinned-Dependencies and their risk levels (github.com/ossf/scorecard/blob/main/docs/checks.md, docs/checks/internal/checks.yaml)",
        "GitHub Security Lab, Keeping your GitHub Actions and workflows secure: preventing pwn requests and untrusted input (securitylab.github.com/resources/github-actions-preventing-pwn-requests/, …/github-actions-untrusted-input/)",
        "GitHub Docs, Security hardening for GitHub Actions: pin actions to a full-length commit SHA; self-hosted runners on public repositories (docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions)",
        "OSPS Baseline 2026.02.19 OSPS-BR-01.01 and OSPS-BR-01.03 (untrusted metadata and code in CI/CD), OSPS-AC-04.01 (lowest default permissions) (baseline.openssf.org)",
    ],
};

static CURVE: Curve = Curve::linear(&[(0.0, 100.0), (60.0, 0.0)]);

impl crate::Signal for WorkflowRisks {
    fn id(&self) -> &'static str {
        "workflow-risks"
    }
    fn family(&self) -> Family {
        Family::Security
    }
    fn weight(&self) -> f64 {
        0.15
    }
    fn unit(&self) -> &'static str {
        "% of the checks' ideal missed"
    }
    fn doc(&self) -> &'static Doc {
        &DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::Workflows]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        let practice = match crate::ci::repository_practice(ctx) {
            Ok(p) => p,
            Err(why) => return Outcome::NotMeasured(why),
        };
        let report = &practice.workflows;
        if report.files.is_empty() {
            return Outcome::NotMeasured(
                "the assessed commit has no GitHub Actions workflow (`.github/workflows/*.yml`)"
                    .into(),
            );
        }
        let Some(missed) = report.missed() else {
            return Outcome::NotMeasured(format!(
                "no workflow could be read: {}",
                report
                    .unreadable
                    .iter()
                    .map(|(p, e)| format!("{p}: {e}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        };
        let total: f64 = Check::ALL.iter().map(|c| c.risk_weight()).sum();
        let lost: f64 = Check::ALL
            .iter()
            .map(|c| c.risk_weight() * missed.get(c).copied().unwrap_or(0.0))
            .sum();
        let value = crate::round2(100.0 * lost / total);
        let findings = report.findings();
        let count = |rules: &[Rule]| findings.iter().filter(|f| rules.contains(&f.rule)).count();
        let mut figures = vec![Figure {
            name: "workflows".into(),
            value: report.files.len() as f64,
            unit: "files".into(),
        }];
        for (name, rules) in [
            (
                "dangerous-workflow findings",
                &[Rule::UntrustedCheckout, Rule::ScriptInjection][..],
            ),
            (
                "token-permissions findings",
                &[
                    Rule::PermissionsMissing,
                    Rule::PermissionsWriteAll,
                    Rule::PermissionsTopLevelWrite,
                ][..],
            ),
            ("unpinned third-party actions", &[Rule::UnpinnedAction][..]),
            (
                "unpinned GitHub-owned actions",
                &[Rule::UnpinnedFirstPartyAction][..],
            ),
            (
                "self-hosted runners on pull requests",
                &[Rule::SelfHostedRunner][..],
            ),
        ] {
            figures.push(Figure {
                name: name.into(),
                value: count(rules) as f64,
                unit: "findings".into(),
            });
        }
        if !report.unreadable.is_empty() {
            figures.push(Figure {
                name: "unreadable workflows".into(),
                value: report.unreadable.len() as f64,
                unit: "files".into(),
            });
        }
        let evidence = findings
            .iter()
            .map(|f| Evidence {
                kind: "workflow".into(),
                id: f.file.clone(),
                value: f.rule.check().risk_weight(),
                label: format!("{}: {}", f.rule.id(), f.evidence),
                cite: Some(format!("{} line {}", f.file, f.line)),
            })
            .collect();
        Outcome::Measured(Measured {
            value,
            coverage: report.workflows.len() as f64 / report.files.len() as f64,
            figures,
            evidence: crate::top_evidence(evidence),
            sample: Sample::Fixed,
        })
    }
}
