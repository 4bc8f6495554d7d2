//! Incident facts: the incidents of the services mapped to the assessed
//! repository, one per incident however many exports hold it.
//!
//! The store keeps every version of an incident an export holds (PagerDuty
//! pages, Opsgenie lists and CSVs overlap). [`combine`] makes one incident of
//! them: the first start any version or log entry records, the newest
//! version's state and names, and — unless that newest state is open or a
//! re-open came after the last resolution — the last resolution, so a
//! re-opened incident keeps its first start and its last resolve and an
//! incident still open has no resolve time (counted as open, never as a zero
//! duration). An incident merged into another one it names is counted once,
//! as that one. Times are UTC seconds (the extractors honoured each export's
//! zone). Every incident keeps the [`Cite`] of the version it took its state
//! from.

use std::collections::{BTreeMap, HashMap};

use friction_model::inputs::{Incident as IncidentRecord, IncidentEvent};
use friction_model::services::ServiceMatch;

use crate::delivery::Cite;

/// One incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// `pagerduty`, `opsgenie`, `csv`: with `id`, the incident's identity.
    pub source: String,
    pub id: String,
    /// The number people use (`#6`, Opsgenie's tiny id), when there is one.
    pub number: String,
    pub title: String,
    pub service: String,
    pub service_id: String,
    pub team: String,
    pub urgency: String,
    /// The alert's de-duplication key (recurrence fingerprint), when given.
    pub fingerprint: String,
    /// When it began: the earliest start any version or trigger records.
    pub started: i64,
    /// The first acknowledgement.
    pub acknowledged: Option<i64>,
    /// The last responder's acknowledgement before the resolution
    /// (PagerDuty Analytics' `seconds_to_mobilize`), else the first one.
    pub mobilised: Option<i64>,
    /// The last resolution; `None` while the incident is open.
    pub resolved: Option<i64>,
    pub escalations: u32,
    /// Resolved, then open again (a re-open entry, or versions that disagree).
    pub reopened: bool,
    /// Incidents merged into this one (each counted as this one).
    pub merged: u32,
    /// Whether a person made the last resolution (PagerDuty's resolve log
    /// entry by a `user`) rather than the monitoring integration or a
    /// service (the alert cleared, an automation): `None` when no resolve
    /// entry says who made it.
    pub resolved_by_person: Option<bool>,
    /// Where its service maps in the repository (`None`: not this repository's).
    pub mapping: Option<ServiceMatch>,
    pub cite: Cite,
}

impl Incident {
    /// `#6 Checkout down` (the number when there is one, else the id).
    pub fn label(&self) -> String {
        let n = if self.number.is_empty() {
            &self.id
        } else {
            &self.number
        };
        format!("{}#{n}", self.source)
    }

    /// Hours from start to resolution (`None` while open).
    pub fn hours_to_resolve(&self) -> Option<f64> {
        self.resolved.map(|r| (r - self.started) as f64 / 3600.0)
    }
}

/// One stored version of an incident, with the input it came from.
#[derive(Debug, Clone, Copy)]
pub struct Version<'a> {
    pub fact: &'a IncidentRecord,
    /// The input's id (later inputs win ties).
    pub input: i64,
    pub cite: Cite,
}

/// What [`combine`] made of the stored versions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Combined {
    /// Sorted by (start, source, id); mapping not yet set.
    pub incidents: Vec<Incident>,
    /// Versions beyond the first of an incident (overlapping exports).
    pub duplicates: u64,
    /// Incidents merged into another stored incident.
    pub merged: u64,
    /// Incidents no version of which says when it began.
    pub undated: u64,
}

fn is_closed(status: &str) -> bool {
    matches!(
        status.trim().to_ascii_lowercase().as_str(),
        "resolved" | "closed" | "done" | "fixed" | "completed" | "mitigated"
    )
}

