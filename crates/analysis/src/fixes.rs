//! Which commits fix defects: one classifier for the assessment
//! (`defect-prone-code`, `ai-fix-follow`) and the back-test.
//!
//! A fix word in a message is only the start. On apache/commons-lang about
//! 45 % of a year's fix-word commits were about documentation, typos or
//! tests ("Fix typos in Javadoc", "fix test"); counted as defect fixes they
//! pinned Reliability to 0. So a commit is a **defect fix** when it says it
//! fixes something (a fix word, or a conventional `fix:` type), what it fixes
//! is not documentation, wording, style or tooling, and it changed product
//! code. Every rule and its rationale is in [`classify`]'s documentation; the
//! precision and recall on hand-labelled public commits is measured by
//! `crates/analysis/tests/fix_commits.rs` (see `BENCHMARKS.md`).

use serde::Serialize;

/// Words that mark a commit as a fix (whole words, case-insensitive), as
/// code-maat's and most SZZ implementations' message heuristics do.
pub const FIX_WORDS: &[&str] = &[
    "fix",
    "fixes",
    "fixed",
    "fixing",
    "bug",
    "bugs",
    "bugfix",
    "hotfix",
    "defect",
    "regression",
    "crash",
    "fault",
];

/// Whether a message has a fix word: the plain word rule, before
/// classification (what `friction` counted as a fix up to methodology eci/4).
pub fn has_fix_word(message: &str) -> bool {
    words(message).any(|w| FIX_WORDS.iter().any(|f| w.eq_ignore_ascii_case(f)))
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// What a path of a repository holds, from its path alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PathKind {
    /// Code and resources the product ships or runs.
    Product,
    /// Tests and their fixtures ([`is_test_path`]).
    Test,
    /// Documentation: `docs/`, `*.md`, `*.rst`, `*.txt`, README, changelog, licence.
    Docs,
    /// Build, packaging, dependency and CI configuration.
    Build,
    /// Examples and samples.
    Example,
    /// Benchmarks.
    Benchmark,
}

impl PathKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PathKind::Product => "product",
            PathKind::Test => "test",
            PathKind::Docs => "docs",
            PathKind::Build => "build",
            PathKind::Example => "example",
            PathKind::Benchmark => "benchmark",
        }
    }

    /// The kind a name from [`PathKind::as_str`] stands for.
    pub fn parse(name: &str) -> Option<PathKind> {
        [
            PathKind::Product,
            PathKind::Test,
            PathKind::Docs,
            PathKind::Build,
            PathKind::Example,
            PathKind::Benchmark,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }

    /// What `path` holds. Tests win over everything (a test's README is a
    /// test file), then examples and benchmarks, then documentation and build
    /// files; everything else is product.
    pub fn of(path: &str) -> PathKind {
        let lower = path.to_ascii_lowercase();
        let mut parts: Vec<&str> = lower.split('/').collect();
        let name = parts.pop().unwrap_or_default();
        let dirs = parts;
        if is_test_path(path) {
            return PathKind::Test;
        }
        let dir_is = |set: &[&str]| dirs.iter().any(|d| set.contains(d));
        if dir_is(&["example", "examples", "sample", "samples", "demo", "demos"]) {
            return PathKind::Example;
        }
        if dir_is(&["bench", "benches", "benchmark", "benchmarks"]) {
            return PathKind::Benchmark;
        }
        if is_build_file(&dirs, name) {
            return PathKind::Build;
        }
        if dir_is(&["doc", "docs", "documentation", "website", "man"]) || is_doc_file(name) {
            return PathKind::Docs;
        }
        PathKind::Product
    }
}

