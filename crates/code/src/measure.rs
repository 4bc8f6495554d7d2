//! One file → [`FileMetrics`]: guards against bad input, the tree-sitter walk,
//! line classification and in-file duplication.
//!
//! The walk is iterative (a [`tree_sitter::TreeCursor`] and an explicit frame
//! stack), so deeply nested input cannot overflow the call stack.

use std::collections::HashMap;

use tree_sitter::{Node, Parser, TreeCursor};

use crate::Language;
use crate::cohesion::{self, ClassScope};
use crate::fallback;
use crate::metrics::ClassMetrics;
use crate::metrics::{
    Duplication, FileMetrics, Flag, FunctionMetrics, Lines, MAX_PARSE_BYTES, Method,
};
use crate::spec::{KindTable, Spec, role, spec};

/// Reusable per-thread state: one tree-sitter parser per language.
#[derive(Default)]
pub struct Measurer {
    parsers: HashMap<Language, (Parser, KindTable)>,
}

/// git's binary heuristic (`buffer_is_binary`): a NUL in the first 8,000 bytes.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8000)].contains(&0)
}

/// Build output rather than source: long files whose lines average over 300
/// bytes (hand-written code averages 30–40).
fn is_minified(bytes: &[u8]) -> bool {
    if bytes.len() < 8192 {
        return false;
    }
    let lines = bytecount_newlines(bytes) + 1;
    bytes.len() / lines > 300
}

/// C++-only syntax in a file named as C (`.h`): namespaces, templates, access
/// specifiers, `std::`.
fn looks_like_cpp(bytes: &[u8]) -> bool {
    const MARKERS: &[&[u8]] = &[
        b"namespace ",
        b"template<",
        b"template <",
        b"public:",
        b"private:",
        b"protected:",
        b"std::",
    ];
    let head = &bytes[..bytes.len().min(256 * 1024)];
    MARKERS
        .iter()
        .any(|m| memchr::memmem::find(head, m).is_some())
}

fn bytecount_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

impl Measurer {
    pub fn new() -> Measurer {
        Measurer::default()
    }

    /// Measures one file. Never panics on content: binary, huge, minified,
    /// non-UTF-8 and unparsable input each get a flag and whatever could
    /// still be measured.
    pub fn measure(&mut self, language: Language, bytes: &[u8]) -> FileMetrics {
        let mut flags = Vec::new();
        if is_binary(bytes) {
            return FileMetrics {
                language,
                method: Method::Skipped,
                bytes: bytes.len() as u64,
                lines: Lines::default(),
                functions: Vec::new(),
                duplication: Duplication::default(),
                max_indent: 0,
                flags: vec![Flag::Binary],
                generated_marker: false,
                classes: Vec::new(),
            };
        }
        if std::str::from_utf8(bytes).is_err() {
            flags.push(Flag::NonUtf8);
        }
        // `.h` is C by name, but C++ headers are common: parse those as C++.
        let language = if language == Language::C && looks_like_cpp(bytes) {
            Language::Cpp
        } else {
            language
        };
        let grammar = language.grammar();
        let spec = spec(language);
        let too_large = bytes.len() > MAX_PARSE_BYTES;
        if too_large {
            flags.push(Flag::TooLarge {
                bytes: bytes.len() as u64,
            });
        }
        let minified = !too_large && is_minified(bytes);
        if minified {
            flags.push(Flag::Minified);
        }
        let (Some(grammar), Some(spec), false, false) = (grammar, spec, too_large, minified) else {
            if language == Language::Other {
                flags.push(Flag::Fallback);
            }
            let mut m = fallback::measure(language, bytes);
            m.flags = flags;
            m.flags.sort();
            // Huge and minified files keep their line counts only.
            if too_large || minified {
                m.duplication = Duplication::default();
            }
            return m;
        };
        let (parser, table) = self.parsers.entry(language).or_insert_with(|| {
            let mut p = Parser::new();
            p.set_language(&grammar)
                .expect("grammar ABI checked by tests");
            (p, KindTable::new(&grammar, spec))
        });
        let Some(tree) = parser.parse(bytes, None) else {
            // Only a cancelled parse returns None; we set no cancellation,
            // but degrade rather than fail.
            let mut m = fallback::measure(language, bytes);
            flags.push(Flag::Fallback);
            m.flags = flags;
            m.flags.sort();
            return m;
        };
        let mut walk = Walk::new(language, spec, table, bytes);
        walk.run(tree.root_node());
        let (lines, code_rows) = walk.line_counts();
        let classes = walk.finish_classes();
        let functions = walk.finish_units(&code_rows);
        if walk.errors > 0 {
            flags.push(Flag::SyntaxErrors {
                count: walk.errors,
                first_line: walk.first_error_row as u32 + 1,
            });
        }
        flags.sort();
        FileMetrics {
            language,
            method: Method::TreeSitter,
            bytes: bytes.len() as u64,
            lines,
            functions,
            duplication: duplication(bytes, Some(&code_rows)),
            max_indent: fallback::max_indent(bytes, Some(&code_rows)),
            flags,
            generated_marker: false,
            classes,
        }
    }
}