/// One incident per `(source, id)` from every stored version and log entry
/// (see the module documentation).
pub fn combine(versions: &[Version<'_>], events: &[&IncidentEvent]) -> Combined {
    let mut by_key: BTreeMap<(&str, &str), Vec<&Version<'_>>> = BTreeMap::new();
    for v in versions {
        by_key
            .entry((v.fact.source.as_str(), v.fact.id.as_str()))
            .or_default()
            .push(v);
    }
    // Log entries once each (overlapping log exports), by incident.
    let mut log: HashMap<(&str, &str), BTreeMap<&str, &IncidentEvent>> = HashMap::new();
    for e in events {
        log.entry((e.source.as_str(), e.incident_id.as_str()))
            .or_default()
            .insert(e.id.as_str(), e);
    }
    let mut out = Combined::default();
    let mut incidents: Vec<(Incident, String)> = Vec::new();
    for ((source, id), vs) in &by_key {
        out.duplicates += vs.len() as u64 - 1;
        let entries: Vec<&IncidentEvent> = log
            .get(&(*source, *id))
            .map(|m| m.values().copied().collect())
            .unwrap_or_default();
        let at = |kind: &str| -> Vec<i64> {
            entries
                .iter()
                .filter(|e| e.kind == kind)
                .filter_map(|e| e.at)
                .collect()
        };
        let latest = |v: &Version<'_>| {
            [
                v.fact.created_at,
                v.fact.acknowledged_at,
                v.fact.resolved_at,
            ]
            .into_iter()
            .flatten()
            .max()
        };
        let Some(newest) = vs
            .iter()
            .max_by_key(|v| (latest(v), v.input, v.cite.record))
            .copied()
        else {
            continue;
        };
        let started = vs
            .iter()
            .filter_map(|v| v.fact.created_at)
            .chain(at("trigger"))
            .min();
        let Some(started) = started else {
            out.undated += 1;
            continue;
        };
        let acks = at("acknowledge");
        let acknowledged = vs
            .iter()
            .filter_map(|v| v.fact.acknowledged_at)
            .chain(acks.iter().copied())
            .min();
        let resolutions: Vec<i64> = vs
            .iter()
            .filter_map(|v| v.fact.resolved_at)
            .chain(at("resolve"))
            .collect();
        let last_resolve = resolutions.iter().copied().max();
        let last_reopen = at("reopen").into_iter().max();
        let newest_open = newest.fact.resolved_at.is_none() && !is_closed(&newest.fact.status);
        let reopened_after = last_reopen.is_some_and(|o| last_resolve.is_none_or(|r| o > r));
        let resolved = if newest_open || reopened_after {
            None
        } else {
            last_resolve
        };
        let reopened = last_reopen.is_some()
            || (newest_open && last_resolve.is_some())
            || resolutions.iter().any(|&r| Some(r) != last_resolve);
        let resolved_by_person = entries
            .iter()
            .filter(|e| e.kind == "resolve" && !e.agent.is_empty())
            .max_by_key(|e| (e.at, e.id.as_str()))
            .filter(|_| resolved.is_some())
            .map(|e| e.agent == "user");
        let mobilised = acks
            .iter()
            .copied()
            .filter(|&a| resolved.is_none_or(|r| a <= r))
            .max()
            .or(acknowledged);
        let escalations = vs
            .iter()
            .map(|v| v.fact.escalations)
            .chain([at("escalate").len() as u32])
            .max()
            .unwrap_or(0);
        let merged_into = vs
            .iter()
            .rev()
            .map(|v| v.fact.merged_into.clone())
            .find(|m| !m.is_empty())
            .unwrap_or_default();
        let f = newest.fact;
        incidents.push((
            Incident {
                source: f.source.clone(),
                id: f.id.clone(),
                number: f.number.clone(),
                title: f.title.clone(),
                service: f.service.clone(),
                service_id: f.service_id.clone(),
                team: f.team.clone(),
                urgency: f.urgency.clone(),
                fingerprint: f.key.clone(),
                started,
                acknowledged,
                mobilised,
                resolved,
                escalations,
                reopened,
                merged: 0,
                resolved_by_person,
                mapping: None,
                cite: newest.cite,
            },
            merged_into,
        ));
    }
    // Fold merged incidents into the one they name, when it is stored.
    let index: HashMap<(String, String), usize> = incidents
        .iter()
        .enumerate()
        .map(|(i, (x, _))| ((x.source.clone(), x.id.clone()), i))
        .collect();
    let mut keep = vec![true; incidents.len()];
    for i in 0..incidents.len() {
        let target = &incidents[i].1;
        if target.is_empty() {
            continue;
        }
        let key = (incidents[i].0.source.clone(), target.clone());
        if let Some(&t) = index.get(&key).filter(|&&t| t != i) {
            keep[i] = false;
            incidents[t].0.merged += 1;
            out.merged += 1;
        }
    }
    out.incidents = incidents
        .into_iter()
        .zip(keep)
        .filter_map(|((x, _), k)| k.then_some(x))
        .collect();
    out.incidents
        .sort_by(|a, b| (a.started, &a.source, &a.id).cmp(&(b.started, &b.source, &b.id)));
    out
}

