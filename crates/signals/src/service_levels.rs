//! SLO definitions, alerting rules and the repository's runbooks: the facts
//! `reliability-debt` reads. Definitions have no time: the stored ones are
//! the current ones, each once (the newest input holding its key wins).
//! Runbooks are the Markdown files of the assessed commit's runbook
//! directory, indexed by path, title and heading anchors, so an alert's
//! `runbook_url` can be followed to one of them or found pointing nowhere.

use crate::delivery::{Cite, Source};

/// An SLO (OpenSLO or Sloth).
#[derive(Debug, Clone, PartialEq)]
pub struct Slo {
    pub source: String,
    pub name: String,
    pub service: String,
    /// The strictest objective as a ratio.
    pub objective: Option<f64>,
    /// The time window in seconds.
    pub window: Option<i64>,
    /// The alerts or alert policies the definition declares.
    pub alerts: Vec<String>,
    pub cite: Cite,
}

/// An alerting rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub group: String,
    pub name: String,
    pub severity: String,
    pub runbook_url: String,
    /// `name=value` pairs, sorted, comma-separated.
    pub labels: String,
    pub cite: Cite,
}

/// Severities that page a person (Prometheus/Alertmanager conventions:
/// kube-prometheus' `critical`, Sloth's `page`; PagerDuty's P1).
pub const PAGING_SEVERITIES: [&str; 5] = ["critical", "page", "pager", "p1", "sev1"];

impl Alert {
    /// Whether the alert pages someone (its `severity`, or Sloth's
    /// `sloth_severity=page`).
    pub fn pages(&self) -> bool {
        let severity = self.severity.to_ascii_lowercase();
        PAGING_SEVERITIES.contains(&severity.as_str())
            || self.labels.split(',').any(|l| l == "sloth_severity=page")
    }

    /// The value of label `name`, or empty.
    pub fn label(&self, name: &str) -> &str {
        self.labels
            .split(',')
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
            .unwrap_or("")
    }
}

/// A runbook: a Markdown file of the runbook directory.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Runbook {
    /// The path from the repository root.
    pub path: String,
    /// The first `# ` heading, else the file's name.
    pub title: String,
    /// The anchors of its headings, as GitHub writes them (`#alert-name-x`).
    pub anchors: Vec<String>,
}

impl Runbook {
    /// Indexes a Markdown file.
    pub fn index(path: &str, text: &str) -> Runbook {
        let mut title = None;
        let mut anchors = Vec::new();
        let mut fenced = false;
        for line in text.lines() {
            let t = line.trim_start();
            if t.starts_with("```") || t.starts_with("~~~") {
                fenced = !fenced;
                continue;
            }
            if fenced {
                continue;
            }
            let hashes = t.chars().take_while(|c| *c == '#').count();
            if (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') {
                let heading = t[hashes..].trim().trim_end_matches('#').trim();
                if hashes == 1 && title.is_none() {
                    title = Some(heading.to_owned());
                }
                anchors.push(anchor(heading));
            }
        }
        let stem = path.rsplit('/').next().unwrap_or(path);
        Runbook {
            path: path.to_owned(),
            title: title.unwrap_or_else(|| stem.to_owned()),
            anchors,
        }
    }
}

/// GitHub's anchor of a heading: lower case, spaces to `-`, punctuation
/// other than `-` and `_` dropped.
pub fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Where an alert's `runbook_url` leads in the runbook set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// The runbook at this index.
    Found(usize),
    /// A runbook file whose headings do not include the URL's anchor.
    MissingAnchor(usize),
    /// No runbook of the set.
    Nowhere,
}

/// The runbook set: the directory read and its runbooks, sorted by path.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Runbooks {
    pub dir: String,
    pub runbooks: Vec<Runbook>,
}

impl Runbooks {
    /// Follows a `runbook_url` — a URL (`https://host/…/runbooks/x`, GitHub's
    /// `…/blob/REF/docs/runbooks/x.md#anchor`) or a repository path — to the
    /// runbook whose path, from the repository root or from the runbook
    /// directory, ends it (case-insensitive, `.md` optional, on a `/`).
    pub fn follow(&self, url: &str) -> Link {
        let (path, fragment) = match url.split_once('#') {
            Some((p, f)) => (p, Some(f.to_lowercase())),
            None => (url, None),
        };
        let path = path.split('?').next().unwrap_or(path);
        let path = match path.split_once("://") {
            Some((_, rest)) => rest.split_once('/').map_or("", |(_, p)| p),
            None => path,
        };
        let wanted = normalise(path);
        if wanted.is_empty() {
            return Link::Nowhere;
        }
        let dir = normalise(&self.dir);
        let found = self.runbooks.iter().position(|r| {
            let full = normalise(&r.path);
            let rel = full
                .strip_prefix(&dir)
                .map(|p| p.trim_start_matches('/'))
                .unwrap_or(&full);
            [full.as_str(), rel]
                .iter()
                .any(|p| !p.is_empty() && ends_with_segments(&wanted, p))
        });
        match (found, fragment) {
            (None, _) => Link::Nowhere,
            (Some(i), Some(f)) if !f.is_empty() && !self.runbooks[i].anchors.contains(&f) => {
                Link::MissingAnchor(i)
            }
            (Some(i), _) => Link::Found(i),
        }
    }
}

