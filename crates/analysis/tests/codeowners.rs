//! CODEOWNERS semantics on real files (`tests/fixtures/codeowners/`, origins in
//! its README): GitHub's documented examples and GitLab's sections.

use friction_analysis::teams::CodeOwners;

fn fixture(name: &str) -> CodeOwners {
    let path = format!(
        "{}/tests/fixtures/codeowners/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    CodeOwners::parse(&text)
}

fn owners(co: &CodeOwners, path: &str) -> Vec<String> {
    co.owners_of(path).unwrap_or_default()
}

#[test]
fn github_documentation_examples_hold() {
    let co = fixture("github-docs-example.CODEOWNERS");
    assert!(co.invalid.is_empty(), "{:?}", co.invalid);
    assert_eq!(owners(&co, "README"), ["@global-owner1", "@global-owner2"]);
    // The last matching pattern takes precedence; `*.js` anywhere.
    assert_eq!(owners(&co, "web/src/app.js"), ["@js-owner"]);
    assert_eq!(owners(&co, "main.go"), ["docs@example.com"]);
    assert_eq!(owners(&co, "notes/a.txt"), ["@octo-org/octocats"]);
    // `/build/logs/`: anchored, everything below. `**/logs` comes later and
    // also matches it.
    assert_eq!(owners(&co, "build/logs/deep/x.log"), ["@octocat"]);
    // `docs/*` owns direct files only; `/docs/` (later) owns everything below.
    assert_eq!(owners(&co, "docs/getting-started.md"), ["@doctocat"]);
    assert_eq!(
        owners(&co, "docs/build-app/troubleshooting.md"),
        ["@doctocat"]
    );
    // `apps/` anywhere; `/apps/` then `/apps/github` with no owners un-owns.
    assert_eq!(owners(&co, "src/apps/x.rb"), ["@octocat"]);
    assert_eq!(owners(&co, "apps/web/x.rb"), ["@octocat"]);
    assert!(co.owners_of("apps/github/x.rb").is_none());
    assert_eq!(owners(&co, "scripts/run.sh"), ["@doctocat", "@octocat"]);
    assert_eq!(owners(&co, "deeply/nested/logs/a.sh"), ["@octocat"]);
}

#[test]
fn a_wildcard_segment_does_not_reach_nested_files() {
    let co = CodeOwners::parse("docs/* docs@example.com\n");
    assert_eq!(owners(&co, "docs/getting-started.md"), ["docs@example.com"]);
    assert!(co.owners_of("docs/build-app/troubleshooting.md").is_none());
    // Anchored: a middle slash anchors `docs/*` at the root.
    assert!(co.owners_of("src/docs/a.md").is_none());
}

#[test]
fn github_files_from_real_repositories() {
    let co = fixture("github-ossf-scorecard.CODEOWNERS");
    assert!(co.invalid.is_empty(), "{:?}", co.invalid);
    assert_eq!(owners(&co, "main.go"), ["@ossf/scorecard-maintainers"]);
    assert_eq!(
        owners(&co, "checks/README.md"),
        ["@ossf/scorecard-doc-maintainers"]
    );
    assert_eq!(
        owners(&co, "clients/azuredevopsrepo/client.go"),
        ["@ossf/scorecard-azure-maintainers"]
    );

    let co = fixture("github-nodejs-node.CODEOWNERS");
    assert!(co.invalid.is_empty(), "{:?}", co.invalid);
    assert_eq!(
        owners(&co, "lib/internal/streams/end-of-stream.js"),
        ["@nodejs/streams"]
    );
    assert_eq!(owners(&co, "lib/_stream_readable.js"), ["@nodejs/streams"]);
    assert_eq!(owners(&co, "tools/gyp/x.gyp"), ["@nodejs/gyp"]);
    // `/deps` comes after `*.gyp` and `/deps/v8/*`: the last match wins.
    assert_eq!(owners(&co, "deps/foo/binding.gyp"), ["@nodejs/security-wg"]);
    assert_eq!(owners(&co, "deps/v8/BUILD.gn"), ["@nodejs/security-wg"]);
    assert_eq!(
        owners(&co, "doc/contributing/deep/er/guide.md"),
        ["@nodejs/tsc"]
    );
    // Anchored: `/lib/net.js` is not `src/lib/net.js`.
    assert!(co.owners_of("src/lib/net.js").is_none());

    let co = fixture("github-esphome.CODEOWNERS");
    assert!(co.invalid.is_empty(), "{:?}", co.invalid);
    assert_eq!(
        owners(&co, "esphome/components/adc/sensor.py"),
        ["@esphome/core"]
    );
    assert!(co.owners_of("esphome/components/adc/sub/x.py").is_none());
    assert_eq!(owners(&co, "esphome/core/helpers.cpp"), ["@esphome/core"]);

    // Two spaces between pattern and owner.
    let co = fixture("github-kube-prometheus.CODEOWNERS");
    assert!(co.invalid.is_empty(), "{:?}", co.invalid);
    assert_eq!(
        owners(&co, "jsonnet/main.libsonnet"),
        ["@prometheus-operator/kube-prometheus-reviewers"]
    );

    // A team of another organisation is still an owner by syntax.
    let co = fixture("MESSY-github-git-fame.CODEOWNERS");
    assert!(co.invalid.is_empty(), "{:?}", co.invalid);
    assert_eq!(owners(&co, ".github/CODEOWNERS"), ["@github/pages"]);
    // `.github/*` does not reach `.github/workflows/`.
    assert!(co.owners_of(".github/workflows/test.yml").is_none());
    assert!(co.owners_of("gitfame/_gitfame.py").is_none());
}

#[test]
fn gitlab_sections_default_owners_and_optional_sections() {
    let co = fixture("gitlab-nvidia-warp.CODEOWNERS");
    assert!(co.invalid.is_empty(), "{:?}", co.invalid);
    assert!(co.sections().contains(&"public api"));
    assert!(co.sections().contains(&"volumes"));
    // Entries without owners take the section's default owners.
    assert_eq!(owners(&co, "warp/config.py"), ["@mmacklin", "@ershi"]);
    // `.gitignore` unanchored, in [CI/CD].
    assert_eq!(owners(&co, "sub/.gitignore"), ["@ershi"]);
    // Sections are united: native/ and the volume files.
    assert_eq!(
        owners(&co, "warp/native/volume.cu"),
        ["@mmacklin", "@lwawrzyniak", "@ncapens", "@gdaviet"]
    );
    assert!(co.owners_of("warp/_src/context.py").is_none());

    let co = fixture("gitlab-kicad.CODEOWNERS");
    assert!(co.invalid.is_empty(), "{:?}", co.invalid);
    assert_eq!(co.sections(), ["suggested reviewers"]);
    assert_eq!(
        owners(&co, "pcbnew/router/pns_router.cpp"),
        ["@twlostow", "@craftyjon", "@sethhillbrand"]
    );
    assert_eq!(
        owners(&co, "eeschema/connection_graph.cpp"),
        ["@craftyjon", "@sethhillbrand"]
    );
    assert!(co.owners_of("pcbnew/board.cpp").is_none());

    let co = fixture("gitlab-ircad-sight.CODEOWNERS");
    assert!(co.invalid.is_empty(), "{:?}", co.invalid);
    assert_eq!(co.sections(), ["build", "visualisation", "serialisation"]);
    assert_eq!(owners(&co, "cmake/build/x.cmake"), ["@fbridault"]);
    // Relative patterns with a middle slash are anchored.
    assert_eq!(owners(&co, "libs/io/bitmap/reader.cpp"), ["@dweckmann"]);
    assert!(co.owners_of("other/libs/io/bitmap/reader.cpp").is_none());
}

#[test]
fn gitlab_section_headers_approvals_and_bad_headers() {
    let co = CodeOwners::parse(
        "* @all\n[Docs][2] @writers\n/docs/\n*.md @md\n[docs]\nREADME.md @readme\n^[Opt\n[X][two] @a\n",
    );
    // Same-named sections are combined; last match per section; union over sections.
    assert_eq!(owners(&co, "docs/a.txt"), ["@all", "@writers"]);
    assert_eq!(owners(&co, "docs/README.md"), ["@all", "@readme"]);
    assert_eq!(co.sections(), ["docs"]);
    let lines: Vec<usize> = co.invalid.iter().map(|x| x.0).collect();
    assert_eq!(lines, [7, 8]);
}

#[test]
fn rules_that_match_no_file_are_named_by_line() {
    let co = fixture("github-ossf-scorecard.CODEOWNERS");
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/codeowners/github-ossf-scorecard.CODEOWNERS",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let line_of = |pattern: &str| {
        text.lines()
            .position(|l| l.starts_with(pattern))
            .map(|i| i + 1)
            .unwrap()
    };
    // A tree without `docs/` and without the Azure client.
    let dead = co.rules_matching_nothing(["main.go", "README.md", "checks/x.go"]);
    assert_eq!(
        dead,
        [
            (line_of("/docs/"), "/docs/".to_owned()),
            (
                line_of("/clients/azuredevopsrepo/"),
                "/clients/azuredevopsrepo/".to_owned()
            ),
        ]
    );
    // GitLab sections: each section's rules count on their own.
    let co = fixture("gitlab-ircad-sight.CODEOWNERS");
    let all = co.rules_matching_nothing(std::iter::empty());
    let lines: Vec<usize> = all.iter().map(|r| r.0).collect();
    assert_eq!(lines, [2, 5, 6, 9, 10, 11, 12]);
    let dead = co.rules_matching_nothing(["libs/io/bitmap/reader.cpp", "libs/viz/a.hpp"]);
    let lines: Vec<usize> = dead.iter().map(|r| r.0).collect();
    assert_eq!(lines, [2, 6, 10, 11, 12]);
}