/// How much of the window's incident data maps to this repository.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapping {
    /// Incidents of the window (after de-duplication and merges).
    pub total: u64,
    /// Mapped by `[services]`.
    pub configured: u64,
    /// Mapped by the default name matching.
    pub by_name: u64,
    /// Services not mapped, with their incidents, most incidents first.
    pub unmapped: Vec<(String, u64)>,
    /// The services mapped, and how (`configured` or the default).
    pub services: Vec<(String, &'static str)>,
}

impl Mapping {
    pub fn mapped(&self) -> u64 {
        self.configured + self.by_name
    }

    /// "412 of 530 incidents mapped to this repository (12 by name, the
    /// default); 118 from 3 unmapped services: a (100), b (10), c (8)".
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} of {} incidents mapped to this repository",
            self.mapped(),
            self.total
        );
        if self.by_name > 0 {
            s.push_str(&format!(
                " ({} by service name, the default: set `[services]` in friction.toml to confirm)",
                self.by_name
            ));
        }
        if !self.unmapped.is_empty() {
            let n: u64 = self.unmapped.iter().map(|(_, c)| c).sum();
            let names: Vec<String> = self
                .unmapped
                .iter()
                .take(10)
                .map(|(s, c)| format!("{s} ({c})"))
                .collect();
            let more = if self.unmapped.len() > 10 {
                ", …"
            } else {
                ""
            };
            s.push_str(&format!(
                "; {n} from {} unmapped service{}: {}{more}",
                self.unmapped.len(),
                if self.unmapped.len() == 1 { "" } else { "s" },
                names.join(", ")
            ));
        }
        s
    }
}

/// A title as recurrence compares it: lower case, with the words that
/// differ between repeats of one problem left out — anything holding a
/// digit (numbers, ids, hosts such as `web-01`, IP addresses, timestamps,
/// hex ids) and dotted names (`db.internal.example.com`).
pub fn normalised_title(title: &str) -> String {
    title
        .split_whitespace()
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty() && !w.contains('.'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The incidents a commit message names: an incident's id as a word of its
/// own (`INC-42`, PagerDuty's `PT4KHLK`: ids holding a letter and a digit,
/// so a bare number never matches a pull request's), or its number after
/// the word `incident` (`incident #6`, `Incident 6`). Indices into
/// `incidents`, sorted.
pub fn referenced(message: &str, incidents: &[Incident]) -> Vec<usize> {
    let words: Vec<&str> = message
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '#'))
        .filter(|w| !w.is_empty())
        .collect();
    let numbers: Vec<&str> = words
        .windows(2)
        .filter(|w| w[0].eq_ignore_ascii_case("incident"))
        .map(|w| w[1].trim_start_matches('#'))
        .collect();
    let is_id =
        |id: &str| id.chars().any(|c| c.is_ascii_digit()) && id.chars().any(|c| c.is_alphabetic());
    incidents
        .iter()
        .enumerate()
        .filter(|(_, i)| {
            (is_id(&i.id) && words.iter().any(|w| w.trim_start_matches('#') == i.id))
                || (!i.number.is_empty() && numbers.contains(&i.number.trim_start_matches('#')))
        })
        .map(|(n, _)| n)
        .collect()
}

