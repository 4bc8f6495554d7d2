//! Prints the syntax tree of a file: `cargo run -p friction-code --example dump -- FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: dump FILE");
    let lang = friction_code::Language::detect(path.as_bytes()).expect("unknown language");
    let src = std::fs::read(&path).expect("read");
    let mut p = tree_sitter::Parser::new();
    p.set_language(&lang.grammar().expect("grammar"))
        .expect("language");
    let tree = p.parse(&src, None).expect("parse");
    let mut c = tree.walk();
    let mut depth = 0;
    loop {
        let n = c.node();
        let field = c.field_name().map(|f| format!("{f}: ")).unwrap_or_default();
        let text = if n.child_count() == 0 {
            format!(" {:?}", n.utf8_text(&src).unwrap_or(""))
        } else {
            String::new()
        };
        println!(
            "{}{field}{}{}{}",
            "  ".repeat(depth),
            if n.is_named() { "" } else { "'" },
            n.kind(),
            text
        );
        if c.goto_first_child() {
            depth += 1;
            continue;
        }
        while !c.goto_next_sibling() {
            if !c.goto_parent() {
                return;
            }
            depth -= 1;
        }
    }
}
