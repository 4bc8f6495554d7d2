//! `friction advisories import PATH`: an offline advisory database into the
//! store. PATH is a directory of OSV JSON records (any depth; `.zip` files in
//! it are read too), OSV's per-ecosystem `all.zip`, or a checkout of RustSec's
//! advisory-db (`crates/<crate>/RUSTSEC-*.md`). Nothing is fetched.
//!
//! Withdrawn advisories are counted and left out; a range whose versions do
//! not parse is counted, reported and left out, the rest of its advisory
//! used; a record that is not an advisory is counted and reported. An
//! archive with an entry that escapes it (`../`, an absolute path) or that
//! inflates beyond the caps below is refused whole. A database is stored in
//! one transaction: importing the same path again replaces it, and a refused
//! import leaves the store as it was.

use std::io::Read;
use std::path::Path;

use friction_deps::advisory::Advisory;
use friction_deps::osv::{Record, parse_osv, parse_rustsec};
use friction_store::{AdvisoryDatabase, AdvisoryRow, Store};

use crate::error::{Error, Result};
use crate::progress::Progress;

/// The largest record an archive may inflate to.
pub const MAX_ENTRY_BYTES: u64 = 64 << 20;
/// The most an archive may inflate to in all.
pub const MAX_ARCHIVE_BYTES: u64 = 8 << 30;
/// The highest compression ratio of an entry larger than a mebibyte
/// (JSON compresses about 10:1; a zip bomb by thousands).
pub const MAX_RATIO: u64 = 200;

/// What an import did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ImportReport {
    pub database: AdvisoryDatabase,
    /// Records that are not advisories, with why (the first 20).
    pub malformed: Vec<String>,
    pub malformed_count: u64,
    /// Ranges left out, with why (the first 20).
    pub bad_ranges: Vec<String>,
}

/// Reads the database at `path` and stores it.
pub fn import(store: &mut Store, path: &Path, progress: &dyn Progress) -> Result<ImportReport> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| {
        Error::input(
            format!("cannot read {shown}: {e}"),
            Some("give a directory of OSV JSON, an OSV all.zip, or a RustSec advisory-db checkout"),
        )
    })?;
    let mut reading = Reading::default();
    let format = if meta.is_dir() {
        read_dir(path, path, &mut reading)?;
        reading.format()
    } else if is_zip(path) {
        read_zip(path, &mut reading)?;
        "osv-zip"
    } else {
        let bytes = std::fs::read(path)
            .map_err(|e| Error::input(format!("cannot read {shown}: {e}"), None))?;
        reading.record(&shown, &bytes, path.extension().is_some_and(|e| e == "md"));
        reading.format()
    };
    progress.phase("read advisories");
    if reading.advisories.is_empty() && reading.withdrawn == 0 {
        return Err(Error::input(
            format!("{shown} holds no advisory"),
            Some("give a directory of OSV JSON, an OSV all.zip, or a RustSec advisory-db checkout"),
        ));
    }
    let mut rows = Vec::with_capacity(reading.advisories.len());
    for a in &reading.advisories {
        let body = serde_json::to_string(a)
            .map_err(|e| Error::input(format!("advisory {}: {e}", a.id), None))?;
        let mut packages: Vec<(String, String)> = a
            .affected
            .iter()
            .map(|x| {
                (
                    x.ecosystem.osv_name().to_owned(),
                    x.ecosystem.canonical_name(&x.name),
                )
            })
            .collect();
        packages.sort();
        packages.dedup();
        rows.push(AdvisoryRow {
            id: a.id.clone(),
            body,
            packages,
        });
    }
    let database = AdvisoryDatabase {
        path: shown,
        format: format.to_owned(),
        database_date: reading.date.clone(),
        imported_at: 0,
        advisories: rows.len() as u64,
        withdrawn: reading.withdrawn,
        bad_ranges: reading.bad_ranges.len() as u64,
        other_packages: reading.other_packages,
    };
    store
        .replace_advisory_database(&database, &rows)
        .map_err(|e| Error::store(format!("storing the advisories: {e}"), None))?;
    progress.phase("store advisories");
    let stored = store
        .advisory_databases()
        .map_err(|e| Error::store(format!("reading the store: {e}"), None))?
        .into_iter()
        .find(|d| d.path == database.path)
        .unwrap_or(database);
    Ok(ImportReport {
        database: stored,
        malformed_count: reading.malformed.len() as u64,
        malformed: reading.malformed.into_iter().take(20).collect(),
        bad_ranges: reading.bad_ranges.into_iter().take(20).collect(),
    })
}

#[derive(Default)]
struct Reading {
    advisories: Vec<Advisory>,
    withdrawn: u64,
    other_packages: u64,
    bad_ranges: Vec<String>,
    malformed: Vec<String>,
    date: Option<String>,
    osv: bool,
    rustsec: bool,
}

