//! Fixture repositories built with the real `git`, and helpers to drive the binary.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

/// A git repository in a temporary directory, with deterministic identities and dates.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    /// The time of tick 0 (seconds since the epoch).
    start: u64,
    tick: u64,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = Fixture {
            dir,
            start: 1_700_000_000,
            tick: 0,
        };
        f.git(&["init", "-q", "-b", "main"]);
        f.git(&["config", "user.name", "Ada Lovelace"]);
        f.git(&["config", "user.email", "ada@example.com"]);
        f.git(&["config", "core.autocrlf", "false"]);
        f.git(&["config", "commit.gpgsign", "false"]);
        f
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn git_output(&self, args: &[&str]) -> Output {
        Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env(
                "GIT_AUTHOR_DATE",
                format!("{} +0100", self.start + self.tick * 3600),
            )
            .env(
                "GIT_COMMITTER_DATE",
                format!("{} +0100", self.start + self.tick * 3600),
            )
            .output()
            .expect("git runs")
    }

    pub fn write(&self, path: impl AsRef<Path>, content: impl AsRef<[u8]>) {
        let full = self.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(full, content).expect("write");
    }

    /// Sets the clock of the next commits to `seconds` since the epoch (the
    /// default starts in November 2023), for histories dated like an export.
    pub fn start_at(&mut self, seconds: u64) {
        self.start = seconds;
        self.tick = 0;
    }

    /// The time of the last commit made (seconds since the epoch).
    pub fn now(&self) -> i64 {
        (self.start + self.tick * 3600) as i64
    }

    /// Moves the clock of the next commits forward (one tick is an hour).
    pub fn advance_days(&mut self, days: u64) {
        self.tick += days * 24;
    }

    pub fn commit(&mut self, message: &str) {
        self.tick += 1;
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    pub fn commit_as(&mut self, message: &str, name: &str, email: &str) {
        self.tick += 1;
        self.git(&["add", "-A"]);
        self.git(&[
            "-c",
            &format!("user.name={name}"),
            "-c",
            &format!("user.email={email}"),
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            message,
        ]);
    }

    /// Writes `commits` commits on `main` through `git fast-import` (fast enough for
    /// thousands), each changing one of `files` files by a growing number of lines.
    pub fn fast_import_linear_history(&self, commits: u64, files: u64) {
        let mut stream = String::new();
        for i in 0..commits {
            let content: String = (0..(i % 50 + 1)).map(|l| format!("{i}-{l}\n")).collect();
            stream.push_str(&format!(
                "commit refs/heads/main\ncommitter A <a@example.com> {} +0000\ndata 2\nc\nM 100644 inline f{}.txt\ndata {}\n{}\n",
                1_600_000_000 + i,
                i % files,
                content.len(),
                content
            ));
        }
        let mut child = Command::new("git")
            .args(["fast-import", "--quiet"])
            .current_dir(self.path())
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("fast-import");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            stdin.write_all(stream.as_bytes()).expect("feed");
        }
        assert!(child.wait().expect("wait").success());
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }
}

/// Runs `friction` with `args` and returns its output.
pub fn friction(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_friction"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("friction runs")
}

/// Runs `friction` with `args`, asserts it succeeded and parses its JSON output.
pub fn friction_json(args: &[&str], cwd: &Path) -> serde_json::Value {
    let out = friction(args, cwd);
    assert!(
        out.status.success(),
        "friction {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("friction prints JSON")
}

/// `1234.5` → `1,235`: how friction prints hours and money.
pub fn thousands(x: f64) -> String {
    let digits = (x.round() as u64).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Runs friction in `cwd`, asserts success and returns its standard output.
pub fn friction_stdout(args: &[&str], cwd: &Path) -> String {
    let out = friction(args, cwd);
    assert!(
        out.status.success(),
        "friction {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("friction prints UTF-8")
}

/// The signal with this id in an assessment's JSON.
pub fn signal<'a>(a: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    a["index"]["drivers"]
        .as_array()
        .expect("drivers")
        .iter()
        .flat_map(|d| d["signals"].as_array().expect("signals"))
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no signal {id}"))
}

/// The driver of `family` in an assessment's JSON.
pub fn driver<'a>(a: &'a serde_json::Value, family: &str) -> &'a serde_json::Value {
    a["index"]["drivers"]
        .as_array()
        .expect("drivers")
        .iter()
        .find(|d| d["family"] == family)
        .unwrap_or_else(|| panic!("no driver {family}"))
}