/// Test code: a `t`, `test`, `tests`, `testing`, `spec`, `specs`,
/// `__tests__` or `testdata` directory, or a test file's name (`test_*`,
/// `*_test.*`, `*.test.*`, `*.spec.*`, `*_spec.*`, `*Test.java`, `*Tests.cs`,
/// `*Test.kt`).
pub fn is_test_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let dirs: Vec<&str> = lower.split('/').collect();
    dirs[..dirs.len().saturating_sub(1)].iter().any(|d| {
        matches!(
            *d,
            "t" | "test" | "tests" | "testing" | "spec" | "specs" | "__tests__" | "testdata"
        )
    }) || name.starts_with("test_")
        || name.contains("_test.")
        || name.contains(".test.")
        || name.contains(".spec.")
        || name.contains("_spec.")
        || (name.ends_with("test.java") || name.ends_with("tests.cs") || name.ends_with("test.kt"))
}

fn is_doc_file(name: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e);
    matches!(
        ext,
        Some("md" | "markdown" | "rst" | "txt" | "adoc" | "asciidoc" | "rdoc" | "textile" | "pod")
    ) || [
        "readme",
        "changelog",
        "changes",
        "history",
        "news",
        "authors",
        "contributors",
        "license",
        "licence",
        "copying",
        "notice",
        "code_of_conduct",
        "security",
        "relnotes",
    ]
    .iter()
    .any(|stem| name == *stem || name.starts_with(&format!("{stem}.")))
}

fn is_build_file(dirs: &[&str], name: &str) -> bool {
    const CI_DIRS: &[&str] = &[
        ".github",
        ".gitlab",
        ".circleci",
        ".ci",
        ".buildkite",
        ".azure-pipelines",
        ".devcontainer",
        ".husky",
        "ci",
    ];
    const NAMES: &[&str] = &[
        "makefile",
        "gnumakefile",
        "cmakelists.txt",
        "configure",
        "configure.ac",
        "configure.in",
        "meson.build",
        "meson_options.txt",
        "cargo.toml",
        "cargo.lock",
        "package.json",
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "tox.ini",
        "noxfile.py",
        "pipfile",
        "pipfile.lock",
        "poetry.lock",
        "uv.lock",
        "manifest.in",
        "pom.xml",
        "build.xml",
        "build.gradle",
        "build.gradle.kts",
        "settings.gradle",
        "settings.gradle.kts",
        "gradle.properties",
        "gradlew",
        "gemfile",
        "gemfile.lock",
        "rakefile",
        "go.mod",
        "go.sum",
        "dockerfile",
        "docker-compose.yml",
        "docker-compose.yaml",
        "jenkinsfile",
        "appveyor.yml",
        "azure-pipelines.yml",
        "codecov.yml",
        "renovate.json",
        "netlify.toml",
        "vercel.json",
    ];
    let ext = name.rsplit_once('.').map(|(_, e)| e);
    dirs.iter().any(|d| CI_DIRS.contains(d))
        || NAMES.contains(&name)
        || matches!(ext, Some("mk" | "cmake" | "gemspec"))
        || (name.starts_with("requirements") && name.ends_with(".txt"))
        // Root dotfiles: .gitignore, .travis.yml, .editorconfig, linter settings.
        || (dirs.is_empty() && name.starts_with('.'))
}

/// Which kinds of paths a commit changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Touched(u8);

impl Touched {
    /// The kinds of `paths`.
    pub fn of<'a>(paths: impl IntoIterator<Item = &'a str>) -> Touched {
        let mut t = Touched::default();
        for p in paths {
            t.add(PathKind::of(p));
        }
        t
    }

    pub fn add(&mut self, kind: PathKind) {
        self.0 |= 1 << kind as u8;
    }

    pub fn has(self, kind: PathKind) -> bool {
        self.0 & (1 << kind as u8) != 0
    }

    /// Whether it changed anything.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The kinds, `+`-joined (`product+test`), `none` when nothing.
    pub fn names(self) -> String {
        let kinds: Vec<&str> = KINDS
            .iter()
            .filter(|k| self.has(**k))
            .map(|k| k.as_str())
            .collect();
        if kinds.is_empty() {
            "none".into()
        } else {
            kinds.join("+")
        }
    }

    /// The reverse of [`Touched::names`]; `None` on an unknown kind.
    pub fn parse(names: &str) -> Option<Touched> {
        let mut t = Touched::default();
        if names == "none" {
            return Some(t);
        }
        for n in names.split('+') {
            t.add(PathKind::parse(n)?);
        }
        Some(t)
    }
}

