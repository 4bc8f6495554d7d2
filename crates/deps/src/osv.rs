//! Advisory records: OSV JSON (schema 1.x, as osv.dev, GitHub's advisory
//! database and RustSec's `osv` branch publish it) and RustSec's Markdown
//! files with TOML front matter.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::advisory::{Advisory, Affected, BadRange, Event, Kind, Range};
use crate::{Ecosystem, Error, cvss};

/// One record read.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// `None` for a withdrawn advisory.
    pub advisory: Option<Advisory>,
    /// Ranges left out because a version in them does not parse.
    pub bad_ranges: Vec<BadRange>,
    /// Affected packages of ecosystems friction does not read, or without a
    /// package (GIT-only records).
    pub other_packages: usize,
    /// The record's newest date (`modified`, else `published`), `YYYY-MM-DD`.
    pub date: Option<String>,
}

#[derive(Deserialize)]
struct OsvRecord {
    id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    aliases: Vec<String>,
    withdrawn: Option<String>,
    published: Option<String>,
    modified: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    severity: Vec<Severity>,
    #[serde(default, deserialize_with = "null_as_empty")]
    affected: Vec<OsvAffected>,
}

#[derive(Deserialize)]
struct Severity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct OsvAffected {
    package: Option<OsvPackage>,
    #[serde(default, deserialize_with = "null_as_empty")]
    ranges: Vec<OsvRange>,
    #[serde(default, deserialize_with = "null_as_empty")]
    versions: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    severity: Vec<Severity>,
    database_specific: Option<Value>,
}

#[derive(Deserialize)]
struct OsvPackage {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize)]
struct OsvRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    events: Vec<Map<String, Value>>,
}

/// OSV writers put `null` where an empty list is meant.
fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

fn day(date: &str) -> String {
    date.chars().take(10).collect()
}

/// The severity of CVSS entries: a v3 vector's score first, else a v4 one's.
fn severity_of(entries: &[Severity]) -> Option<f64> {
    let of = |prefix: &str| {
        entries
            .iter()
            .filter(|s| s.kind.starts_with(prefix))
            .find_map(|s| cvss::base_score(&s.score))
    };
    of("CVSS_V3").or_else(|| of("CVSS_V4"))
}

/// An OSV JSON record.
pub fn parse_osv(path: &str, bytes: &[u8]) -> Result<Record, Error> {
    let record: OsvRecord = serde_json::from_slice(bytes).map_err(|e| Error {
        path: path.to_owned(),
        line: Some(e.line()),
        message: format!("not an OSV record: {e}"),
    })?;
    let date = record
        .modified
        .as_deref()
        .or(record.published.as_deref())
        .map(day);
    if record.withdrawn.is_some() {
        return Ok(Record {
            advisory: None,
            bad_ranges: Vec::new(),
            other_packages: 0,
            date,
        });
    }
    let mut bad_ranges = Vec::new();
    let mut other_packages = 0;
    let mut affected = Vec::new();
    let mut kind = if record.id.starts_with("MAL-") {
        Kind::Malicious
    } else {
        Kind::Vulnerability
    };
    let mut severity = severity_of(&record.severity);
    for a in record.affected {
        let Some(ecosystem) = a
            .package
            .as_ref()
            .and_then(|p| Ecosystem::from_osv(&p.ecosystem))
        else {
            other_packages += 1;
            continue;
        };
        let name = a.package.map(|p| p.name).unwrap_or_default();
        if let Some(info) = a
            .database_specific
            .as_ref()
            .and_then(|d| d.get("informational"))
            .and_then(Value::as_str)
        {
            kind = informational(info).unwrap_or(kind);
        }
        severity = severity.or_else(|| severity_of(&a.severity));
        let mut ranges = Vec::new();
        for range in a.ranges {
            match range.kind.as_str() {
                // Commits, not versions: OSV enumerates the versions they
                // cover in `versions`, which is matched instead.
                "GIT" => {}
                "SEMVER" | "ECOSYSTEM" => match events(&range.events) {
                    Ok(events) => ranges.push(Range::Events(events)),
                    Err(message) => bad_ranges.push(BadRange {
                        advisory: record.id.clone(),
                        package: name.clone(),
                        message,
                    }),
                },
                other => bad_ranges.push(BadRange {
                    advisory: record.id.clone(),
                    package: name.clone(),
                    message: format!("unknown range type `{other}`"),
                }),
            }
        }
        let mut entry = Affected {
            ecosystem,
            name,
            versions: a.versions,
            ranges,
        };
        bad_ranges.extend(entry.drop_unparsable(&record.id));
        affected.push(entry);
    }
    let summary = record
        .summary
        .filter(|s| !s.trim().is_empty())
        .or_else(|| {
            record
                .details
                .map(|d| d.lines().next().unwrap_or_default().to_owned())
        })
        .unwrap_or_default();
    Ok(Record {
        advisory: (!affected.is_empty()).then(|| Advisory {
            id: record.id,
            aliases: record.aliases,
            kind,
            published: record.published.as_deref().map(day),
            summary,
            severity,
            affected,
        }),
        bad_ranges,
        other_packages,
        date,
    })
}