/// Hours after an incident's resolution within which a defect fix to its
/// service's files still counts as the incident's fix (friction's choice:
/// an incident is often resolved by a rollback or a mitigation, and the fix
/// of its cause lands the same or the next working day; a longer grace would
/// link the routine fixes of a busy service).
pub const FIX_GRACE_HOURS: i64 = 24;

/// An incident linked to a commit of the window, for the hotspot map.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IncidentLink {
    /// Index into [`crate::Data::commits`].
    pub commit: u32,
    /// The incident's [`Incident::label`].
    pub label: String,
    /// The files the link marks (indices into [`crate::Data::files`]):
    /// `None` for every file the commit touched (its message names the
    /// incident), else the incident's service's files among them (a defect
    /// fix inside the incident's window, see [`fixes_in_window`]).
    pub files: Option<Vec<u32>>,
}

/// The defect fixes inside an incident's window that touched its service's
/// files: commits of the window (at or after `from`) marked as fixes, made
/// between the incident's start and its resolution plus
/// [`FIX_GRACE_HOURS`] (an open incident: up to `to`), touching files of the
/// parts its service maps to (the repository, components, path patterns).
/// One link per incident and commit, with the service's files it touched.
/// Incidents without a mapping link nothing.
pub fn fixes_in_window(data: &crate::Data, incidents: &[Incident]) -> Vec<IncidentLink> {
    use friction_model::services::ServicePart;
    // The window's fix commits, by time, with the files they touched.
    let mut touched: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for ch in &data.changes {
        let c = &data.commits[ch.commit as usize];
        if let (true, true, Some(f)) = (c.fix, c.time >= data.from, ch.file) {
            touched.entry(ch.commit).or_default().push(f);
        }
    }
    let mut fixes: Vec<(i64, u32, Vec<u32>)> = touched
        .into_iter()
        .map(|(c, mut files)| {
            files.sort_unstable();
            files.dedup();
            (data.commits[c as usize].time, c, files)
        })
        .collect();
    fixes.sort();
    let mut out = Vec::new();
    for incident in incidents {
        let Some(m) = &incident.mapping else {
            continue;
        };
        let patterns: Vec<friction_model::paths::PathPatterns> = m
            .parts
            .iter()
            .filter_map(|p| match p {
                ServicePart::Paths(ps) => friction_model::paths::PathPatterns::new(ps).ok(),
                _ => None,
            })
            .collect();
        let serves = |f: u32| {
            let file = &data.files[f as usize];
            m.parts.iter().any(|p| match p {
                ServicePart::Repository => true,
                ServicePart::Component(c) => file.component == *c,
                ServicePart::Paths(_) => false,
            }) || patterns.iter().any(|p| p.is_match(&file.path))
        };
        let end = incident
            .resolved
            .map_or(data.to, |r| r + FIX_GRACE_HOURS * 3_600);
        let first = fixes.partition_point(|f| f.0 < incident.started);
        for (_, commit, files) in fixes[first..].iter().take_while(|f| f.0 <= end) {
            let mine: Vec<u32> = files.iter().copied().filter(|&f| serves(f)).collect();
            if !mine.is_empty() {
                out.push(IncidentLink {
                    commit: *commit,
                    label: incident.label(),
                    files: Some(mine),
                });
            }
        }
    }
    out.sort();
    out
}

/// How to provide incidents, for not-measured reasons.
pub(crate) const INCIDENTS_HOWTO: &str = "ingest an incident export with `friction ingest` \
    (PagerDuty: `curl -H \"Authorization: Token token=$PD_TOKEN\" \
    'https://api.pagerduty.com/incidents?limit=100&since=…&until=…' > incidents.json`; Opsgenie's \
    `/v1/incidents`; or any tool's CSV with `id,title,created_at,resolved_at,service`)";

