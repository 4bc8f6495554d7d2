//! Malformed and unknown-version files: an error naming the file (and the
//! line where known), never a panic.

use friction_deps::parse;

fn error(path: &str, text: &str) -> String {
    match parse(path, text.as_bytes()) {
        Ok(m) => panic!("{path} parsed: {m:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn unknown_lockfile_versions_are_refused_by_name() {
    let cases = [
        (
            "a/Cargo.lock",
            "version = 9\n\n[[package]]\nname = \"x\"\nversion = \"1.0.0\"\n",
            "a/Cargo.lock:1: Cargo.lock version 9",
        ),
        (
            "package-lock.json",
            "{\n  \"lockfileVersion\": 7\n}",
            "package-lock.json:2: lockfileVersion 7",
        ),
        (
            "pnpm-lock.yaml",
            "lockfileVersion: '4.0'\n",
            "pnpm-lock.yaml:1: pnpm lockfileVersion 4.0",
        ),
        (
            "yarn.lock",
            "__metadata:\n  version: 99\n",
            "yarn.lock: yarn lockfile __metadata version 99",
        ),
        (
            "bun.lock",
            "{\"lockfileVersion\": 5, \"packages\": {}}",
            "bun.lock: bun.lock lockfileVersion 5",
        ),
        (
            "poetry.lock",
            "[metadata]\nlock-version = \"3.0\"\n",
            "poetry.lock:2: poetry lock-version 3.0",
        ),
        (
            "Pipfile.lock",
            "{\"_meta\": {\"pipfile-spec\": 9}}",
            "Pipfile.lock: pipfile-spec 9",
        ),
    ];
    for (path, text, expected) in cases {
        let message = error(path, text);
        assert!(message.starts_with(expected), "{message}");
    }
}

#[test]
fn malformed_files_are_refused_with_their_line() {
    let cases = [
        (
            "Cargo.lock",
            "[[package]]\nname = \"x\"\nversion = \n",
            "Cargo.lock:3: malformed TOML",
        ),
        (
            "package-lock.json",
            "{\n  \"lockfileVersion\": 2,\n  \"packages\": {\n",
            "package-lock.json:4: malformed JSON",
        ),
        (
            "yarn.lock",
            "# yarn lockfile v1\n\nleft-pad@^1.0.0:\n  resolved \"x\"\n",
            "yarn.lock:3: entry `left-pad` has no version",
        ),
        (
            "yarn.lock",
            "not a lockfile\n",
            "yarn.lock: neither a yarn classic",
        ),
        (
            "requirements.txt",
            "flask==2.0\n-r\n",
            "requirements.txt:2: `-r` names no file",
        ),
        (
            "requirements.txt",
            "flask[async==2.0\n",
            "requirements.txt:1: unclosed extras",
        ),
        (
            "go.mod",
            "module x\n\nrequire (\n  golang.org/x/net 1.2.3\n)\n",
            "go.mod:4: `1.2.3` is not a module version",
        ),
        (
            "go.mod",
            "module x\nrequire (\n  a v1.0.0\n",
            "go.mod: a block of go.mod is not closed",
        ),
        (
            "go.mod",
            "modul x\n",
            "go.mod:1: unknown go.mod directive `modul`",
        ),
        (
            "go.sum",
            "golang.org/x/net v1.0.0\n",
            "go.sum:1: expected `module version hash`",
        ),
        (
            "Gemfile.lock",
            "GEM\n  specs:\n    rails 7.0\n",
            "Gemfile.lock:3: expected `name (version)`",
        ),
        (
            "Gemfile.lock",
            "hello\n",
            "Gemfile.lock: no GEM or DEPENDENCIES section",
        ),
        (
            "composer.lock",
            "{\"packages\": []}",
            "composer.lock: no `packages` or `content-hash`",
        ),
        (
            "pom.xml",
            "<project><dependencies><dependency>",
            "pom.xml: the document ends inside an element",
        ),
        (
            "pom.xml",
            "<html></html>",
            "pom.xml:1: the root element is <html>",
        ),
        (
            "pom.xml",
            "<!DOCTYPE p [<!ENTITY x \"y\">]><project/>",
            "pom.xml:1: the document declares XML entities",
        ),
        (
            "gradle.lockfile",
            "com.example:lib=compileClasspath\n",
            "gradle.lockfile:1: expected `group:artifact:version`",
        ),
        ("Cargo.lock", "\u{0}\u{0}\u{ff}", "Cargo.lock"),
    ];
    for (path, text, expected) in cases {
        let message = error(path, text);
        assert!(message.starts_with(expected), "{path}: {message}");
    }
}

#[test]
fn bytes_that_are_not_utf8_are_refused_with_their_line() {
    let message = parse("go.sum", b"a v1.0.0 h1:x\n\xff\xfe\n")
        .unwrap_err()
        .to_string();
    assert_eq!(message, "go.sum:2: not UTF-8 text");
}

#[test]
fn a_file_of_no_known_format_is_named() {
    let message = parse("src/main.rs", b"fn main() {}")
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "src/main.rs: not a lockfile or manifest friction reads"
    );
}
