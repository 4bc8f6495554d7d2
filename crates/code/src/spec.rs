//! Per-language syntax tables: which tree-sitter node kinds are functions,
//! branches, loops, cases, boolean operators and exits.
//!
//! The counting rules follow lizard (`terryyin/lizard`, `lizard_languages/*.py`,
//! `_control_flow_keywords`, `_logical_operators`, `_case_keywords`,
//! `_ternary_operators` per reader) so that cyclomatic complexity can be
//! cross-checked against it; deliberate differences are listed in
//! `docs/methodology/code-health.md` ("Cyclomatic complexity").

use crate::Language;

/// Syntax table for one grammar. Every list holds tree-sitter node kinds.
pub(crate) struct Spec {
    /// Named functions and methods: each is a unit of measurement.
    pub functions: &'static [&'static str],
    /// Anonymous functions measured as units of their own (lizard does so for
    /// JavaScript/TypeScript function expressions and arrow functions).
    pub anonymous_functions: &'static [&'static str],
    /// Closures and lambdas that stay part of their enclosing function (their
    /// branches count there, lizard-style); they add a cognitive nesting level.
    pub lambdas: &'static [&'static str],
    /// Class-like scopes that qualify the names of the functions inside.
    pub containers: &'static [&'static str],
    /// `if` statements or expressions (+1 cyclomatic, +1+nesting cognitive).
    pub ifs: &'static [&'static str],
    /// Dedicated "else if" clause nodes (`elif`, `elsif`, `elseif`).
    pub elifs: &'static [&'static str],
    /// Dedicated else-clause nodes. A bare `else` token is recognised too.
    pub elses: &'static [&'static str],
    /// Loops counted by cyclomatic complexity.
    pub loops: &'static [&'static str],
    /// Loops without a condition (Rust `loop`): cognitive only.
    pub plain_loops: &'static [&'static str],
    /// Switch-like statements: +1+nesting cognitive; their cases count for cyclomatic.
    pub switches: &'static [&'static str],
    /// Anonymous keyword tokens counted once each for cyclomatic (`case`, `when`).
    pub case_tokens: &'static [&'static str],
    /// Arms counted n−1 per parent (Rust `match`, Kotlin `when`, as lizard does).
    pub arms: &'static [&'static str],
    /// Exception handlers.
    pub catches: &'static [&'static str],
    /// Conditional expressions.
    pub ternaries: &'static [&'static str],
    /// Binary nodes whose `operator` field may be a boolean operator.
    pub binaries: &'static [&'static str],
    /// Nodes that are boolean operators by kind, with the operator they stand for.
    pub logical_kinds: &'static [(&'static str, &'static str)],
    /// Boolean operators: +1 cyclomatic each, +1 cognitive per sequence.
    pub logical_ops: &'static [&'static str],
    /// Null-coalescing operators lizard counts (cyclomatic only).
    pub coalesce_ops: &'static [&'static str],
    /// Other decision points, cyclomatic only (Rust `?`, comprehension clauses).
    pub extra_decisions: &'static [&'static str],
    /// Assignments that may be operators `||=`, `&&=`, `??=`: a conditional
    /// assignment is a decision (lizard counts the operator too).
    pub conditional_assignments: &'static [&'static str],
    /// Exit points besides the end of the function.
    pub exits: &'static [&'static str],
    /// `goto` and jumps to labels (cognitive +1).
    pub jumps: &'static [&'static str],
    /// Comment nodes.
    pub comments: &'static [&'static str],
    /// Qualified-name separator.
    pub separator: &'static str,
}

const EMPTY: &[&str] = &[];

const C_LIKE_COMMENTS: &[&str] = &["comment", "line_comment", "block_comment"];

pub(crate) fn spec(lang: Language) -> Option<&'static Spec> {
    Some(match lang {
        Language::Rust => &RUST,
        Language::Python => &PYTHON,
        Language::JavaScript | Language::TypeScript | Language::Tsx => &JAVASCRIPT,
        Language::Java => &JAVA,
        Language::Go => &GO,
        Language::C | Language::Cpp => &C_CPP,
        Language::CSharp => &CSHARP,
        Language::Ruby => &RUBY,
        Language::Php => &PHP,
        Language::Kotlin => &KOTLIN,
        Language::Scala => &SCALA,
        Language::Swift => &SWIFT,
        Language::Other => return None,
    })
}

