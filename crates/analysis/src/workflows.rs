//! GitHub Actions workflow risks, with the rules of OpenSSF Scorecard's
//! Dangerous-Workflow, Token-Permissions and Pinned-Dependencies checks (and
//! self-hosted runners on pull-request triggers): each finding names its
//! rule, file, line and the text that triggered it.
//!
//! Workflows are read with `yaml-rust2`'s event parser, which marks every
//! node with its line; a file that is not YAML, or not a mapping, is
//! reported and the other files are still read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Where GitHub reads workflows from.
pub const WORKFLOW_DIR: &str = ".github/workflows/";

/// Whether `path` is a GitHub Actions workflow file.
pub fn is_workflow(path: &str) -> bool {
    path.strip_prefix(WORKFLOW_DIR).is_some_and(|rest| {
        !rest.contains('/') && (rest.ends_with(".yml") || rest.ends_with(".yaml"))
    })
}

/// A workflow rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// `pull_request_target` or `workflow_run` checking out the pull
    /// request's code (Scorecard Dangerous-Workflow, "untrusted checkout").
    UntrustedCheckout,
    /// An attacker-controlled `${{ github.event.… }}` expression inside a
    /// `run:` script (Scorecard Dangerous-Workflow, "script injection").
    ScriptInjection,
    /// No top-level `permissions:` and a job without its own (Scorecard
    /// Token-Permissions): that job gets the repository's default token,
    /// which may write.
    PermissionsMissing,
    /// `permissions: write-all`, at the top or in a job.
    PermissionsWriteAll,
    /// A write scope in the top-level `permissions:`, which every job gets.
    PermissionsTopLevelWrite,
    /// A third-party action or container not pinned by a full commit SHA
    /// (or image digest) (Scorecard Pinned-Dependencies).
    UnpinnedAction,
    /// A GitHub-owned action (`actions/*`, `github/*`) not pinned by a
    /// full commit SHA; Scorecard scores these apart, with less weight.
    UnpinnedFirstPartyAction,
    /// A job on a self-hosted runner in a workflow that pull requests
    /// trigger (in a public repository, anyone can run code on it).
    SelfHostedRunner,
}

impl Rule {
    pub const ALL: [Rule; 8] = [
        Rule::UntrustedCheckout,
        Rule::ScriptInjection,
        Rule::PermissionsMissing,
        Rule::PermissionsWriteAll,
        Rule::PermissionsTopLevelWrite,
        Rule::UnpinnedAction,
        Rule::UnpinnedFirstPartyAction,
        Rule::SelfHostedRunner,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Rule::UntrustedCheckout => "untrusted-checkout",
            Rule::ScriptInjection => "script-injection",
            Rule::PermissionsMissing => "permissions-missing",
            Rule::PermissionsWriteAll => "permissions-write-all",
            Rule::PermissionsTopLevelWrite => "permissions-top-level-write",
            Rule::UnpinnedAction => "unpinned-action",
            Rule::UnpinnedFirstPartyAction => "unpinned-first-party-action",
            Rule::SelfHostedRunner => "self-hosted-runner",
        }
    }

    /// The Scorecard check the rule belongs to.
    pub fn check(self) -> Check {
        match self {
            Rule::UntrustedCheckout | Rule::ScriptInjection => Check::DangerousWorkflow,
            Rule::PermissionsMissing
            | Rule::PermissionsWriteAll
            | Rule::PermissionsTopLevelWrite => Check::TokenPermissions,
            Rule::UnpinnedAction | Rule::UnpinnedFirstPartyAction => Check::PinnedDependencies,
            Rule::SelfHostedRunner => Check::SelfHostedRunners,
        }
    }
}

/// The checks the rules group into, each with Scorecard's risk level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    DangerousWorkflow,
    TokenPermissions,
    PinnedDependencies,
    SelfHostedRunners,
}

