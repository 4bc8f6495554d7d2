//! Work-item CSVs, one reader for three dialects told apart by their header:
//! Jira's CSV export (`Issue key`, `Summary`, `Status`; repeated `Labels`
//! and `Component/s` columns are joined), Linear's CSV export (`ID`, `Team`,
//! `Title`, `Status`, `Created`, `Completed`; its `Started`, `Completed` and
//! `Canceled` times become status changes), and the generic work-item CSV
//! documented in the README (also DevLake's `customize` issue import), or
//! its changelog companion (`key`, `field`, `from`, `to`, `at`).
//!
//! The delimiter is sniffed from the header (`,`, `;`, tab or `|`); a UTF-8
//! byte-order mark is skipped and a cell that is not UTF-8 is read as
//! Latin-1; a UTF-16 file is refused. Column names are case-insensitive,
//! unknown columns are ignored, and the literal `NULL` is an empty cell.

use std::io::BufRead;

use friction_model::inputs::{InputRecord, Position, WorkItem, WorkItemChange};

use crate::workitems::categorise;
use crate::{Error, Sink};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Jira,
    Linear,
    Items,
    Changes,
}

impl Dialect {
    fn source(self) -> &'static str {
        match self {
            Dialect::Jira => "jira",
            Dialect::Linear => "linear",
            Dialect::Items | Dialect::Changes => "csv",
        }
    }
}

/// Header names of each field, most specific first.
const KEY: [&str; 4] = ["issue key", "issue_key", "key", "id"];
const CHANGE_ITEM: [&str; 4] = ["issue_key", "key", "issue_id", "item"];
const TITLE: [&str; 2] = ["summary", "title"];
const KIND: [&str; 4] = ["issue type", "issue_type", "type", "original_type"];
const STATUS: [&str; 2] = ["status", "original_status"];
const CATEGORY: [&str; 2] = ["status category", "status_category"];
const CREATED: [&str; 3] = ["created", "created_at", "created_date"];
const UPDATED: [&str; 3] = ["updated", "updated_at", "updated_date"];
const RESOLVED: [&str; 4] = ["resolved", "resolved_at", "resolution_date", "completed"];
const PARENT: [&str; 5] = [
    "parent",
    "parent issue",
    "parent id",
    "epic_key",
    "custom field (epic link)",
];
const TEAM: [&str; 2] = ["team", "custom field (team)"];
const PROJECT: [&str; 2] = ["project key", "project"];
const COMPONENTS: [&str; 3] = ["component/s", "components", "component"];

fn sniff_delimiter(line: &str) -> u8 {
    let mut counts = [0usize; 4];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            '|' if !quoted => counts[3] += 1,
            _ => {}
        }
    }
    let best = (0..4).max_by_key(|&i| (counts[i], 4 - i)).unwrap_or(0);
    [b',', b';', b'\t', b'|'][best]
}

fn names(line: &str, delimiter: u8) -> Vec<String> {
    line.trim_start_matches('\u{feff}')
        .split(char::from(delimiter))
        .map(|c| c.trim().trim_matches('"').trim().to_lowercase())
        .collect()
}

fn dialect(header: &[String]) -> Option<Dialect> {
    let has = |c: &str| header.iter().any(|h| h == c);
    let any = |cs: &[&str]| cs.iter().any(|c| has(c));
    if has("issue key") && has("summary") && has("status") {
        Some(Dialect::Jira)
    } else if has("id") && has("team") && has("title") && has("status") && has("completed") {
        Some(Dialect::Linear)
    } else if any(&CHANGE_ITEM)
        && any(&["field", "field_name"])
        && any(&["to", "original_to_value"])
        && any(&["at", "created_at", "created_date"])
    {
        Some(Dialect::Changes)
    } else if any(&["issue_key", "key"]) && has("title") && any(&STATUS) {
        Some(Dialect::Items)
    } else {
        None
    }
}