static RUST: Spec = Spec {
    functions: &["function_item"],
    anonymous_functions: EMPTY,
    lambdas: &["closure_expression"],
    containers: &["impl_item", "trait_item", "mod_item"],
    ifs: &["if_expression"],
    elifs: EMPTY,
    elses: &["else_clause"],
    loops: &["for_expression", "while_expression"],
    plain_loops: &["loop_expression"],
    switches: &["match_expression"],
    case_tokens: EMPTY,
    arms: &["match_arm"],
    catches: EMPTY,
    ternaries: EMPTY,
    binaries: &["binary_expression"],
    logical_kinds: &[],
    logical_ops: &["&&", "||"],
    coalesce_ops: EMPTY,
    extra_decisions: &["try_expression"],
    conditional_assignments: EMPTY,
    exits: &["return_expression"],
    jumps: EMPTY,
    comments: C_LIKE_COMMENTS,
    separator: "::",
};

static PYTHON: Spec = Spec {
    functions: &["function_definition"],
    anonymous_functions: EMPTY,
    lambdas: &["lambda"],
    containers: &["class_definition"],
    ifs: &["if_statement"],
    elifs: &["elif_clause"],
    elses: &["else_clause"],
    loops: &["for_statement", "while_statement"],
    plain_loops: EMPTY,
    switches: &["match_statement"],
    case_tokens: EMPTY,
    arms: &["case_clause"],
    catches: &["except_clause"],
    ternaries: &["conditional_expression"],
    binaries: &["boolean_operator"],
    logical_kinds: &[],
    logical_ops: &["and", "or"],
    coalesce_ops: EMPTY,
    extra_decisions: &["for_in_clause", "if_clause"],
    conditional_assignments: EMPTY,
    exits: &["return_statement", "raise_statement"],
    jumps: EMPTY,
    comments: &["comment"],
    separator: ".",
};

static JAVASCRIPT: Spec = Spec {
    functions: &[
        "function_declaration",
        "generator_function_declaration",
        "method_definition",
    ],
    anonymous_functions: &[
        "function_expression",
        "arrow_function",
        "generator_function",
    ],
    lambdas: EMPTY,
    containers: &[
        "class_declaration",
        "class",
        "internal_module",
        "module",
        "abstract_class_declaration",
    ],
    ifs: &["if_statement"],
    elifs: EMPTY,
    elses: &["else_clause"],
    loops: &[
        "for_statement",
        "for_in_statement",
        "while_statement",
        "do_statement",
    ],
    plain_loops: EMPTY,
    switches: &["switch_statement"],
    case_tokens: &["case"],
    arms: EMPTY,
    catches: &["catch_clause"],
    ternaries: &["ternary_expression"],
    binaries: &["binary_expression"],
    logical_kinds: &[],
    logical_ops: &["&&", "||"],
    coalesce_ops: &["??"],
    extra_decisions: EMPTY,
    conditional_assignments: &["augmented_assignment_expression"],
    exits: &["return_statement", "throw_statement"],
    jumps: EMPTY,
    comments: &["comment", "html_comment"],
    separator: ".",
};

static JAVA: Spec = Spec {
    functions: &[
        "method_declaration",
        "constructor_declaration",
        "compact_constructor_declaration",
    ],
    anonymous_functions: EMPTY,
    lambdas: &["lambda_expression"],
    containers: &[
        "class_declaration",
        "interface_declaration",
        "enum_declaration",
        "record_declaration",
        "annotation_type_declaration",
    ],
    ifs: &["if_statement"],
    elifs: EMPTY,
    elses: EMPTY,
    loops: &[
        "for_statement",
        "enhanced_for_statement",
        "while_statement",
        "do_statement",
    ],
    plain_loops: EMPTY,
    switches: &["switch_expression", "switch_statement"],
    case_tokens: &["case"],
    arms: EMPTY,
    catches: &["catch_clause"],
    ternaries: &["ternary_expression"],
    binaries: &["binary_expression"],
    logical_kinds: &[],
    logical_ops: &["&&", "||"],
    coalesce_ops: EMPTY,
    extra_decisions: EMPTY,
    conditional_assignments: EMPTY,
    exits: &["return_statement", "throw_statement"],
    jumps: EMPTY,
    comments: C_LIKE_COMMENTS,
    separator: "::",
};

