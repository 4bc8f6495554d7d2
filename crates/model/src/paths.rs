//! Path patterns with one meaning everywhere a user writes them: CODEOWNERS,
//! `[components]` and `[history] exclude`/`include` in `friction.toml`.
//!
//! The semantics are GitHub's CODEOWNERS rules, which are `.gitignore`'s with
//! one documented exception (docs.github.com, "About code owners"):
//!
//! - a pattern starting with `/`, or with a `/` before its end, is anchored at
//!   the repository root (`/docs/`, `src/api/**`); otherwise it matches at any
//!   depth (`*.js`, `apps/`, `logs`);
//! - a pattern ending in `/` names a directory and covers everything below it;
//! - a pattern whose last segment is a plain name covers the file of that name
//!   and, when it is a directory, everything below it (`**/logs`, `/apps/github`);
//! - a pattern whose last segment holds a wildcard matches at that level only:
//!   `docs/*` covers `docs/a.md` but not `docs/sub/b.md` (write `docs/**` for
//!   everything below) — where `.gitignore` would ignore the `docs/sub`
//!   directory too;
//! - `*` and `?` never cross a `/`; `**` does; `\` escapes the next character
//!   (`\#` for a leading `#`, `\ ` for a space);
//! - `!` negation is not supported (GitHub ignores such lines): it is an error.
//!
//! Paths are matched case-sensitively, as git and GitHub do.

use std::fmt;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// A pattern that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// The pattern as written.
    pub pattern: String,
    pub reason: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad pattern `{}`: {}", self.pattern, self.reason)
    }
}

impl std::error::Error for PatternError {}

const WILDCARDS: [char; 4] = ['*', '?', '[', '{'];

/// The globs (globset syntax, `/`-separated) that express one pattern.
pub fn translate(pattern: &str) -> Result<Vec<String>, PatternError> {
    let bad = |reason: &str| PatternError {
        pattern: pattern.to_owned(),
        reason: reason.to_owned(),
    };
    if pattern.starts_with('!') {
        return Err(bad("negation (`!`) is not supported"));
    }
    let body = pattern.trim_start_matches('/');
    let (body, dir_only) = match body.strip_suffix('/') {
        Some(b) => (b, true),
        None => (body, false),
    };
    if body.is_empty() {
        return Err(bad("the pattern names no path"));
    }
    let anchored = pattern.starts_with('/') || body.contains('/');
    let base = if anchored || body.starts_with("**") {
        body.to_owned()
    } else {
        format!("**/{body}")
    };
    let last = body.rsplit('/').next().unwrap_or(body);
    Ok(if dir_only {
        vec![format!("{base}/**")]
    } else if last.contains(WILDCARDS) {
        vec![base]
    } else {
        vec![base.clone(), format!("{base}/**")]
    })
}

/// How specific a pattern is: the length of its literal prefix (leading `/`
/// and `**/` left out). `src/api/**` (8) is more specific than `src/**` (4).
pub fn specificity(pattern: &str) -> usize {
    let body = pattern.trim_start_matches('/');
    let body = body.strip_prefix("**/").unwrap_or(body);
    body.find(WILDCARDS).unwrap_or(body.len())
}

/// A list of patterns compiled into one matcher; matches are reported by the
/// pattern's position in the list.
#[derive(Debug, Clone)]
pub struct PathPatterns {
    set: GlobSet,
    /// Glob index → pattern index.
    owner: Vec<usize>,
    patterns: Vec<String>,
}

impl Default for PathPatterns {
    fn default() -> Self {
        PathPatterns {
            set: GlobSet::empty(),
            owner: Vec::new(),
            patterns: Vec::new(),
        }
    }
}