/// A file of the ingest crate's fixtures (real exports, see its README).
pub fn ingest_fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ingest/tests/fixtures")
        .join(rel)
        .display()
        .to_string()
}

/// The JSON items of a DevLake raw table's `data` column.
pub fn devlake_items(path: &str) -> Vec<serde_json::Value> {
    csv::Reader::from_path(path)
        .expect("a DevLake CSV")
        .records()
        .map(|r| serde_json::from_str(&r.expect("a CSV record")[2]).expect("JSON in `data`"))
        .collect()
}

/// Runs `friction scan --json --quiet` on `repo` with a store at `db` and parses the summary.
pub fn scan_json(repo: &Path, db: &Path, extra: &[&str]) -> serde_json::Value {
    let out = scan_output(repo, db, extra);
    assert!(
        out.status.success(),
        "friction scan failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).expect("scan prints JSON")
}

/// `friction scan REPO --db DB --json --quiet EXTRA…`, whatever its outcome.
pub fn scan_output(repo: &Path, db: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "scan",
        repo.to_str().expect("utf-8 temp path"),
        "--db",
        db.to_str().expect("utf-8 temp path"),
        "--json",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    friction(&args, repo)
}

/// Per commit, per path: `Some((added, deleted))`, or `None` for binary files.
pub type Numstat = BTreeMap<String, BTreeMap<Vec<u8>, Option<(u64, u64)>>>;

fn add(a: Option<(u64, u64)>, b: Option<(u64, u64)>) -> Option<(u64, u64)> {
    match (a, b) {
        (Some(x), Some(y)) => Some((x.0 + y.0, x.1 + y.1)),
        (x, y) => x.or(y),
    }
}

/// `git log --numstat -z` parsed: rows per commit, type changes (printed by git as a
/// deletion plus an addition of one path) summed into one row.
pub fn git_numstat(repo: &Path, extra: &[&str]) -> Numstat {
    let mut args = vec![
        "log".to_owned(),
        "--numstat".into(),
        "-z".into(),
        "--format=%x01%H".into(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let out = Command::new("git")
        .args(&args)
        .current_dir(repo)
        .output()
        .expect("git log runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut commits = Numstat::new();
    for block in out.stdout.split(|&b| b == 1).skip(1) {
        let id = String::from_utf8_lossy(&block[..40]).into_owned();
        let rows = commits.entry(id).or_default();
        let mut fields = block[40..].split(|&b| b == 0).peekable();
        while let Some(field) = fields.next() {
            let field = field.strip_prefix(b"\n").unwrap_or(field);
            if field.is_empty() {
                continue;
            }
            let mut parts = field.splitn(3, |&b| b == b'\t');
            let added = parts.next().unwrap_or_default();
            let deleted = parts.next().unwrap_or_default();
            let mut path = parts.next().unwrap_or_default().to_vec();
            if path.is_empty() {
                let _old = fields.next();
                path = fields.next().unwrap_or_default().to_vec();
            }
            let parse = |b: &[u8]| String::from_utf8_lossy(b).parse::<u64>().ok();
            let value = match (parse(added), parse(deleted)) {
                (Some(a), Some(d)) => Some((a, d)),
                _ => None,
            };
            let merged = match rows.remove(&path) {
                Some(prev) => add(prev, value),
                None => value,
            };
            rows.insert(path, merged);
        }
    }
    commits
}

/// The same shape read from friction's store (merge diffs only when `with_merges`).
pub fn store_numstat(db: &Path, with_merges: bool) -> Numstat {
    let conn = rusqlite::Connection::open(db).expect("store opens");
    let mut commits = Numstat::new();
    let mut stmt = conn
        .prepare("SELECT id FROM commits WHERE parent_count < 2 OR merge_diffed = 1")
        .expect("query");
    let ids = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .expect("query")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows");
    for id in ids {
        commits.entry(id).or_default();
    }
    let sql = if with_merges {
        "SELECT commit_id, COALESCE(path_raw, CAST(path AS BLOB)), lines_added, lines_deleted, is_binary FROM file_changes"
    } else {
        "SELECT commit_id, COALESCE(path_raw, CAST(path AS BLOB)), lines_added, lines_deleted, is_binary FROM file_changes WHERE via_merge = 0"
    };
    let mut stmt = conn.prepare(sql).expect("query");
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)? != 0,
            ))
        })
        .expect("query");
    for row in rows {
        let (id, path, a, d, binary) = row.expect("row");
        let value = (!binary).then_some((a as u64, d as u64));
        let entry = commits.entry(id).or_default();
        let merged = match entry.remove(&path) {
            Some(prev) => add(prev, value),
            None => value,
        };
        entry.insert(path, merged);
    }
    commits
}

