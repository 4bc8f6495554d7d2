//! The layering ARCHITECTURE.md states, checked on the source: `app` prints
//! nothing; `cli` has no SQL, no database crate, no calendar arithmetic and
//! reads no JSON by string key (it renders typed values of `friction_app`).

use std::path::{Path, PathBuf};

/// The Rust files under `dir`, with their code lines (comments left out, so
/// documentation may name what the code must not use).
fn sources(dir: &Path) -> Vec<(PathBuf, Vec<String>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable source directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("UTF-8 source");
                let code = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .map(str::to_owned)
                    .collect();
                out.push((path, code));
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no sources under {}", dir.display());
    out
}

fn crate_src(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
        .join("src")
}

/// `["key"]`: a `serde_json::Value` read by string key.
fn has_key_lookup(line: &str) -> bool {
    line.match_indices("[\"").any(|(i, _)| {
        let rest = &line[i + 2..];
        let key: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        !key.is_empty() && rest[key.len()..].starts_with("\"]")
    })
}

fn offenders(dir: &Path, bad: impl Fn(&str) -> bool) -> Vec<String> {
    sources(dir)
        .into_iter()
        .flat_map(|(path, code)| {
            code.into_iter()
                .enumerate()
                .filter(|(_, l)| bad(l))
                .map(move |(i, l)| format!("{}:{}: {}", path.display(), i + 1, l.trim()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_app_layer_prints_nothing() {
    let found = offenders(&crate_src("app"), |l| {
        [
            "println!",
            "eprintln!",
            "print!(",
            "eprint!(",
            "stdout()",
            "stderr()",
        ]
        .iter()
        .any(|p| l.contains(p))
    });
    assert!(
        found.is_empty(),
        "the app layer prints:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_cli_names_no_database_crate_and_writes_no_sql() {
    let found = offenders(&crate_src("cli"), |l| {
        [
            "rusqlite",
            "SELECT ",
            "INSERT INTO",
            "UPDATE ",
            "DELETE FROM",
        ]
        .iter()
        .any(|p| l.contains(p))
    });
    assert!(found.is_empty(), "SQL in the CLI:\n{}", found.join("\n"));
}

#[test]
fn the_cli_does_no_calendar_arithmetic() {
    let found = offenders(&crate_src("cli"), |l| {
        ["jiff", "MONTH", "86_400", "86400", "3600", "3_600"]
            .iter()
            .any(|p| l.contains(p))
    });
    assert!(
        found.is_empty(),
        "calendar code in the CLI (it belongs in friction_app::calendar):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_cli_reads_no_json_by_string_key() {
    let found = offenders(&crate_src("cli"), has_key_lookup);
    assert!(
        found.is_empty(),
        "JSON read by key in the CLI (read the typed values instead):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_key_lookup_check_sees_lookups_and_nothing_else() {
    assert!(has_key_lookup(r#"let x = v["index"]["score"];"#));
    assert!(has_key_lookup(r#"a["window_months"]"#));
    assert!(!has_key_lookup(r#"let a = ["x", "y"];"#));
    assert!(!has_key_lookup(r#"&["path", "name"]"#));
}
