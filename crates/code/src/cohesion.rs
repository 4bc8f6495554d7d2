//! Class cohesion: LCOM4 (Hitz & Montazeri, "Measuring Coupling and Cohesion in
//! Object-Oriented Systems", 1995) — the number of connected components of a
//! class's methods, where two methods are connected when they use a common
//! field or one calls the other. 1 is cohesive; 2 or more means the class holds
//! unrelated responsibilities that could be split.
//!
//! Measurable from syntax where members are reached through an explicit
//! receiver — `self.x` (Python, Rust), `this.x` (JavaScript, TypeScript, Java,
//! C#), `$this->x` (PHP), `@x` (Ruby) — and, in Java and C#, through bare
//! names of fields declared in the class. Constructors are left out: they
//! touch every field and would hide low cohesion.

use std::collections::{BTreeMap, BTreeSet};

use tree_sitter::Node;

use crate::Language;

/// Kinds that open a class for cohesion purposes.
pub(crate) fn is_class(lang: Language, kind: &str) -> bool {
    match lang {
        Language::Python => kind == "class_definition",
        Language::JavaScript | Language::TypeScript | Language::Tsx => {
            matches!(
                kind,
                "class_declaration" | "class" | "abstract_class_declaration"
            )
        }
        Language::Java => matches!(
            kind,
            "class_declaration" | "enum_declaration" | "record_declaration"
        ),
        Language::CSharp => matches!(
            kind,
            "class_declaration" | "struct_declaration" | "record_declaration"
        ),
        Language::Php => matches!(kind, "class_declaration" | "trait_declaration"),
        Language::Ruby => kind == "class",
        Language::Rust => kind == "impl_item",
        _ => false,
    }
}

pub(crate) fn is_constructor(kind: &str, name: &str) -> bool {
    matches!(kind, "constructor_declaration")
        || matches!(
            name,
            "__init__" | "constructor" | "__construct" | "initialize" | "new"
        )
}

/// Static methods (and Python class methods, Ruby singleton methods, Rust
/// associated functions without `self`) have no instance to be cohesive with:
/// they are left out of LCOM4 like constructors.
pub(crate) fn is_static(lang: Language, node: Node, src: &[u8]) -> bool {
    match lang {
        Language::Python => node.parent().is_some_and(|p| {
            p.kind() == "decorated_definition" && {
                let t = text(src, p);
                t.starts_with("@staticmethod") || t.starts_with("@classmethod")
            }
        }),
        Language::Ruby => node.kind() == "singleton_method",
        Language::Rust => !node.child_by_field_name("parameters").is_some_and(|p| {
            let mut c = p.walk();
            p.named_children(&mut c)
                .any(|x| x.kind() == "self_parameter")
        }),
        _ => {
            // The declaration's header, up to its name, carries the modifier.
            let end = node
                .child_by_field_name("name")
                .map_or(node.start_byte(), |n| n.start_byte());
            let header = &src[node.start_byte()..end.max(node.start_byte())];
            header
                .split(|b: &u8| !b.is_ascii_alphanumeric() && *b != b'_')
                .any(|w| w == b"static")
        }
    }
}

/// Languages whose members may be named without a receiver (resolved against
/// the fields declared in the class).
pub(crate) fn bare_names(lang: Language) -> bool {
    matches!(lang, Language::Java | Language::CSharp)
}

fn text<'s>(src: &'s [u8], n: Node) -> &'s str {
    std::str::from_utf8(&src[n.byte_range()]).unwrap_or("")
}

/// The member named through the receiver, if `node` is such an access.
pub(crate) fn self_member(lang: Language, node: Node, src: &[u8]) -> Option<String> {
    let kind = node.kind();
    let field = |f: &str| node.child_by_field_name(f);
    let name = match lang {
        Language::Python if kind == "attribute" => {
            let obj = field("object")?;
            (obj.kind() == "identifier" && text(src, obj) == "self").then(|| field("attribute"))?
        }
        Language::JavaScript | Language::TypeScript | Language::Tsx
            if kind == "member_expression" =>
        {
            (field("object")?.kind() == "this").then(|| field("property"))?
        }
        Language::Java if kind == "field_access" => {
            (field("object")?.kind() == "this").then(|| field("field"))?
        }
        Language::Java if kind == "method_invocation" => {
            (field("object")?.kind() == "this").then(|| field("name"))?
        }
        Language::CSharp if kind == "member_access_expression" => {
            (field("expression")?.kind() == "this").then(|| field("name"))?
        }
        Language::Php
            if matches!(
                kind,
                "member_access_expression"
                    | "member_call_expression"
                    | "nullsafe_member_access_expression"
            ) =>
        {
            let obj = field("object")?;
            (text(src, obj) == "$this").then(|| field("name"))?
        }
        Language::Ruby if kind == "instance_variable" => return Some(text(src, node).to_owned()),
        Language::Rust if kind == "field_expression" => {
            (field("value")?.kind() == "self").then(|| field("field"))?
        }
        _ => return None,
    };
    Some(text(src, name?).to_owned())
}

/// Field names a class declares (Java, C#), for bare-name resolution.
pub(crate) fn declared_fields(lang: Language, node: Node, src: &[u8], out: &mut BTreeSet<String>) {
    if !bare_names(lang) {
        return;
    }
    match node.kind() {
        "field_declaration" => {
            let mut stack = vec![node];
            while let Some(n) = stack.pop() {
                if n.kind() == "variable_declarator" {
                    if let Some(name) = n.child_by_field_name("name").or_else(|| n.named_child(0)) {
                        out.insert(text(src, name).to_owned());
                    }
                    continue;
                }
                let mut c = n.walk();
                stack.extend(n.named_children(&mut c));
            }
        }
        "property_declaration" => {
            if let Some(name) = node.child_by_field_name("name") {
                out.insert(text(src, name).to_owned());
            }
        }
        _ => {}
    }
}

/// A class being measured.
#[derive(Default)]
pub(crate) struct ClassScope {
    pub name: String,
    pub start_line: u32,
    pub fields: BTreeSet<String>,
    /// Methods: (name, members referenced, constructor?)
    pub methods: Vec<(String, BTreeSet<String>, bool)>,
}

impl ClassScope {
    /// LCOM4 and the counts behind it; `None` for classes with fewer than two
    /// methods or without state (no field used: a namespace of functions).
    pub fn lcom4(&self) -> Option<(u32, u32, u32)> {
        let methods: Vec<&(String, BTreeSet<String>, bool)> =
            self.methods.iter().filter(|m| !m.2).collect();
        if methods.len() < 2 {
            return None;
        }
        let names: BTreeMap<&str, usize> = methods
            .iter()
            .enumerate()
            .map(|(i, m)| (m.0.as_str(), i))
            .collect();
        let mut parent: Vec<usize> = (0..methods.len()).collect();
        fn find(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        let mut by_field: BTreeMap<&str, usize> = BTreeMap::new();
        let mut fields: BTreeSet<&str> = BTreeSet::new();
        for (i, m) in methods.iter().enumerate() {
            for r in &m.1 {
                if let Some(&j) = names.get(r.as_str()) {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    parent[a] = b;
                } else {
                    fields.insert(r.as_str());
                    match by_field.get(r.as_str()) {
                        Some(&j) => {
                            let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                            parent[a] = b;
                        }
                        None => {
                            by_field.insert(r.as_str(), i);
                        }
                    }
                }
            }
        }
        let components = (0..methods.len())
            .filter(|&i| find(&mut parent, i) == i)
            .count();
        if fields.is_empty() {
            return None;
        }
        Some((components as u32, methods.len() as u32, fields.len() as u32))
    }
}
