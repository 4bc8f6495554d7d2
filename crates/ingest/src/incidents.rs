//! Incidents: PagerDuty (REST incident lists, single incidents, log entries,
//! incidents with embedded `log_entries` as DevLake captures them) and
//! Opsgenie (v1 incident lists and single incidents). Statuses and urgencies
//! are kept as written; times are read as RFC 3339.
//!
//! From an incident's log the extractor keeps every entry as an
//! [`IncidentEvent`] and reads the incident's first acknowledgement, its
//! resolution and its escalations from them when the incident object does
//! not say (PagerDuty lists only the current acknowledgements).

use friction_model::inputs::{Incident, IncidentEvent, InputRecord};
use serde_json::Value;

use crate::json::{id, keys, text, text_at, time};

/// The records of one PagerDuty object: an incident, a page of incidents
/// (`incidents`), a single-incident response (`incident`), a page of log
/// entries (`log_entries`) or one log entry.
pub(crate) fn pagerduty(item: &Value) -> Result<Vec<InputRecord>, String> {
    if let Some(items) = item.get("incidents").and_then(Value::as_array) {
        let mut out = Vec::new();
        for i in items {
            out.extend(pagerduty_incident(i)?);
        }
        return Ok(out);
    }
    if let Some(i) = item.get("incident").filter(|v| v.is_object()) {
        return pagerduty_incident(i);
    }
    if let Some(entries) = item.get("log_entries").and_then(Value::as_array)
        && item.get("incident_number").is_none()
    {
        return entries
            .iter()
            .map(|e| pagerduty_entry(e, "").map(InputRecord::IncidentEvent))
            .collect();
    }
    if item.get("incident_number").is_some() || item.get("incident_key").is_some() {
        return pagerduty_incident(item);
    }
    if text(item, "type").ends_with("_log_entry") {
        return Ok(vec![InputRecord::IncidentEvent(pagerduty_entry(item, "")?)]);
    }
    Err(format!(
        "not a PagerDuty incident, page of incidents or log entry (keys: {})",
        keys(item)
    ))
}

fn pagerduty_entry(e: &Value, incident: &str) -> Result<IncidentEvent, String> {
    let kind = text(e, "type");
    let kind = kind.strip_suffix("_log_entry").unwrap_or(&kind).to_owned();
    let incident_id = match text_at(e, &["incident", "id"]) {
        s if s.is_empty() => incident.to_owned(),
        s => s,
    };
    if incident_id.is_empty() {
        return Err("a log entry that names no incident".into());
    }
    Ok(IncidentEvent {
        source: "pagerduty".into(),
        id: id(e, "a log entry")?,
        incident_id,
        kind,
        at: time(e, "created_at")?,
        agent: text_at(e, &["agent", "type"])
            .trim_end_matches("_reference")
            .to_owned(),
    })
}

fn pagerduty_incident(i: &Value) -> Result<Vec<InputRecord>, String> {
    let incident_id = id(i, "an incident")?;
    let created_at = time(i, "created_at")?;
    let mut events = Vec::new();
    if let Some(entries) = i.get("log_entries").and_then(Value::as_array) {
        for e in entries {
            events.push(pagerduty_entry(e, &incident_id)?);
        }
    }
    let first = |kind: &str| {
        events
            .iter()
            .filter(|e| e.kind == kind)
            .filter_map(|e| e.at)
            .min()
    };
    let mut acknowledged_at = first("acknowledge");
    if let Some(acks) = i.get("acknowledgements").and_then(Value::as_array) {
        for a in acks {
            if let Some(t) = time(a, "at")? {
                acknowledged_at = Some(acknowledged_at.map_or(t, |x| x.min(t)));
            }
        }
    }
    let status = text(i, "status");
    // The last resolution counts (an incident can be re-opened).
    let resolved_at = match time(i, "resolved_at")? {
        Some(t) => Some(t),
        None => events
            .iter()
            .filter(|e| e.kind == "resolve")
            .filter_map(|e| e.at)
            .max()
            .or(if status == "resolved" {
                time(i, "last_status_change_at")?
            } else {
                None
            }),
    };
    if let (Some(c), Some(r)) = (created_at, resolved_at)
        && r < c
    {
        return Err(format!(
            "incident {incident_id} resolved before it was created"
        ));
    }
    let escalations = events.iter().filter(|e| e.kind == "escalate").count() as u32;
    let team = i
        .get("teams")
        .and_then(Value::as_array)
        .and_then(|t| t.first())
        .map(|t| text(t, "summary"))
        .unwrap_or_default();
    let urgency = match text_at(i, &["priority", "summary"]) {
        p if !p.is_empty() => p,
        _ => text(i, "urgency"),
    };
    let mut out = vec![InputRecord::Incident(Incident {
        source: "pagerduty".into(),
        id: incident_id,
        number: text(i, "incident_number"),
        title: match text(i, "title") {
            t if t.is_empty() => text(i, "summary"),
            t => t,
        },
        status,
        urgency,
        service_id: text_at(i, &["service", "id"]),
        service: text_at(i, &["service", "summary"]),
        team,
        key: text(i, "incident_key"),
        created_at,
        acknowledged_at,
        resolved_at,
        escalations,
        url: text(i, "html_url"),
        merged_into: match i.get("resolve_reason") {
            Some(r) if text(r, "type") == "merge_resolve_reason" => text_at(r, &["incident", "id"]),
            _ => String::new(),
        },
    })];
    out.extend(events.into_iter().map(InputRecord::IncidentEvent));
    Ok(out)
}

