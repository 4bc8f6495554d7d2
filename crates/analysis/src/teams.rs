//! Teams: authors → teams (`[teams]` in `friction.toml`, or a code-maat style
//! `author,team` CSV), CODEOWNERS as an ownership source, and coordination
//! load — code that several teams change.

use std::collections::{BTreeMap, BTreeSet};

use friction_model::paths::PathPatterns;
use globset::{Glob, GlobMatcher};
use serde::Serialize;

/// Authors no rule maps.
pub const UNMAPPED: &str = "(unmapped)";

enum Rule {
    /// Exact author name or e-mail, case-insensitive.
    Exact(String),
    /// E-mail or name glob (`*@payments.example.com`).
    Glob(GlobMatcher),
}

impl Rule {
    /// How specific the rule is: an exact name or e-mail beats any glob; a
    /// glob with more literal characters beats one with fewer
    /// (`*@payments.example.com` over `*@example.com` over `*`).
    fn specificity(&self) -> (u8, usize) {
        match self {
            Rule::Exact(_) => (1, 0),
            Rule::Glob(g) => (
                0,
                g.glob()
                    .glob()
                    .chars()
                    .filter(|c| !matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | ','))
                    .count(),
            ),
        }
    }

    fn is_match(&self, name: &str, email: &str) -> bool {
        match self {
            Rule::Exact(x) => x == name || x == email,
            Rule::Glob(g) => g.is_match(email) || g.is_match(name),
        }
    }
}

pub struct TeamMap {
    rules: Vec<(String, Rule)>,
}

/// An author several teams' rules match, and the team chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TeamOverlap {
    pub author: String,
    /// Every team whose rules match, in name order.
    pub teams: Vec<String>,
    pub chosen: String,
}