static GO: Spec = Spec {
    functions: &["function_declaration", "method_declaration"],
    anonymous_functions: &["func_literal"],
    lambdas: EMPTY,
    containers: EMPTY,
    ifs: &["if_statement"],
    elifs: EMPTY,
    elses: EMPTY,
    loops: &["for_statement"],
    plain_loops: EMPTY,
    switches: &[
        "expression_switch_statement",
        "type_switch_statement",
        "select_statement",
    ],
    case_tokens: &["case"],
    arms: EMPTY,
    catches: EMPTY,
    ternaries: EMPTY,
    binaries: &["binary_expression"],
    logical_kinds: &[],
    logical_ops: &["&&", "||"],
    coalesce_ops: EMPTY,
    extra_decisions: EMPTY,
    conditional_assignments: EMPTY,
    exits: &["return_statement"],
    jumps: &["goto_statement"],
    comments: &["comment"],
    separator: ".",
};

static C_CPP: Spec = Spec {
    functions: &["function_definition"],
    anonymous_functions: EMPTY,
    lambdas: &["lambda_expression"],
    containers: &[
        "class_specifier",
        "struct_specifier",
        "namespace_definition",
        "union_specifier",
    ],
    ifs: &["if_statement"],
    elifs: EMPTY,
    elses: &["else_clause"],
    loops: &[
        "for_statement",
        "for_range_loop",
        "while_statement",
        "do_statement",
    ],
    plain_loops: EMPTY,
    switches: &["switch_statement"],
    case_tokens: &["case"],
    arms: EMPTY,
    catches: &["catch_clause"],
    ternaries: &["conditional_expression"],
    binaries: &["binary_expression"],
    logical_kinds: &[],
    logical_ops: &["&&", "||", "and", "or"],
    coalesce_ops: EMPTY,
    extra_decisions: &[
        // Conditional compilation inside a function is a branch the reader must
        // follow; lizard counts `#if`, `#ifdef`, `#ifndef` and `#elif` too.
        "preproc_if",
        "preproc_ifdef",
        "preproc_elif",
        "preproc_elifdef",
    ],
    conditional_assignments: EMPTY,
    exits: &["return_statement", "throw_statement", "throw_expression"],
    jumps: &["goto_statement"],
    comments: &["comment"],
    separator: "::",
};

static CSHARP: Spec = Spec {
    functions: &[
        "method_declaration",
        "constructor_declaration",
        "destructor_declaration",
        "operator_declaration",
        "conversion_operator_declaration",
        "local_function_statement",
        "accessor_declaration",
    ],
    anonymous_functions: EMPTY,
    lambdas: &["lambda_expression", "anonymous_method_expression"],
    containers: &[
        "class_declaration",
        "struct_declaration",
        "interface_declaration",
        "record_declaration",
        "namespace_declaration",
        "property_declaration",
    ],
    ifs: &["if_statement"],
    elifs: EMPTY,
    elses: EMPTY,
    loops: &[
        "for_statement",
        "foreach_statement",
        "while_statement",
        "do_statement",
    ],
    plain_loops: EMPTY,
    switches: &["switch_statement", "switch_expression"],
    case_tokens: &["case"],
    arms: &["switch_expression_arm"],
    catches: &["catch_clause"],
    ternaries: &["conditional_expression"],
    binaries: &["binary_expression"],
    logical_kinds: &[],
    logical_ops: &["&&", "||"],
    coalesce_ops: &["??"],
    extra_decisions: &["preproc_if", "preproc_elif"],
    conditional_assignments: EMPTY,
    exits: &["return_statement", "throw_statement", "throw_expression"],
    jumps: &["goto_statement"],
    comments: &["comment"],
    separator: ".",
};