/// The records of one Opsgenie object: an incident, a page (`data` array) or
/// a single-incident response (`data` object).
pub(crate) fn opsgenie(item: &Value) -> Result<Vec<InputRecord>, String> {
    match item.get("data") {
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for i in items {
                out.push(opsgenie_incident(i)?);
            }
            Ok(out)
        }
        Some(i @ Value::Object(_)) => Ok(vec![opsgenie_incident(i)?]),
        _ if item.get("impactedServices").is_some() || item.get("tinyId").is_some() => {
            Ok(vec![opsgenie_incident(item)?])
        }
        _ => Err(format!(
            "not an Opsgenie incident or page of incidents (keys: {})",
            keys(item)
        )),
    }
}

fn opsgenie_incident(i: &Value) -> Result<InputRecord, String> {
    let incident_id = id(i, "an incident")?;
    let created_at = time(i, "createdAt")?;
    let status = text(i, "status");
    // Opsgenie's impact end is when service was restored; a closed or
    // resolved incident without one is dated by its last update.
    let resolved_at = match time(i, "impactEndDate")? {
        Some(t) => Some(t),
        None if matches!(status.as_str(), "resolved" | "closed") => time(i, "updatedAt")?,
        None => None,
    };
    if let (Some(c), Some(r)) = (created_at, resolved_at)
        && r < c
    {
        return Err(format!(
            "incident {incident_id} resolved before it was created"
        ));
    }
    let service_id = i
        .get("impactedServices")
        .and_then(Value::as_array)
        .and_then(|s| s.first())
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Ok(InputRecord::Incident(Incident {
        source: "opsgenie".into(),
        id: incident_id,
        number: text(i, "tinyId"),
        title: text(i, "message"),
        status,
        urgency: text(i, "priority"),
        service: service_id.clone(),
        service_id,
        team: text(i, "ownerTeam"),
        key: String::new(),
        // The impact start, when given, is when the incident began for users.
        created_at: time(i, "impactStartDate")?.or(created_at),
        acknowledged_at: None,
        resolved_at,
        escalations: 0,
        url: text_at(i, &["links", "web"]),
        merged_into: String::new(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str) -> Value {
        let p = format!(
            "{}/tests/fixtures/incidents/{path}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    #[test]
    fn a_resolved_pagerduty_incident_reads_its_log() {
        let Ok(records) = pagerduty(&read("pagerduty/incident-resolved-with-log-entries.json"))
        else {
            panic!()
        };
        let InputRecord::Incident(i) = &records[0] else {
            panic!()
        };
        assert_eq!(i.number, "6");
        assert_eq!(i.status, "resolved");
        assert_eq!(i.service, "DevService");
        // 06:45:36 created, acknowledged 06:45:46, resolved 06:51:44 (log entries).
        assert_eq!(
            i.acknowledged_at.zip(i.created_at).map(|(a, c)| a - c),
            Some(10)
        );
        assert_eq!(
            i.resolved_at.zip(i.created_at).map(|(r, c)| r - c),
            Some(368)
        );
        assert_eq!(records.len(), 1 + 8);
        // Who made each entry: Keon Amini (a user) resolved it, the service
        // assigned it, and the e-mail notifications name no agent.
        let agent = |kind: &str| -> Vec<&str> {
            records
                .iter()
                .filter_map(|r| match r {
                    InputRecord::IncidentEvent(e) if e.kind == kind => Some(e.agent.as_str()),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(agent("resolve"), ["user"]);
        assert_eq!(agent("assign"), ["service", "service"]);
        assert_eq!(agent("notify"), ["", ""]);
    }

    #[test]
    fn an_opsgenie_incident_is_dated_by_its_impact() {
        let Ok(records) = opsgenie(&read("opsgenie/incident-resolved-P5.json")) else {
            panic!()
        };
        let [InputRecord::Incident(i)] = records.as_slice() else {
            panic!()
        };
        assert_eq!((i.status.as_str(), i.urgency.as_str()), ("resolved", "P5"));
        assert!(i.resolved_at.is_some() && i.created_at <= i.resolved_at);
        assert_eq!(i.team, "");
    }

    #[test]
    fn a_pagerduty_incident_merged_into_another_names_it() {
        let merged = serde_json::json!({"id": "PX", "incident_number": 7, "status": "resolved",
            "created_at": "2024-01-01T00:00:00Z", "resolved_at": "2024-01-01T00:10:00Z",
            "resolve_reason": {"type": "merge_resolve_reason",
                "incident": {"id": "PY", "type": "incident_reference"}}});
        let Ok(records) = pagerduty(&merged) else {
            panic!()
        };
        let [InputRecord::Incident(i)] = records.as_slice() else {
            panic!()
        };
        assert_eq!(i.merged_into, "PY");
    }

    #[test]
    fn an_incident_resolved_before_it_began_is_refused() {
        let bad = serde_json::json!({"id": "X", "incident_number": 1, "status": "resolved",
            "created_at": "2024-01-02T00:00:00Z", "resolved_at": "2024-01-01T00:00:00Z"});
        assert!(
            pagerduty(&bad)
                .unwrap_err()
                .contains("resolved before it was created")
        );
    }
}