/// The delivery facts with the repository's incidents, or the outcome
/// without them: not measured (other scope, no export, nothing mapped), or
/// the what-if value a roadmap step sets.
pub(crate) fn repository_incidents<'a>(
    ctx: &crate::Context<'a>,
    id: &str,
) -> Result<&'a crate::delivery::Delivery, Box<crate::Outcome>> {
    let not = |why: String| Box::new(crate::Outcome::NotMeasured(why));
    if ctx.scope.kind != crate::ScopeKind::Repository {
        return Err(not(crate::ci::REPOSITORY_ONLY.into()));
    }
    let Some(d) = ctx.data.delivery.as_ref() else {
        return Err(not(format!("incidents: none stored; {INCIDENTS_HOWTO}")));
    };
    let Some(m) = &d.incident_mapping else {
        return Err(not(format!("incidents: none stored; {INCIDENTS_HOWTO}")));
    };
    if d.incidents.is_empty() {
        return Err(not(if m.total == 0 {
            "incidents: none started in the window".to_owned()
        } else {
            format!(
                "{}: map this repository's services with `[services]` in friction.toml",
                m.summary()
            )
        }));
    }
    match ctx.value_override(id) {
        Some(v) => Err(Box::new(crate::Outcome::Measured(crate::ci::what_if(v)))),
        None => Ok(d),
    }
}

