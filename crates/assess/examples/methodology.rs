//! Prints `docs/methodology.md`.
fn main() {
    print!("{}", friction_assess::methodology::markdown());
}