impl PathPatterns {
    /// Compiles `patterns`; the first that cannot be used is the error.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<PathPatterns, PatternError> {
        let mut builder = GlobSetBuilder::new();
        let mut owner = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            let p = p.as_ref();
            for g in translate(p)? {
                let glob = GlobBuilder::new(&g)
                    .literal_separator(true)
                    .backslash_escape(true)
                    .build()
                    .map_err(|e| PatternError {
                        pattern: p.to_owned(),
                        reason: e.kind().to_string(),
                    })?;
                builder.add(glob);
                owner.push(i);
            }
        }
        let set = builder.build().map_err(|e| PatternError {
            pattern: patterns
                .iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", "),
            reason: e.to_string(),
        })?;
        Ok(PathPatterns {
            set,
            owner,
            patterns: patterns.iter().map(|p| p.as_ref().to_owned()).collect(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    pub fn is_match(&self, path: &str) -> bool {
        self.set.is_match(path)
    }

    /// Positions of the patterns that match `path`, in list order.
    pub fn matches(&self, path: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .set
            .matches(path)
            .into_iter()
            .map(|g| self.owner[g])
            .collect();
        out.dedup();
        out
    }

    /// The first pattern in list order that matches `path`.
    pub fn first_match(&self, path: &str) -> Option<usize> {
        self.matches(path).first().copied()
    }

    /// The last pattern in list order that matches `path` (CODEOWNERS: it wins).
    pub fn last_match(&self, path: &str) -> Option<usize> {
        self.matches(path).last().copied()
    }

    /// The pattern at position `i`, as written.
    pub fn pattern(&self, i: usize) -> &str {
        &self.patterns[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, path: &str) -> bool {
        PathPatterns::new(&[pattern]).unwrap().is_match(path)
    }

    #[test]
    fn a_pattern_without_a_slash_matches_at_any_depth() {
        assert!(matches("*.js", "a.js"));
        assert!(matches("*.js", "web/src/a.js"));
        assert!(!matches("*.js", "a.jsx"));
        assert!(matches("logs", "logs"));
        assert!(matches("logs", "build/logs/x.txt"));
        assert!(matches("apps/", "apps/a.rs"));
        assert!(matches("apps/", "src/apps/deep/a.rs"));
        assert!(!matches("apps/", "apps"));
    }

    #[test]
    fn a_leading_or_middle_slash_anchors_at_the_root() {
        assert!(matches("/docs/", "docs/a.md"));
        assert!(matches("/docs/", "docs/sub/b.md"));
        assert!(!matches("/docs/", "src/docs/a.md"));
        assert!(matches("build/logs/", "build/logs/deep/x"));
        assert!(!matches("build/logs/", "src/build/logs/x"));
        assert!(matches("/apps/github", "apps/github"));
        assert!(matches("/apps/github", "apps/github/x.rb"));
        assert!(!matches("/apps/github", "apps/githubber"));
    }

    #[test]
    fn a_wildcard_last_segment_matches_that_level_only() {
        assert!(matches("docs/*", "docs/getting-started.md"));
        assert!(!matches("docs/*", "docs/build-app/troubleshooting.md"));
        assert!(matches("docs/**", "docs/build-app/troubleshooting.md"));
        assert!(matches("**/logs", "deeply/nested/logs/x.log"));
        assert!(matches("/warp/native/volume*", "warp/native/volume.cu"));
        assert!(!matches("/warp/native/volume*", "warp/native/volume/x.cu"));
        assert!(matches("*", "any/depth/at/all.rs"));
    }

    #[test]
    fn escapes_and_unsupported_syntax() {
        assert!(matches("\\#notes", "#notes"));
        assert!(matches("my\\ file.txt", "my file.txt"));
        let err = PathPatterns::new(&["!docs/"]).unwrap_err();
        assert!(err.to_string().contains("negation"), "{err}");
        assert!(PathPatterns::new(&["src/["]).is_err());
        assert!(PathPatterns::new(&["/"]).is_err());
    }

    #[test]
    fn matches_are_reported_in_list_order() {
        let p = PathPatterns::new(&["*", "/src/", "*.md", "src/api/"]).unwrap();
        assert_eq!(p.matches("src/api/README.md"), vec![0, 1, 2, 3]);
        assert_eq!(p.first_match("src/lib.rs"), Some(0));
        assert_eq!(p.last_match("src/lib.rs"), Some(1));
        assert_eq!(p.pattern(2), "*.md");
    }

    #[test]
    fn specificity_is_the_literal_prefix() {
        assert!(specificity("src/api/**") > specificity("src/**"));
        assert_eq!(specificity("/docs/"), specificity("docs/"));
        assert_eq!(specificity("**/logs"), specificity("logs"));
        assert_eq!(specificity("*"), 0);
    }
}