impl Reading {
    fn record(&mut self, name: &str, bytes: &[u8], markdown: bool) {
        let parsed = if markdown {
            self.rustsec = true;
            parse_rustsec(name, bytes)
        } else {
            self.osv = true;
            parse_osv(name, bytes)
        };
        match parsed {
            Ok(Record {
                advisory,
                bad_ranges,
                other_packages,
                date,
            }) => {
                self.other_packages += other_packages as u64;
                self.bad_ranges.extend(
                    bad_ranges
                        .into_iter()
                        .map(|b| format!("{} ({}): {}", b.advisory, b.package, b.message)),
                );
                if date > self.date {
                    self.date = date;
                }
                match advisory {
                    Some(a) => self.advisories.push(a),
                    None if other_packages == 0 => self.withdrawn += 1,
                    None => {}
                }
            }
            Err(e) => self.malformed.push(e.to_string()),
        }
    }

    fn format(&self) -> &'static str {
        match (self.osv, self.rustsec) {
            (true, true) => "osv+rustsec",
            (false, true) => "rustsec",
            _ => "osv",
        }
    }
}

fn is_zip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// Every `.json`, RustSec `.md` and `.zip` below `dir`, in path order.
fn read_dir(root: &Path, dir: &Path, reading: &mut Reading) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::input(format!("cannot read {}: {e}", dir.display()), None))?
        .filter_map(std::result::Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue; // .git, .github, .duplicates-allowlist
        }
        if path.is_dir() {
            read_dir(root, &path, reading)?;
            continue;
        }
        let shown = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .display()
            .to_string();
        let rustsec = name.starts_with("RUSTSEC-") && name.ends_with(".md");
        if is_zip(&path) {
            read_zip(&path, reading)?;
        } else if name.ends_with(".json") || rustsec {
            let bytes = std::fs::read(&path)
                .map_err(|e| Error::input(format!("cannot read {}: {e}", path.display()), None))?;
            reading.record(&shown, &bytes, rustsec);
        }
    }
    Ok(())
}

/// The `.json` records of a zip archive, after checking every entry stays
/// inside it and within the caps.
fn read_zip(path: &Path, reading: &mut Reading) -> Result<()> {
    let shown = path.display().to_string();
    let refuse = |why: String| {
        Error::input(
            format!("{shown}: {why}; the archive was refused and nothing of it stored"),
            Some("give the all.zip OSV publishes, or unpack it and give the directory"),
        )
    };
    let file = std::fs::File::open(path)
        .map_err(|e| Error::input(format!("cannot read {shown}: {e}"), None))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| refuse(format!("not a readable zip archive ({e})")))?;
    let mut total: u64 = 0;
    let mut buf = Vec::new();
    // Checked first, so a bad entry anywhere stores nothing of the archive.
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| refuse(format!("entry {i} is unreadable ({e})")))?;
        let name = entry_name(&entry);
        if entry.enclosed_name().is_none() {
            return Err(refuse(format!(
                "entry `{name}` escapes the archive (path traversal)"
            )));
        }
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        if size > MAX_ENTRY_BYTES || (size > 1 << 20 && size / packed > MAX_RATIO) {
            return Err(refuse(format!(
                "entry `{name}` inflates to {size} bytes from {packed} (a zip bomb?)"
            )));
        }
        total = total.saturating_add(size);
        if total > MAX_ARCHIVE_BYTES {
            return Err(refuse(format!(
                "the entries inflate to more than {MAX_ARCHIVE_BYTES} bytes (a zip bomb?)"
            )));
        }
    }
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| refuse(format!("entry {i} is unreadable ({e})")))?;
        let name = entry_name(&entry);
        if entry.is_dir() || !name.ends_with(".json") {
            continue;
        }
        buf.clear();
        // The sizes in the headers may lie: never read past the cap.
        (&mut entry)
            .take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| refuse(format!("entry `{name}` is unreadable ({e})")))?;
        if buf.len() as u64 > MAX_ENTRY_BYTES {
            return Err(refuse(format!(
                "entry `{name}` inflates past {MAX_ENTRY_BYTES} bytes (a zip bomb?)"
            )));
        }
        reading.record(&format!("{shown}:{name}"), &buf, false);
    }
    Ok(())
}

/// An entry's name as stored (lossily UTF-8 when it is not).
fn entry_name<R: Read>(entry: &zip::read::ZipFile<'_, R>) -> String {
    entry
        .name()
        .map(|n| n.into_owned())
        .unwrap_or_else(|_| String::from_utf8_lossy(entry.name_raw()).into_owned())
}
