//! Builds the SLO, alerting-rule and runbook facts `reliability-debt` reads
//! ([`friction_signals::service_levels`]) from the store's de-duplicated
//! readers and the runbook set read with the other inputs. Every stored
//! definition is taken as the repository's (no service mapping yet).

use std::collections::BTreeMap;

use friction_model::services::ServiceMap;
use friction_signals::delivery::{Cite, Source};
use friction_signals::service_levels::{Alert, Runbook, Runbooks, ServiceLevels, Slo};
use friction_store::{InputRow, Store};

use crate::Error;

/// Where runbooks are looked for when `[inputs] runbooks` names none, in order.
pub const RUNBOOK_DIRS: [&str; 2] = ["runbooks", "docs/runbooks"];

/// The runbook set of `commit`: the Markdown files of `configured`, else of
/// the first of [`RUNBOOK_DIRS`] that holds any; `None` without one. A
/// configured directory that is not in the tree is an error for `HEAD`.
pub(crate) fn read_runbooks(
    repo: &friction_history::Repo,
    commit: friction_history::ObjectId,
    configured: Option<&str>,
    past: bool,
) -> Result<Option<Runbooks>, Error> {
    let index = |dir: &str| -> Result<Option<Runbooks>, Error> {
        let files = repo
            .files_under(commit, dir, ".md")
            .map_err(|e| Error::input(format!("reading the runbooks in `{dir}`: {e}"), None))?;
        Ok((!files.is_empty()).then(|| Runbooks {
            dir: dir.trim_matches('/').to_owned(),
            runbooks: files
                .iter()
                .map(|(path, text)| Runbook::index(path, &String::from_utf8_lossy(text)))
                .collect(),
        }))
    };
    match configured {
        Some(dir) => match index(dir)? {
            Some(set) => Ok(Some(set)),
            None if past => Ok(None),
            None => Err(Error::input(
                format!("[inputs] runbooks `{dir}` holds no Markdown file in HEAD's tree"),
                Some(
                    "the path is a directory relative to the repository root; commit its runbooks",
                ),
            )),
        },
        None => {
            for dir in RUNBOOK_DIRS {
                if let Some(set) = index(dir)? {
                    return Ok(Some(set));
                }
            }
            Ok(None)
        }
    }
}

/// The facts, or `None` when no SLO definition or rule is stored.
pub(crate) fn build(
    store: &Store,
    inputs: &[InputRow],
    runbooks: Option<&Runbooks>,
    services: &ServiceMap,
) -> Result<Option<ServiceLevels>, Error> {
    let err = |e: friction_store::StoreError| Error::store(format!("reading the store: {e}"), None);
    let levels = store.service_levels().map_err(err)?;
    let rules = store.alert_rules().map_err(err)?;
    if levels.is_empty() && rules.is_empty() {
        return Ok(None);
    }
    let mut sources: Vec<Source> = Vec::new();
    let mut index: BTreeMap<i64, u32> = BTreeMap::new();
    let mut cite = |input: i64, at: friction_model::inputs::Position| {
        let source = *index.entry(input).or_insert_with(|| {
            let row = inputs.iter().find(|i| i.id == input);
            sources.push(Source {
                path: row.map_or_else(|| format!("input {input}"), |r| r.path.clone()),
                format: row.map(|r| r.format.clone()).unwrap_or_default(),
                sha256: row.map(|r| r.sha256.clone()).unwrap_or_default(),
            });
            (sources.len() - 1) as u32
        });
        Cite {
            source,
            record: at.record,
            line: at.line,
        }
    };
    // A definition naming a service is this repository's when `[services]`
    // (or the default matching of names) maps that service here; one naming
    // none is the repository's own (a rule file beside its code).
    let mut other: BTreeMap<String, u64> = BTreeMap::new();
    let mut ours = |service: &str| {
        let mine = service.trim().is_empty() || services.find(service, "").is_some();
        if !mine {
            *other.entry(service.trim().to_owned()).or_default() += 1;
        }
        mine
    };
    let mut slos = Vec::new();
    for l in levels.into_iter().filter(|l| l.fact.kind == "SLO") {
        if !ours(&l.fact.service) {
            continue;
        }
        let c = cite(l.input, l.at);
        let f = l.fact;
        slos.push(Slo {
            source: f.source,
            name: f.name,
            service: f.service,
            objective: f.objective,
            window: f.window,
            alerts: f.alerts,
            cite: c,
        });
    }
    slos.sort_by(|a, b| (&a.service, &a.name).cmp(&(&b.service, &b.name)));
    let (mut alerts, mut recording_rules) = (Vec::new(), 0);
    for r in rules {
        if !ours(alert_service(&r.fact.labels)) {
            continue;
        }
        if r.fact.kind != "alert" {
            recording_rules += 1;
            continue;
        }
        let c = cite(r.input, r.at);
        let f = r.fact;
        alerts.push(Alert {
            group: f.group,
            name: f.name,
            severity: f.severity,
            runbook_url: f.runbook_url,
            labels: f.labels,
            cite: c,
        });
    }
    Ok(Some(ServiceLevels {
        sources,
        slos,
        alerts,
        recording_rules,
        runbooks: runbooks.cloned(),
        other_services: other.into_iter().collect(),
    }))
}

/// The service an alerting rule names in its labels (`name=value` pairs,
/// comma-separated): `service`, else `app`, else `job` — the labels
/// Prometheus rules and kube-prometheus use for what a rule watches; empty
/// when it names none.
fn alert_service(labels: &str) -> &str {
    ["service", "app", "job"]
        .iter()
        .find_map(|key| {
            labels.split(',').find_map(|pair| {
                pair.split_once('=')
                    .filter(|(k, _)| k.trim() == *key)
                    .map(|(_, v)| v.trim())
            })
        })
        .unwrap_or("")
}