/// A function being measured.
struct Unit {
    name: String,
    qualified_name: String,
    start_row: usize,
    end_row: usize,
    cyclomatic: u32,
    cognitive: u32,
    max_nesting: u32,
    parameters: u32,
    exits: u32,
    bumps: u32,
    /// Deepest nesting inside the current top-level structure.
    bump_depth: u32,
    in_bump: bool,
    /// Operator count per boolean expression tree.
    logic_roots: Vec<u32>,
    /// The class this function is a method of, for cohesion.
    class: Option<usize>,
    constructor: bool,
    /// Members reached through the receiver (`self.x`, `this.f()`, `@x`).
    members: std::collections::BTreeSet<String>,
    /// Bare identifiers (Java, C#), resolved against the class's fields later.
    idents: std::collections::BTreeSet<String>,
}

const NO_UNIT: usize = usize::MAX;

#[derive(Clone, Copy)]
struct Frame {
    unit: usize,
    /// Nesting level given to children.
    child_nest: u32,
    /// Nesting level given to `else`/`elif` alternatives (if-like nodes).
    alt_nest: u32,
    if_like: bool,
    /// Boolean operator this node is, and the expression tree it belongs to.
    logic: Option<(usize, &'static str)>,
    pushed_name: bool,
    /// Top-level structure of its unit: a bump candidate.
    bump_root: bool,
    /// Enclosing class (cohesion) and enclosing method (receives member uses).
    class: Option<usize>,
    method: usize,
    /// Inside a preprocessor condition (`#if A || B`): one decision per
    /// directive, its operators do not count (as in lizard).
    in_directive: bool,
}

struct Walk<'a> {
    language: Language,
    spec: &'static Spec,
    table: &'a KindTable,
    src: &'a [u8],
    units: Vec<Unit>,
    names: Vec<String>,
    code_rows: Vec<bool>,
    comment_rows: Vec<bool>,
    errors: u32,
    first_error_row: usize,
    classes: Vec<ClassScope>,
}

fn contains(list: &[&str], kind: &str) -> bool {
    list.contains(&kind)
}

