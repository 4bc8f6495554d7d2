//! Which commits are AI-assisted, read from the commit itself.
//!
//! Coding assistants and agents sign their work in a few documented ways,
//! and this module recognises exactly those; nothing is guessed from style,
//! wording or speed, so a commit no tool signed counts as unassisted (the
//! share is a lower bound, and the method says so). The rules, each with an
//! example:
//!
//! 1. **Co-author trailer naming an assistant's address**:
//!    `Co-authored-by: Claude <noreply@anthropic.com>` (Claude Code's default
//!    attribution), `Co-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>`,
//!    `Co-authored-by: Cursor Agent <cursoragent@cursor.com>`,
//!    `Co-authored-by: Codex <noreply@openai.com>`,
//!    `Co-authored-by: aider (gpt-4o) <noreply@aider.chat>`. The *address*
//!    decides, never the name: `Co-authored-by: Claude Monet <claude@example.com>`
//!    is a person.
//! 2. **Attribution trailer naming a tool**: `Made-with: Cursor`,
//!    `Assisted-by: Copilot`, `Generated-by: Claude Code`.
//! 3. **"Generated with" footer naming a tool**: `🤖 Generated with [Claude Code](https://claude.com/claude-code)`.
//! 4. **Agent author**: the commit's author is an agent's account
//!    (`Copilot <198982749+Copilot@users.noreply.github.com>`, the coding
//!    agent; `devin-ai-integration[bot]`, `google-labs-jules[bot]`,
//!    `Cursor Agent <cursoragent@cursor.com>`, OpenHands, Amp, opencode, Warp's Oz).
//! 5. **aider's own marks**: `(aider)` appended to the author's name, or the
//!    message prefix `aider: ` (aider's `--attribute-author` and
//!    `--attribute-commit-message-author`).
//! 6. An organisation's own conventions: `[ai] patterns` in `friction.toml`
//!    (applied by the caller; this module has no regular expressions).
//!
//! The addresses were collected from the tools' documentation and from
//! public repositories that use them (see the detection tests' examples).

/// How a commit was recognised as AI-assisted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    CoAuthor,
    Trailer,
    Footer,
    AgentAuthor,
    Aider,
    /// `[ai] patterns` of `friction.toml` (set by the caller).
    Pattern,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::CoAuthor => "co-author trailer",
            Rule::Trailer => "attribution trailer",
            Rule::Footer => "generated-with footer",
            Rule::AgentAuthor => "agent author",
            Rule::Aider => "aider attribution",
            Rule::Pattern => "[ai] patterns",
        }
    }
}

/// A recognised assistant and the rule that recognised it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assist {
    pub tool: &'static str,
    pub rule: Rule,
}

/// Assistant and agent addresses (lower case): exact e-mail → tool.
const ADDRESSES: &[(&str, &str)] = &[
    ("noreply@anthropic.com", "Claude Code"),
    ("cursoragent@cursor.com", "Cursor"),
    ("agent@cursor.com", "Cursor"),
    ("copilot@github.com", "GitHub Copilot"),
    ("noreply@openai.com", "Codex"),
    ("codex@openai.com", "Codex"),
    ("noreply@aider.chat", "aider"),
    ("aider@aider.chat", "aider"),
    ("amp@ampcode.com", "Amp"),
    ("noreply@opencode.ai", "opencode"),
    ("openhands@all-hands.dev", "OpenHands"),
    ("windsurf@codeium.com", "Windsurf"),
    ("noreply@codeium.com", "Windsurf"),
    ("oz-agent@warp.dev", "Warp"),
    ("gemini@google.com", "Gemini"),
];

/// GitHub accounts of assistants and agents (the part before `@` of their
/// `users.noreply.github.com` address, without the numeric id), lower case.
const GITHUB_ACCOUNTS: &[(&str, &str)] = &[
    ("copilot", "GitHub Copilot"),
    ("copilot-swe-agent[bot]", "GitHub Copilot"),
    ("devin-ai-integration[bot]", "Devin"),
    ("google-labs-jules[bot]", "Jules"),
    ("gemini-code-assist[bot]", "Gemini"),
    ("chatgpt-codex-connector[bot]", "Codex"),
    ("cursor[bot]", "Cursor"),
    ("openhands-agent", "OpenHands"),
    ("sweep-ai[bot]", "Sweep"),
    ("codegen-sh[bot]", "Codegen"),
    ("amazon-q-developer[bot]", "Amazon Q"),
];