/// Lower case, no leading or trailing `/`, no `.md` or `.markdown`.
fn normalise(path: &str) -> String {
    let p = path.trim().trim_matches('/').to_lowercase();
    let p = p
        .strip_suffix(".markdown")
        .or_else(|| p.strip_suffix(".md"))
        .unwrap_or(&p);
    p.to_owned()
}

/// Whether `path` ends with `tail` at a `/` boundary.
fn ends_with_segments(path: &str, tail: &str) -> bool {
    path == tail
        || path
            .strip_suffix(tail)
            .is_some_and(|head| head.ends_with('/'))
}

/// The SLOs, alerting rules and runbooks of a repository.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceLevels {
    pub sources: Vec<Source>,
    /// Sorted by (service, name).
    pub slos: Vec<Slo>,
    /// Sorted by (group, name, labels).
    pub alerts: Vec<Alert>,
    pub recording_rules: usize,
    /// `None` when the repository has no runbook directory.
    pub runbooks: Option<Runbooks>,
    /// SLOs and alerting rules of services `[services]` (or the default name
    /// matching) does not map to this repository: left out, per service.
    pub other_services: Vec<(String, u64)>,
}

/// The figure both SLO signals show: definitions of other services left out.
pub const LEFT_OUT: &str = "SLOs and alerting rules of other services left out";

impl ServiceLevels {
    /// How many SLOs and alerting rules name services that `[services]` (or
    /// the default name matching) does not map to this repository.
    pub fn left_out(&self) -> u64 {
        self.other_services.iter().map(|(_, n)| n).sum()
    }

    /// `; N SLOs and alerting rules of other services left out (a, b)`, or
    /// nothing: what a "not measured" reason adds so it is not misread.
    pub fn left_out_note(&self) -> String {
        match self.left_out() {
            0 => String::new(),
            n => {
                let names: Vec<&str> = self
                    .other_services
                    .iter()
                    .map(|(s, _)| s.as_str())
                    .collect();
                format!(
                    "; {n} SLOs and alerting rules of other services left out ({}; map them with `[services]`)",
                    names.join(", ")
                )
            }
        }
    }

    /// `path record N`: how evidence cites a definition.
    pub fn cite(&self, c: Cite) -> String {
        let path = self
            .sources
            .get(c.source as usize)
            .map_or("?", |s| s.path.as_str());
        format!("{path} record {}", c.record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> Runbooks {
        Runbooks {
            dir: "docs/runbooks".into(),
            runbooks: vec![
                Runbook::index(
                    "docs/runbooks/node/NodeFilesystemSpaceFillingUp.md",
                    "# Node filesystem filling up\n\n## Mitigation\n",
                ),
                Runbook::index(
                    "docs/runbooks/api.md",
                    "# API\n```\n# not a heading\n```\n## Alert Name: ApiDown!\n",
                ),
            ],
        }
    }

    #[test]
    fn a_runbook_is_indexed_by_title_and_heading_anchors() {
        let r = &set().runbooks[1];
        assert_eq!(r.title, "API");
        assert_eq!(r.anchors, ["api", "alert-name-apidown"]);
    }

    #[test]
    fn urls_and_paths_lead_to_runbooks_by_their_path_ending() {
        let s = set();
        assert_eq!(
            s.follow("https://runbooks.prometheus-operator.dev/runbooks/node/nodefilesystemspacefillingup"),
            Link::Found(0)
        );
        assert_eq!(
            s.follow(
                "https://github.com/acme/app/blob/main/docs/runbooks/api.md#alert-name-apidown"
            ),
            Link::Found(1)
        );
        assert_eq!(s.follow("docs/runbooks/api.md"), Link::Found(1));
        assert_eq!(
            s.follow("docs/runbooks/api.md#gone"),
            Link::MissingAnchor(1)
        );
        assert_eq!(s.follow("https://wiki.example.com/x/capi"), Link::Nowhere);
        assert_eq!(s.follow("https://example.com/"), Link::Nowhere);
    }

    #[test]
    fn paging_is_read_from_the_severity_or_sloth_label() {
        let a = |severity: &str, labels: &str| Alert {
            group: "g".into(),
            name: "a".into(),
            severity: severity.into(),
            runbook_url: String::new(),
            labels: labels.into(),
            cite: Cite::default(),
        };
        assert!(a("critical", "").pages());
        assert!(a("", "sloth_severity=page").pages());
        assert!(!a("warning", "sloth_severity=ticket").pages());
        assert_eq!(a("", "sloth_slo=x,team=a").label("sloth_slo"), "x");
    }
}
