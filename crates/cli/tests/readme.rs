//! The README's set-up section stays true: the commands it gives exist as written.

use std::path::Path;

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .unwrap()
}

fn readme() -> String {
    std::fs::read_to_string(workspace().join("README.md")).unwrap()
}

/// Every `cargo … -p CRATE` and `--path DIR` in a README code block names a package of
/// this workspace that builds the `friction` binary, so a copied command works.
#[test]
fn set_up_commands_name_the_binary_package() {
    let readme = readme();
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"friction-cli\""));
    assert!(manifest.contains("[[bin]]\nname = \"friction\""));
    assert!(
        readme.contains("cargo run --release -p friction-cli -- scan ."),
        "the main job's command is in the README"
    );
    assert!(
        readme.contains("cargo test --workspace"),
        "the test command is in the README"
    );
    // How `friction` gets on the PATH: the install command names this crate's folder.
    let install = readme
        .lines()
        .find(|l| l.trim_start().starts_with("cargo install"))
        .expect("the README says how to put `friction` on the PATH");
    let path = install
        .split("--path")
        .nth(1)
        .expect("installs from a path")
        .trim();
    assert!(
        workspace().join(path).join("Cargo.toml")
            == Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"),
        "`{install}` installs the friction-cli crate"
    );
}

/// `.ci/run` runs the README's test command.
#[test]
fn ci_runs_the_readme_test_command() {
    let ci = std::fs::read_to_string(workspace().join(".ci/run")).unwrap();
    assert!(
        ci.lines()
            .any(|l| l.trim().starts_with("cargo test --workspace"))
    );
    assert!(ci.contains("cargo fmt") && ci.contains("cargo clippy"));
}