/// Asserts two numstat maps agree, printing the first differences.
pub fn assert_same_numstat(git: &Numstat, ours: &Numstat) {
    let mut diffs = Vec::new();
    for (id, rows) in git {
        let empty = BTreeMap::new();
        let our_rows = ours.get(id).unwrap_or(&empty);
        if rows != our_rows {
            diffs.push(format!(
                "{id}: git {:?} friction {:?}",
                pretty(rows),
                pretty(our_rows)
            ));
        }
    }
    for id in ours.keys() {
        if !git.contains_key(id) {
            diffs.push(format!("{id}: stored by friction, not listed by git"));
        }
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

fn pretty(rows: &BTreeMap<Vec<u8>, Option<(u64, u64)>>) -> Vec<(String, Option<(u64, u64)>)> {
    rows.iter()
        .map(|(p, v)| (String::from_utf8_lossy(p).into_owned(), *v))
        .collect()
}

/// A history with an unhealthy hotspot, two authors in two teams,
/// CODEOWNERS and an hourly cost.
pub fn costly_hotspot() -> Fixture {
    let mut f = Fixture::new();
    f.write(
        "friction.toml",
        "[economics]\nhourly_cost = 100.0\ncurrency = \"USD\"\nengineers = 4\n[teams]\nred = [\"Ann\"]\nblue = [\"Bob\"]\n",
    );
    f.write("CODEOWNERS", "/src/ @red\n");
    let mut body = String::from("def tangled(a, b, c, d, e, f):\n");
    for i in 0..40 {
        body.push_str(&format!(
            "    if a > {i}:\n        if b:\n            if c and d or e:\n                for x in f:\n                    if x:\n                        a += 1\n"
        ));
    }
    body.push_str("    return a\n");
    f.write("src/hot.py", &body);
    f.write("lib/ok.py", "def ok():\n    return 1\n");
    f.commit_as("initial", "Ann", "ann@example.com");
    for i in 0..12 {
        f.advance_days(7);
        f.write("src/hot.py", format!("{body}# change {i}\n"));
        if i % 2 == 0 {
            f.commit_as(&format!("fix bug {i}"), "Bob", "bob@example.com");
        } else {
            f.commit_as(&format!("tweak {i}"), "Ann", "ann@example.com");
        }
    }
    f
}

/// A program on the PATH.
pub fn tool(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// The text of a PDF through poppler's `pdftotext`; `None` (skipped) only
/// outside CI, where scripts/test-deps.sh installs it.
pub fn pdf_text(pdf: &Path) -> Option<String> {
    let Some(pdftotext) = tool("pdftotext") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install poppler-utils (scripts/test-deps.sh) for the PDF test"
        );
        eprintln!("skipped: no pdftotext on PATH (scripts/test-deps.sh installs it)");
        return None;
    };
    let out = std::process::Command::new(pdftotext)
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Errors of `doc` against a JSON Schema (the text of a file under `schemas/`).
pub fn schema_errors(schema: &str, doc: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value = serde_json::from_str(schema).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

/// A GitHub UTC timestamp of an epoch time (civil from days, H. Hinnant).
pub fn iso(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The value of the figure with this name of a signal in an assessment's JSON.
pub fn figure(signal: &serde_json::Value, name: &str) -> f64 {
    signal["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no figure {name:?}: {}", signal["figures"]))["value"]
        .as_f64()
        .unwrap()
}

/// The output of a run that must succeed.
pub fn ok(out: std::process::Output) -> std::process::Output {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