impl Check {
    pub const ALL: [Check; 4] = [
        Check::DangerousWorkflow,
        Check::TokenPermissions,
        Check::PinnedDependencies,
        Check::SelfHostedRunners,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Check::DangerousWorkflow => "Dangerous-Workflow",
            Check::TokenPermissions => "Token-Permissions",
            Check::PinnedDependencies => "Pinned-Dependencies (actions)",
            Check::SelfHostedRunners => "self-hosted runners on pull requests",
        }
    }

    /// Scorecard's weight of the check's risk level in its aggregate score:
    /// Critical 10, High 7.5, Medium 5 (`docs/checks/internal/checks.yaml`,
    /// `pkg/scorecard/scorecard_result.go`). Self-hosted runners are not a
    /// Scorecard check; rated High like Token-Permissions, since both hand
    /// a pull request's author a privileged runtime.
    pub fn risk_weight(self) -> f64 {
        match self {
            Check::DangerousWorkflow => 10.0,
            Check::TokenPermissions | Check::SelfHostedRunners => 7.5,
            Check::PinnedDependencies => 5.0,
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Finding {
    pub file: String,
    /// 1-based line of the offending key or value.
    pub line: u32,
    pub rule: Rule,
    pub evidence: String,
}

/// The actions one workflow uses, for the pinned share.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Pinning {
    pub third_party: u32,
    pub third_party_pinned: u32,
    pub first_party: u32,
    pub first_party_pinned: u32,
}

impl Pinning {
    fn add(&mut self, o: Pinning) {
        self.third_party += o.third_party;
        self.third_party_pinned += o.third_party_pinned;
        self.first_party += o.first_party;
        self.first_party_pinned += o.first_party_pinned;
    }
}

/// One workflow read.
#[derive(Debug, Clone, PartialEq)]
pub struct Workflow {
    pub findings: Vec<Finding>,
    pub pinning: Pinning,
    /// The triggers (`on:`), sorted.
    pub triggers: Vec<String>,
    /// Every `run:` script and `uses:` reference, for the compliance
    /// controls that look for test, analysis and signing steps.
    pub steps: Vec<Step>,
}

/// A step's command or action.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub line: u32,
    /// `run:` text, or the `uses:` reference.
    pub text: String,
    pub uses: bool,
}

/// The workflows of a tree.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub files: Vec<String>,
    pub workflows: Vec<(String, Workflow)>,
    /// Files that could not be read, with the reason.
    pub unreadable: Vec<(String, String)>,
}

impl Report {
    /// Reads `(path, text)` workflows; sorted by path.
    pub fn read(files: &[(String, String)]) -> Report {
        let mut r = Report::default();
        let mut sorted: Vec<&(String, String)> = files.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, text) in sorted {
            r.files.push(path.clone());
            match analyse(path, text) {
                Ok(w) => r.workflows.push((path.clone(), w)),
                Err(e) => r.unreadable.push((path.clone(), e)),
            }
        }
        r
    }

    /// Every finding, by file then line.
    pub fn findings(&self) -> Vec<&Finding> {
        let mut f: Vec<&Finding> = self
            .workflows
            .iter()
            .flat_map(|(_, w)| &w.findings)
            .collect();
        f.sort();
        f
    }

    pub fn pinning(&self) -> Pinning {
        let mut p = Pinning::default();
        for (_, w) in &self.workflows {
            p.add(w.pinning);
        }
        p
    }

    /// The share (0–1) of each check's ideal the workflows miss: Dangerous
    /// Workflow and self-hosted runners all or nothing (as Scorecard scores
    /// Dangerous-Workflow), Token-Permissions the share of workflows with a
    /// permissions finding, Pinned-Dependencies one minus the pinned share
    /// with third-party actions weighing 8 and GitHub-owned ones 2 of 10
    /// (Scorecard's split). `None` without a readable workflow.
    pub fn missed(&self) -> Option<BTreeMap<Check, f64>> {
        if self.workflows.is_empty() {
            return None;
        }
        let any = |c: Check| {
            self.workflows
                .iter()
                .any(|(_, w)| w.findings.iter().any(|f| f.rule.check() == c))
        };
        let with_permissions = self
            .workflows
            .iter()
            .filter(|(_, w)| {
                w.findings
                    .iter()
                    .any(|f| f.rule.check() == Check::TokenPermissions)
            })
            .count();
        let p = self.pinning();
        let share = |pinned: u32, all: u32| {
            if all == 0 {
                1.0
            } else {
                f64::from(pinned) / f64::from(all)
            }
        };
        let pinned = 0.8 * share(p.third_party_pinned, p.third_party)
            + 0.2 * share(p.first_party_pinned, p.first_party);
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        Some(BTreeMap::from([
            (
                Check::DangerousWorkflow,
                flag(any(Check::DangerousWorkflow)),
            ),
            (
                Check::TokenPermissions,
                with_permissions as f64 / self.workflows.len() as f64,
            ),
            (Check::PinnedDependencies, 1.0 - pinned),
            (
                Check::SelfHostedRunners,
                flag(any(Check::SelfHostedRunners)),
            ),
        ]))
    }
}