const KINDS: [PathKind; 6] = [
    PathKind::Product,
    PathKind::Test,
    PathKind::Docs,
    PathKind::Build,
    PathKind::Example,
    PathKind::Benchmark,
];

/// Why a commit that says "fix" is not a defect fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotDefect {
    /// A conventional-commit type that is not `fix` (`docs:`, `test:`, …).
    CommitType,
    /// Typos, spelling, grammar, wording.
    Wording,
    /// Documentation, comments, README, changelog.
    Documentation,
    /// Formatting, whitespace, lint, style checkers, compiler warnings.
    Style,
    /// Type hints and annotations (no behaviour changes).
    TypeHints,
    /// Tests (what the message says it fixes).
    Tests,
    /// Refactoring, clean-up, moves, renames, improvements, dependencies:
    /// perfective maintenance words beside the fix word.
    Maintenance,
    /// Changed tests only.
    TestsOnly,
    /// Changed build, dependency or CI files only.
    BuildOnly,
    /// Changed documentation only.
    DocsOnly,
    /// Changed no product code (examples, benchmarks, excluded files, nothing).
    NoProductCode,
}

impl NotDefect {
    pub fn as_str(self) -> &'static str {
        match self {
            NotDefect::CommitType => "commit type",
            NotDefect::Wording => "wording",
            NotDefect::Documentation => "documentation",
            NotDefect::Style => "style",
            NotDefect::TypeHints => "type hints",
            NotDefect::Tests => "tests",
            NotDefect::Maintenance => "maintenance",
            NotDefect::TestsOnly => "tests only",
            NotDefect::BuildOnly => "build only",
            NotDefect::DocsOnly => "docs only",
            NotDefect::NoProductCode => "no product code",
        }
    }
}

/// What a commit is, for counting defect fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixClass {
    /// It fixes a defect of the product.
    Defect,
    /// It says "fix", but what it fixes is not a defect of the product.
    NotDefect(NotDefect),
    /// It does not say it fixes anything.
    NotFix,
}

/// Conventional-commit types that say the change is not a bug fix
/// (conventionalcommits.org 1.0.0 and the Angular convention it comes from:
/// `docs` "documentation only changes", `style` "changes that do not affect
/// the meaning of the code", `refactor` "neither fixes a bug nor adds a
/// feature", `test`, `build`, `ci`, `chore`; `feat` is a feature).
const OTHER_TYPES: &[&str] = &[
    "docs", "doc", "test", "tests", "style", "chore", "ci", "build", "refactor", "feat", "feature",
    "release", "deps",
];

/// Scopes of `fix(scope):` that name a non-product topic.
const NON_PRODUCT_SCOPES: &[&str] = &[
    "docs",
    "doc",
    "readme",
    "test",
    "tests",
    "ci",
    "build",
    "deps",
    "deps-dev",
    "lint",
    "style",
    "typo",
    "typos",
    "changelog",
    "release",
    "refactor",
    "types",
    "typing",
];