static RUBY: Spec = Spec {
    functions: &["method", "singleton_method"],
    anonymous_functions: EMPTY,
    lambdas: &["block", "do_block", "lambda"],
    containers: &["class", "module", "singleton_class"],
    ifs: &["if", "unless", "if_modifier", "unless_modifier"],
    elifs: &["elsif"],
    elses: &["else"],
    loops: &["while", "until", "for", "while_modifier", "until_modifier"],
    plain_loops: EMPTY,
    switches: &["case", "case_match"],
    case_tokens: &["when"],
    arms: EMPTY,
    catches: &["rescue", "rescue_modifier"],
    ternaries: &["conditional"],
    binaries: &["binary"],
    logical_kinds: &[],
    logical_ops: &["&&", "||", "and", "or"],
    coalesce_ops: EMPTY,
    extra_decisions: EMPTY,
    conditional_assignments: &["operator_assignment"],
    exits: &["return"],
    jumps: EMPTY,
    comments: &["comment"],
    separator: ".",
};

static PHP: Spec = Spec {
    functions: &["function_definition", "method_declaration"],
    anonymous_functions: EMPTY,
    lambdas: &["anonymous_function", "arrow_function"],
    containers: &[
        "class_declaration",
        "interface_declaration",
        "trait_declaration",
        "enum_declaration",
        "namespace_definition",
    ],
    ifs: &["if_statement"],
    elifs: &["else_if_clause"],
    elses: &["else_clause"],
    loops: &[
        "for_statement",
        "foreach_statement",
        "while_statement",
        "do_statement",
    ],
    plain_loops: EMPTY,
    switches: &["switch_statement", "match_expression"],
    case_tokens: &["case"],
    arms: EMPTY,
    catches: &["catch_clause"],
    ternaries: &["conditional_expression"],
    binaries: &["binary_expression"],
    logical_kinds: &[],
    logical_ops: &["&&", "||", "and", "or"],
    coalesce_ops: EMPTY,
    extra_decisions: &["match_expression"],
    conditional_assignments: EMPTY,
    exits: &["return_statement", "throw_expression"],
    jumps: &["goto_statement"],
    comments: &["comment"],
    separator: "::",
};

static KOTLIN: Spec = Spec {
    functions: &[
        "function_declaration",
        "secondary_constructor",
        "getter",
        "setter",
    ],
    anonymous_functions: EMPTY,
    lambdas: &["lambda_literal", "anonymous_function"],
    containers: &[
        "class_declaration",
        "object_declaration",
        "companion_object",
    ],
    ifs: &["if_expression"],
    elifs: EMPTY,
    elses: EMPTY,
    loops: &["for_statement", "while_statement", "do_while_statement"],
    plain_loops: EMPTY,
    switches: &["when_expression"],
    case_tokens: EMPTY,
    arms: &["when_entry"],
    catches: &["catch_block"],
    ternaries: EMPTY,
    binaries: &[
        "binary_expression",
        "conjunction_expression",
        "disjunction_expression",
        "elvis_expression",
    ],
    logical_kinds: &[],
    logical_ops: &["&&", "||"],
    coalesce_ops: &["?:"],
    extra_decisions: EMPTY,
    conditional_assignments: EMPTY,
    exits: &["return_expression", "throw_expression"],
    jumps: EMPTY,
    comments: &["line_comment", "block_comment", "comment"],
    separator: ".",
};

static SCALA: Spec = Spec {
    functions: &["function_definition"],
    anonymous_functions: EMPTY,
    lambdas: &["lambda_expression"],
    containers: &[
        "class_definition",
        "object_definition",
        "trait_definition",
        "enum_definition",
    ],
    ifs: &["if_expression"],
    elifs: EMPTY,
    elses: EMPTY,
    loops: &["for_expression", "while_expression", "do_while_expression"],
    plain_loops: EMPTY,
    switches: &["match_expression"],
    case_tokens: &["case"],
    arms: EMPTY,
    catches: &["catch_clause"],
    ternaries: EMPTY,
    binaries: &["infix_expression"],
    logical_kinds: &[],
    logical_ops: &["&&", "||"],
    coalesce_ops: EMPTY,
    extra_decisions: EMPTY,
    conditional_assignments: EMPTY,
    exits: &["return_expression", "throw_expression"],
    jumps: EMPTY,
    comments: &["comment", "block_comment"],
    separator: ".",
};

