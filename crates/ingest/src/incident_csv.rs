//! A generic incident CSV, for tools without a reader of their own
//! (incident.io, FireHydrant, ServiceNow, a spreadsheet): a header row, then
//! one incident per row. Columns (case-insensitive, any order; unknown
//! columns are ignored):
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `id` | yes | the incident's id in its tool (the de-duplication key) |
//! | `title` | yes | its title or summary |
//! | `created_at` | yes | when it began (RFC 3339; no zone reads as UTC) |
//! | `status` | | one of [`STATUSES`] (case and `_`/`-`/space ignored); a row with another status is a counted, reported skip |
//! | `severity` (or `priority`, `urgency`) | | as written |
//! | `service`, `team` | | names |
//! | `acknowledged_at`, `resolved_at` | | RFC 3339 |
//! | `fingerprint` (or `key`) | | the alert's de-duplication key |
//! | `escalations` | | a count |
//! | `url` | | a link to it |
//! | `merged_into` | | the id of the incident this one was merged into |

use std::io::BufRead;

use friction_model::inputs::{Incident, InputRecord};

use crate::{Error, Sink};

/// The statuses an incident row may have: PagerDuty's and Opsgenie's,
/// incident.io's, FireHydrant's milestones and ServiceNow's states, lower
/// case with `_`, `-` and spaces as one space. A status outside them could
/// mean open or closed; guessing would move recovery time, so the row is
/// skipped and reported instead.
pub const STATUSES: [&str; 26] = [
    "triggered",
    "open",
    "new",
    "acknowledged",
    "triage",
    "started",
    "detected",
    "investigating",
    "identified",
    "fixing",
    "in progress",
    "on hold",
    "paused",
    "monitoring",
    "mitigated",
    "resolved",
    "closed",
    "declined",
    "canceled",
    "cancelled",
    "merged",
    "learning",
    "documenting",
    "postmortem started",
    "postmortem completed",
    "retrospective",
];