impl TeamMap {
    /// From `[teams]` (team → patterns) and CSV rows (`author,team`; a header
    /// row `author,team` is skipped). The most specific matching rule wins
    /// (see `Rule::specificity`), whatever the order; among equally specific
    /// rules the first, `[teams]` in team-name order, then the CSV in file order.
    pub fn new(
        config: &BTreeMap<String, Vec<String>>,
        csv: Option<&str>,
    ) -> Result<TeamMap, String> {
        let mut rules = Vec::new();
        for (team, patterns) in config {
            for p in patterns {
                let rule = if p.contains(['*', '?', '[']) {
                    Rule::Glob(
                        Glob::new(&p.to_lowercase())
                            .map_err(|e| format!("team `{team}`: bad pattern `{p}`: {e}"))?
                            .compile_matcher(),
                    )
                } else {
                    Rule::Exact(p.to_lowercase())
                };
                rules.push((team.clone(), rule));
            }
        }
        if let Some(text) = csv {
            for (i, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty()
                    || line.starts_with('#')
                    || (i == 0 && line.eq_ignore_ascii_case("author,team"))
                {
                    continue;
                }
                let Some((author, team)) = line.rsplit_once(',') else {
                    return Err(format!(
                        "teams CSV line {}: expected `author,team`, found `{line}`",
                        i + 1
                    ));
                };
                let (author, team) = (
                    author.trim().trim_matches('"'),
                    team.trim().trim_matches('"'),
                );
                if author.is_empty() || team.is_empty() {
                    return Err(format!("teams CSV line {}: empty author or team", i + 1));
                }
                rules.push((team.to_owned(), Rule::Exact(author.to_lowercase())));
            }
        }
        Ok(TeamMap { rules })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The team of an author known by name and e-mail.
    pub fn team_of(&self, name: &str, email: &str) -> Option<&str> {
        self.claims(name, email).0
    }

    /// The chosen team, and every team whose rules match (name order).
    fn claims(&self, name: &str, email: &str) -> (Option<&str>, Vec<&str>) {
        let (name, email) = (name.to_lowercase(), email.to_lowercase());
        let mut best: Option<((u8, usize), &str)> = None;
        let mut all: Vec<&str> = Vec::new();
        for (team, rule) in &self.rules {
            if !rule.is_match(&name, &email) {
                continue;
            }
            if !all.contains(&team.as_str()) {
                all.push(team);
            }
            let s = rule.specificity();
            if best.is_none_or(|(b, _)| s > b) {
                best = Some((s, team));
            }
        }
        all.sort_unstable();
        (best.map(|(_, t)| t), all)
    }

    /// Authors (name, e-mail) that rules of several teams match: reported, so
    /// a catch-all rule never silently decides.
    pub fn overlaps<'a>(
        &self,
        authors: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Vec<TeamOverlap> {
        let mut out = Vec::new();
        for (name, email) in authors {
            let (chosen, all) = self.claims(name, email);
            if let (Some(chosen), true) = (chosen, all.len() > 1) {
                out.push(TeamOverlap {
                    author: email.to_owned(),
                    teams: all.into_iter().map(str::to_owned).collect(),
                    chosen: chosen.to_owned(),
                });
            }
        }
        out.sort_by(|a, b| a.author.cmp(&b.author));
        out.dedup();
        out
    }
}

/// One section of a CODEOWNERS file. A GitHub file is one unnamed section;
/// GitLab adds named ones (`[Section]`, optional `^[Section]`, `[Section][2]`
/// for the approvals required), each with optional default owners on its
/// header line.
struct Section {
    /// Lower-cased name (GitLab compares section names case-insensitively);
    /// `None` for the rules before the first header.
    name: Option<String>,
    default_owners: Vec<String>,
    patterns: Vec<String>,
    owners: Vec<Vec<String>>,
    /// The 1-based line of each pattern.
    lines: Vec<usize>,
    compiled: PathPatterns,
}

/// A parsed CODEOWNERS file, with GitHub's rules (the last matching pattern
/// wins; a pattern with no owners removes ownership) and GitLab's sections
/// (each section decides on its own, as GitHub would; a file's owners are the
/// union over sections; an entry with no owners of its own in a section takes
/// the section's default owners). Patterns follow `friction_model::paths`.
pub struct CodeOwners {
    sections: Vec<Section>,
    /// Lines that could not be used: (line number, reason).
    pub invalid: Vec<(usize, String)>,
}

/// Splits a line at unescaped whitespace (`\ ` keeps a space in a path).
fn tokens(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut escaped = false;
    for c in line.chars() {
        if escaped {
            cur.push(c);
            escaped = false;
        } else if c == '\\' {
            cur.push(c);
            escaped = true;
        } else if c.is_whitespace() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn is_owner(o: &str) -> bool {
    o.starts_with('@') || o.contains('@')
}

/// A GitLab section header: `[Name]`, `^[Name]`, `[Name][2]`, each optionally
/// followed by default owners. `Err` for a line that opens a header but is not one.
fn section_header(line: &str) -> Option<Result<(String, Vec<String>), String>> {
    let rest = line.strip_prefix('^').unwrap_or(line);
    let rest = rest.strip_prefix('[')?;
    let Some((name, after)) = rest.split_once(']') else {
        return Some(Err("a section header needs a closing `]`".into()));
    };
    if name.trim().is_empty() {
        return Some(Err("a section header needs a name".into()));
    }
    let after = match after.strip_prefix('[') {
        Some(count) => match count.split_once(']') {
            Some((n, tail)) if n.trim().parse::<u32>().is_ok() => tail,
            _ => return Some(Err("the approval count `[n]` must be a number".into())),
        },
        None => after,
    };
    let owners = tokens(after);
    if let Some(bad) = owners.iter().find(|o| !is_owner(o)) {
        return Some(Err(format!("`{bad}` is not an @user, @org/team or e-mail")));
    }
    Some(Ok((name.trim().to_lowercase(), owners)))
}

impl CodeOwners {
    pub fn parse(text: &str) -> CodeOwners {
        let mut sections = vec![Section {
            name: None,
            default_owners: Vec::new(),
            patterns: Vec::new(),
            owners: Vec::new(),
            lines: Vec::new(),
            compiled: PathPatterns::default(),
        }];
        let mut current = 0;
        let mut invalid = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split(" #").next().unwrap_or("").trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(header) = section_header(line) {
                match header {
                    Ok((name, owners)) => {
                        // Sections of one name are combined, as GitLab does.
                        current = match sections
                            .iter()
                            .position(|s| s.name.as_deref() == Some(name.as_str()))
                        {
                            Some(k) => k,
                            None => {
                                sections.push(Section {
                                    name: Some(name),
                                    default_owners: Vec::new(),
                                    patterns: Vec::new(),
                                    owners: Vec::new(),
                                    lines: Vec::new(),
                                    compiled: PathPatterns::default(),
                                });
                                sections.len() - 1
                            }
                        };
                        if !owners.is_empty() {
                            sections[current].default_owners = owners;
                        }
                    }
                    Err(reason) => invalid.push((i + 1, reason)),
                }
                continue;
            }
            let mut parts = tokens(line).into_iter();
            let pattern = parts.next().unwrap_or_default();
            let owners: Vec<String> = parts.collect();
            if let Some(bad) = owners.iter().find(|o| !is_owner(o)) {
                invalid.push((
                    i + 1,
                    format!("`{bad}` is not an @user, @org/team or e-mail"),
                ));
                continue;
            }
            match PathPatterns::new(std::slice::from_ref(&pattern)) {
                Ok(_) => {
                    let s = &mut sections[current];
                    let owners = if owners.is_empty() && s.name.is_some() {
                        s.default_owners.clone()
                    } else {
                        owners
                    };
                    s.patterns.push(pattern);
                    s.owners.push(owners);
                    s.lines.push(i + 1);
                }
                Err(e) => invalid.push((i + 1, e.to_string())),
            }
        }
        for s in &mut sections {
            // Each pattern compiled alone above, so the set compiles.
            s.compiled = PathPatterns::new(&s.patterns).unwrap_or_default();
        }
        sections.retain(|s| !s.patterns.is_empty());
        CodeOwners { sections, invalid }
    }

    /// Owners of a path: per section the last matching rule, united over the
    /// sections; `None` when no section gives it an owner.
    pub fn owners_of(&self, path: &str) -> Option<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.sections {
            if let Some(i) = s.compiled.last_match(path) {
                for o in &s.owners[i] {
                    if !out.contains(o) {
                        out.push(o.clone());
                    }
                }
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// The rules whose pattern matches none of `paths`: (line, pattern), in
    /// line order. A rule that matches nothing is dead (a moved or deleted
    /// directory) and hides that the code it meant has no owner.
    pub fn rules_matching_nothing<'a>(
        &self,
        paths: impl IntoIterator<Item = &'a str>,
    ) -> Vec<(usize, String)> {
        let mut hit: Vec<Vec<bool>> = self
            .sections
            .iter()
            .map(|s| vec![false; s.patterns.len()])
            .collect();
        for path in paths {
            for (s, h) in self.sections.iter().zip(&mut hit) {
                for i in s.compiled.matches(path) {
                    h[i] = true;
                }
            }
        }
        let mut out: Vec<(usize, String)> = self
            .sections
            .iter()
            .zip(&hit)
            .flat_map(|(s, h)| {
                h.iter()
                    .enumerate()
                    .filter(|(_, hit)| !**hit)
                    .map(|(i, _)| (s.lines[i], s.patterns[i].clone()))
            })
            .collect();
        out.sort();
        out
    }

    /// Every owner the file names (rules and section defaults), sorted.
    pub fn owners(&self) -> BTreeSet<String> {
        self.sections
            .iter()
            .flat_map(|s| s.owners.iter().flatten().chain(&s.default_owners))
            .cloned()
            .collect()
    }

    /// Named sections (GitLab), lower-cased, in file order.
    pub fn sections(&self) -> Vec<&str> {
        self.sections
            .iter()
            .filter_map(|s| s.name.as_deref())
            .collect()
    }
}

/// Coordination load: code changed by several teams.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coordination {
    /// Files at `HEAD` changed in the window by two or more teams.
    pub multi_team_files: u64,
    /// Their share of the changed code lines, percent.
    pub multi_team_code_pct: f64,
    /// The files most teams touch: (path, teams).
    pub top: Vec<(String, Vec<String>)>,
    /// Team pairs by files both changed: (team, team, files).
    pub team_pairs: Vec<(String, String, u64)>,
}

/// Coordination over (path, code lines, teams that changed it) triples.
pub fn coordination(files: &[(String, u32, BTreeSet<String>)]) -> Coordination {
    let total: u64 = files.iter().map(|f| u64::from(f.1)).sum();
    let multi: Vec<&(String, u32, BTreeSet<String>)> =
        files.iter().filter(|f| f.2.len() > 1).collect();
    let multi_code: u64 = multi.iter().map(|f| u64::from(f.1)).sum();
    let mut pairs: BTreeMap<(String, String), u64> = BTreeMap::new();
    for f in &multi {
        let teams: Vec<&String> = f.2.iter().collect();
        for (i, a) in teams.iter().enumerate() {
            for b in &teams[i + 1..] {
                *pairs.entry(((*a).clone(), (*b).clone())).or_default() += 1;
            }
        }
    }
    let mut team_pairs: Vec<(String, String, u64)> =
        pairs.into_iter().map(|((a, b), n)| (a, b, n)).collect();
    team_pairs.sort_by(|x, y| y.2.cmp(&x.2).then(x.0.cmp(&y.0)).then(x.1.cmp(&y.1)));
    let mut top: Vec<(String, Vec<String>)> = multi
        .iter()
        .map(|f| (f.0.clone(), f.2.iter().cloned().collect()))
        .collect();
    top.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    top.truncate(10);
    Coordination {
        multi_team_files: multi.len() as u64,
        multi_team_code_pct: if total == 0 {
            0.0
        } else {
            (multi_code as f64 * 1000.0 / total as f64).round() / 10.0
        },
        top,
        team_pairs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teams_from_config_and_csv() {
        let config: BTreeMap<String, Vec<String>> = [(
            "payments".to_owned(),
            vec!["*@pay.example.com".to_owned(), "Ann Lee".to_owned()],
        )]
        .into();
        let m = TeamMap::new(&config, Some("author,team\nBob,platform\n")).unwrap();
        assert_eq!(m.team_of("Zed", "zed@pay.example.com"), Some("payments"));
        assert_eq!(m.team_of("ann lee", "ann@elsewhere.org"), Some("payments"));
        assert_eq!(m.team_of("Bob", "bob@x.org"), Some("platform"));
        assert_eq!(m.team_of("Eve", "eve@x.org"), None);
        assert!(TeamMap::new(&BTreeMap::new(), Some("no comma here")).is_err());
    }

    #[test]
    fn the_most_specific_team_rule_wins_whatever_the_order() {
        let config: BTreeMap<String, Vec<String>> = [
            ("community".to_owned(), vec!["*".to_owned()]),
            ("core".to_owned(), vec!["someone@example.org".to_owned()]),
            ("example".to_owned(), vec!["*@example.org".to_owned()]),
            ("zz-pay".to_owned(), vec!["*@pay.example.org".to_owned()]),
        ]
        .into();
        let m = TeamMap::new(&config, None).unwrap();
        assert_eq!(m.team_of("Some One", "someone@example.org"), Some("core"));
        assert_eq!(m.team_of("Ann", "ann@pay.example.org"), Some("zz-pay"));
        assert_eq!(m.team_of("Bob", "bob@example.org"), Some("example"));
        assert_eq!(m.team_of("Eve", "eve@elsewhere.net"), Some("community"));
        let o = m.overlaps([
            ("Some One", "someone@example.org"),
            ("Eve", "eve@elsewhere.net"),
        ]);
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].author, "someone@example.org");
        assert_eq!(o[0].teams, ["community", "core", "example"]);
        assert_eq!(o[0].chosen, "core");
        // A CSV row is exact, so it beats a `[teams]` glob.
        let m = TeamMap::new(&config, Some("bob@example.org,platform\n")).unwrap();
        assert_eq!(m.team_of("Bob", "bob@example.org"), Some("platform"));
    }

    #[test]
    fn codeowners_last_match_wins_and_invalid_lines_are_reported() {
        let co = CodeOwners::parse(
            "# comment\n* @org/everyone\n/src/ @org/core\nsrc/api/ @org/api ann@example.com\n*.md\ndocs/ not-an-owner\n[bad @x\n",
        );
        assert_eq!(co.owners_of("README.txt").unwrap(), ["@org/everyone"]);
        assert_eq!(co.owners_of("src/lib.rs").unwrap(), ["@org/core"]);
        assert_eq!(
            co.owners_of("src/api/v1.rs").unwrap(),
            ["@org/api", "ann@example.com"]
        );
        // `*.md` with no owners removes ownership.
        assert!(co.owners_of("src/notes.md").is_none());
        assert_eq!(co.invalid.len(), 2);
        assert_eq!(co.invalid[0].0, 6);
        assert_eq!(co.invalid[1].0, 7);
    }

    #[test]
    fn coordination_load() {
        let files = vec![
            ("a".to_owned(), 100, ["x".to_owned(), "y".to_owned()].into()),
            ("b".to_owned(), 300, ["x".to_owned()].into()),
        ];
        let c = coordination(&files);
        assert_eq!(c.multi_team_files, 1);
        assert_eq!(c.multi_team_code_pct, 25.0);
        assert_eq!(c.team_pairs, vec![("x".to_owned(), "y".to_owned(), 1)]);
    }
}

/// What the history says of one CODEOWNERS owner.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OwnerStatus {
    /// Committed within the activity window.
    Active,
    /// Committed, but not within the activity window.
    Stale,
    /// No commit identity of the history matches the owner.
    NeverCommitted,
    /// An `@org/team`: its members are not in the repository, so whether
    /// they commit is not measurable offline.
    Team,
}