// ---------------------------------------------------------------------------
// A YAML tree with line numbers.

/// A YAML node with the 1-based line where it starts.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Scalar(String, u32),
    Seq(Vec<Node>, u32),
    Map(Vec<(Node, Node)>, u32),
}

impl Node {
    fn line(&self) -> u32 {
        match self {
            Node::Scalar(_, l) | Node::Seq(_, l) | Node::Map(_, l) => *l,
        }
    }
    fn str(&self) -> Option<&str> {
        match self {
            Node::Scalar(s, _) => Some(s),
            _ => None,
        }
    }
    /// The entry `key` of a mapping, with the key node (for its line).
    fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match self {
            Node::Map(m, _) => m
                .iter()
                .find(|(k, _)| k.str() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }
    fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }
    fn entries(&self) -> &[(Node, Node)] {
        match self {
            Node::Map(m, _) => m,
            _ => &[],
        }
    }
    fn items(&self) -> &[Node] {
        match self {
            Node::Seq(s, _) => s,
            _ => &[],
        }
    }
    /// Every scalar below (and including) this node.
    fn scalars<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Node::Scalar(s, _) => out.push(s),
            Node::Seq(s, _) => s.iter().for_each(|n| n.scalars(out)),
            Node::Map(m, _) => m.iter().for_each(|(k, v)| {
                k.scalars(out);
                v.scalars(out);
            }),
        }
    }
}

/// Nodes a document may expand to (aliases included): a bound against
/// "billion laughs" documents.
const MAX_NODES: usize = 200_000;

#[derive(Default)]
struct Loader {
    stack: Vec<(Node, Option<usize>)>,
    anchors: BTreeMap<usize, Node>,
    root: Option<Node>,
    nodes: usize,
    too_large: bool,
}

impl Loader {
    fn push(&mut self, node: Node, anchor: usize) {
        self.nodes += 1 + count(&node);
        if self.nodes > MAX_NODES {
            self.too_large = true;
            return;
        }
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        self.attach(node);
    }

    fn attach(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some((Node::Seq(items, _), _)) => items.push(node),
            Some((Node::Map(entries, _), pending)) => match pending.take() {
                // A pending key index: this node is its value.
                Some(i) => entries[i].1 = node,
                None => {
                    entries.push((node, Node::Scalar(String::new(), 0)));
                    *pending = Some(entries.len() - 1);
                }
            },
            Some((Node::Scalar(..), _)) => {}
        }
    }
}

fn count(n: &Node) -> usize {
    match n {
        Node::Scalar(..) => 0,
        Node::Seq(s, _) => s.iter().map(|n| 1 + count(n)).sum(),
        Node::Map(m, _) => m.iter().map(|(k, v)| 2 + count(k) + count(v)).sum(),
    }
}

// Anchors of containers are recorded when the container ends.
struct Open {
    anchor: usize,
}

struct Receiver {
    loader: Loader,
    open: Vec<Open>,
}

impl MarkedEventReceiver for Receiver {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.loader.too_large {
            return;
        }
        let line = u32::try_from(mark.line()).unwrap_or(u32::MAX);
        match ev {
            Event::Scalar(v, _, anchor, _) => {
                self.loader.push(Node::Scalar(v, line), anchor);
            }
            Event::SequenceStart(anchor, _) => {
                self.loader.stack.push((Node::Seq(Vec::new(), line), None));
                self.open.push(Open { anchor });
            }
            Event::MappingStart(anchor, _) => {
                self.loader.stack.push((Node::Map(Vec::new(), line), None));
                self.open.push(Open { anchor });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let (Some((node, _)), Some(open)) = (self.loader.stack.pop(), self.open.pop()) {
                    self.loader.nodes = self.loader.nodes.saturating_sub(count(&node));
                    self.loader.push(node, open.anchor);
                }
            }
            Event::Alias(id) => {
                let node = self
                    .loader
                    .anchors
                    .get(&id)
                    .cloned()
                    .unwrap_or(Node::Scalar(String::new(), line));
                self.loader.push(node, 0);
            }
            _ => {}
        }
    }
}

