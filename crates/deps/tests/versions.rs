//! Each ecosystem's version order.

use std::cmp::Ordering::{Equal, Greater, Less};

use friction_deps::Ecosystem::{self, *};
use friction_deps::version::compare;

fn order(ecosystem: Ecosystem, ascending: &[&str]) {
    for pair in ascending.windows(2) {
        assert_eq!(
            compare(ecosystem, pair[0], pair[1]),
            Some(Less),
            "{ecosystem:?}: {} < {}",
            pair[0],
            pair[1]
        );
        assert_eq!(compare(ecosystem, pair[1], pair[0]), Some(Greater));
    }
}

#[test]
fn pep_440() {
    order(PyPI, &["1!0.1", "1!1.0"]);
    order(
        PyPI,
        &[
            "1.0.dev1",
            "1.0a1",
            "1.0a2.dev1",
            "1.0a2",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0.post1.dev1",
            "1.0.post1",
            "1.0.1",
            "1.1",
        ],
    );
    assert_eq!(compare(PyPI, "1.0", "1.0.0"), Some(Equal));
    assert_eq!(compare(PyPI, "1.0ALPHA1", "1.0a1"), Some(Equal));
    assert_eq!(compare(PyPI, "1.0-1", "1.0.post1"), Some(Equal));
    assert_eq!(compare(PyPI, "1.0+local.7", "1.0"), Some(Equal));
    assert_eq!(compare(PyPI, "not a version", "1.0"), None);
}

#[test]
fn maven() {
    order(
        Maven,
        &[
            "1.0-alpha-1",
            "1.0-beta",
            "1.0-milestone-1",
            "1.0-rc1",
            "1.0-SNAPSHOT",
            "1.0",
            "1.0-sp1",
            "1.0.1",
            "1.1",
            "2.14.1",
            "2.15.0",
            "2.17.1",
        ],
    );
    assert_eq!(compare(Maven, "1.0", "1"), Some(Equal));
    assert_eq!(compare(Maven, "1.0.final", "1.0"), Some(Equal));
    order(Maven, &["31.0-jre", "31.1-android", "31.1-jre"]);
}

#[test]
fn rubygems() {
    order(
        RubyGems,
        &[
            "1.0.a1", "1.0.b", "1.0.rc1", "1.0", "1.0.1", "1.12.4", "6.0.4.1", "6.0.4.2",
        ],
    );
    assert_eq!(compare(RubyGems, "1.0.0", "1"), Some(Equal));
    // A platform suffix is not part of the version.
    assert_eq!(
        compare(RubyGems, "1.12.4-x86_64-linux", "1.12.4"),
        Some(Equal)
    );
}

#[test]
fn go_and_semver() {
    order(
        Go,
        &[
            "v0.0.0-20191109021931-daa7c04131f5",
            "v0.1.0",
            "v1.2.3-pre",
            "v1.2.3",
            "v2.0.0+incompatible",
        ],
    );
    assert_eq!(compare(Go, "1.2.3", "v1.2.3"), Some(Equal));
    order(
        Npm,
        &[
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-beta",
            "1.0.0",
            "v1.0.1",
        ],
    );
    order(CratesIo, &["0.2.1-0", "0.2.1", "0.10.0"]);
    order(Packagist, &["v2.8.51", "2.8.52-RC1", "v2.8.52", "3.0.0"]);
}