/// One owner of a CODEOWNERS file and the commit identity it maps to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerHealth {
    /// As written (`@user`, `@org/team`, `name@example.com`).
    pub owner: String,
    pub status: OwnerStatus,
    /// The commit identity (e-mail) matched, when one is.
    pub identity: Option<String>,
    /// The matched identity's last counted commit (epoch seconds).
    pub last_commit: Option<i64>,
}

/// A commit identity of the history: e-mail, name, last commit time.
pub struct Identity<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub last: i64,
}

/// Whether the commit identity is the owner's. An e-mail owner: the same
/// e-mail (case-insensitive). An `@user`: the same name, the e-mail's local
/// part, or GitHub's no-reply address (`user@users.noreply.github.com`,
/// `123+user@users.noreply.github.com`).
pub fn owner_is(owner: &str, id: &Identity<'_>) -> bool {
    let Some(handle) = owner.strip_prefix('@') else {
        return owner.eq_ignore_ascii_case(id.email);
    };
    let (local, _) = id.email.split_once('@').unwrap_or((id.email, ""));
    let local = local.rsplit('+').next().unwrap_or(local);
    handle.eq_ignore_ascii_case(id.name) || handle.eq_ignore_ascii_case(local)
}

/// The health of each owner: a team is not measurable offline; a person is
/// active when a matching identity committed since `active_since`, stale
/// when it committed only before, never-committed when no identity matches.
pub fn owner_health<'a>(
    owners: impl IntoIterator<Item = &'a str>,
    identities: &[Identity<'_>],
    active_since: i64,
) -> Vec<OwnerHealth> {
    owners
        .into_iter()
        .map(|owner| {
            if owner.starts_with('@') && owner.contains('/') {
                return OwnerHealth {
                    owner: owner.to_owned(),
                    status: OwnerStatus::Team,
                    identity: None,
                    last_commit: None,
                };
            }
            // The most recent of the identities that match.
            let best = identities
                .iter()
                .filter(|id| owner_is(owner, id))
                .max_by(|a, b| a.last.cmp(&b.last).then_with(|| b.email.cmp(a.email)));
            OwnerHealth {
                owner: owner.to_owned(),
                status: match best {
                    None => OwnerStatus::NeverCommitted,
                    Some(id) if id.last >= active_since => OwnerStatus::Active,
                    Some(_) => OwnerStatus::Stale,
                },
                identity: best.map(|id| id.email.to_owned()),
                last_commit: best.map(|id| id.last),
            }
        })
        .collect()
}