/// Tool names an attribution trailer or a "Generated with" footer may name,
/// lower case, longest first where one contains another.
const TOOL_NAMES: &[(&str, &str)] = &[
    ("claude code", "Claude Code"),
    ("claude", "Claude Code"),
    ("github copilot", "GitHub Copilot"),
    ("copilot", "GitHub Copilot"),
    ("cursor", "Cursor"),
    ("codex", "Codex"),
    ("chatgpt", "ChatGPT"),
    ("aider", "aider"),
    ("gemini", "Gemini"),
    ("devin", "Devin"),
    ("jules", "Jules"),
    ("windsurf", "Windsurf"),
    ("opencode", "opencode"),
    ("openhands", "OpenHands"),
    ("amp", "Amp"),
    ("amazon q", "Amazon Q"),
    // Model names alone, as `Assisted-by: Opus 4.7` (git/git) writes them.
    ("opus", "Claude Code"),
    ("sonnet", "Claude Code"),
    ("haiku", "Claude Code"),
    ("gpt", "ChatGPT"),
    ("deepseek", "DeepSeek"),
    ("qwen", "Qwen"),
];

/// Trailer keys that attribute a commit to a tool (lower case).
const ATTRIBUTION_KEYS: &[&str] = &["made-with", "assisted-by", "generated-by", "ai-assisted-by"];

/// The tool an address belongs to, if it is an assistant's or agent's.
fn tool_of_address(email: &str) -> Option<&'static str> {
    let email = email.trim().to_ascii_lowercase();
    if let Some((_, tool)) = ADDRESSES.iter().find(|(a, _)| *a == email) {
        return Some(tool);
    }
    // `<id>+<account>@users.noreply.github.com` or `<account>@users.noreply.github.com`.
    let local = email.strip_suffix("@users.noreply.github.com")?;
    let account = local.split_once('+').map_or(local, |(_, a)| a);
    GITHUB_ACCOUNTS
        .iter()
        .find(|(a, _)| *a == account)
        .map(|(_, t)| *t)
}

/// The tool a trailer value or footer names: a known name as a whole word
/// at the start of the text (`Cursor`, `Claude Code`, `[Claude Code](…)`,
/// `aider:gpt-4o`).
fn tool_named(text: &str) -> Option<&'static str> {
    let t = text
        .trim()
        .trim_start_matches(['[', '(', '`', '*'])
        .to_ascii_lowercase();
    TOOL_NAMES
        .iter()
        .find(|(name, _)| {
            t.strip_prefix(name)
                .is_some_and(|rest| rest.chars().next().is_none_or(|c| !c.is_alphanumeric()))
        })
        .map(|(_, tool)| *tool)
}

/// The e-mail inside `Name <email>`.
fn address(value: &str) -> Option<&str> {
    let start = value.rfind('<')?;
    let end = value[start..].find('>')? + start;
    Some(&value[start + 1..end])
}

/// The agent whose account authored a commit, if any: agents' commits are
/// delivery work a person reviewed and merged, not automation noise, so the
/// bot rules leave them counted.
pub fn agent(name: &str, email: &str) -> Option<&'static str> {
    if let Some(tool) = tool_of_address(email) {
        return Some(tool);
    }
    name.trim()
        .to_ascii_lowercase()
        .ends_with("(aider)")
        .then_some("aider")
}