/// The first document of `text` as a node tree.
fn parse(text: &str) -> Result<Option<Node>, String> {
    let mut r = Receiver {
        loader: Loader::default(),
        open: Vec::new(),
    };
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut r, false).map_err(|e| e.to_string())?;
    if r.loader.too_large {
        return Err(format!(
            "expands to more than {MAX_NODES} YAML nodes (aliases included)"
        ));
    }
    Ok(r.loader.root)
}

// ---------------------------------------------------------------------------
// The rules.

/// Untrusted fields of `github.event` (and `github.head_ref`), after
/// Scorecard's `untrustedContextRegex` (checks/raw/dangerous_workflow.go)
/// plus `workflow_run`'s branch and commit fields.
const UNTRUSTED: &[&str] = &[
    "issue.title",
    "issue.body",
    "pull_request.title",
    "pull_request.body",
    "comment.body",
    "review.body",
    "review_comment.body",
    "page_name",
    ".message",
    "head_commit.author.email",
    "head_commit.author.name",
    ".author.email",
    ".author.name",
    "pull_request.head.ref",
    "pull_request.head.label",
    "pull_request.head.repo.default_branch",
    "workflow_run.head_branch",
    "workflow_run.display_title",
    "discussion.title",
    "discussion.body",
];

/// The untrusted expression of `text`, if any: `${{ … }}` reading one of
/// [`UNTRUSTED`] from `github.event`, or `github.head_ref`.
fn untrusted_expression(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let after = &rest[start..];
        let end = after.find("}}").map_or(after.len(), |e| e + 2);
        let expr = &after[..end];
        let inner = expr.to_ascii_lowercase();
        let event = inner.contains("github.event.") && UNTRUSTED.iter().any(|u| inner.contains(u));
        if event || inner.contains("github.head_ref") {
            return Some(expr);
        }
        rest = &after[end.min(after.len())..];
        if end == 0 {
            break;
        }
    }
    None
}

/// The line (1-based) of `needle` at or after `from` in `text`'s lines, for
/// findings inside block scalars, whose node line is the key's.
fn line_of(lines: &[&str], from: u32, needle: &str) -> u32 {
    let start = from.saturating_sub(1) as usize;
    let first = needle.lines().next().unwrap_or(needle).trim();
    lines
        .iter()
        .enumerate()
        .skip(start)
        .find(|(_, l)| !first.is_empty() && l.contains(first))
        .map_or(from, |(i, _)| i as u32 + 1)
}

const PULL_REQUEST_TRIGGERS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
];

fn triggers(on: Option<&Node>) -> Vec<String> {
    let mut t: Vec<String> = match on {
        Some(Node::Scalar(s, _)) => vec![s.clone()],
        Some(Node::Seq(items, _)) => items
            .iter()
            .filter_map(|n| n.str().map(str::to_owned))
            .collect(),
        Some(Node::Map(m, _)) => m
            .iter()
            .filter_map(|(k, _)| k.str().map(str::to_owned))
            .collect(),
        None => Vec::new(),
    };
    t.sort();
    t.dedup();
    t
}

/// Whether a `uses:` reference is pinned: a full 40-hex commit for an
/// action, an `@sha256:` digest for a container.
fn classify_uses(reference: &str) -> Option<(bool, bool)> {
    let r = reference.trim();
    if r.starts_with("./") || r.is_empty() {
        return None; // local action: versioned with the workflow
    }
    if let Some(image) = r.strip_prefix("docker://") {
        return Some((false, image.contains("@sha256:")));
    }
    let (name, version) = r.split_once('@').unwrap_or((r, ""));
    let owner = name.split('/').next().unwrap_or("").to_ascii_lowercase();
    let first_party = owner == "actions" || owner == "github";
    let pinned = version.len() == 40 && version.bytes().all(|b| b.is_ascii_hexdigit());
    Some((first_party, pinned))
}

