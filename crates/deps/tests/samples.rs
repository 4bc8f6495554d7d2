//! Every lockfile and manifest of `tests/fixtures/lockfiles` (real files; see
//! its `SOURCES.md`) parses, and its package count equals one found by
//! scanning the text a different way than the parser does.

use std::path::Path;

use friction_deps::{Ecosystem, Manifest, Package, parse};

fn sample(relative: &str) -> (String, Manifest) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lockfiles")
        .join(relative);
    let text = std::fs::read_to_string(&path).expect("sample is readable");
    // The format comes from the name the file had in its repository.
    let original = match relative.rsplit('/').next().unwrap() {
        n if n.ends_with("Cargo.lock") => "Cargo.lock",
        n if n.contains("package-lock") => "package-lock.json",
        n if n.ends_with("yarn-v1.lock") => "yarn.lock",
        n if n.contains("pnpm-lock") => "pnpm-lock.yaml",
        n if n.ends_with("poetry.lock") || n.ends_with("poetry-2.x.lock") => "poetry.lock",
        n if n.ends_with("Pipfile.lock") => "Pipfile.lock",
        n if n.ends_with("requirements.txt") => "requirements.txt",
        n if n.ends_with("go.mod") => "go.mod",
        n if n.ends_with("go.sum") => "go.sum",
        n if n.ends_with("Gemfile.lock") => "Gemfile.lock",
        n if n.ends_with("composer.lock") => "composer.lock",
        n if n.ends_with("pom.xml") => "pom.xml",
        n => panic!("no format for {n}"),
    };
    let manifest = parse(original, text.as_bytes()).unwrap_or_else(|e| panic!("{relative}: {e}"));
    (text, manifest)
}

fn count_lines(text: &str, keep: impl Fn(&str) -> bool) -> usize {
    text.lines().filter(|l| keep(l)).count()
}

/// Lines of a top-level YAML section (up to the next unindented line).
fn section<'t>(text: &'t str, name: &str) -> Vec<&'t str> {
    text.lines()
        .skip_while(|l| *l != name)
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with(' '))
        .collect()
}

fn find<'m>(manifest: &'m Manifest, name: &str, version: &str) -> &'m Package {
    manifest
        .packages
        .iter()
        .find(|p| p.name == name && p.version == version)
        .unwrap_or_else(|| panic!("{name} {version} is listed"))
}

/// The line the package `name` is cited at holds `needle`.
fn assert_line_names(text: &str, manifest: &Manifest, name: &str, needle: &str) {
    let p = manifest
        .packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} not found"));
    let line = text.lines().nth(p.line - 1).unwrap();
    assert!(line.contains(needle), "{name}: line {} is {line:?}", p.line);
}

#[test]
fn cargo_locks_of_every_generation_list_their_registry_crates() {
    for file in [
        "cargo/ripgrep-2018-05-Cargo.lock",
        "cargo/ripgrep-HEAD-Cargo.lock",
        "cargo/cargo-HEAD-Cargo.lock",
    ] {
        let (text, manifest) = sample(file);
        let expected = count_lines(&text, |l| {
            l.starts_with("source = \"registry+") || l.starts_with("source = \"sparse+")
        });
        assert!(expected > 10, "{file}");
        assert_eq!(manifest.packages.len(), expected, "{file}");
        assert!(
            manifest
                .packages
                .iter()
                .all(|p| p.ecosystem == Ecosystem::CratesIo && p.pinned)
        );
    }
    let (text, old) = sample("cargo/ripgrep-2018-05-Cargo.lock");
    let memmap = find(&old, "memmap", "0.6.2");
    assert_eq!(text.lines().nth(memmap.line - 1), Some("[[package]]"));
    assert_eq!(text.lines().nth(memmap.line), Some("name = \"memmap\""));
    // ripgrep's own crates depend on memmap; memmap's own dependency libc does not come from them alone.
    assert_eq!(memmap.direct, Some(true));
    // The workspace's own crates are not dependencies.
    assert!(old.packages.iter().all(|p| p.name != "ripgrep"));
}

