//! Matching package versions against the real advisories of
//! `tests/fixtures/advisories` (see its `SOURCES.md`): affected and patched
//! versions on both sides of each range boundary, pre-releases, explicit
//! version lists, withdrawn and informational advisories, aliases.

use std::path::Path;

use friction_deps::Ecosystem;
use friction_deps::advisory::{Advisory, Kind, merge_aliases};
use friction_deps::osv::{Record, parse_osv, parse_rustsec};

fn fixture(relative: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/advisories")
        .join(relative);
    std::fs::read(path).expect("fixture is readable")
}

fn osv(relative: &str) -> Record {
    parse_osv(relative, &fixture(relative)).unwrap_or_else(|e| panic!("{e}"))
}

fn advisory(relative: &str) -> Advisory {
    let record = if relative.ends_with(".md") {
        parse_rustsec(relative, &fixture(relative)).unwrap()
    } else {
        osv(relative)
    };
    assert!(record.bad_ranges.is_empty(), "{:?}", record.bad_ranges);
    record.advisory.expect("not withdrawn")
}

/// (version, affected, fix available) for the advisory's package `name`.
fn check(a: &Advisory, name: &str, cases: &[(&str, bool, bool)]) {
    let affected = a
        .affected
        .iter()
        .find(|x| x.name == name)
        .expect("package covered");
    for (version, expected, fix) in cases {
        let hit = affected.matches(version);
        assert_eq!(hit.is_some(), *expected, "{} {name} {version}", a.id);
        if let Some(hit) = hit {
            assert_eq!(hit.fix_available, *fix, "{} {name} {version} fix", a.id);
        }
    }
}

#[test]
fn crates_io_semver_ranges_on_both_sides_of_each_boundary() {
    let regex = advisory("osv/crates.io/RUSTSEC-2022-0013.json");
    check(
        &regex,
        "regex",
        &[
            ("0.1.0", true, true),
            ("1.5.4", true, true),
            ("1.5.5", false, false),
            ("1.6.0", false, false),
        ],
    );
    assert_eq!(regex.severity, Some(7.5));
    assert_eq!(regex.aliases, ["CVE-2022-24713", "GHSA-m5pq-gvj9-9vr8"]);

    // Two affected branches: 0.1.14 ≤ v < 1.8.4 and 1.9.0 ≤ v < 1.13.1.
    let tokio = advisory("osv/crates.io/RUSTSEC-2021-0124.json");
    check(
        &tokio,
        "tokio",
        &[
            ("0.1.13", false, false),
            ("0.1.14", true, true),
            ("1.8.3", true, true),
            ("1.8.4", false, false),
            ("1.8.9", false, false),
            ("1.9.0", true, true),
            ("1.13.0", true, true),
            ("1.13.1", false, false),
        ],
    );
    // Interleaved single-version fixes, with pre-release introductions.
    let time = advisory("osv/crates.io/RUSTSEC-2020-0071.json");
    check(
        &time,
        "time",
        &[
            ("0.1.45", true, true),
            ("0.2.0", false, false),
            ("0.2.1-beta", true, true),
            ("0.2.1", false, false),
            ("0.2.7", true, true),
            ("0.2.22", true, true),
            ("0.2.23", false, false),
            ("0.3.0", false, false),
        ],
    );
    let h2 = advisory("osv/crates.io/RUSTSEC-2024-0003.json");
    check(
        &h2,
        "h2",
        &[
            ("0.3.23", true, true),
            ("0.3.24", false, false),
            ("0.4.0-alpha", true, true),
            ("0.4.1", true, true),
            ("0.4.2", false, false),
        ],
    );
    // No fixed version at all.
    let rsa = advisory("osv/crates.io/RUSTSEC-2023-0071.json");
    check(&rsa, "rsa", &[("0.9.6", true, false)]);
}

#[test]
fn rustsec_markdown_requirements_match_as_cargo_audit_reads_them() {
    let thread_local = advisory("rustsec/crates/thread_local/RUSTSEC-2022-0006.md");
    assert_eq!(thread_local.kind, Kind::Vulnerability);
    check(
        &thread_local,
        "thread_local",
        &[
            ("0.3.5", true, true),
            ("1.1.3", true, true),
            ("1.1.4", false, false),
        ],
    );
    // Unmaintained, with versions above 0.7.0 unaffected and no patch.
    let memmap = advisory("rustsec/crates/memmap/RUSTSEC-2020-0077.md");
    assert_eq!(memmap.kind, Kind::Unmaintained);
    check(
        &memmap,
        "memmap",
        &[
            ("0.6.2", true, false),
            ("0.7.0", true, false),
            ("0.7.1", false, false),
        ],
    );
    assert_eq!(memmap.published.as_deref(), Some("2020-12-02"));
}

#[test]
fn npm_prerelease_introduction_and_ecosystem_ranges() {
    // GHSA's `> 2.1.0` became `introduced: 2.1.1-0`: 2.1.1's pre-releases are in.
    let jquery = advisory("osv/npm/ghsa-converter-npm_greater_than.osv.json");
    check(
        &jquery,
        "jquery",
        &[
            ("2.1.0", false, false),
            ("2.1.1-beta.1", true, true),
            ("2.1.1", true, true),
            ("3.0.0-rc1", true, true),
            ("3.0.0", false, false),
        ],
    );
    let lodash = advisory("osv/npm/GHSA-p6mc-m468-83gw.json");
    check(
        &lodash,
        "lodash",
        &[("4.17.19", true, true), ("4.17.20", false, false)],
    );
    check(
        &lodash,
        "lodash-es",
        &[("4.17.15", true, true), ("4.17.21", false, false)],
    );
}