/// Whether a first line is the header of a work-item CSV.
pub(crate) fn is_header(first_line: &str) -> bool {
    dialect(&names(first_line, sniff_delimiter(first_line))).is_some()
}

/// A cell as text: UTF-8, else Latin-1 (each byte its code point).
fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// A time as work-item exports write it: RFC 3339 or a zoneless civil time
/// (read as UTC), Jira's `27/Jan/22 7:20 AM`, or JavaScript's
/// `Tue May 02 2023 13:00:46 GMT+0000 (…)` (Linear).
fn parse_time(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Some(t) = crate::time::parse(text) {
        return Some(t);
    }
    for format in [
        "%d/%b/%y %I:%M %p",
        "%d/%b/%Y %I:%M %p",
        "%Y-%m-%d %H:%M",
        "%d/%b/%y %H:%M",
    ] {
        if let Ok(dt) = jiff::civil::DateTime::strptime(format, text) {
            return dt
                .to_zoned(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| z.timestamp().as_second());
        }
    }
    let js = text.split(" (").next().unwrap_or(text);
    jiff::Timestamp::strptime("%a %b %d %Y %H:%M:%S GMT%z", js)
        .ok()
        .map(|t| t.as_second())
}

pub(crate) fn extract(reader: &mut dyn BufRead, sink: &mut Sink<'_>) -> Result<(), Error> {
    let head = reader.fill_buf()?;
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err(Error::whole(
            "the file is UTF-16: save it as UTF-8 (or Latin-1) and ingest it again",
        ));
    }
    let first_line = decode(head.split(|&b| b == b'\n').next().unwrap_or(b""));
    let delimiter = sniff_delimiter(&first_line);
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(reader);
    let header: Vec<String> = csv
        .byte_headers()
        .map_err(|e| Error::whole(format!("not a work-item CSV: {e}")))?
        .iter()
        .map(|h| {
            decode(h)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_lowercase()
        })
        .collect();
    let Some(dialect) = dialect(&header) else {
        return Err(Error::whole(format!(
            "not a work-item CSV: the header `{}` is neither Jira's nor Linear's export, nor has the generic CSV's `key`, `title` and `status` (or a changelog's `key`, `field`, `to` and `at`)",
            header.join(",")
        )));
    };
    let col = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| header.iter().position(|h| h == n))
    };
    let all = |names: &[&str]| -> Vec<usize> {
        (0..header.len())
            .filter(|&i| names.contains(&header[i].as_str()))
            .collect()
    };
    let columns = Columns {
        key: match dialect {
            Dialect::Changes => col(&CHANGE_ITEM),
            Dialect::Linear => col(&["id"]),
            _ => col(&KEY),
        },
        id: match dialect {
            Dialect::Jira => col(&["issue id"]),
            _ => col(&["id"]),
        },
        title: col(&TITLE),
        kind: col(&KIND),
        status: col(&STATUS),
        category: col(&CATEGORY),
        resolution: col(&["resolution"]),
        labels: all(&["labels", "label"]),
        project: col(&PROJECT),
        components: all(&COMPONENTS),
        team: col(&TEAM),
        parent: col(&PARENT),
        created: col(&CREATED),
        updated: col(&UPDATED),
        resolved: col(&RESOLVED),
        started: col(&["started"]),
        canceled: col(&["canceled", "cancelled"]),
        url: col(&["url"]),
        field: col(&["field", "field_name"]),
        from: col(&["from", "original_from_value"]),
        to: col(&["to", "original_to_value"]),
        at: col(&["at", "created_at", "created_date"]),
    };
    let mut row = csv::ByteRecord::new();
    let mut ordinal = 0u64;
    loop {
        let read = csv
            .read_byte_record(&mut row)
            .map_err(|e| crate::csv_error(&e, ordinal))?;
        if !read {
            return Ok(());
        }
        let position = Position {
            record: ordinal + 1,
            line: row.position().map(|p| p.line()),
        };
        ordinal = position.record;
        if row.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        for record in columns.records(dialect, &row, position)? {
            sink(record, position)?;
        }
    }
}

