//! Times the measurement of each file under a directory and prints the slowest:
//! `cargo run --release -p friction-code --example slowest -- DIR`.
use std::time::Instant;

fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: slowest DIR");
    let mut files = Vec::new();
    walk(std::path::Path::new(&dir), &mut files);
    let mut m = friction_code::Measurer::new();
    let mut times = Vec::new();
    let mut total = 0.0;
    let (mut fallback, mut fallback_bytes, mut parsed_bytes) = (0.0, 0usize, 0usize);
    for f in files {
        let Some(lang) = friction_code::Language::detect(f.to_string_lossy().as_bytes()) else {
            continue;
        };
        let bytes = std::fs::read(&f).expect("read");
        let t = Instant::now();
        let r = m.measure(lang, &bytes);
        let s = t.elapsed().as_secs_f64();
        total += s;
        let errs = r
            .flags
            .iter()
            .any(|x| matches!(x, friction_code::Flag::SyntaxErrors { .. }));
        if r.method == friction_code::Method::Fallback {
            fallback += s;
            fallback_bytes += bytes.len();
        } else {
            parsed_bytes += bytes.len();
        }
        times.push((s, bytes.len(), errs, f));
    }
    // Parse only, for comparison with the full measurement.
    let mut parse_only = 0.0;
    let mut parsers = std::collections::HashMap::new();
    for (_, _, _, f) in &times {
        let lang = friction_code::Language::detect(f.to_string_lossy().as_bytes()).unwrap();
        let Some(g) = lang.grammar() else { continue };
        let bytes = std::fs::read(f).expect("read");
        let p = parsers.entry(lang).or_insert_with(|| {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&g).unwrap();
            p
        });
        let t = Instant::now();
        let tree = p.parse(&bytes, None);
        drop(tree);
        parse_only += t.elapsed().as_secs_f64();
    }
    println!("tree-sitter parse (and drop) only: {parse_only:.3} s");
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "total {total:.3} s; fallback {fallback:.3} s for {fallback_bytes} B; parsed {parsed_bytes} B"
    );
    let err_time: f64 = times.iter().filter(|t| t.2).map(|t| t.0).sum();
    println!("in files with syntax errors {err_time:.3} s");
    for (s, n, e, f) in times.iter().take(15) {
        println!("{s:.4} s {n:>8} B errors={e} {}", f.display());
    }
}