/// Words that make "fix …" about the text or the tooling rather than the
/// product's behaviour, with what they make it.
const TOPICS: &[(&str, NotDefect)] = &[
    ("typo", NotDefect::Wording),
    ("typos", NotDefect::Wording),
    ("typo's", NotDefect::Wording),
    ("spelling", NotDefect::Wording),
    ("misspelling", NotDefect::Wording),
    ("misspellings", NotDefect::Wording),
    ("misspelled", NotDefect::Wording),
    ("misspelt", NotDefect::Wording),
    ("grammar", NotDefect::Wording),
    ("grammatical", NotDefect::Wording),
    ("wording", NotDefect::Wording),
    ("phrasing", NotDefect::Wording),
    ("punctuation", NotDefect::Wording),
    ("doc", NotDefect::Documentation),
    ("docs", NotDefect::Documentation),
    ("documentation", NotDefect::Documentation),
    ("javadoc", NotDefect::Documentation),
    ("javadocs", NotDefect::Documentation),
    ("docstring", NotDefect::Documentation),
    ("docstrings", NotDefect::Documentation),
    ("jsdoc", NotDefect::Documentation),
    ("rustdoc", NotDefect::Documentation),
    ("doxygen", NotDefect::Documentation),
    ("comment", NotDefect::Documentation),
    ("comments", NotDefect::Documentation),
    ("readme", NotDefect::Documentation),
    ("changelog", NotDefect::Documentation),
    ("whitespace", NotDefect::Style),
    ("whitespaces", NotDefect::Style),
    ("indentation", NotDefect::Style),
    ("reformat", NotDefect::Style),
    ("lint", NotDefect::Style),
    ("linting", NotDefect::Style),
    ("linter", NotDefect::Style),
    ("lints", NotDefect::Style),
    ("checkstyle", NotDefect::Style),
    ("clippy", NotDefect::Style),
    ("rustfmt", NotDefect::Style),
    ("flake8", NotDefect::Style),
    ("pylint", NotDefect::Style),
    ("eslint", NotDefect::Style),
    ("mypy", NotDefect::Style),
    ("pyright", NotDefect::Style),
    ("prettier", NotDefect::Style),
    ("isort", NotDefect::Style),
    ("pmd", NotDefect::Style),
    ("spotbugs", NotDefect::Style),
    ("findbugs", NotDefect::Style),
    ("sonar", NotDefect::Style),
    ("warning", NotDefect::Style),
    ("warnings", NotDefect::Style),
    ("unused", NotDefect::Style),
    ("typing", NotDefect::TypeHints),
    ("hint", NotDefect::TypeHints),
    ("hints", NotDefect::TypeHints),
    ("typehint", NotDefect::TypeHints),
    ("typehints", NotDefect::TypeHints),
    ("annotation", NotDefect::TypeHints),
    ("annotations", NotDefect::TypeHints),
    ("test", NotDefect::Tests),
    ("tests", NotDefect::Tests),
    ("testcase", NotDefect::Tests),
    ("testcases", NotDefect::Tests),
    ("refactor", NotDefect::Maintenance),
    ("refactoring", NotDefect::Maintenance),
    ("refactored", NotDefect::Maintenance),
    ("cleanup", NotDefect::Maintenance),
    ("cleanups", NotDefect::Maintenance),
    ("simplify", NotDefect::Maintenance),
    ("simplified", NotDefect::Maintenance),
    ("rename", NotDefect::Maintenance),
    ("renamed", NotDefect::Maintenance),
    ("renaming", NotDefect::Maintenance),
    ("move", NotDefect::Maintenance),
    ("moved", NotDefect::Maintenance),
    ("improve", NotDefect::Maintenance),
    ("improved", NotDefect::Maintenance),
    ("improves", NotDefect::Maintenance),
    ("improvement", NotDefect::Maintenance),
    ("improvements", NotDefect::Maintenance),
    ("unnecessary", NotDefect::Maintenance),
    ("redundant", NotDefect::Maintenance),
    ("reorganize", NotDefect::Maintenance),
    ("tidy", NotDefect::Maintenance),
    ("dependency", NotDefect::Maintenance),
    ("dependencies", NotDefect::Maintenance),
];