#[test]
fn pypi_pep440_ranges_and_explicit_versions() {
    let requests = advisory("osv/pypi/PYSEC-2023-74.json");
    check(
        &requests,
        "requests",
        &[
            ("2.2.1", false, false),
            ("2.3.0", true, true),
            ("2.30.0", true, true),
            ("2.31.0rc1", true, true),
            ("2.31.0", false, false),
            ("2.31.0.post1", false, false),
        ],
    );
    let malicious = advisory("osv/pypi/MAL-2024-10238.json");
    assert_eq!(malicious.kind, Kind::Malicious);
    check(
        &malicious,
        "123bla",
        &[("0.0.1", true, false), ("0.0.2", false, false)],
    );
}

#[test]
fn go_module_versions_and_pseudo_versions() {
    let gin = advisory("osv/go/GO-2020-0001.json");
    check(
        &gin,
        "github.com/gin-gonic/gin",
        &[
            ("v1.5.0", true, true),
            // A pseudo-version is a pre-release of the version after its base.
            ("v1.5.1-0.20200311000000-abcdefabcdef", true, true),
            ("v1.6.0", false, false),
            ("v1.9.1", false, false),
        ],
    );
}

#[test]
fn withdrawn_advisories_are_ignored() {
    assert!(
        osv("osv/crates.io/RUSTSEC-2019-0031.json")
            .advisory
            .is_none()
    );
    assert!(
        osv("osv/edge/ghsa-converter-withdrawn.osv.json")
            .advisory
            .is_none()
    );
}

#[test]
fn git_only_records_are_counted_not_matched() {
    let record = osv("osv/edge/CVE-2023-41045.json");
    assert!(record.advisory.is_none());
    assert_eq!(record.other_packages, 1);
}

#[test]
fn aliases_merge_into_one_advisory() {
    let a = advisory("osv/pypi/GHSA-9v2f-6vcg-3hgv.json");
    let b = advisory("osv/edge/nopackage-GHSA-9v2f-6vcg-3hgv.json");
    let requests = advisory("osv/pypi/PYSEC-2023-74.json");
    let mut ghsa_of_requests = requests.clone();
    ghsa_of_requests.id = "GHSA-j8r2-6x86-q33q".into();
    ghsa_of_requests.aliases = vec!["CVE-2023-32681".into()];
    let merged = merge_aliases(vec![a, b, ghsa_of_requests, requests]);
    let ids: Vec<&str> = merged.iter().map(|a| a.id.as_str()).collect();
    // The ecosystem's own record (PYSEC) is the one cited.
    assert_eq!(ids, ["GHSA-9v2f-6vcg-3hgv", "PYSEC-2023-74"]);
    assert_eq!(merged[1].aliases, ["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"]);
    let names: Vec<&str> = merged[0].affected.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Gradio", "Gradi0"]);
    assert_eq!(merged[0].affected[0].ecosystem, Ecosystem::PyPI);
}

/// One CVE, one RustSec record per crate (the real advisory-db's
/// RUSTSEC-2024-0348, -0349 and -0350 all alias CVE-2024-35186): each crate
/// keeps citing its own record, while a GHSA record of one of those crates
/// merges into that crate's.
#[test]
fn records_sharing_a_cve_across_packages_stay_apart() {
    let base = advisory("osv/pypi/PYSEC-2023-74.json");
    let record = |id: &str, package: &str| {
        let mut a = base.clone();
        a.id = id.into();
        a.aliases = vec!["CVE-2024-35186".into(), "GHSA-7w47-3wg8-547c".into()];
        a.affected.truncate(1);
        a.affected[0].name = package.into();
        a
    };
    let mut ghsa = record("GHSA-7w47-3wg8-547c", "gix-fs");
    ghsa.aliases = vec!["CVE-2024-35186".into()];
    let merged = merge_aliases(vec![
        record("RUSTSEC-2024-0348", "gix-index"),
        record("RUSTSEC-2024-0349", "gix-worktree"),
        ghsa,
        record("RUSTSEC-2024-0350", "gix-fs"),
    ]);
    let cited: Vec<(&str, &str)> = merged
        .iter()
        .map(|a| (a.id.as_str(), a.affected[0].name.as_str()))
        .collect();
    assert_eq!(
        cited,
        [
            ("RUSTSEC-2024-0348", "gix-index"),
            ("RUSTSEC-2024-0349", "gix-worktree"),
            ("RUSTSEC-2024-0350", "gix-fs")
        ]
    );
    assert_eq!(merged[2].affected.len(), 1);
}

#[test]
fn unparsable_ranges_are_dropped_and_counted_the_rest_used() {
    let text = br#"{"id": "GHSA-xxxx", "affected": [
      {"package": {"ecosystem": "npm", "name": "left-pad"},
       "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "not.a.version"}]},
                  {"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "1.3.0"}]},
                  {"type": "WEIRD", "events": []}]}]}"#;
    let record = parse_osv("x.json", text).unwrap();
    assert_eq!(record.bad_ranges.len(), 2, "{:?}", record.bad_ranges);
    let advisory = record.advisory.unwrap();
    check(
        &advisory,
        "left-pad",
        &[("0.9.0", false, false), ("1.2.0", true, true)],
    );
}

#[test]
fn malformed_records_are_errors_naming_the_file() {
    let e = parse_osv("db/bad.json", b"{\"id\": 1}")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("db/bad.json:1: not an OSV record"), "{e}");
    let e = parse_rustsec("crates/x/RUSTSEC-1.md", b"# no front matter")
        .unwrap_err()
        .to_string();
    assert_eq!(e, "crates/x/RUSTSEC-1.md:1: no ```toml front matter");
    let e = parse_rustsec("r.md", b"```toml\n[advisory]\nid = 3\n```\n")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("r.md:"), "{e}");
}