fn informational(info: &str) -> Option<Kind> {
    match info {
        "unmaintained" => Some(Kind::Unmaintained),
        "unsound" => Some(Kind::Unsound),
        "notice" => Some(Kind::Notice),
        _ => None,
    }
}

fn events(events: &[Map<String, Value>]) -> Result<Vec<Event>, String> {
    events
        .iter()
        .map(|e| {
            let (name, value) = e.iter().next().ok_or("an empty range event")?;
            let value = value
                .as_str()
                .ok_or_else(|| format!("event `{name}` is not a string"))?
                .to_owned();
            Ok(match name.as_str() {
                "introduced" => Event::Introduced(value),
                "fixed" => Event::Fixed(value),
                "last_affected" => Event::LastAffected(value),
                "limit" => Event::Limit(value),
                other => return Err(format!("unknown range event `{other}`")),
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct Front {
    advisory: RustsecAdvisory,
    #[serde(default)]
    versions: RustsecVersions,
}

#[derive(Deserialize)]
struct RustsecAdvisory {
    id: String,
    package: String,
    date: String,
    #[serde(default)]
    aliases: Vec<String>,
    informational: Option<String>,
    cvss: Option<String>,
    withdrawn: Option<String>,
}

#[derive(Deserialize, Default)]
struct RustsecVersions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

/// A RustSec advisory file (`crates/<crate>/RUSTSEC-YYYY-NNNN.md`): TOML front
/// matter in a ```` ```toml ```` fence, then the Markdown whose first heading
/// is the title.
pub fn parse_rustsec(path: &str, bytes: &[u8]) -> Result<Record, Error> {
    let fail = |line: Option<usize>, message: String| Error {
        path: path.to_owned(),
        line,
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|_| fail(None, "not UTF-8 text".into()))?;
    let body = text
        .trim_start()
        .strip_prefix("```toml")
        .ok_or_else(|| fail(Some(1), "no ```toml front matter".into()))?;
    let end = body
        .find("\n```")
        .ok_or_else(|| fail(None, "the ```toml front matter is not closed".into()))?;
    let front: Front = toml::from_str(&body[..end]).map_err(|e| {
        let line = e
            .span()
            .map(|s| crate::text::line_of_offset(body.as_bytes(), s.start));
        fail(line, format!("malformed front matter: {}", e.message()))
    })?;
    let a = front.advisory;
    let date = Some(day(a.withdrawn.as_deref().unwrap_or(&a.date)));
    if a.withdrawn.is_some() {
        return Ok(Record {
            advisory: None,
            bad_ranges: Vec::new(),
            other_packages: 0,
            date,
        });
    }
    let title = body[end + 4..]
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or_default()
        .trim()
        .to_owned();
    let mut affected = Affected {
        ecosystem: Ecosystem::CratesIo,
        name: a.package,
        versions: Vec::new(),
        ranges: vec![Range::Requirements {
            patched: front.versions.patched,
            unaffected: front.versions.unaffected,
        }],
    };
    let bad_ranges = affected.drop_unparsable(&a.id);
    Ok(Record {
        advisory: Some(Advisory {
            kind: a
                .informational
                .as_deref()
                .and_then(informational)
                .unwrap_or(Kind::Vulnerability),
            published: Some(day(&a.date)),
            id: a.id,
            aliases: a.aliases,
            summary: title,
            severity: a.cvss.as_deref().and_then(cvss::base_score),
            affected: vec![affected],
        }),
        bad_ranges,
        other_packages: 0,
        date,
    })
}