/// Classifies a commit from its message and what it changed.
///
/// Rules, in order (measured on hand-labelled public commits: see
/// `BENCHMARKS.md`):
///
/// 1. **The subject line decides.** Fix words found only in the body were
///    defect fixes in about two cases of three on the labelled sample (long
///    bodies mention bugs fixed elsewhere, "will be fixed later", "not a bug
///    fix", a `BUG()` macro, squashed commits' lists); in the subject, in
///    more than nine of ten.
/// 2. **Reverts** (`Revert "…"`, `revert:`) are not fixes: the quoted
///    subject describes the reverted change, not the revert (reverting "Fix
///    X" does not fix X).
/// 3. **Conventional commits** (conventionalcommits.org 1.0.0): `fix:` or
///    `fix(scope):` says "a bug fix" — a defect fix unless the scope or the
///    description names a non-product topic (`fix(docs):`, `fix: typo`);
///    `docs:`, `test:`, `style:`, `refactor:`, `chore:`, `ci:`, `build:`,
///    `feat:` say it is not one. aider's `aider:` attribution prefix is
///    skipped.
/// 4. Otherwise a **fix word** ([`FIX_WORDS`]) in the subject, outside web
///    addresses, makes it a fix.
/// 5. A fix is **not a defect fix** when its subject is about typos,
///    spelling, grammar, wording, documentation (docs, Javadoc, docstrings,
///    comments, README, changelog), formatting, whitespace, lint or style
///    checkers (checkstyle, clippy, rustfmt, flake8, mypy, …), warnings,
///    unused code, type hints, tests, or perfective maintenance (refactoring,
///    clean-up, moves, renames, improvements, dependencies: Mockus & Votta's
///    non-corrective keywords).
/// 6. A fix that **changed no product code** is never a defect fix: tests
///    only, documentation only, build/CI only, or nothing the assessment
///    counts (examples, benchmarks, vendored and generated files).
pub fn classify(message: &str, touched: Touched) -> FixClass {
    let mut subject = message.lines().next().unwrap_or_default().trim();
    if let Some(rest) = strip_prefix_ci(subject, "aider:") {
        subject = rest.trim_start();
    }
    if is_revert(subject) {
        return FixClass::NotFix;
    }
    let conventional = conventional_type(subject);
    let typed_fix = match &conventional {
        Some((ty, scope, _)) if matches!(ty.as_str(), "fix" | "bugfix" | "hotfix") => {
            if scope.as_deref().is_some_and(|s| {
                s.split([',', '/'])
                    .any(|s| NON_PRODUCT_SCOPES.contains(&s.trim()))
            }) {
                return FixClass::NotDefect(NotDefect::CommitType);
            }
            true
        }
        Some(_) => {
            return if says_fix(subject) {
                FixClass::NotDefect(NotDefect::CommitType)
            } else {
                FixClass::NotFix
            };
        }
        None => false,
    };
    let description = conventional.as_ref().map_or(subject, |(_, _, d)| *d);
    if !typed_fix && !says_fix(description) {
        return FixClass::NotFix;
    }
    if let Some(topic) = topic(description) {
        return FixClass::NotDefect(topic);
    }
    if !touched.has(PathKind::Product) {
        let only = |k: PathKind| {
            let mut t = Touched::default();
            t.add(k);
            touched == t
        };
        return FixClass::NotDefect(if only(PathKind::Test) {
            NotDefect::TestsOnly
        } else if only(PathKind::Docs) {
            NotDefect::DocsOnly
        } else if only(PathKind::Build) {
            NotDefect::BuildOnly
        } else {
            NotDefect::NoProductCode
        });
    }
    FixClass::Defect
}

/// Whether a line has a fix word outside web addresses
/// (`bugs.openjdk.org/…` names a tracker, not a fix).
fn says_fix(line: &str) -> bool {
    line.split_whitespace()
        .filter(|t| !t.contains("://") && !t.starts_with("www."))
        .any(has_fix_word)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    s.get(..prefix.len())
        .filter(|p| p.eq_ignore_ascii_case(prefix))
        .map(|_| &s[prefix.len()..])
}

fn is_revert(subject: &str) -> bool {
    strip_prefix_ci(subject, "revert \"").is_some()
        || strip_prefix_ci(subject, "revert:").is_some()
        || strip_prefix_ci(subject, "revert(").is_some()
}