struct Columns {
    key: Option<usize>,
    id: Option<usize>,
    title: Option<usize>,
    kind: Option<usize>,
    status: Option<usize>,
    category: Option<usize>,
    resolution: Option<usize>,
    labels: Vec<usize>,
    project: Option<usize>,
    components: Vec<usize>,
    team: Option<usize>,
    parent: Option<usize>,
    created: Option<usize>,
    updated: Option<usize>,
    resolved: Option<usize>,
    started: Option<usize>,
    canceled: Option<usize>,
    url: Option<usize>,
    field: Option<usize>,
    from: Option<usize>,
    to: Option<usize>,
    at: Option<usize>,
}

impl Columns {
    fn records(
        &self,
        dialect: Dialect,
        row: &csv::ByteRecord,
        position: Position,
    ) -> Result<Vec<InputRecord>, Error> {
        let cell = |c: Option<usize>| -> String {
            let v = c.and_then(|c| row.get(c)).map(decode).unwrap_or_default();
            let v = v.trim();
            if v == "NULL" {
                String::new()
            } else {
                v.to_owned()
            }
        };
        let joined = |cs: &[usize]| -> String {
            cs.iter()
                .flat_map(|&c| {
                    cell(Some(c))
                        .split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        let at = |c: Option<usize>, name: &str| -> Result<Option<i64>, Error> {
            let v = cell(c);
            if v.is_empty() {
                return Ok(None);
            }
            parse_time(&v)
                .map(Some)
                .ok_or_else(|| Error::at(position, format!("`{name}` is not a time: {v:?}")))
        };
        let key = cell(self.key);
        if key.is_empty() {
            return Err(Error::at(position, "a work item without a key"));
        }
        let source = dialect.source().to_owned();
        if dialect == Dialect::Changes {
            let field = cell(self.field).to_lowercase();
            return Ok(vec![InputRecord::WorkItemChange(WorkItemChange {
                source,
                scope: String::new(),
                key,
                id: match cell(self.id) {
                    id if id.is_empty() => format!("row {}", position.record),
                    id => id,
                },
                field,
                from: cell(self.from),
                to: cell(self.to),
                at: at(self.at, "at")?,
            })]);
        }
        let mut item = WorkItem {
            source: source.clone(),
            scope: String::new(),
            key: key.clone(),
            id: cell(self.id),
            title: cell(self.title),
            kind: cell(self.kind),
            status: cell(self.status),
            resolution: cell(self.resolution),
            labels: joined(&self.labels),
            project: cell(self.project),
            components: joined(&self.components),
            team: cell(self.team),
            parent: cell(self.parent),
            created_at: at(self.created, "created")?,
            updated_at: at(self.updated, "updated")?,
            resolved_at: at(self.resolved, "resolved")?,
            url: cell(self.url),
            ..WorkItem::default()
        };
        let started = at(self.started, "started")?;
        let canceled = at(self.canceled, "canceled")?;
        let mut changes = Vec::new();
        if dialect == Dialect::Linear {
            // Linear's export has no changelog: its milestones are one.
            for (id, when) in [
                ("started", started),
                ("completed", item.resolved_at),
                ("canceled", canceled),
            ] {
                if when.is_some() {
                    changes.push(WorkItemChange {
                        source: source.clone(),
                        scope: String::new(),
                        key: key.clone(),
                        id: id.into(),
                        field: "status".into(),
                        from: String::new(),
                        to: id.into(),
                        at: when,
                    });
                }
            }
            if canceled.is_some() {
                item.resolution = "Canceled".into();
                item.resolved_at = item.resolved_at.or(canceled);
            }
        }
        let given = match (cell(self.category), dialect) {
            (c, _) if !c.is_empty() => c,
            (_, Dialect::Linear) if item.resolved_at.is_some() => "done".into(),
            (_, Dialect::Linear) if started.is_some() => "indeterminate".into(),
            _ => String::new(),
        };
        categorise(&mut item, &given);
        changes.sort_by_key(|c| c.at);
        let mut out = vec![InputRecord::WorkItem(item)];
        out.extend(changes.into_iter().map(InputRecord::WorkItemChange));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<Vec<InputRecord>, String> {
        let mut out = Vec::new();
        extract(&mut &bytes[..], &mut |r, _| {
            out.push(r);
            Ok(())
        })
        .map_err(|e| e.to_string())?;
        Ok(out)
    }

    fn items(records: &[InputRecord]) -> Vec<&WorkItem> {
        records
            .iter()
            .filter_map(|r| match r {
                InputRecord::WorkItem(i) => Some(i),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_delimiter_is_sniffed_and_latin1_cells_are_read() {
        let text = b"\xEF\xBB\xBFkey;title;status;labels\nP-1;Caf\xE9 menu;In Progress;a,b\nP-2;x;Termin\xE9;\n";
        let records = read(text).unwrap();
        let items = items(&records);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].title, "Café menu");
        assert_eq!(items[0].labels, "a,b");
        assert_eq!(items[0].category, "indeterminate");
        assert!(items[0].inferred);
        // An unknown status name has no category: counted as unknown, not guessed.
        assert_eq!(items[1].category, "");
        let tab = b"key\ttitle\tstatus\nP-1\tx\tDone\n";
        assert_eq!(items_of(tab), ["P-1"]);
    }

    fn items_of(bytes: &[u8]) -> Vec<String> {
        items(&read(bytes).unwrap())
            .iter()
            .map(|i| i.key.clone())
            .collect()
    }

    #[test]
    fn utf16_and_unknown_headers_are_refused_clearly() {
        let err = read(b"\xFF\xFEk\0e\0y\0").unwrap_err();
        assert!(err.contains("UTF-16"), "{err}");
        let err = read(b"name,value\n1,2\n").unwrap_err();
        assert!(err.contains("not a work-item CSV"), "{err}");
        let err = read(b"key,title,status,created\nP-1,x,Done,someday\n").unwrap_err();
        assert!(
            err.starts_with("record 1 (line 2): `created` is not a time"),
            "{err}"
        );
    }

    #[test]
    fn linear_milestones_become_status_changes() {
        let text = "ID,Team,Title,Status,Created,Updated,Started,Completed,Canceled,Labels\n\
            ENG-1,Core,Fix login,Done,2024-01-01T00:00:00.000Z,2024-01-05T00:00:00.000Z,2024-01-02T00:00:00.000Z,2024-01-04T00:00:00.000Z,,\"bug, auth\"\n\
            ENG-2,Core,Drop it,Canceled,Tue Jan 02 2024 10:00:00 GMT+0000 (Coordinated Universal Time),,,,2024-01-03T00:00:00.000Z,\n";
        let records = read(text.as_bytes()).unwrap();
        let items = items(&records);
        assert_eq!(items.len(), 2);
        assert_eq!(
            (items[0].source.as_str(), items[0].team.as_str()),
            ("linear", "Core")
        );
        assert_eq!(items[0].labels, "bug,auth");
        assert_eq!(items[1].resolution, "Canceled");
        assert_eq!(items[1].created_at, Some(1_704_189_600));
        let changes = records
            .iter()
            .filter(|r| matches!(r, InputRecord::WorkItemChange(_)))
            .count();
        assert_eq!(changes, 3);
    }

    #[test]
    fn jira_dates_and_repeated_columns_are_read() {
        let text = "Summary,Issue key,Issue id,Issue Type,Status,Labels,Labels,Created\nX,P-1,10,Bug,Closed,a,b,27/Jan/22 7:20 AM\n";
        let records = read(text.as_bytes()).unwrap();
        let item = items(&records)[0];
        assert_eq!(item.labels, "a,b");
        assert_eq!(item.created_at, Some(1_643_268_000));
        assert_eq!(item.category, "done");
    }
}