#[test]
fn package_locks_v2_and_v3_list_every_installed_package_and_the_direct_ones() {
    for file in [
        "npm/coveralls-3.1.1-package-lock-v2.json",
        "npm/mocha-fixture-package-lock-v3.json",
        "npm/osv-scanner-in-place-npm-package-lock-v2.json",
    ] {
        let (text, manifest) = sample(file);
        // Installed packages: keys under `packages` at their indentation that
        // hold a `version` (links would have none).
        let lines: Vec<&str> = text.lines().collect();
        let expected = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.starts_with("    \"node_modules/"))
            .filter(|(i, _)| {
                lines[i + 1..]
                    .iter()
                    .take_while(|l| !l.starts_with("    }"))
                    .any(|l| l.starts_with("      \"version\":"))
            })
            .count();
        assert_eq!(manifest.packages.len(), expected, "{file}");
        let direct = manifest
            .packages
            .iter()
            .filter(|p| p.direct == Some(true))
            .count();
        assert!(direct > 0 && direct < expected, "{file}: {direct} direct");
    }
    let (text, coveralls) = sample("npm/coveralls-3.1.1-package-lock-v2.json");
    assert_line_names(&text, &coveralls, "minimist", "node_modules/minimist");
    assert_eq!(find(&coveralls, "request", "2.88.2").direct, Some(true));
}

#[test]
fn package_lock_v1_reads_nested_dependencies() {
    let lock = r#"{
  "name": "app",
  "lockfileVersion": 1,
  "dependencies": {
    "a": { "version": "1.0.0", "dependencies": { "b": { "version": "2.0.0" } } },
    "b": { "version": "3.0.0" },
    "local": { "version": "file:../local" }
  }
}"#;
    let manifest = parse("package-lock.json", lock.as_bytes()).unwrap();
    let listed: Vec<(&str, &str)> = manifest
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(listed, [("a", "1.0.0"), ("b", "2.0.0"), ("b", "3.0.0")]);
}

#[test]
fn yarn_classic_lists_one_package_per_entry() {
    let (text, manifest) = sample("yarn/openslo-2021-05-yarn-v1.lock");
    let expected = count_lines(&text, |l| l.starts_with("  version \""));
    assert_eq!(manifest.packages.len(), expected);
    // `minimist@^1.2.0, minimist@~1.2.5` is one entry.
    let minimist: Vec<&Package> = manifest
        .packages
        .iter()
        .filter(|p| p.name == "minimist")
        .collect();
    assert_eq!(
        minimist.len(),
        count_lines(&text, |l| l.starts_with("minimist@")
            || l.starts_with("\"minimist@"))
    );
    assert!(
        manifest
            .packages
            .iter()
            .any(|p| p.name == "@babel/code-frame" && p.version == "7.12.13")
    );
}

#[test]
fn yarn_berry_skips_workspaces_and_patches() {
    // Written by hand after yarn 4's layout.
    let lock = "# This file is generated by running \"yarn install\" inside your project.\n\n__metadata:\n  version: 8\n  cacheKey: 10c0\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n  linkType: soft\n\n\"lodash@npm:^4.17.0, lodash@npm:^4.17.15\":\n  version: 4.17.15\n  resolution: \"lodash@npm:4.17.15\"\n  linkType: hard\n\n\"@types/node@npm:^20\":\n  version: 20.1.0\n  resolution: \"@types/node@npm:20.1.0\"\n\n\"resolve@patch:resolve@npm%3A^1.0#~builtin<compat/resolve>\":\n  version: 1.22.0\n";
    let manifest = parse("yarn.lock", lock.as_bytes()).unwrap();
    let listed: Vec<(&str, &str, usize)> = manifest
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.line))
        .collect();
    assert_eq!(
        listed,
        [("lodash", "4.17.15", 12), ("@types/node", "20.1.0", 17)]
    );
}

#[test]
fn pnpm_locks_from_5_4_to_9_list_the_packages_section() {
    for file in [
        "pnpm/vue-core-2022-12-pnpm-lock-v5.4.yaml",
        "pnpm/osv-dev-frontend3-pnpm-lock-v9.yaml",
    ] {
        let (text, manifest) = sample(file);
        // Every package entry has one `resolution:` line.
        let expected = section(&text, "packages:")
            .iter()
            .filter(|l| l.trim_start().starts_with("resolution: {integrity"))
            .count();
        assert!(expected > 50, "{file}");
        assert_eq!(manifest.packages.len(), expected, "{file}");
        assert!(
            manifest.packages.iter().any(|p| p.direct == Some(true)),
            "{file}"
        );
        assert!(
            manifest.packages.iter().any(|p| p.direct == Some(false)),
            "{file}"
        );
    }
    let (_, vue) = sample("pnpm/vue-core-2022-12-pnpm-lock-v5.4.yaml");
    let frame = find(&vue, "@babel/code-frame", "7.12.11");
    assert_eq!(frame.line, 305);
    let (_, osv) = sample("pnpm/osv-dev-frontend3-pnpm-lock-v9.yaml");
    assert_eq!(find(&osv, "@hotwired/turbo", "8.0.23").direct, Some(true));
}