/// `type(scope)!: description` of conventionalcommits.org, for the known
/// types: (type lower-cased, scope lower-cased, description). `perf` is read
/// as no type: a performance fix may well be a defect fix, so its words decide.
fn conventional_type(subject: &str) -> Option<(String, Option<String>, &str)> {
    let (head, description) = subject.split_once(':')?;
    let head = head.trim_end_matches('!');
    let (ty, scope) = match head.split_once('(') {
        Some((ty, rest)) => (ty, Some(rest.strip_suffix(')')?)),
        None => (head, None),
    };
    let ty = ty.to_ascii_lowercase();
    let known = matches!(ty.as_str(), "fix" | "bugfix" | "hotfix" | "revert")
        || OTHER_TYPES.contains(&ty.as_str());
    known.then(|| {
        (
            ty,
            scope
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty()),
            description.trim(),
        )
    })
}

/// The non-product topic a line is about, if any. Words are read between
/// spaces, slashes and hyphens; identifiers and paths (`a_b`, `x.rs`,
/// `f()`) are names, not words (`git_config_copy_or_rename_section` is not
/// about renaming).
fn topic(line: &str) -> Option<NotDefect> {
    line.split(|c: char| c.is_whitespace() || c == '/' || c == '-')
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_alphanumeric() || c == '\''))
        .find_map(|w| {
            let w = w.to_ascii_lowercase();
            TOPICS.iter().find(|(t, _)| *t == w).map(|(_, kind)| *kind)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product() -> Touched {
        Touched::of(["src/lib.rs"])
    }

    #[test]
    fn fix_words_are_whole_words() {
        assert!(has_fix_word("Fix crash on empty input"));
        assert!(has_fix_word("bugfix: off by one"));
        assert!(has_fix_word("PROJ-1 fixed the thing"));
        assert!(!has_fix_word("Add prefix handling"));
        assert!(!has_fix_word("debug logging"));
    }

    #[test]
    fn paths_have_kinds() {
        for (path, kind) in [
            (
                "src/main/java/org/apache/commons/lang3/StringUtils.java",
                PathKind::Product,
            ),
            (
                "src/test/java/org/apache/commons/lang3/StringUtilsTest.java",
                PathKind::Test,
            ),
            ("t/t0001-init.sh", PathKind::Test),
            ("docs/api.rst", PathKind::Docs),
            ("Documentation/git-log.adoc", PathKind::Docs),
            ("README.md", PathKind::Docs),
            ("CHANGES.rst", PathKind::Docs),
            ("src/flask/app.py", PathKind::Product),
            (".github/workflows/tests.yaml", PathKind::Build),
            ("pom.xml", PathKind::Build),
            ("package.json", PathKind::Build),
            ("requirements/dev.txt", PathKind::Docs),
            ("requirements-dev.txt", PathKind::Build),
            ("Makefile", PathKind::Build),
            ("examples/tutorial/flaskr/db.py", PathKind::Example),
            ("benchmarks/routing.js", PathKind::Benchmark),
            ("aider/resources/model-settings.yml", PathKind::Product),
        ] {
            assert_eq!(PathKind::of(path), kind, "{path}");
        }
    }

    #[test]
    fn touched_round_trips_through_its_names() {
        let t = Touched::of(["src/a.rs", "tests/a.rs"]);
        assert_eq!(t.names(), "product+test");
        assert_eq!(Touched::parse("product+test"), Some(t));
        assert_eq!(Touched::parse("none"), Some(Touched::default()));
        assert_eq!(Touched::parse("code"), None);
    }

    #[test]
    fn a_fix_of_product_code_is_a_defect_fix() {
        assert_eq!(
            classify("Fix race condition in Range.hashCode()", product()),
            FixClass::Defect
        );
        assert_eq!(classify("Add a cache", product()), FixClass::NotFix);
    }

    #[test]
    fn typo_documentation_and_style_fixes_are_not_defect_fixes() {
        for (msg, why) in [
            ("Fix typos in Javadoc", NotDefect::Wording),
            ("Fix malformed Javadoc comments", NotDefect::Documentation),
            ("fix spelling/grammar (#1486)", NotDefect::Wording),
            ("Fix Checkstyle trailing whitespace.", NotDefect::Style),
            ("fix mypy findings", NotDefect::Style),
        ] {
            assert_eq!(classify(msg, product()), FixClass::NotDefect(why), "{msg}");
        }
    }

    #[test]
    fn conventional_commit_types_decide() {
        for msg in [
            "fix: Show cursor on KeyboardInterrupt exit",
            "fix(router): keep the query string",
            "aider: fix: Do not lowercase the message",
        ] {
            assert_eq!(classify(msg, product()), FixClass::Defect, "{msg}");
        }
        for msg in [
            "docs: Fix typo in README quote",
            "test: fix test_list_models to mock the loader",
            "style: Fix linting errors in patch_coder.py",
            "chore: Run linter and fix import order",
            "fix(docs): update guidance for triager nominations",
            "fix(deps): send@^1.1.0",
            "refactor!: fix naming",
        ] {
            assert_eq!(
                classify(msg, product()),
                FixClass::NotDefect(NotDefect::CommitType),
                "{msg}"
            );
        }
        assert_eq!(
            classify("fix: Remove unused sys import", product()),
            FixClass::NotDefect(NotDefect::Style)
        );
        assert_eq!(classify("docs: add a guide", product()), FixClass::NotFix);
    }

    #[test]
    fn identifiers_are_names_not_topics() {
        assert_eq!(
            classify("config: fix a leak in copy_or_rename_section", product()),
            FixClass::Defect
        );
    }

    #[test]
    fn a_revert_is_not_a_fix() {
        let quoted = "Revert \"Fix crash in parser\"\n\nThis reverts commit 0123abcd.\n";
        assert_eq!(classify(quoted, product()), FixClass::NotFix);
    }

    #[test]
    fn a_fix_that_changed_no_product_code_is_not_a_defect_fix() {
        let fix = "Fix off-by-one in range check";
        for (paths, why) in [
            (vec!["src/test/java/FooTest.java"], NotDefect::TestsOnly),
            (vec!["docs/index.rst"], NotDefect::DocsOnly),
            (vec![".github/workflows/ci.yml"], NotDefect::BuildOnly),
            (
                vec!["examples/app.py", "docs/index.rst"],
                NotDefect::NoProductCode,
            ),
            (vec![], NotDefect::NoProductCode),
        ] {
            assert_eq!(
                classify(fix, Touched::of(paths.iter().copied())),
                FixClass::NotDefect(why),
                "{paths:?}"
            );
        }
        assert_eq!(
            classify(fix, Touched::of(["src/a.py", "tests/test_a.py"])),
            FixClass::Defect
        );
    }

    #[test]
    fn the_subject_decides_not_the_body() {
        for msg in [
            "Add a cache\n\nFixes #123",
            "promisor-remote: remove a return value\n\nThis will be fixed in a later patch.",
            "Add NumberUtilsTest case\n\nSee https://bugs.openjdk.org/browse/JDK-8326627",
        ] {
            assert_eq!(classify(msg, product()), FixClass::NotFix, "{msg}");
        }
        assert_eq!(
            classify("Fix crash in parser\n\nThe docs are unchanged.", product()),
            FixClass::Defect
        );
    }

    #[test]
    fn test_paths_are_recognised() {
        for p in [
            "t/t0001-init.sh",
            "src/foo_test.go",
            "tests/it.rs",
            "a/__tests__/x.js",
            "x.spec.ts",
            "pkg/test_util.py",
            "src/FooTest.java",
        ] {
            assert!(is_test_path(p), "{p}");
        }
        for p in ["src/main.rs", "contest.c", "latest/x.py", "t.c"] {
            assert!(!is_test_path(p), "{p}");
        }
    }
}