/// Whether the commit carries an assistant's or agent's mark (rules 1–5 of
/// the module documentation).
pub fn detect(author_name: &str, author_email: &str, message: &str) -> Option<Assist> {
    if let Some(tool) = agent(author_name, author_email) {
        let rule = if tool == "aider" && tool_of_address(author_email).is_none() {
            Rule::Aider
        } else {
            Rule::AgentAuthor
        };
        return Some(Assist { tool, rule });
    }
    if message
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("aider: ")
    {
        return Some(Assist {
            tool: "aider",
            rule: Rule::Aider,
        });
    }
    // Several marks: the strongest rule (in [`Rule`] order) names the tool.
    let mut best: Option<Assist> = None;
    let mut keep = |a: Assist| {
        if best.is_none_or(|b| a.rule < b.rule) {
            best = Some(a);
        }
    };
    for line in message.lines() {
        let line = line.trim();
        if let Some((key, value)) = line.split_once(':') {
            let key = key.trim().to_ascii_lowercase();
            if key == "co-authored-by" {
                if let Some(tool) = address(value).and_then(tool_of_address) {
                    keep(Assist {
                        tool,
                        rule: Rule::CoAuthor,
                    });
                }
                continue;
            }
            if ATTRIBUTION_KEYS.contains(&key.as_str()) {
                if let Some(tool) = tool_named(value) {
                    keep(Assist {
                        tool,
                        rule: Rule::Trailer,
                    });
                }
                continue;
            }
        }
        // "🤖 Generated with [Claude Code](…)", "Generated with Cursor".
        let lower = line.to_ascii_lowercase();
        if let Some(at) = lower.find("generated with ") {
            // Only a footer line: nothing but a symbol or two before it.
            let before = &line[..at];
            if before.chars().all(|c| !c.is_alphanumeric())
                && before.chars().count() <= 3
                && let Some(tool) = tool_named(&line[at + "generated with ".len()..])
            {
                keep(Assist {
                    tool,
                    rule: Rule::Footer,
                });
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(name: &str, email: &str, message: &str) -> Option<(&'static str, Rule)> {
        detect(name, email, message).map(|a| (a.tool, a.rule))
    }

    /// Real trailer and author formats, as the tools write them: Claude
    /// Code's default attribution (footer and co-author); GitHub Copilot's
    /// co-author address `223556219+Copilot@…` and its coding agent's author
    /// address `198982749+Copilot@…`; Cursor's `Cursor Agent
    /// <cursoragent@cursor.com>` trailer and `Made-with: Cursor`; Codex's
    /// `noreply@openai.com`; aider's `noreply@aider.chat` co-author, `(aider)`
    /// author suffix and `aider:` prefix (aider's `--attribute-*` options);
    /// Devin's and Jules's GitHub app accounts. Each seen in commit messages,
    /// commit conventions or attribution tables of public repositories
    /// (2025–2026); aider's own history (`Aider-AI/aider`) uses the aider marks
    /// throughout, which the benchmark in BENCHMARKS.md reads.
    #[test]
    fn recognises_what_assistants_write() {
        let human = ("Ann Example", "ann@example.com");
        let cases: &[(&str, &str, &str, &str, Rule)] = &[
            // git/git, 2026 (commits c57c052ae8 and f635ab9ab4): the kernel's
            // `Assisted-by:` trailer, with and without the vendor's name.
            (
                "Johannes Schindelin",
                "johannes.schindelin@gmx.de",
                "Addresses: CVE-2026-32631\nAssisted-by: Claude Opus 4.6\nSigned-off-by: Johannes Schindelin <johannes.schindelin@gmx.de>",
                "Claude Code",
                Rule::Trailer,
            ),
            (
                "Johannes Schindelin",
                "johannes.schindelin@gmx.de",
                "x\n\nAssisted-by: Opus 4.7\nSigned-off-by: Johannes Schindelin <johannes.schindelin@gmx.de>",
                "Claude Code",
                Rule::Trailer,
            ),
            (
                human.0,
                human.1,
                "Add retries\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
                "Claude Code",
                Rule::CoAuthor,
            ),
            (
                human.0,
                human.1,
                "Add retries\n\nCo-Authored-By: Claude Opus 4.1 <noreply@anthropic.com>",
                "Claude Code",
                Rule::CoAuthor,
            ),
            (
                human.0,
                human.1,
                "feat: chart\n\nCo-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>",
                "GitHub Copilot",
                Rule::CoAuthor,
            ),
            (
                human.0,
                human.1,
                "docs\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\nCo-authored-by: Gianluca <g@users.noreply.github.com>",
                "Cursor",
                Rule::CoAuthor,
            ),
            (
                human.0,
                human.1,
                "x\n\nCo-authored-by: aider (openai/gpt-4o) <noreply@aider.chat>",
                "aider",
                Rule::CoAuthor,
            ),
            (
                human.0,
                human.1,
                "x\n\nCo-authored-by: Codex <noreply@openai.com>",
                "Codex",
                Rule::CoAuthor,
            ),
            (
                human.0,
                human.1,
                "x\n\nCo-authored-by: devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
                "Devin",
                Rule::CoAuthor,
            ),
            (
                human.0,
                human.1,
                "x\n\nMade-with: Cursor",
                "Cursor",
                Rule::Trailer,
            ),
            (
                human.0,
                human.1,
                "x\n\nAssisted-by: aider:gpt-4o",
                "aider",
                Rule::Trailer,
            ),
            (
                human.0,
                human.1,
                "x\n\nGenerated with Claude Code",
                "Claude Code",
                Rule::Footer,
            ),
            (
                "Copilot",
                "198982749+Copilot@users.noreply.github.com",
                "Fix use-after-free in MainWindow",
                "GitHub Copilot",
                Rule::AgentAuthor,
            ),
            (
                "devin-ai-integration[bot]",
                "158243242+devin-ai-integration[bot]@users.noreply.github.com",
                "Add endpoint",
                "Devin",
                Rule::AgentAuthor,
            ),
            (
                "google-labs-jules[bot]",
                "161369871+google-labs-jules[bot]@users.noreply.github.com",
                "Add endpoint",
                "Jules",
                Rule::AgentAuthor,
            ),
            (
                "Ann Example (aider)",
                "ann@example.com",
                "feat: add a flag",
                "aider",
                Rule::Aider,
            ),
            (
                human.0,
                human.1,
                "aider: Added a --dry-run flag",
                "aider",
                Rule::Aider,
            ),
        ];
        for (name, email, message, want, rule) in cases {
            assert_eq!(
                tool(name, email, message),
                Some((*want, *rule)),
                "{name} <{email}>: {message}"
            );
        }
    }

    /// What must not match: people who share a tool's name, tool names in
    /// prose or paths, and trailers naming people.
    #[test]
    fn leaves_people_and_prose_alone() {
        let cases: &[(&str, &str, &str)] = &[
            ("Claude Monet", "claude@example.com", "Paint the fence"),
            (
                "Ann",
                "ann@example.com",
                "Pair work\n\nCo-authored-by: Claude Monet <claude@example.com>",
            ),
            (
                "Ann",
                "ann@example.com",
                "Move copilot/settings.json to config/",
            ),
            (
                "Ann",
                "ann@example.com",
                "Fix the cursor position in the editor",
            ),
            (
                "Ann",
                "ann@example.com",
                "Docs: the code is generated with protoc",
            ),
            (
                "Ann",
                "ann@example.com",
                "Support for files generated with Claude Code in the importer",
            ),
            (
                "Ann",
                "ann@example.com",
                "x\n\nAssisted-by: Bob <bob@example.com>",
            ),
            ("Ann", "ann@example.com", "x\n\nMade-with: love"),
            (
                "dependabot[bot]",
                "49699333+dependabot[bot]@users.noreply.github.com",
                "Bump serde",
            ),
            ("Ann", "ann@example.com", "Handle aider: prefix in parser"),
            ("Amplify Bot", "amp@example.com", "x"),
            ("Ann", "ann@example.com", "x\n\nMade-with: Ampersand"),
            (
                "Ann",
                "ann@example.com",
                "x\n\nHelped-by: Opus Dei <opus@example.com>",
            ),
        ];
        for (name, email, message) in cases {
            assert_eq!(
                tool(name, email, message),
                None,
                "{name} <{email}>: {message}"
            );
        }
    }

    #[test]
    fn agents_are_recognised_by_address_not_by_name() {
        assert_eq!(
            agent("Copilot", "198982749+Copilot@users.noreply.github.com"),
            Some("GitHub Copilot")
        );
        assert_eq!(agent("Copilot", "copilot@example.com"), None);
        assert_eq!(agent("Jane (aider)", "jane@example.com"), Some("aider"));
        assert_eq!(
            agent(
                "renovate[bot]",
                "29139614+renovate[bot]@users.noreply.github.com"
            ),
            None
        );
    }
}
