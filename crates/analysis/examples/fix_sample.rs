//! Draws the sample of fix-word commits that `tests/fixtures/fix-commits.csv`
//! labels by hand: from one repository, the non-merge commits authored since
//! a date whose message has a fix word, the `N` with the smallest commit ids
//! (ids are hashes: a deterministic, unbiased draw). Prints CSV rows with the
//! label and reason left empty, for a person to fill in.
//!
//! ```sh
//! cargo run -p friction-analysis --example fix_sample -- NAME GIT_DIR SINCE N
//! ```

use std::process::Command;

use friction_analysis::fixes::{Touched, has_fix_word};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name, git_dir, since, n] = args.as_slice() else {
        eprintln!("usage: fix_sample NAME GIT_DIR SINCE N");
        std::process::exit(2);
    };
    let n: usize = n.parse().unwrap_or_else(|_| {
        eprintln!("N must be a number, not `{n}`");
        std::process::exit(2);
    });
    let git = |args: &[&str]| -> String {
        let out = Command::new("git")
            .arg("--git-dir")
            .arg(git_dir)
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                eprintln!("running git: {e}");
                std::process::exit(2);
            });
        if !out.status.success() {
            eprintln!("git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
            std::process::exit(2);
        }
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let log = git(&[
        "log",
        "--no-merges",
        &format!("--since={since}"),
        "--format=%x01%H%x02%B",
    ]);
    let mut commits: Vec<(&str, &str)> = log
        .split('\x01')
        .filter_map(|c| c.split_once('\x02'))
        .filter(|(_, message)| has_fix_word(message))
        .collect();
    commits.sort();
    for (sha, message) in commits.into_iter().take(n) {
        let files = git(&["show", "--no-renames", "--format=", "--name-only", sha]);
        let touched = Touched::of(files.lines().filter(|l| !l.is_empty()));
        let message = message.trim_end();
        let subject = message.lines().next().unwrap_or_default();
        println!(
            "{},{},{},{},,,{}",
            name,
            sha,
            field(subject),
            touched.names(),
            field(&escape(message))
        );
    }
}

/// A message on one line: `\` and newlines escaped.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "")
}

/// A CSV field, quoted when it holds a comma or a quote.
fn field(s: &str) -> String {
    if s.contains([',', '"']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}