impl<'a> Walk<'a> {
    fn new(
        language: Language,
        spec: &'static Spec,
        table: &'a KindTable,
        src: &'a [u8],
    ) -> Walk<'a> {
        let rows = bytecount_newlines(src) + 1;
        Walk {
            language,
            spec,
            table,
            src,
            units: Vec::new(),
            names: Vec::new(),
            code_rows: vec![false; rows],
            comment_rows: vec![false; rows],
            errors: 0,
            first_error_row: usize::MAX,
            classes: Vec::new(),
        }
    }

    fn text(&self, node: Node) -> &'a str {
        text_of(self.src, node)
    }

    fn lossy_text(&self, node: Node) -> String {
        let s = String::from_utf8_lossy(&self.src[node.byte_range()]);
        let mut out = String::new();
        for word in s.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
            if out.len() > 200 {
                break;
            }
        }
        out
    }

    fn run(&mut self, root: Node) {
        let mut cursor: TreeCursor = root.walk();
        let top = Frame {
            unit: NO_UNIT,
            child_nest: 0,
            alt_nest: 0,
            if_like: false,
            logic: None,
            pushed_name: false,
            bump_root: false,
            class: None,
            method: NO_UNIT,
            in_directive: false,
        };
        let mut frames: Vec<Frame> = vec![top];
        // The root itself.
        let (f, descend) = self.enter(root, &top, None, None);
        frames.push(f);
        if !descend {
            return;
        }
        let mut prev_kind: Option<&str>;
        loop {
            if cursor.goto_first_child() {
                let node = cursor.node();
                let field = cursor.field_name();
                let parent = *frames.last().expect("frame");
                let (f, descend) = self.enter(node, &parent, None, field);
                frames.push(f);
                if descend {
                    continue;
                }
            }
            // Leave nodes until one has a next sibling.
            loop {
                let left = cursor.node();
                let frame = frames.pop().expect("frame");
                self.leave(&frame);
                let left_kind = left.kind();
                if cursor.goto_next_sibling() {
                    prev_kind = Some(left_kind);
                    let node = cursor.node();
                    let field = cursor.field_name();
                    let parent = *frames.last().expect("frame");
                    let (f, descend) = self.enter(node, &parent, prev_kind, field);
                    frames.push(f);
                    if descend {
                        break;
                    }
                    continue;
                }
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }

    fn leave(&mut self, frame: &Frame) {
        if frame.pushed_name {
            self.names.pop();
        }
        if frame.bump_root && frame.unit != NO_UNIT {
            let u = &mut self.units[frame.unit];
            if u.bump_depth >= 2 {
                u.bumps += 1;
            }
            u.bump_depth = 0;
            u.in_bump = false;
        }
    }

    fn mark_rows(&mut self, node: Node, comment: bool) {
        let (a, b) = (node.start_position().row, node.end_position().row);
        // A token ending at column 0 of the next row does not occupy it.
        let b = if node.end_position().column == 0 && b > a {
            b - 1
        } else {
            b
        };
        let rows = if comment {
            &mut self.comment_rows
        } else {
            &mut self.code_rows
        };
        let end = b.min(rows.len().saturating_sub(1));
        if a <= end {
            rows[a..=end].iter_mut().for_each(|r| *r = true);
        }
    }

    /// Applies a node's effects; returns its frame and whether to descend.
    fn enter(
        &mut self,
        node: Node,
        parent: &Frame,
        prev_kind: Option<&str>,
        field: Option<&str>,
    ) -> (Frame, bool) {
        let spec = self.spec;
        let kind = node.kind();
        if node.is_error() || node.is_missing() {
            self.errors += 1;
            self.first_error_row = self.first_error_row.min(node.start_position().row);
        }
        let b = self.table.get(node.kind_id());
        if b & role::COMMENT != 0 {
            self.mark_rows(node, true);
            return (*parent, false);
        }
        let unit = parent.unit;
        let src = self.src;
        let table = self.table;
        let is_alternative = parent.if_like
            && (b & (role::ELSE | role::ELIF) != 0
                || prev_kind == Some("else")
                || field == Some("alternative"));
        let nest = if is_alternative {
            parent.alt_nest
        } else {
            parent.child_nest
        };
        let mut frame = Frame {
            unit,
            child_nest: nest,
            alt_nest: nest,
            if_like: false,
            logic: None,
            pushed_name: false,
            bump_root: false,
            class: parent.class,
            method: parent.method,
            in_directive: parent.in_directive
                || (field == Some("condition")
                    && node
                        .parent()
                        .is_some_and(|p| p.kind().starts_with("preproc_"))),
        };
        if node.child_count() == 0 {
            if !node.is_missing() && node.end_byte() > node.start_byte() {
                self.mark_rows(node, false);
            }
            if unit != NO_UNIT && !node.is_named() && b & role::CASE_TOKEN != 0 {
                self.units[unit].cyclomatic += 1;
            }
            if parent.method != NO_UNIT {
                if let Some(m) = cohesion::self_member(self.language, node, src) {
                    self.units[parent.method].members.insert(m);
                } else if cohesion::bare_names(self.language) && kind == "identifier" {
                    self.units[parent.method]
                        .idents
                        .insert(text_of(src, node).to_owned());
                }
            }
            // A one-token `else` body (Scala `else 0`) or the `{` that opens
            // Swift's unwrapped else body: the `else` costs +1 all the same.
            if unit != NO_UNIT && parent.if_like && prev_kind == Some("else") && !node.is_extra() {
                self.units[unit].cognitive += 1;
            }
            return (frame, false);
        }

        // Functions: a new unit, nesting restarts.
        if b & role::FUNCTION != 0 {
            let (name, qualifier) = self.function_name(node);
            let mut qualified = self.names.join(spec.separator);
            if let Some(q) = qualifier {
                if !qualified.is_empty() {
                    qualified.push_str(spec.separator);
                }
                qualified.push_str(&q);
            }
            if !qualified.is_empty() {
                qualified.push_str(spec.separator);
            }
            qualified.push_str(&name);
            let parameters = self.parameter_count(node);
            self.units.push(Unit {
                name: name.clone(),
                qualified_name: qualified,
                start_row: node.start_position().row,
                end_row: node.end_position().row,
                cyclomatic: 1,
                cognitive: 0,
                max_nesting: 0,
                parameters,
                exits: 0,
                bumps: 0,
                bump_depth: 0,
                in_bump: false,
                logic_roots: Vec::new(),
                // A method: directly in a class, not inside another function.
                class: parent.class.filter(|_| parent.unit == NO_UNIT),
                constructor: cohesion::is_constructor(kind, &name)
                    || (parent.unit == NO_UNIT
                        && parent.class.is_some()
                        && cohesion::is_static(self.language, node, src)),
                members: Default::default(),
                idents: Default::default(),
            });
            self.names.push(name);
            frame.pushed_name = true;
            frame.unit = self.units.len() - 1;
            if parent.unit == NO_UNIT {
                frame.method = frame.unit;
            }
            frame.child_nest = 0;
            frame.alt_nest = 0;
            return (frame, true);
        }
        if b & role::CONTAINER != 0 {
            let name = node
                .child_by_field_name("name")
                .or_else(|| node.child_by_field_name("type"))
                .map(|n| self.lossy_text(n))
                .unwrap_or_else(|| "(anonymous)".to_string());
            if unit == NO_UNIT && cohesion::is_class(self.language, kind) {
                self.classes.push(ClassScope {
                    name: name.clone(),
                    start_line: node.start_position().row as u32 + 1,
                    ..ClassScope::default()
                });
                frame.class = Some(self.classes.len() - 1);
                frame.method = NO_UNIT;
            }
            self.names.push(name);
            frame.pushed_name = true;
            return (frame, true);
        }
        if unit == NO_UNIT
            && let Some(c) = parent.class
        {
            let mut fields = std::mem::take(&mut self.classes[c].fields);
            cohesion::declared_fields(self.language, node, src, &mut fields);
            self.classes[c].fields = fields;
        }
        if parent.method != NO_UNIT
            && let Some(m) = cohesion::self_member(self.language, node, src)
        {
            self.units[parent.method].members.insert(m);
        }
        if unit == NO_UNIT {
            // Code outside functions is not measured for complexity (lizard
            // does the same); lines are still classified.
            return (frame, true);
        }

        let mut structure = false; // increments nesting for children
        let u = &mut self.units[unit];
        if b & role::IF != 0 {
            let else_if =
                prev_kind == Some("else") || (is_alternative && field == Some("alternative"));
            u.cyclomatic += 1;
            if else_if {
                u.cognitive += 1;
            } else {
                u.cognitive += 1 + nest;
            }
            frame.if_like = true;
            frame.alt_nest = nest;
            structure = true;
        } else if b & role::ELIF != 0 {
            u.cyclomatic += 1;
            u.cognitive += 1;
            frame.if_like = true;
            frame.alt_nest = nest;
            structure = true;
        } else if b & role::ELSE != 0 {
            let parent_is_if = parent.if_like;
            let wraps_if = node
                .named_child(0)
                .is_some_and(|c| table.get(c.kind_id()) & role::IF != 0);
            if parent_is_if && !wraps_if {
                u.cognitive += 1;
                structure = true;
            }
        } else if parent.if_like && prev_kind == Some("else") && node.is_named() {
            // The body of a bare `else` token (Java, Go, Kotlin, Swift, C#, Scala).
            u.cognitive += 1;
            structure = true;
        } else if b & role::LOOP != 0 {
            u.cyclomatic += 1;
            u.cognitive += 1 + nest;
            structure = true;
        } else if b & (role::PLAIN_LOOP | role::SWITCH | role::CATCH | role::TERNARY) != 0 {
            if b & (role::CATCH | role::TERNARY) != 0 {
                u.cyclomatic += 1;
            }
            if b & role::EXTRA != 0 {
                u.cyclomatic += 1;
            }
            u.cognitive += 1 + nest;
            structure = true;
        } else if b & role::ARM != 0 {
            // Python counts every non-wildcard `case`; the other languages
            // count n−1 arms per match/when, as lizard does.
            let counts = if self.language == Language::Python {
                !is_default_arm(text_of(src, node))
            } else {
                node.prev_named_sibling().is_some_and(|p| p.kind() == kind)
            };
            if counts {
                u.cyclomatic += 1;
            }
        } else if b & role::LAMBDA != 0 {
            frame.child_nest = nest + 1;
            frame.alt_nest = nest + 1;
            return (frame, true);
        } else if b & role::EXTRA != 0
            || (kind == "let_declaration" && node.child_by_field_name("alternative").is_some())
        {
            // Includes Rust's `let … else`, which lizard counts.
            u.cyclomatic += 1;
        } else if b & role::EXIT != 0 {
            let t = text_of(src, node);
            if kind != "control_transfer_statement"
                || t.starts_with("return")
                || t.starts_with("throw")
            {
                u.exits += 1;
            }
        } else if b & role::JUMP != 0 || is_labelled_jump(node, kind) {
            u.cognitive += 1;
        }

        if b & role::COND_ASSIGN != 0
            && node
                .child_by_field_name("operator")
                .is_some_and(|o| matches!(o.kind(), "||=" | "&&=" | "??="))
        {
            self.units[unit].cyclomatic += 1;
        }
        if let Some(op) = self
            .logical_operator(node, b)
            .filter(|_| !frame.in_directive)
        {
            let u = &mut self.units[unit];
            u.cyclomatic += 1;
            let coalesce = contains(spec.coalesce_ops, op);
            let continues = parent.logic.is_some_and(|(_, p)| p == op);
            if !coalesce && !continues {
                u.cognitive += 1;
            }
            let root = match parent.logic {
                Some((root, _)) => root,
                None => {
                    u.logic_roots.push(0);
                    u.logic_roots.len() - 1
                }
            };
            if !coalesce {
                u.logic_roots[root] += 1;
            }
            frame.logic = Some((root, op));
        } else if kind == "parenthesized_expression" {
            // Parentheses keep the expression tree (for operator counting) but
            // start a new operator sequence (for cognitive complexity).
            frame.logic = parent.logic.map(|(r, _)| (r, ""));
        }

        if structure {
            let depth = nest + 1;
            let u = &mut self.units[unit];
            u.max_nesting = u.max_nesting.max(depth);
            if nest == 0 && !u.in_bump {
                frame.bump_root = true;
                u.in_bump = true;
                u.bump_depth = 1;
            } else {
                u.bump_depth = u.bump_depth.max(depth);
            }
            frame.child_nest = nest + 1;
        }
        (frame, true)
    }

    fn logical_operator(&self, node: Node, bits: u32) -> Option<&'static str> {
        let spec = self.spec;
        if bits & role::LOGICAL_KIND != 0 {
            let kind = node.kind();
            return spec
                .logical_kinds
                .iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, op)| *op);
        }
        if bits & role::BINARY == 0 {
            return None;
        }
        let op_node = node
            .child_by_field_name("operator")
            .or_else(|| node.child_by_field_name("op"))
            .or_else(|| {
                // Grammars without an operator field: the first anonymous child.
                let mut c = node.walk();
                node.children(&mut c).find(|n| !n.is_named())
            })?;
        let text = if op_node.is_named() {
            self.text(op_node)
        } else {
            op_node.kind()
        };
        spec.logical_ops
            .iter()
            .chain(spec.coalesce_ops)
            .find(|o| **o == text)
            .copied()
    }

    /// The function's own name and, for Go methods, its receiver type.
    fn function_name(&self, node: Node) -> (String, Option<String>) {
        let kind = node.kind();
        if let Some(n) = node.child_by_field_name("name") {
            let name = self.lossy_text(n);
            if self.language == Language::Go && kind == "method_declaration" {
                let recv = node
                    .child_by_field_name("receiver")
                    .and_then(|r| r.named_child(0))
                    .and_then(|p| p.child_by_field_name("type"))
                    .map(|t| self.lossy_text(t).trim_start_matches('*').to_string());
                return (name, recv);
            }
            if kind == "singleton_method" {
                return (format!("self.{name}"), None);
            }
            return (name, None);
        }
        // C and C++: the name sits in the declarator chain.
        if let Some(n) = function_declarator(node).and_then(|d| d.child_by_field_name("declarator"))
        {
            return (self.lossy_text(n), None);
        }
        // Anonymous functions named by what they are assigned to.
        if let Some(p) = node.parent() {
            let named_by = match p.kind() {
                "variable_declarator" => p.child_by_field_name("name"),
                "pair" => p.child_by_field_name("key"),
                "assignment_expression" => p.child_by_field_name("left"),
                "public_field_definition" | "field_definition" => p
                    .child_by_field_name("property")
                    .or_else(|| p.child_by_field_name("name")),
                _ => None,
            };
            if let Some(n) = named_by {
                return (self.lossy_text(n), None);
            }
        }
        if self.spec.anonymous_functions.contains(&kind) {
            return ("(anonymous)".to_string(), None);
        }
        if let Some(n) = node.named_child(0).filter(|n| {
            matches!(
                n.kind(),
                "identifier" | "simple_identifier" | "type_identifier" | "name"
            )
        }) {
            return (self.lossy_text(n), None);
        }
        ("(anonymous)".to_string(), None)
    }

    fn parameter_count(&self, node: Node) -> u32 {
        let list = node.child_by_field_name("parameters").or_else(|| {
            function_declarator(node).and_then(|d| d.child_by_field_name("parameters"))
        });
        if let Some(single) = node.child_by_field_name("parameter") {
            // `x => x`
            let _ = single;
            return 1;
        }
        let list = list.or_else(|| {
            let mut c = node.walk();
            node.named_children(&mut c).find(|n| {
                matches!(
                    n.kind(),
                    "function_value_parameters" | "parameter_list" | "formal_parameters"
                )
            })
        });
        let Some(list) = list else {
            // Swift: parameters are direct children.
            let mut c = node.walk();
            return node
                .named_children(&mut c)
                .filter(|n| n.kind() == "parameter")
                .count() as u32;
        };
        let mut c = list.walk();
        let mut count = 0;
        for p in list.named_children(&mut c) {
            let k = p.kind();
            if contains(self.spec.comments, k)
                || matches!(
                    k,
                    "keyword_separator"
                        | "positional_separator"
                        | "attribute_item"
                        | "parameter_modifiers"
                        | "annotation"
                        | "modifiers"
                )
            {
                continue;
            }
            if self.language == Language::Go && k == "parameter_declaration" {
                let mut c2 = p.walk();
                let names = p.children_by_field_name("name", &mut c2).count().max(1);
                count += names as u32;
                continue;
            }
            if k == "parameter_list" {
                continue;
            }
            count += 1;
        }
        count
    }

    fn line_counts(&self) -> (Lines, Vec<bool>) {
        // A trailing newline does not start another line.
        let mut rows = self.code_rows.len();
        if self.src.last() == Some(&b'\n') || self.src.is_empty() {
            rows = rows.saturating_sub(1);
        }
        let mut lines = Lines {
            total: rows as u32,
            ..Lines::default()
        };
        for r in 0..rows {
            if self.code_rows[r] {
                lines.code += 1;
            } else if self.comment_rows[r] {
                lines.comment += 1;
            } else {
                lines.blank += 1;
            }
        }
        (lines, self.code_rows[..rows].to_vec())
    }

    /// LCOM4 of every class with at least two methods besides constructors.
    fn finish_classes(&mut self) -> Vec<ClassMetrics> {
        for c in 0..self.classes.len() {
            let methods: std::collections::BTreeSet<String> = self
                .units
                .iter()
                .filter(|u| u.class == Some(c))
                .map(|u| u.name.clone())
                .collect();
            let fields = &self.classes[c].fields;
            let mut entries = Vec::new();
            for u in self.units.iter().filter(|u| u.class == Some(c)) {
                let mut used = u.members.clone();
                used.extend(
                    u.idents
                        .iter()
                        .filter(|i| fields.contains(*i) || methods.contains(*i))
                        .cloned(),
                );
                used.remove(&u.name);
                entries.push((u.name.clone(), used, u.constructor));
            }
            self.classes[c].methods = entries;
        }
        self.classes
            .iter()
            .filter_map(|c| {
                c.lcom4().map(|(lcom4, methods, fields)| ClassMetrics {
                    name: c.name.clone(),
                    start_line: c.start_line,
                    methods,
                    fields,
                    lcom4,
                })
            })
            .collect()
    }

    fn finish_units(&mut self, code_rows: &[bool]) -> Vec<FunctionMetrics> {
        let mut prefix = Vec::with_capacity(code_rows.len() + 1);
        prefix.push(0u32);
        for &c in code_rows {
            prefix.push(prefix.last().copied().unwrap_or(0) + u32::from(c));
        }
        let nloc = |a: usize, b: usize| {
            let b = (b + 1).min(code_rows.len());
            let a = a.min(b);
            prefix[b] - prefix[a]
        };
        self.units
            .drain(..)
            .map(|u| FunctionMetrics {
                nloc: nloc(u.start_row, u.end_row),
                name: u.name,
                qualified_name: u.qualified_name,
                start_line: u.start_row as u32 + 1,
                end_line: u.end_row as u32 + 1,
                cyclomatic: u.cyclomatic,
                cognitive: u.cognitive,
                max_nesting: u.max_nesting,
                parameters: u.parameters,
                exits: u.exits,
                bumps: u.bumps,
                max_condition_operators: u.logic_roots.iter().copied().max().unwrap_or(0),
            })
            .collect()
    }
}