/// Whether `status` (as written) is one of [`STATUSES`]; empty is known
/// (the times then decide).
fn known_status(status: &str) -> bool {
    let words: Vec<&str> = status
        .split(|c: char| c == '_' || c == '-' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    words.is_empty() || STATUSES.contains(&words.join(" ").to_ascii_lowercase().as_str())
}

/// The header names that make a CSV an incident export.
pub(crate) fn is_header(first_line: &str) -> bool {
    let cols: Vec<String> = first_line
        .trim_start_matches('\u{feff}')
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let has = |c: &str| cols.iter().any(|x| x == c);
    has("id") && has("title") && has("created_at") && (has("resolved_at") || has("status"))
}

pub(crate) fn extract(reader: &mut dyn BufRead, sink: &mut Sink<'_>) -> Result<(), Error> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(reader);
    let header: Vec<String> = csv
        .headers()
        .map_err(|e| Error::whole(format!("not an incident CSV: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect();
    let col = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| header.iter().position(|h| h == n))
    };
    let (Some(id), Some(title), Some(created)) =
        (col(&["id"]), col(&["title"]), col(&["created_at"]))
    else {
        return Err(Error::whole(format!(
            "not an incident CSV: the header `{}` lacks `id`, `title` or `created_at`",
            header.join(",")
        )));
    };
    let status = col(&["status"]);
    let severity = col(&["severity", "priority", "urgency"]);
    let service = col(&["service"]);
    let team = col(&["team"]);
    let acked = col(&["acknowledged_at"]);
    let resolved = col(&["resolved_at"]);
    let key = col(&["fingerprint", "key"]);
    let escalations = col(&["escalations"]);
    let url = col(&["url"]);
    let merged_into = col(&["merged_into"]);
    let mut row = csv::StringRecord::new();
    let mut ordinal = 0u64;
    while let Some(position) = crate::next_csv_row(&mut csv, &mut row, ordinal)? {
        ordinal = position.record;
        let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("").trim().to_owned();
        let at = |c: Option<usize>, name: &str| -> Result<Option<i64>, Error> {
            let v = cell(c);
            if v.is_empty() {
                return Ok(None);
            }
            crate::time::parse(&v)
                .map(Some)
                .ok_or_else(|| Error::at(position, format!("`{name}` is not a time: {v:?}")))
        };
        let incident_id = cell(Some(id));
        if incident_id.is_empty() {
            return Err(Error::at(position, "an incident without an `id`"));
        }
        let created_at = at(Some(created), "created_at")?;
        if created_at.is_none() {
            return Err(Error::at(position, "an incident without `created_at`"));
        }
        let status_text = cell(status);
        if !known_status(&status_text) {
            sink(
                InputRecord::Skipped(format!(
                    "incident {incident_id}: unknown status {status_text:?} (see the incident CSV's status table)"
                )),
                position,
            )?;
            continue;
        }
        let resolved_at = at(resolved, "resolved_at")?;
        if resolved_at.is_some_and(|r| Some(r) < created_at) {
            return Err(Error::at(position, "resolved before it was created"));
        }
        let escalations = match cell(escalations) {
            e if e.is_empty() => 0,
            e => e
                .parse()
                .map_err(|_| Error::at(position, format!("`escalations` is not a count: {e:?}")))?,
        };
        sink(
            InputRecord::Incident(Incident {
                source: "csv".into(),
                id: incident_id,
                number: String::new(),
                title: cell(Some(title)),
                status: status_text,
                urgency: cell(severity),
                service_id: cell(service),
                service: cell(service),
                team: cell(team),
                key: cell(key),
                created_at,
                acknowledged_at: at(acked, "acknowledged_at")?,
                resolved_at,
                escalations,
                url: cell(url),
                merged_into: cell(merged_into),
            }),
            position,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<InputRecord>, String> {
        crate::read_all(crate::Format::IncidentsCsv, text)
    }

    #[test]
    fn columns_are_found_by_name_in_any_order() {
        let text = "Severity,ID,Title,Created_At,Resolved_At,Service\n\
                    SEV2,INC-1,Checkout down,2024-03-01T10:00:00Z,2024-03-01T11:30:00+01:00,checkout\n\
                    SEV3,INC-2,Slow search,2024-03-02T10:00:00Z,,search\n";
        assert!(is_header(text.lines().next().unwrap()));
        let records = read(text).unwrap();
        let InputRecord::Incident(i) = &records[0] else {
            panic!()
        };
        assert_eq!((i.id.as_str(), i.urgency.as_str()), ("INC-1", "SEV2"));
        // 11:30+01:00 is 10:30Z: half an hour.
        assert_eq!(
            i.resolved_at.zip(i.created_at).map(|(r, c)| r - c),
            Some(1800)
        );
        assert_eq!(records.len(), 2);
    }

    #[test]
    fn missing_times_and_ends_before_starts_are_refused_by_record() {
        let head = "id,title,created_at,resolved_at\n";
        let e = read(&format!("{head}1,a,2024-01-01T00:00:00Z,\n2,b,,\n")).unwrap_err();
        assert!(
            e.starts_with("record 2 (line 3): an incident without `created_at`"),
            "{e}"
        );
        let e = read(&format!(
            "{head}1,a,2024-01-02T00:00:00Z,2024-01-01T00:00:00Z\n"
        ))
        .unwrap_err();
        assert!(e.contains("resolved before it was created"), "{e}");
        let e = read(&format!("{head}1,a,yesterday,\n")).unwrap_err();
        assert!(e.contains("`created_at` is not a time"), "{e}");
    }

    #[test]
    fn unknown_statuses_are_counted_skips_and_known_ones_read_in_any_spelling() {
        let text = "id,title,created_at,status\n\
                    1,a,2024-01-01T00:00:00Z,Postmortem_Started\n\
                    2,b,2024-01-01T00:00:00Z,borked\n\
                    3,c,2024-01-01T00:00:00Z,IN-PROGRESS\n\
                    4,d,2024-01-01T00:00:00Z,\n";
        let records = read(text).unwrap();
        let skipped: Vec<&str> = records
            .iter()
            .filter_map(|r| match r {
                InputRecord::Skipped(w) => Some(w.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            skipped,
            ["incident 2: unknown status \"borked\" (see the incident CSV's status table)"]
        );
        assert_eq!(records.len(), 4);
    }
}