static SWIFT: Spec = Spec {
    functions: &[
        "function_declaration",
        "init_declaration",
        "deinit_declaration",
        "subscript_declaration",
        "computed_getter",
        "computed_setter",
    ],
    anonymous_functions: EMPTY,
    lambdas: &["lambda_literal"],
    containers: &[
        "class_declaration",
        "protocol_declaration",
        "extension_declaration",
    ],
    ifs: &["if_statement", "guard_statement"],
    elifs: EMPTY,
    elses: EMPTY,
    loops: &["for_statement", "while_statement", "repeat_while_statement"],
    plain_loops: EMPTY,
    switches: &["switch_statement"],
    case_tokens: &["case"],
    arms: EMPTY,
    catches: &["catch_block"],
    ternaries: &["ternary_expression"],
    binaries: EMPTY,
    logical_kinds: &[
        ("conjunction_expression", "&&"),
        ("disjunction_expression", "||"),
    ],
    logical_ops: &["&&", "||"],
    coalesce_ops: EMPTY,
    extra_decisions: EMPTY,
    conditional_assignments: EMPTY,
    exits: &["control_transfer_statement"],
    jumps: EMPTY,
    comments: &["comment", "multiline_comment"],
    separator: ".",
};

/// Role bits of a node kind, precomputed per grammar so the walk classifies a
/// node with one array lookup instead of string comparisons.
pub(crate) mod role {
    pub const COMMENT: u32 = 1 << 0;
    pub const ELSE: u32 = 1 << 1;
    pub const ELIF: u32 = 1 << 2;
    pub const CASE_TOKEN: u32 = 1 << 3;
    pub const FUNCTION: u32 = 1 << 4;
    pub const CONTAINER: u32 = 1 << 5;
    pub const IF: u32 = 1 << 6;
    pub const LOOP: u32 = 1 << 7;
    pub const PLAIN_LOOP: u32 = 1 << 8;
    pub const SWITCH: u32 = 1 << 9;
    pub const CATCH: u32 = 1 << 10;
    pub const TERNARY: u32 = 1 << 11;
    pub const ARM: u32 = 1 << 12;
    pub const LAMBDA: u32 = 1 << 13;
    pub const EXTRA: u32 = 1 << 14;
    pub const EXIT: u32 = 1 << 15;
    pub const JUMP: u32 = 1 << 16;
    pub const BINARY: u32 = 1 << 17;
    pub const LOGICAL_KIND: u32 = 1 << 18;
    pub const COND_ASSIGN: u32 = 1 << 19;
}

/// [`role`] bits for every node kind id of a grammar.
pub(crate) struct KindTable {
    bits: Vec<u32>,
}

impl KindTable {
    pub fn new(grammar: &tree_sitter::Language, spec: &Spec) -> KindTable {
        let n = grammar.node_kind_count();
        let mut bits = vec![0u32; n];
        let lists: [(&[&str], u32); 19] = [
            (spec.conditional_assignments, role::COND_ASSIGN),
            (spec.comments, role::COMMENT),
            (spec.elses, role::ELSE),
            (spec.elifs, role::ELIF),
            (spec.case_tokens, role::CASE_TOKEN),
            (spec.functions, role::FUNCTION),
            (spec.anonymous_functions, role::FUNCTION),
            (spec.containers, role::CONTAINER),
            (spec.ifs, role::IF),
            (spec.loops, role::LOOP),
            (spec.plain_loops, role::PLAIN_LOOP),
            (spec.switches, role::SWITCH),
            (spec.catches, role::CATCH),
            (spec.ternaries, role::TERNARY),
            (spec.arms, role::ARM),
            (spec.lambdas, role::LAMBDA),
            (spec.extra_decisions, role::EXTRA),
            (spec.exits, role::EXIT),
            (spec.jumps, role::JUMP),
        ];
        for (id, b) in bits.iter_mut().enumerate() {
            let Some(kind) = grammar.node_kind_for_id(id as u16) else {
                continue;
            };
            for (list, bit) in &lists {
                if list.contains(&kind) {
                    *b |= bit;
                }
            }
            if spec.binaries.contains(&kind) {
                *b |= role::BINARY;
            }
            if spec.logical_kinds.iter().any(|(k, _)| *k == kind) {
                *b |= role::LOGICAL_KIND;
            }
        }
        KindTable { bits }
    }

    #[inline]
    pub fn get(&self, kind_id: u16) -> u32 {
        self.bits.get(usize::from(kind_id)).copied().unwrap_or(0)
    }
}
