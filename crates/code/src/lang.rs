//! Languages: detection from a path, and the tree-sitter grammar of each.

use serde::{Deserialize, Serialize};

/// A language friction can measure.
///
/// Languages with a tree-sitter grammar are parsed; the others listed here are
/// recognised source languages measured by the language-agnostic fallback
/// (lines and indentation nesting, see [`crate::fallback`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    Rust,
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Java,
    Go,
    C,
    Cpp,
    CSharp,
    Ruby,
    Php,
    Kotlin,
    Scala,
    Swift,
    /// A recognised source language without a grammar here: measured by the fallback.
    Other,
}

impl Language {
    pub const ALL: [Language; 16] = [
        Language::Rust,
        Language::Python,
        Language::JavaScript,
        Language::TypeScript,
        Language::Tsx,
        Language::Java,
        Language::Go,
        Language::C,
        Language::Cpp,
        Language::CSharp,
        Language::Ruby,
        Language::Php,
        Language::Kotlin,
        Language::Scala,
        Language::Swift,
        Language::Other,
    ];

    /// The stable name used in the store, JSON and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
            Language::Java => "java",
            Language::Go => "go",
            Language::C => "c",
            Language::Cpp => "cpp",
            Language::CSharp => "csharp",
            Language::Ruby => "ruby",
            Language::Php => "php",
            Language::Kotlin => "kotlin",
            Language::Scala => "scala",
            Language::Swift => "swift",
            Language::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// Detects the language from a file name. `None` means "not source code"
    /// (documentation, data, images, …): such files are not measured.
    pub fn detect(path: &[u8]) -> Option<Language> {
        let name = match path.iter().rposition(|&b| b == b'/') {
            Some(i) => &path[i + 1..],
            None => path,
        };
        let ext = match name.iter().rposition(|&b| b == b'.') {
            Some(0) | None => return None,
            Some(i) => &name[i + 1..],
        };
        let ext = std::str::from_utf8(ext).ok()?.to_ascii_lowercase();
        // Minified bundles are build output, not source.
        if name.ends_with(b".min.js") || name.ends_with(b".min.mjs") {
            return None;
        }
        Some(match ext.as_str() {
            "rs" => Language::Rust,
            "py" | "pyw" | "pyi" => Language::Python,
            "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
            "ts" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "java" => Language::Java,
            "go" => Language::Go,
            "c" | "h" => Language::C,
            "cc" | "cpp" | "cxx" | "c++" | "hh" | "hpp" | "hxx" | "h++" | "ipp" | "inl" => {
                Language::Cpp
            }
            "cs" => Language::CSharp,
            "rb" | "rake" | "gemspec" => Language::Ruby,
            "php" | "phtml" => Language::Php,
            "kt" | "kts" => Language::Kotlin,
            "scala" | "sc" => Language::Scala,
            "swift" => Language::Swift,
            // Recognised source languages without a grammar here.
            "sh" | "bash" | "zsh" | "ksh" | "pl" | "pm" | "t" | "lua" | "r" | "dart" | "hs"
            | "ex" | "exs" | "erl" | "hrl" | "clj" | "cljs" | "ml" | "mli" | "fs" | "fsx"
            | "vb" | "sql" | "m" | "mm" | "groovy" | "gradle" | "tcl" | "jl" | "nim" | "zig"
            | "v" | "sv" | "vhd" | "vhdl" | "f" | "f90" | "f95" | "pas" | "ps1" | "psm1"
            | "elm" | "cr" | "d" | "ada" | "adb" | "ads" | "cob" | "coffee" | "vue" | "svelte"
            | "sol" | "gd" | "awk" | "asm" | "s" => Language::Other,
            _ => return None,
        })
    }

    /// The tree-sitter grammar, or `None` for [`Language::Other`].
    pub fn grammar(self) -> Option<tree_sitter::Language> {
        let lang: tree_sitter_language::LanguageFn = match self {
            Language::Rust => tree_sitter_rust::LANGUAGE,
            Language::Python => tree_sitter_python::LANGUAGE,
            Language::JavaScript => tree_sitter_javascript::LANGUAGE,
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT,
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX,
            Language::Java => tree_sitter_java::LANGUAGE,
            Language::Go => tree_sitter_go::LANGUAGE,
            Language::C => tree_sitter_c::LANGUAGE,
            Language::Cpp => tree_sitter_cpp::LANGUAGE,
            Language::CSharp => tree_sitter_c_sharp::LANGUAGE,
            Language::Ruby => tree_sitter_ruby::LANGUAGE,
            Language::Php => tree_sitter_php::LANGUAGE_PHP,
            Language::Kotlin => tree_sitter_kotlin_ng::LANGUAGE,
            Language::Scala => tree_sitter_scala::LANGUAGE,
            Language::Swift => tree_sitter_swift::LANGUAGE,
            Language::Other => return None,
        };
        Some(lang.into())
    }
}

/// Serialised by [`Language::as_str`], the same name the store and CSV use.
impl Serialize for Language {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Language::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown language `{name}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection() {
        assert_eq!(Language::detect(b"src/main.rs"), Some(Language::Rust));
        assert_eq!(Language::detect(b"a/b/Foo.JAVA"), Some(Language::Java));
        assert_eq!(Language::detect(b"x.h"), Some(Language::C));
        assert_eq!(Language::detect(b"t/t0001-init.sh"), Some(Language::Other));
        assert_eq!(Language::detect(b"README.md"), None);
        assert_eq!(Language::detect(b".bashrc"), None);
        assert_eq!(Language::detect(b"dist/app.min.js"), None);
        assert_eq!(Language::detect(b"Makefile"), None);
    }

    #[test]
    fn every_grammar_loads() {
        for lang in Language::ALL {
            if let Some(g) = lang.grammar() {
                let mut p = tree_sitter::Parser::new();
                p.set_language(&g)
                    .unwrap_or_else(|e| panic!("{lang:?}: {e}"));
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for lang in Language::ALL {
            assert_eq!(Language::parse(lang.as_str()), Some(lang));
            let json = serde_json::to_string(&lang).unwrap();
            assert_eq!(json, format!("\"{}\"", lang.as_str()));
            assert_eq!(serde_json::from_str::<Language>(&json).unwrap(), lang);
        }
    }
}
