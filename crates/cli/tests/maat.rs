//! `friction maat`: code-maat's analyses on a fixture with known answers.

mod support;

use support::{Fixture, friction, scan_json};

#[test]
fn code_maat_columns_and_values() {
    let mut f = Fixture::new();
    f.write("a.txt", "1\n2\n");
    f.write("b.txt", "1\n");
    f.commit_as("first", "Ann", "ann@example.com");
    f.write("a.txt", "1\n3\n");
    f.commit_as("second", "Bob", "bob@example.com");
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let run = |analysis: &str| {
        let out = friction(
            &["maat", analysis, "--db", db.to_str().unwrap(), "--names"],
            f.path(),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(run("revisions"), "entity,n-revs\na.txt,2\nb.txt,1\n");
    assert_eq!(
        run("authors"),
        "entity,n-authors,n-revs\na.txt,2,2\nb.txt,1,1\n"
    );
    assert_eq!(
        run("entity-churn"),
        "entity,added,deleted,commits\na.txt,3,1,2\nb.txt,1,0,1\n"
    );
    assert_eq!(
        run("main-dev"),
        "entity,main-dev,added,total-added,ownership\na.txt,Ann,2,3,0.67\nb.txt,Ann,1,1,1.0\n"
    );
    assert_eq!(
        run("fragmentation"),
        "entity,fractal-value,total-revs\na.txt,0.5,2\nb.txt,0.0,1\n"
    );
    let out = friction(
        &["maat", "nonsense", "--db", db.to_str().unwrap()],
        f.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("choose one of"));
}

#[test]
fn a_reference_date_that_is_no_date_is_refused_before_any_work() {
    let mut f = Fixture::new();
    f.write("a.txt", "1\n");
    f.commit("first");
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    for bad in ["2024-02-30", "2024-1x-01", "soon"] {
        let out = friction(
            &[
                "maat",
                "age",
                "--db",
                db.to_str().unwrap(),
                "--age-time-now",
                bad,
            ],
            f.path(),
        );
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("error: ") && err.contains("is not a date"),
            "{err}"
        );
        assert!(out.stdout.is_empty(), "nothing is computed for {bad}");
    }
}