/// Hand-built incidents for the incident signals' unit tests.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;
    use crate::delivery::{Delivery, Source};
    pub(crate) use crate::dora::fixture::{fig, measure, measure_component, measured, reason};
    use friction_model::services::{MappedBy, ServicePart};

    /// An incident of `service` starting `at` seconds into the window,
    /// resolved an hour later, cited as record `id` of `incidents.csv`.
    pub fn incident(id: &str, service: &str, title: &str, key: &str, at: i64) -> Incident {
        let started = crate::dora::fixture::FROM + at;
        Incident {
            source: "csv".into(),
            id: id.into(),
            number: String::new(),
            title: title.into(),
            service: service.into(),
            service_id: service.into(),
            team: String::new(),
            urgency: String::new(),
            fingerprint: key.into(),
            started,
            acknowledged: None,
            mobilised: None,
            resolved: Some(started + 3600),
            escalations: 0,
            reopened: false,
            merged: 0,
            resolved_by_person: None,
            mapping: Some(ServiceMatch {
                by: MappedBy::Configured,
                parts: vec![ServicePart::Repository],
            }),
            cite: Cite {
                source: 0,
                record: id.parse().unwrap_or(0),
                line: None,
            },
        }
    }

    /// A year's window holding these incidents (all mapped).
    pub fn with_incidents(incidents: Vec<Incident>) -> crate::Data {
        let n = incidents.len() as u64;
        crate::dora::fixture::with(
            crate::dora::fixture::data(365, &[]),
            Delivery {
                sources: vec![Source {
                    path: "incidents.csv".into(),
                    format: "incidents-csv".into(),
                    sha256: String::new(),
                }],
                incidents,
                incident_mapping: Some(Mapping {
                    total: n,
                    configured: n,
                    ..Mapping::default()
                }),
                ..Delivery::default()
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inc(id: &str, created: i64, resolved: Option<i64>, status: &str) -> IncidentRecord {
        IncidentRecord {
            source: "csv".into(),
            id: id.into(),
            title: format!("t {id}"),
            status: status.into(),
            created_at: Some(created),
            resolved_at: resolved,
            ..IncidentRecord::default()
        }
    }

    fn version(fact: &IncidentRecord, input: i64) -> Version<'_> {
        Version {
            fact,
            input,
            cite: Cite {
                source: input as u32,
                record: 1,
                line: None,
            },
        }
    }

    fn event(id: &str, incident: &str, kind: &str, at: i64) -> IncidentEvent {
        IncidentEvent {
            source: "csv".into(),
            id: id.into(),
            incident_id: incident.into(),
            kind: kind.into(),
            at: Some(at),
            agent: String::new(),
        }
    }

    #[test]
    fn commits_name_incidents_by_id_or_by_number_after_the_word_incident() {
        let mut a = fixture::incident("INC-42", "shop", "down", "", 0);
        a.number = "7".into();
        let b = fixture::incident("12", "shop", "slow", "", 0);
        let both = [a, b];
        assert_eq!(referenced("Fix INC-42: retry the payment call", &both), [0]);
        assert_eq!(referenced("Follow-up to incident #7", &both), [0]);
        assert_eq!(
            referenced("Merge pull request #7; see INC-421", &both),
            Vec::<usize>::new()
        );
        // A bare number is not an id (it would match pull requests).
        assert_eq!(referenced("fix 12 things", &both), Vec::<usize>::new());
    }

    #[test]
    fn overlapping_exports_give_one_incident_with_the_newest_state() {
        let old = inc("A", 100, None, "acknowledged");
        let new = IncidentRecord {
            title: "renamed".into(),
            ..inc("A", 100, Some(700), "resolved")
        };
        let c = combine(&[version(&old, 1), version(&new, 2)], &[]);
        assert_eq!(c.incidents.len(), 1);
        assert_eq!(c.duplicates, 1);
        let i = &c.incidents[0];
        assert_eq!((i.title.as_str(), i.resolved), ("renamed", Some(700)));
        assert_eq!(i.cite.source, 2);
        // The same two exports read in the other order agree.
        let c2 = combine(&[version(&new, 1), version(&old, 2)], &[]);
        assert_eq!(c2.incidents[0].resolved, Some(700));
    }

    #[test]
    fn a_reopened_incident_keeps_its_first_start_and_last_resolve() {
        let first = inc("R", 1_000, Some(2_000), "resolved");
        let later = inc("R", 1_500, Some(9_000), "resolved");
        let c = combine(&[version(&first, 1), version(&later, 2)], &[]);
        let i = &c.incidents[0];
        assert_eq!(
            (i.started, i.resolved, i.reopened),
            (1_000, Some(9_000), true)
        );
        // Re-opened after its last resolution: open, never a zero duration.
        let e = [event("e1", "R", "reopen", 9_500)];
        let c = combine(
            &[version(&first, 1), version(&later, 2)],
            &e.iter().collect::<Vec<_>>(),
        );
        assert_eq!(c.incidents[0].resolved, None);
        assert_eq!(c.incidents[0].hours_to_resolve(), None);
    }

    #[test]
    fn an_open_incident_has_no_resolution_even_when_an_older_export_had_one() {
        let resolved = inc("O", 0, Some(60), "resolved");
        let reopened = IncidentRecord {
            acknowledged_at: Some(120),
            ..inc("O", 0, None, "open")
        };
        let c = combine(&[version(&resolved, 1), version(&reopened, 2)], &[]);
        assert_eq!(c.incidents[0].resolved, None);
        assert!(c.incidents[0].reopened);
    }

    #[test]
    fn merged_incidents_count_once_as_the_one_they_were_merged_into() {
        let target = inc("T", 0, Some(3_600), "resolved");
        let merged = IncidentRecord {
            merged_into: "T".into(),
            ..inc("M", 10, Some(20), "resolved")
        };
        let orphan = IncidentRecord {
            merged_into: "missing".into(),
            ..inc("X", 30, Some(40), "resolved")
        };
        let c = combine(
            &[
                version(&target, 1),
                version(&merged, 1),
                version(&orphan, 1),
            ],
            &[],
        );
        let ids: Vec<&str> = c.incidents.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["T", "X"]);
        assert_eq!((c.incidents[0].merged, c.merged), (1, 1));
    }

    #[test]
    fn the_log_gives_acknowledgement_mobilisation_and_escalations() {
        let i = inc("L", 0, Some(3_600), "resolved");
        let e = [
            event("1", "L", "trigger", 0),
            event("2", "L", "escalate", 300),
            event("3", "L", "escalate", 600),
            event("4", "L", "acknowledge", 660),
            event("5", "L", "acknowledge", 900),
            event("5", "L", "acknowledge", 900),
            event("6", "L", "resolve", 3_600),
        ];
        let c = combine(&[version(&i, 1)], &e.iter().collect::<Vec<_>>());
        let x = &c.incidents[0];
        assert_eq!(
            (x.acknowledged, x.mobilised, x.escalations),
            (Some(660), Some(900), 2)
        );
    }

    #[test]
    fn the_last_resolve_entry_says_whether_a_person_resolved_it() {
        let by = |id: &str, at: i64, agent: &str| IncidentEvent {
            agent: agent.into(),
            ..event(id, "L", "resolve", at)
        };
        let one = |events: &[IncidentEvent], status: &str, resolved: Option<i64>| {
            let i = inc("L", 0, resolved, status);
            combine(&[version(&i, 1)], &events.iter().collect::<Vec<_>>()).incidents[0]
                .resolved_by_person
        };
        // The integration resolved it first, a person after a re-open: the last counts.
        let e = [
            by("1", 600, "integration"),
            event("2", "L", "reopen", 700),
            by("3", 900, "user"),
        ];
        assert_eq!(one(&e, "resolved", Some(900)), Some(true));
        assert_eq!(one(&e[..1], "resolved", Some(600)), Some(false));
        // A resolve entry that does not say who, or an incident still open: unknown.
        assert_eq!(one(&[by("1", 600, "")], "resolved", Some(600)), None);
        assert_eq!(one(&e[..2], "triggered", None), None);
    }

    #[test]
    fn defect_fixes_to_the_services_files_inside_its_window_are_linked() {
        use crate::context::{Change, Commit, Data, File};
        use friction_model::services::{MappedBy, ServicePart};
        const FROM: i64 = crate::dora::fixture::FROM;
        let file = |path: &str, component: &str| File {
            path: path.into(),
            file_id: path.into(),
            component: component.into(),
            test: false,
            code_lines: 10,
            health: Some(5.0),
            owned: None,
        };
        let commit = |id: &str, at: i64, fix: bool| Commit {
            id: id.into(),
            time: FROM + at,
            author: "a@example.com".into(),
            fix,
            ai: false,
        };
        let change = |commit: u32, path: &str| Change {
            commit,
            file_id: path.into(),
            added: 1,
            deleted: 0,
            created: false,
            file: None,
            key: 0,
        };
        let h = 3_600;
        let data = Data::new(
            FROM,
            FROM + 30 * 24 * h,
            1,
            "salt".into(),
            vec![file("api/a.rs", "api"), file("web/b.ts", "web")],
            vec![
                commit("before", -h, true),            // before the window: no
                commit("during", 2 * h, true),         // api and web: api's file only
                commit("feature", 3 * h, false),       // not a fix: no
                commit("grace", 5 * h + 23 * h, true), // 23 h after the resolution: yes
                commit("late", 5 * h + 25 * h, true),  // 25 h after: no
                commit("web-only", 4 * h, true),       // not the service's files: no
            ],
            vec![
                change(0, "api/a.rs"),
                change(1, "api/a.rs"),
                change(1, "web/b.ts"),
                change(2, "api/a.rs"),
                change(3, "api/a.rs"),
                change(4, "api/a.rs"),
                change(5, "web/b.ts"),
            ],
            None,
            None,
            true,
        );
        let mut api = fixture::incident("PD1", "api", "API errors", "", 0);
        api.started = FROM - 2 * h;
        api.resolved = Some(FROM + 5 * h);
        api.mapping = Some(ServiceMatch {
            by: MappedBy::Configured,
            parts: vec![ServicePart::Component("api".into())],
        });
        let mut unmapped = api.clone();
        unmapped.id = "PD2".into();
        unmapped.mapping = None;
        let links = fixes_in_window(&data, &[api, unmapped]);
        let got: Vec<(&str, Option<&Vec<u32>>)> = links
            .iter()
            .map(|l| {
                (
                    data.commits[l.commit as usize].id.as_str(),
                    l.files.as_ref(),
                )
            })
            .collect();
        assert_eq!(got, [("during", Some(&vec![0])), ("grace", Some(&vec![0]))]);
        assert!(links.iter().all(|l| l.label == "csv#PD1"));
    }

    #[test]
    fn titles_lose_numbers_ids_hosts_and_timestamps() {
        assert_eq!(
            normalised_title("High CPU on web-01 (10.0.3.7) at 2024-05-01T10:00:00Z"),
            "high cpu on at"
        );
        assert_eq!(
            normalised_title("Disk full on db.internal.example.com: 97% used"),
            "disk full on used"
        );
        assert_eq!(
            normalised_title("[ALERT] Checkout 5xx rate above 2% #4521"),
            "alert checkout rate above"
        );
    }
}