fn text_of<'s>(src: &'s [u8], node: Node) -> &'s str {
    std::str::from_utf8(&src[node.byte_range()]).unwrap_or("")
}

fn is_default_arm(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("case _") || t.starts_with("_ ") || t.starts_with("_=") || t.starts_with("else")
}

fn is_labelled_jump(node: Node, kind: &str) -> bool {
    matches!(
        kind,
        "break_statement" | "continue_statement" | "break_expression" | "continue_expression"
    ) && {
        let mut c = node.walk();
        node.named_children(&mut c).any(|n| {
            matches!(
                n.kind(),
                "label" | "statement_identifier" | "identifier" | "lifetime"
            )
        })
    }
}

/// C/C++: the `function_declarator` under a definition's declarator chain
/// (through pointer and reference declarators).
fn function_declarator(node: Node) -> Option<Node> {
    let mut d = node.child_by_field_name("declarator")?;
    for _ in 0..16 {
        if d.kind() == "function_declarator" {
            return Some(d);
        }
        d = d
            .child_by_field_name("declarator")
            .or_else(|| d.named_child(0))?;
    }
    None
}

/// In-file duplication: windows of [`DUP_WINDOW`] consecutive significant code
/// lines (whitespace-normalised, at least 4 characters) that occur twice
/// without overlapping.
pub const DUP_WINDOW: usize = 6;