#[test]
fn owners_map_to_commit_identities_and_teams_are_not_measurable() {
    use friction_analysis::teams::{Identity, OwnerStatus, owner_health};
    let ids = [
        Identity {
            email: "ann@example.com",
            name: "Ann Lee",
            last: 1_000,
        },
        Identity {
            email: "12345+bobdev@users.noreply.github.com",
            name: "Bob",
            last: 100,
        },
        Identity {
            email: "carol@example.com",
            name: "carol",
            last: 900,
        },
    ];
    let co = fixture("MESSY-github-git-fame.CODEOWNERS");
    let owners: Vec<String> = co.owners().into_iter().collect();
    assert_eq!(owners, ["@github/pages"]);
    let h = owner_health(owners.iter().map(String::as_str), &ids, 500);
    assert_eq!(h[0].status, OwnerStatus::Team);
    assert_eq!(h[0].identity, None);

    let h = owner_health(
        [
            "@ann",
            "ANN@example.com",
            "@bobdev",
            "@Carol",
            "@zed",
            "zed@example.com",
        ],
        &ids,
        500,
    );
    let got: Vec<(&str, OwnerStatus, Option<&str>)> = h
        .iter()
        .map(|o| (o.owner.as_str(), o.status.clone(), o.identity.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("@ann", OwnerStatus::Active, Some("ann@example.com")),
            (
                "ANN@example.com",
                OwnerStatus::Active,
                Some("ann@example.com")
            ),
            (
                "@bobdev",
                OwnerStatus::Stale,
                Some("12345+bobdev@users.noreply.github.com")
            ),
            ("@Carol", OwnerStatus::Active, Some("carol@example.com")),
            ("@zed", OwnerStatus::NeverCommitted, None),
            ("zed@example.com", OwnerStatus::NeverCommitted, None),
        ]
    );
    assert_eq!(h[2].last_commit, Some(100));
}