#[test]
fn pnpm_6_keys_carry_peers_in_parentheses() {
    let lock = "lockfileVersion: '6.0'\n\ndependencies:\n  react-dom:\n    specifier: ^18\n    version: 18.2.0(react@18.2.0)\n\npackages:\n\n  /react-dom@18.2.0(react@18.2.0):\n    resolution: {integrity: sha512-x}\n\n  /@scope/loose-envify@1.4.0:\n    resolution: {integrity: sha512-y}\n";
    let manifest = parse("pnpm-lock.yaml", lock.as_bytes()).unwrap();
    let listed: Vec<(&str, &str, Option<bool>)> = manifest
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.direct))
        .collect();
    assert_eq!(
        listed,
        [
            ("react-dom", "18.2.0", Some(true)),
            ("@scope/loose-envify", "1.4.0", Some(false))
        ]
    );
}

#[test]
fn bun_lock_with_trailing_commas_lists_registry_packages() {
    // Written by hand after bun 1.2's text lockfile.
    let lock = r#"{
  "lockfileVersion": 1,
  "workspaces": {
    "": {
      "name": "app",
      "dependencies": {
        "lodash": "^4.17.0",
      },
    },
  },
  "packages": {
    "app": ["app@workspace:."],
    "lodash": ["lodash@4.17.20", "", {}, "sha512-a,b"],
    "@types/node": ["@types/node@20.1.0", "", {}, "sha512-c"],
  },
}"#;
    let manifest = parse("bun.lock", lock.as_bytes()).unwrap();
    let listed: Vec<(&str, &str, Option<bool>, usize)> = manifest
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.direct, p.line))
        .collect();
    assert_eq!(
        listed,
        [
            ("@types/node", "20.1.0", Some(false), 14),
            ("lodash", "4.17.20", Some(true), 13)
        ]
    );
}

#[test]
fn poetry_locks_old_and_new_list_every_package() {
    for file in [
        "python/poetry-2021-05-poetry.lock",
        "python/osv-dev-pypi-function-poetry-2.x.lock",
    ] {
        let (text, manifest) = sample(file);
        let expected = count_lines(&text, |l| l == "[[package]]");
        assert!(expected > 10);
        assert_eq!(manifest.packages.len(), expected, "{file}");
        assert!(
            manifest
                .packages
                .iter()
                .all(|p| p.ecosystem == Ecosystem::PyPI)
        );
    }
}

#[test]
fn pipfile_lock_lists_default_and_develop_pins() {
    let (text, manifest) = sample("python/osv-schema-ghsa-Pipfile.lock");
    let expected = count_lines(&text, |l| l.trim_start().starts_with("\"version\": \"=="));
    assert_eq!(manifest.packages.len(), expected);
    assert!(manifest.packages.iter().all(|p| p.pinned));
    assert_line_names(&text, &manifest, "attrs", "\"attrs\"");
}

#[test]
fn requirements_pins_markers_and_vcs_lines() {
    for file in [
        "python/fourkeys-pagerduty-parser-requirements.txt",
        "python/fourkeys-event-handler-requirements.txt",
        "python/environment-markers-requirements.txt",
    ] {
        let (text, manifest) = sample(file);
        assert_eq!(
            manifest.packages.len(),
            count_lines(&text, |l| l.contains("==")),
            "{file}"
        );
        assert!(
            manifest
                .packages
                .iter()
                .all(|p| p.pinned && p.direct == Some(true))
        );
    }
    let (_, markers) = sample("python/environment-markers-requirements.txt");
    assert_eq!(
        markers
            .packages
            .iter()
            .filter(|p| p.name == "humanize")
            .count(),
        4
    );
    let (_, messy) = sample("python/fourkeys-pagerduty-parser-requirements.txt");
    assert_eq!(find(&messy, "protobuf", "3.20.2").line, 5);
}

#[test]
fn requirements_report_loose_ranges_and_includes() {
    let text = "-r base.txt\n--constraint=constraints.txt\nrequests>=2.0  # loose\nflask[async]==2.3.2 \\\n    --hash=sha256:abc\n-e git+https://example.com/x.git#egg=x\nDjango~=4.2\nnumpy\n";
    let manifest = parse("requirements-dev.txt", text.as_bytes()).unwrap();
    assert_eq!(manifest.includes, ["base.txt", "constraints.txt"]);
    let listed: Vec<(&str, &str, bool, usize)> = manifest
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.pinned, p.line))
        .collect();
    assert_eq!(
        listed,
        [
            ("requests", ">=2.0", false, 3),
            ("flask", "2.3.2", true, 4),
            ("Django", "~=4.2", false, 7),
            ("numpy", "", false, 8)
        ]
    );
}

