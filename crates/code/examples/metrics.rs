//! Prints the measurements of files: `cargo run -p friction-code --example metrics -- FILE...`.
fn main() {
    let mut m = friction_code::Measurer::new();
    for path in std::env::args().skip(1) {
        let Some(lang) = friction_code::Language::detect(path.as_bytes()) else {
            eprintln!("{path}: not source");
            continue;
        };
        let bytes = std::fs::read(&path).expect("read");
        let fm = m.measure(lang, &bytes);
        println!(
            "{path}: {:?} lines={:?} flags={:?} dup={:?} indent={}",
            fm.method, fm.lines, fm.flags, fm.duplication, fm.max_indent
        );
        for f in &fm.functions {
            println!(
                "  {:40} L{}-{} nloc={} cc={} cog={} nest={} params={} exits={} bumps={} cond={}",
                f.qualified_name,
                f.start_line,
                f.end_line,
                f.nloc,
                f.cyclomatic,
                f.cognitive,
                f.max_nesting,
                f.parameters,
                f.exits,
                f.bumps,
                f.max_condition_operators
            );
        }
    }
}