/// Reads one workflow. An error when the text is not YAML or not a mapping.
pub fn analyse(path: &str, text: &str) -> Result<Workflow, String> {
    let root = match parse(text)? {
        Some(n @ Node::Map(..)) => n,
        Some(_) => return Err("not a mapping of workflow keys".into()),
        None => return Err("empty".into()),
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut findings = Vec::new();
    let mut find = |line: u32, rule: Rule, evidence: String| {
        findings.push(Finding {
            file: path.to_owned(),
            line,
            rule,
            evidence,
        })
    };
    let on = root.get("on");
    let triggers = triggers(on);
    let privileged: Vec<&str> = triggers
        .iter()
        .map(String::as_str)
        .filter(|t| *t == "pull_request_target" || *t == "workflow_run")
        .collect();
    let on_pull_requests: Vec<&str> = triggers
        .iter()
        .map(String::as_str)
        .filter(|t| PULL_REQUEST_TRIGGERS.contains(t))
        .collect();

    // Token permissions, top level.
    let jobs = root.get("jobs");
    let top = root.entry("permissions");
    match top {
        None => {
            // Jobs that declare their own permissions do not get the default
            // token, so only the others are at risk (Scorecard also flags a
            // workflow whose every job declares its own; friction does not).
            let without: Vec<&str> = jobs
                .map(|j| j.entries())
                .unwrap_or(&[])
                .iter()
                .filter(|(_, job)| job.get("permissions").is_none())
                .filter_map(|(name, _)| name.str())
                .collect();
            if !without.is_empty() {
                let line = root.entry("jobs").map_or(1, |(k, _)| k.line());
                find(
                    line,
                    Rule::PermissionsMissing,
                    format!(
                        "no top-level `permissions:`; jobs on the repository's default token: {}",
                        without.join(", ")
                    ),
                );
            }
        }
        Some((_, value)) => permissions(value, true, &mut find),
    }

    let mut pinning = Pinning::default();
    let mut steps_seen = Vec::new();
    for (name, job) in jobs.map(|j| j.entries()).unwrap_or(&[]) {
        let job_name = name.str().unwrap_or("");
        if let Some((_, p)) = job.entry("permissions") {
            permissions(p, false, &mut find);
        }
        // A reusable workflow called by the job.
        if let Some(u) = job.get("uses") {
            uses(u, job_name, &mut pinning, &mut find, &mut steps_seen);
        }
        if let Some((k, runs_on)) = job.entry("runs-on") {
            let mut labels = Vec::new();
            runs_on.scalars(&mut labels);
            if !on_pull_requests.is_empty()
                && labels.iter().any(|l| l.eq_ignore_ascii_case("self-hosted"))
            {
                find(
                    runs_on.line().max(k.line()),
                    Rule::SelfHostedRunner,
                    format!(
                        "job `{job_name}` runs on a self-hosted runner and `{}` triggers the workflow",
                        on_pull_requests.join("`, `")
                    ),
                );
            }
        }
        for step in job.get("steps").map(|s| s.items()).unwrap_or(&[]) {
            if let Some(u) = step.get("uses") {
                uses(u, job_name, &mut pinning, &mut find, &mut steps_seen);
                let checkout = u.str().is_some_and(|s| {
                    s.trim()
                        .to_ascii_lowercase()
                        .starts_with("actions/checkout@")
                });
                if checkout
                    && !privileged.is_empty()
                    && let Some(r) = step.get("with").and_then(|w| w.get("ref"))
                {
                    let v = r.str().unwrap_or("").to_ascii_lowercase();
                    if v.contains("github.event.pull_request")
                        || v.contains("github.event.workflow_run")
                        || v.contains("github.head_ref")
                    {
                        find(
                            r.line(),
                            Rule::UntrustedCheckout,
                            format!(
                                "`{}` checks out `{}` in job `{job_name}`",
                                privileged.join("`/`"),
                                r.str().unwrap_or("").trim()
                            ),
                        );
                    }
                }
            }
            if let Some(run) = step.get("run") {
                let script = run.str().unwrap_or("");
                steps_seen.push(Step {
                    line: run.line(),
                    text: script.to_owned(),
                    uses: false,
                });
                let mut rest = script;
                while let Some(expr) = untrusted_expression(rest) {
                    find(
                        line_of(&lines, run.line(), expr),
                        Rule::ScriptInjection,
                        format!("`{expr}` inside a `run:` script of job `{job_name}`"),
                    );
                    let at = rest.find(expr).map_or(rest.len(), |i| i + expr.len());
                    rest = &rest[at..];
                }
            }
        }
    }
    findings.sort();
    findings.dedup();
    Ok(Workflow {
        findings,
        pinning,
        triggers,
        steps: steps_seen,
    })
}

fn uses(
    u: &Node,
    job: &str,
    pinning: &mut Pinning,
    find: &mut impl FnMut(u32, Rule, String),
    steps: &mut Vec<Step>,
) {
    let Some(reference) = u.str() else { return };
    steps.push(Step {
        line: u.line(),
        text: reference.to_owned(),
        uses: true,
    });
    let Some((first_party, pinned)) = classify_uses(reference) else {
        return;
    };
    if first_party {
        pinning.first_party += 1;
        pinning.first_party_pinned += u32::from(pinned);
    } else {
        pinning.third_party += 1;
        pinning.third_party_pinned += u32::from(pinned);
    }
    if !pinned {
        let rule = if first_party {
            Rule::UnpinnedFirstPartyAction
        } else {
            Rule::UnpinnedAction
        };
        find(
            u.line(),
            rule,
            format!(
                "`{}` in job `{job}` is not pinned by a commit SHA",
                reference.trim()
            ),
        );
    }
}

/// `permissions:` findings of one level.
fn permissions(value: &Node, top: bool, find: &mut impl FnMut(u32, Rule, String)) {
    match value {
        Node::Scalar(s, line) if s.trim() == "write-all" => find(
            *line,
            Rule::PermissionsWriteAll,
            format!(
                "`permissions: write-all` {}",
                if top { "at the top level" } else { "in a job" }
            ),
        ),
        Node::Map(m, _) if top => {
            for (scope, level) in m {
                if level.str().is_some_and(|l| l.trim() == "write") {
                    find(
                        level.line(),
                        Rule::PermissionsTopLevelWrite,
                        format!(
                            "top-level `{}: write`: every job gets it",
                            scope.str().unwrap_or("")
                        ),
                    );
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Vec<(u32, &'static str)> {
        analyse("w.yml", text)
            .map(|w| w.findings.iter().map(|f| (f.line, f.rule.id())).collect())
            .unwrap_or_default()
    }

    #[test]
    fn workflow_paths_are_the_direct_yaml_children_of_the_workflow_directory() {
        assert!(is_workflow(".github/workflows/ci.yml"));
        assert!(is_workflow(".github/workflows/ci.yaml"));
        assert!(!is_workflow(".github/workflows/sub/ci.yml"));
        assert!(!is_workflow(".github/workflows/README.md"));
        assert!(!is_workflow("workflows/ci.yml"));
    }

    #[test]
    fn a_safe_workflow_has_no_finding() {
        let text = "on: [push]\npermissions:\n  contents: read\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11\n      - run: echo ${{ github.event.pull_request.number }}\n";
        assert_eq!(rules(text), vec![]);
    }

    #[test]
    fn script_injection_is_found_on_its_own_line_in_a_block_scalar() {
        let text = "on: issues\npermissions: read-all\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo hi\n          echo \"${{ github.event.issue.title }}\"\n";
        assert_eq!(rules(text), vec![(9, "script-injection")]);
    }

    #[test]
    fn self_hosted_runners_count_on_pull_request_triggers_only() {
        let pr = "on: pull_request\npermissions: {}\njobs:\n  t:\n    runs-on: [self-hosted, linux]\n    steps: []\n";
        assert_eq!(rules(pr), vec![(5, "self-hosted-runner")]);
        let push = pr.replace("on: pull_request", "on: push");
        assert_eq!(rules(&push), vec![]);
    }

    #[test]
    fn malformed_yaml_and_non_mappings_are_errors_not_panics() {
        assert!(analyse("w.yml", "on: [push\njobs: {").is_err());
        assert!(analyse("w.yml", "- a\n- b\n").is_err());
        assert!(analyse("w.yml", "").is_err());
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for c in 'b'..='k' {
            text.push_str(&format!(
                "{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = c;
        }
        let e = analyse("w.yml", &text).unwrap_err();
        assert!(e.contains("more than"), "{e}");
    }
}