#[test]
fn go_mod_lists_requirements_direct_and_indirect_and_applies_replacements() {
    for file in ["go/gin-HEAD-go.mod", "go/gin-2020-03-go.mod"] {
        let (text, manifest) = sample(file);
        let expected = count_lines(&text, |l| {
            let t = l.trim_start_matches("require").trim();
            t.split_whitespace()
                .nth(1)
                .is_some_and(|v| v.starts_with("v"))
                && !l.starts_with("module")
        });
        assert_eq!(manifest.packages.len(), expected, "{file}");
        let indirect = count_lines(&text, |l| l.ends_with("// indirect"));
        assert_eq!(
            manifest
                .packages
                .iter()
                .filter(|p| p.direct == Some(false))
                .count(),
            indirect,
            "{file}"
        );
    }
    let (_, messy) = sample("go/MESSY-replace-local-go.mod");
    assert!(
        messy.packages.is_empty(),
        "a module replaced by a local directory is no dependency"
    );
}

#[test]
fn go_sum_lists_each_hashed_module_version_once() {
    let (text, manifest) = sample("go/gin-HEAD-go.sum");
    let expected = count_lines(&text, |l| !l.contains("/go.mod h1:"));
    assert_eq!(manifest.packages.len(), expected);
}

#[test]
fn gemfile_lock_lists_specs_and_direct_gems() {
    let (text, manifest) = sample("ruby/osv-schema-docs-2021-09-Gemfile.lock");
    let expected = count_lines(&text, |l| {
        l.starts_with("    ") && !l.starts_with("     ") && l.ends_with(')')
    });
    assert_eq!(manifest.packages.len(), expected);
    assert_eq!(
        find(&manifest, "nokogiri", "1.12.4").ecosystem,
        Ecosystem::RubyGems
    );
    assert_eq!(find(&manifest, "github-pages", "219").direct, Some(true));
    assert_eq!(
        find(&manifest, "activesupport", "6.0.4.1").direct,
        Some(false)
    );
}

#[test]
fn composer_lock_lists_packages_and_dev_packages() {
    let (text, manifest) = sample("php/composer-2020-12-composer.lock");
    let expected = count_lines(&text, |l| l.starts_with("            \"name\": \""));
    assert_eq!(manifest.packages.len(), expected);
    assert_line_names(&text, &manifest, "symfony/console", "symfony/console");
}

#[test]
fn pom_declared_and_managed_versions_resolve_properties() {
    for (file, expected_unpinned) in [
        ("maven/log4j-web-2.14.1-pom.xml", 0),
        ("maven/MESSY-override-properties-pom.xml", 0),
        ("maven/multimodule-parent-pom.xml", 2),
    ] {
        let (text, manifest) = sample(file);
        assert_eq!(
            manifest.packages.len(),
            text.matches("<dependency>").count(),
            "{file}"
        );
        assert_eq!(
            manifest.packages.iter().filter(|p| !p.pinned).count(),
            expected_unpinned,
            "{file}"
        );
    }
    let (_, messy) = sample("maven/MESSY-override-properties-pom.xml");
    let httpclient = find(&messy, "org.apache.httpcomponents:httpclient", "4.0");
    assert!(httpclient.pinned);
    let (_, log4j) = sample("maven/log4j-web-2.14.1-pom.xml");
    assert_eq!(
        find(&log4j, "org.apache.logging.log4j:log4j-web", "2.14.1").line,
        16
    );
    let (_, parent) = sample("maven/multimodule-parent-pom.xml");
    // `${kotlin.version}` is defined by no property of this pom.
    let kotlin = parent
        .packages
        .iter()
        .find(|p| p.name.ends_with("kotlin-stdlib-jdk8"))
        .unwrap();
    assert_eq!(kotlin.version, "${kotlin.version}");
}

#[test]
fn gradle_lockfile_lists_coordinates() {
    // Written by hand after Gradle 8's `gradle.lockfile`.
    let lock = "# This is a Gradle generated file for dependency locking.\n# Manual edits can break the build and are not advised.\n# This file is expected to be part of source control.\ncom.google.guava:guava:31.1-jre=compileClasspath,runtimeClasspath\norg.apache.logging.log4j:log4j-core:2.14.1=runtimeClasspath\nempty=annotationProcessor\n";
    let manifest = parse("app/gradle.lockfile", lock.as_bytes()).unwrap();
    let listed: Vec<(&str, &str, usize)> = manifest
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.line))
        .collect();
    assert_eq!(
        listed,
        [
            ("com.google.guava:guava", "31.1-jre", 4),
            ("org.apache.logging.log4j:log4j-core", "2.14.1", 5)
        ]
    );
}