pub(crate) fn duplication(src: &[u8], code_rows: Option<&[bool]>) -> Duplication {
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};
    let mut sig: Vec<(usize, u64)> = Vec::new();
    for (row, line) in src.split(|&b| b == b'\n').enumerate() {
        if let Some(rows) = code_rows
            && !rows.get(row).copied().unwrap_or(false)
        {
            continue;
        }
        let mut h = DefaultHasher::new();
        let mut n = 0usize;
        for w in line
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty())
        {
            w.hash(&mut h);
            n += w.len();
        }
        if n >= 4 {
            sig.push((row, h.finish()));
        }
    }
    if sig.len() < 2 * DUP_WINDOW {
        return Duplication::default();
    }
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut dup = vec![false; sig.len()];
    for i in 0..=sig.len() - DUP_WINDOW {
        let mut h = DefaultHasher::new();
        for (_, lh) in &sig[i..i + DUP_WINDOW] {
            lh.hash(&mut h);
        }
        let wh = h.finish();
        match seen.get(&wh) {
            Some(&j) if j + DUP_WINDOW <= i => {
                if sig[j..j + DUP_WINDOW]
                    .iter()
                    .zip(&sig[i..i + DUP_WINDOW])
                    .all(|(a, b)| a.1 == b.1)
                {
                    dup[j..j + DUP_WINDOW].iter_mut().for_each(|d| *d = true);
                    dup[i..i + DUP_WINDOW].iter_mut().for_each(|d| *d = true);
                }
            }
            Some(_) => {}
            None => {
                seen.insert(wh, i);
            }
        }
    }
    let mut blocks = 0;
    let mut lines = 0;
    for (k, d) in dup.iter().enumerate() {
        if *d {
            lines += 1;
            if k == 0 || !dup[k - 1] {
                blocks += 1;
            }
        }
    }
    Duplication {
        blocks,
        duplicated_lines: lines,
    }
}
