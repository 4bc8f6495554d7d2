//! Behaviour of the measurements, language by language, against hand-checked
//! expectations. Each expected number is worked out in a comment from the rules
//! in `src/methodology-intro.md` (cyclomatic: 1 + decisions, lizard-style;
//! cognitive: SonarSource 2017).

use friction_code::{
    FileMetrics, Flag, FunctionMetrics, Language, MAX_PARSE_BYTES, Measurer, Method,
};

fn measure(lang: Language, src: &str) -> FileMetrics {
    Measurer::new().measure(lang, src.as_bytes())
}

fn only(lang: Language, src: &str) -> FunctionMetrics {
    let m = measure(lang, src);
    assert_eq!(m.functions.len(), 1, "{lang:?}: {:#?}", m.functions);
    m.functions.into_iter().next().unwrap()
}

fn named(m: &FileMetrics, qualified: &str) -> FunctionMetrics {
    m.functions
        .iter()
        .find(|f| f.qualified_name == qualified)
        .unwrap_or_else(|| {
            panic!(
                "{qualified} not in {:?}",
                m.functions
                    .iter()
                    .map(|f| &f.qualified_name)
                    .collect::<Vec<_>>()
            )
        })
        .clone()
}

// ---------------------------------------------------------------------------
// Two `if`s and one `&&`: cyclomatic 1 + 2 + 1 = 4; cognitive if(+1) &&(+1)
// if(+1) = 3; nesting 1; two parameters.

struct Case {
    lang: Language,
    src: &'static str,
    qualified: &'static str,
    exits: u32,
}

const TWO_IFS: &[Case] = &[
    Case {
        lang: Language::Rust,
        src: "impl S {\n    fn f(a: i32, b: i32) -> i32 {\n        if a > 0 && b > 0 {\n            return 1;\n        }\n        if b < 0 {\n            return 2;\n        }\n        0\n    }\n}\n",
        qualified: "S::f",
        exits: 2,
    },
    Case {
        lang: Language::Python,
        src: "class C:\n    def f(a, b):\n        if a > 0 and b > 0:\n            return 1\n        if b < 0:\n            return 2\n        return 0\n",
        qualified: "C.f",
        exits: 3,
    },
    Case {
        lang: Language::JavaScript,
        src: "class C {\n  f(a, b) {\n    if (a > 0 && b > 0) {\n      return 1;\n    }\n    if (b < 0) {\n      return 2;\n    }\n    return 0;\n  }\n}\n",
        qualified: "C.f",
        exits: 3,
    },
    Case {
        lang: Language::TypeScript,
        src: "function f(a: number, b: number): number {\n  if (a > 0 && b > 0) {\n    return 1;\n  }\n  if (b < 0) {\n    return 2;\n  }\n  return 0;\n}\n",
        qualified: "f",
        exits: 3,
    },
    Case {
        lang: Language::Tsx,
        src: "function f(a: number, b: number) {\n  if (a > 0 && b > 0) {\n    return <div>one</div>;\n  }\n  if (b < 0) {\n    return <span />;\n  }\n  return null;\n}\n",
        qualified: "f",
        exits: 3,
    },
    Case {
        lang: Language::Java,
        src: "class C {\n  int f(int a, int b) {\n    if (a > 0 && b > 0) {\n      return 1;\n    }\n    if (b < 0) {\n      return 2;\n    }\n    return 0;\n  }\n}\n",
        qualified: "C::f",
        exits: 3,
    },
    Case {
        lang: Language::Go,
        src: "package p\n\nfunc f(a, b int) int {\n\tif a > 0 && b > 0 {\n\t\treturn 1\n\t}\n\tif b < 0 {\n\t\treturn 2\n\t}\n\treturn 0\n}\n",
        qualified: "f",
        exits: 3,
    },
    Case {
        lang: Language::C,
        src: "int f(int a, int b) {\n  if (a > 0 && b > 0) {\n    return 1;\n  }\n  if (b < 0) {\n    return 2;\n  }\n  return 0;\n}\n",
        qualified: "f",
        exits: 3,
    },
    Case {
        lang: Language::Cpp,
        src: "namespace n {\nclass C {\n public:\n  int f(int a, int b) {\n    if (a > 0 && b > 0) {\n      return 1;\n    }\n    if (b < 0) {\n      return 2;\n    }\n    return 0;\n  }\n};\n}\n",
        qualified: "n::C::f",
        exits: 3,
    },
    Case {
        lang: Language::CSharp,
        src: "namespace N {\nclass C {\n  int F(int a, int b) {\n    if (a > 0 && b > 0) {\n      return 1;\n    }\n    if (b < 0) {\n      return 2;\n    }\n    return 0;\n  }\n}\n}\n",
        qualified: "N.C.F",
        exits: 3,
    },
    Case {
        lang: Language::Ruby,
        src: "class C\n  def f(a, b)\n    if a > 0 && b > 0\n      return 1\n    end\n    if b < 0\n      return 2\n    end\n    0\n  end\nend\n",
        qualified: "C.f",
        exits: 2,
    },
    Case {
        lang: Language::Php,
        src: "<?php\nclass C {\n  function f($a, $b) {\n    if ($a > 0 && $b > 0) {\n      return 1;\n    }\n    if ($b < 0) {\n      return 2;\n    }\n    return 0;\n  }\n}\n",
        qualified: "C::f",
        exits: 3,
    },
    Case {
        lang: Language::Kotlin,
        src: "class C {\n  fun f(a: Int, b: Int): Int {\n    if (a > 0 && b > 0) {\n      return 1\n    }\n    if (b < 0) {\n      return 2\n    }\n    return 0\n  }\n}\n",
        qualified: "C.f",
        exits: 3,
    },
    Case {
        lang: Language::Scala,
        src: "object O {\n  def f(a: Int, b: Int): Int = {\n    if (a > 0 && b > 0) {\n      return 1\n    }\n    if (b < 0) {\n      return 2\n    }\n    0\n  }\n}\n",
        qualified: "O.f",
        exits: 2,
    },
    Case {
        lang: Language::Swift,
        src: "class C {\n  func f(a: Int, b: Int) -> Int {\n    if a > 0 && b > 0 {\n      return 1\n    }\n    if b < 0 {\n      return 2\n    }\n    return 0\n  }\n}\n",
        qualified: "C.f",
        exits: 3,
    },
];

#[test]
fn two_ifs_and_an_and_give_cyclomatic_four_in_every_language() {
    for case in TWO_IFS {
        let m = measure(case.lang, case.src);
        assert!(m.flags.is_empty(), "{:?}: {:?}", case.lang, m.flags);
        assert_eq!(m.method, Method::TreeSitter);
        let f = named(&m, case.qualified);
        assert_eq!(f.cyclomatic, 4, "{:?} cyclomatic", case.lang);
        assert_eq!(f.cognitive, 3, "{:?} cognitive", case.lang);
        assert_eq!(f.max_nesting, 1, "{:?} nesting", case.lang);
        assert_eq!(f.parameters, 2, "{:?} parameters", case.lang);
        assert_eq!(f.exits, case.exits, "{:?} exits", case.lang);
        assert_eq!(f.max_condition_operators, 1, "{:?} operators", case.lang);
        assert_eq!(f.bumps, 0, "{:?} bumps", case.lang);
    }
}

// ---------------------------------------------------------------------------
// if (+1, nest 0) { loop (+2, nest 1) { if (+3, nest 2) } } else if (+1) {} else (+1) {}
// cognitive 8; cyclomatic 1 + if + loop + if + else-if = 5; nesting 3; one bump.

const NESTED: &[(Language, &str)] = &[
    (
        Language::C,
        "void f(int a, int b, int c) {\n  if (a) {\n    for (;;) {\n      if (b) { g(); }\n    }\n  } else if (c) {\n    g();\n  } else {\n    h();\n  }\n}\n",
    ),
    (
        Language::Cpp,
        "void f(int a, int b, int c) {\n  if (a) {\n    for (auto x : v) {\n      if (b) { g(); }\n    }\n  } else if (c) {\n    g();\n  } else {\n    h();\n  }\n}\n",
    ),
    (
        Language::Java,
        "class C { void f(int a, int b, int c) {\n  if (a > 0) {\n    for (int x : v) {\n      if (b > 0) { g(); }\n    }\n  } else if (c > 0) {\n    g();\n  } else {\n    h();\n  }\n} }\n",
    ),
    (
        Language::CSharp,
        "class C { void F(int a, int b, int c) {\n  if (a > 0) {\n    foreach (var x in v) {\n      if (b > 0) { G(); }\n    }\n  } else if (c > 0) {\n    G();\n  } else {\n    H();\n  }\n} }\n",
    ),
    (
        Language::JavaScript,
        "function f(a, b, c) {\n  if (a) {\n    for (const x of v) {\n      if (b) { g(); }\n    }\n  } else if (c) {\n    g();\n  } else {\n    h();\n  }\n}\n",
    ),
    (
        Language::TypeScript,
        "function f(a: boolean, b: boolean, c: boolean): void {\n  if (a) {\n    while (true) {\n      if (b) { g(); }\n    }\n  } else if (c) {\n    g();\n  } else {\n    h();\n  }\n}\n",
    ),
    (
        Language::Go,
        "package p\nfunc f(a, b, c bool) {\n\tif a {\n\t\tfor {\n\t\t\tif b {\n\t\t\t\tg()\n\t\t\t}\n\t\t}\n\t} else if c {\n\t\tg()\n\t} else {\n\t\th()\n\t}\n}\n",
    ),
    (
        Language::Rust,
        "fn f(a: bool, b: bool, c: bool) {\n    if a {\n        for _ in 0..3 {\n            if b { g(); }\n        }\n    } else if c {\n        g();\n    } else {\n        h();\n    }\n}\n",
    ),
    (
        Language::Python,
        "def f(a, b, c):\n    if a:\n        for x in v:\n            if b:\n                g()\n    elif c:\n        g()\n    else:\n        h()\n",
    ),
    (
        Language::Ruby,
        "def f(a, b, c)\n  if a\n    while x\n      if b\n        g\n      end\n    end\n  elsif c\n    g\n  else\n    h\n  end\nend\n",
    ),
    (
        Language::Php,
        "<?php\nfunction f($a, $b, $c) {\n  if ($a) {\n    foreach ($v as $x) {\n      if ($b) { g(); }\n    }\n  } elseif ($c) {\n    g();\n  } else {\n    h();\n  }\n}\n",
    ),
    (
        Language::Kotlin,
        "fun f(a: Boolean, b: Boolean, c: Boolean) {\n  if (a) {\n    for (x in v) {\n      if (b) { g() }\n    }\n  } else if (c) {\n    g()\n  } else {\n    h()\n  }\n}\n",
    ),
    (
        Language::Scala,
        "object O {\n  def f(a: Boolean, b: Boolean, c: Boolean): Unit = {\n    if (a) {\n      while (true) {\n        if (b) { g() }\n      }\n    } else if (c) {\n      g()\n    } else {\n      h()\n    }\n  }\n}\n",
    ),
    (
        Language::Swift,
        "func f(a: Bool, b: Bool, c: Bool) {\n  if a {\n    for x in v {\n      if b { g() }\n    }\n  } else if c {\n    g()\n  } else {\n    h()\n  }\n}\n",
    ),
];

#[test]
fn nesting_else_if_and_else_follow_the_cognitive_complexity_rules() {
    for (lang, src) in NESTED {
        let m = measure(*lang, src);
        assert!(m.flags.is_empty(), "{lang:?}: {:?}", m.flags);
        let f = m
            .functions
            .iter()
            .find(|f| f.name == "f" || f.name == "F")
            .unwrap_or_else(|| panic!("{lang:?}: {:?}", m.functions));
        assert_eq!(f.cognitive, 8, "{lang:?} cognitive");
        assert_eq!(f.cyclomatic, 5, "{lang:?} cyclomatic");
        assert_eq!(f.max_nesting, 3, "{lang:?} nesting");
        assert_eq!(f.bumps, 1, "{lang:?} bumps");
    }
}

// ---------------------------------------------------------------------------
// Boolean operator sequences: `a && b && c` is one sequence (+1), `a && b || c`
// two (+2). Cyclomatic counts each operator.

#[test]
fn boolean_operator_sequences() {
    let cases: &[(Language, &str, &str)] = &[
        (
            Language::C,
            "int f(int a, int b, int c) { if (a && b && c) return 1; return 0; }\n",
            "int f(int a, int b, int c) { if (a && b || c) return 1; return 0; }\n",
        ),
        (
            Language::Python,
            "def f(a, b, c):\n    if a and b and c:\n        return 1\n",
            "def f(a, b, c):\n    if a and b or c:\n        return 1\n",
        ),
        (
            Language::Ruby,
            "def f(a, b, c)\n  return 1 if a && b && c\nend\n",
            "def f(a, b, c)\n  return 1 if a && b || c\nend\n",
        ),
        (
            Language::Swift,
            "func f(a: Bool, b: Bool, c: Bool) -> Int { if a && b && c { return 1 }; return 0 }\n",
            "func f(a: Bool, b: Bool, c: Bool) -> Int { if a && b || c { return 1 }; return 0 }\n",
        ),
        (
            Language::Scala,
            "object O { def f(a: Boolean, b: Boolean, c: Boolean): Int = { if (a && b && c) 1 else 0 } }\n",
            "object O { def f(a: Boolean, b: Boolean, c: Boolean): Int = { if (a && b || c) 1 else 0 } }\n",
        ),
        (
            Language::Kotlin,
            "fun f(a: Boolean, b: Boolean, c: Boolean): Int { if (a && b && c) { return 1 }; return 0 }\n",
            "fun f(a: Boolean, b: Boolean, c: Boolean): Int { if (a && b || c) { return 1 }; return 0 }\n",
        ),
        (
            Language::Rust,
            "fn f(a: bool, b: bool, c: bool) -> i32 { if a && b && c { return 1; } 0 }\n",
            "fn f(a: bool, b: bool, c: bool) -> i32 { if a && b || c { return 1; } 0 }\n",
        ),
    ];
    for (lang, same, mixed) in cases {
        let s = only(*lang, same);
        let x = only(*lang, mixed);
        // Scala's `if … else` adds an else (+1 cognitive) to both.
        let else_bonus = u32::from(*lang == Language::Scala);
        assert_eq!(s.cyclomatic, 4, "{lang:?} same cyclomatic");
        assert_eq!(x.cyclomatic, 4, "{lang:?} mixed cyclomatic");
        assert_eq!(s.cognitive, 2 + else_bonus, "{lang:?} same cognitive");
        assert_eq!(x.cognitive, 3 + else_bonus, "{lang:?} mixed cognitive");
        assert_eq!(s.max_condition_operators, 2, "{lang:?}");
    }
}

// ---------------------------------------------------------------------------
// Switches: two cases and a default are three paths: cyclomatic 3, cognitive 1.

#[test]
fn switch_case_and_match_count_paths_not_the_default() {
    let cases: &[(Language, &str, u32)] = &[
        (
            Language::C,
            "int f(int x) { switch (x) { case 1: return 1; case 2: return 2; default: return 0; } }\n",
            3,
        ),
        (
            Language::Java,
            "class C { int f(int x) { switch (x) { case 1 -> { return 1; } case 2 -> { return 2; } default -> { return 0; } } } }\n",
            3,
        ),
        (
            Language::JavaScript,
            "function f(x) { switch (x) { case 1: return 1; case 2: return 2; default: return 0; } }\n",
            3,
        ),
        (
            Language::CSharp,
            "class C { int F(int x) { switch (x) { case 1: return 1; case 2: return 2; default: return 0; } } }\n",
            3,
        ),
        (
            Language::Go,
            "package p\nfunc f(x int) int {\n\tswitch x {\n\tcase 1:\n\t\treturn 1\n\tcase 2:\n\t\treturn 2\n\tdefault:\n\t\treturn 0\n\t}\n}\n",
            3,
        ),
        (
            Language::Php,
            "<?php\nfunction f($x) { switch ($x) { case 1: return 1; case 2: return 2; default: return 0; } }\n",
            3,
        ),
        (
            Language::Swift,
            "func f(x: Int) -> Int { switch x { case 1: return 1; case 2: return 2; default: return 0 } }\n",
            3,
        ),
        (
            Language::Ruby,
            "def f(x)\n  case x\n  when 1 then 1\n  when 2 then 2\n  else 0\n  end\nend\n",
            3,
        ),
        // Match arms: n − 1 (lizard), whatever the last arm is.
        (
            Language::Rust,
            "fn f(x: i32) -> i32 { match x { 1 => 1, 2 => 2, _ => 0 } }\n",
            3,
        ),
        (
            Language::Kotlin,
            "fun f(x: Int): Int { return when (x) { 1 -> 1; 2 -> 2; else -> 0 } }\n",
            3,
        ),
        (
            Language::Python,
            "def f(x):\n    match x:\n        case 1:\n            return 1\n        case 2:\n            return 2\n        case _:\n            return 0\n",
            3,
        ),
        // Scala counts every `case` keyword, as lizard does (the wildcard too).
        (
            Language::Scala,
            "object O { def f(x: Int): Int = x match { case 1 => 1; case 2 => 2; case _ => 0 } }\n",
            4,
        ),
    ];
    for (lang, src, cc) in cases {
        let f = only(*lang, src);
        assert_eq!(f.cyclomatic, *cc, "{lang:?} cyclomatic");
        assert_eq!(f.cognitive, 1, "{lang:?} cognitive");
        assert_eq!(f.max_nesting, 1, "{lang:?} nesting");
    }
}

// ---------------------------------------------------------------------------
// Exceptions: each handler is a decision (+1 cyclomatic, +1 cognitive at nest 0).

#[test]
fn catch_handlers_and_ternaries() {
    let handlers: &[(Language, &str, u32, u32)] = &[
        (
            Language::Java,
            "class C { void f() { try { g(); } catch (A e) { h(); } catch (B e) { throw e; } } }\n",
            3,
            2,
        ),
        (
            Language::Python,
            "def f():\n    try:\n        g()\n    except A:\n        h()\n    except B:\n        raise\n",
            3,
            2,
        ),
        (Language::Ruby, "def f\n  g\nrescue A\n  h\nend\n", 2, 1),
        (
            Language::Cpp,
            "void f() { try { g(); } catch (const A& e) { h(); } }\n",
            2,
            1,
        ),
        (
            Language::CSharp,
            "class C { void F() { try { G(); } catch (A e) { H(); } } }\n",
            2,
            1,
        ),
        (
            Language::Php,
            "<?php\nfunction f() { try { g(); } catch (A $e) { h(); } }\n",
            2,
            1,
        ),
        (
            Language::JavaScript,
            "function f() { try { g(); } catch (e) { h(); } }\n",
            2,
            1,
        ),
        (
            Language::Kotlin,
            "fun f() { try { g() } catch (e: A) { h() } }\n",
            2,
            1,
        ),
        (
            Language::Swift,
            "func f() { do { try g() } catch { h() } }\n",
            2,
            1,
        ),
    ];
    for (lang, src, cc, cog) in handlers {
        let f = only(*lang, src);
        assert_eq!(f.cyclomatic, *cc, "{lang:?} cyclomatic");
        assert_eq!(f.cognitive, *cog, "{lang:?} cognitive");
    }
    let ternaries: &[(Language, &str)] = &[
        (Language::C, "int f(int a) { return a ? 1 : 2; }\n"),
        (
            Language::Java,
            "class C { int f(int a) { return a > 0 ? 1 : 2; } }\n",
        ),
        (
            Language::JavaScript,
            "function f(a) { return a ? 1 : 2; }\n",
        ),
        (Language::Python, "def f(a):\n    return 1 if a else 2\n"),
        (Language::Ruby, "def f(a)\n  a ? 1 : 2\nend\n"),
        (
            Language::Swift,
            "func f(a: Bool) -> Int { return a ? 1 : 2 }\n",
        ),
        (
            Language::Php,
            "<?php\nfunction f($a) { return $a ? 1 : 2; }\n",
        ),
        (
            Language::CSharp,
            "class C { int F(bool a) { return a ? 1 : 2; } }\n",
        ),
    ];
    for (lang, src) in ternaries {
        let f = only(*lang, src);
        assert_eq!((f.cyclomatic, f.cognitive), (2, 1), "{lang:?}");
    }
}

// ---------------------------------------------------------------------------
// Nested functions, closures and lambdas.

#[test]
fn nested_functions_are_their_own_units_and_closures_stay_inside() {
    // Python: a nested def is its own function; a lambda stays in its function.
    let m = measure(
        Language::Python,
        "def outer(a):\n    def inner(x):\n        if x:\n            return 1\n        return 0\n    g = lambda y: 1 if y else 0\n    return inner(a)\n",
    );
    let outer = named(&m, "outer");
    let inner = named(&m, "outer.inner");
    assert_eq!(inner.cyclomatic, 2);
    // The lambda's conditional expression counts in `outer`, nested one level.
    assert_eq!(outer.cyclomatic, 2);
    assert_eq!(outer.cognitive, 2);

    // JavaScript: arrow functions are functions of their own, named by their variable.
    let m = measure(
        Language::JavaScript,
        "function outer(a) {\n  const inner = (x) => x ? 1 : 2;\n  return [1].map(function (y) { return y && a; });\n}\n",
    );
    assert_eq!(m.functions.len(), 3);
    assert_eq!(named(&m, "outer").cyclomatic, 1);
    assert_eq!(named(&m, "outer.inner").cyclomatic, 2);
    assert_eq!(named(&m, "outer.(anonymous)").cyclomatic, 2);

    // Rust: closures stay in their function (and nest); nested fns are units.
    let m = measure(
        Language::Rust,
        "fn outer(v: &[i32]) -> usize {\n    fn inner(a: bool) -> i32 { if a { 1 } else { 2 } }\n    v.iter().filter(|x| **x > 0 && **x < 9).count()\n}\n",
    );
    assert_eq!(named(&m, "outer::inner").cyclomatic, 2);
    assert_eq!(named(&m, "outer::inner").cognitive, 2);
    let outer = named(&m, "outer");
    assert_eq!(outer.cyclomatic, 2);
    assert_eq!(outer.cognitive, 1);

    // Java: a lambda's `if` counts in the method, one level deeper.
    let f = only(
        Language::Java,
        "class C { void f(boolean a) { Runnable r = () -> { if (a) { g(); } }; r.run(); } }\n",
    );
    assert_eq!((f.cyclomatic, f.cognitive, f.max_nesting), (2, 2, 2));

    // Go: function literals are functions of their own (lizard does the same).
    let m = measure(
        Language::Go,
        "package p\nfunc f() int {\n\tg := func(x int) int {\n\t\tif x > 0 {\n\t\t\treturn 1\n\t\t}\n\t\treturn 0\n\t}\n\treturn g(1)\n}\n",
    );
    assert_eq!(m.functions.len(), 2);
    assert_eq!(named(&m, "f").cyclomatic, 1);
    assert_eq!(named(&m, "f.(anonymous)").cyclomatic, 2);

    // Methods of Go types are qualified by their receiver.
    let m = measure(
        Language::Go,
        "package p\nfunc (s *Server) Serve(a int) {}\n",
    );
    assert_eq!(m.functions[0].qualified_name, "Server.Serve");
}

#[test]
fn rust_specifics_question_mark_let_else_and_labelled_break() {
    // `?` and `let … else` are decisions (lizard counts them); `loop` is not,
    // but nests; `break 'outer` is a jump to a label (+1 cognitive).
    let f = only(
        Language::Rust,
        "fn f(x: Option<i32>) -> Result<i32, E> {\n    let Some(v) = x else { return Err(E) };\n    let w = g(v)?;\n    'outer: loop {\n        break 'outer;\n    }\n    Ok(w)\n}\n",
    );
    // 1 + let-else + ? = 3
    assert_eq!(f.cyclomatic, 3);
    // loop +1, labelled break +1
    assert_eq!(f.cognitive, 2);
    assert_eq!(f.exits, 1);
}

#[test]
fn conditional_assignments_are_decisions() {
    // 1 + ||= + &&= = 3, as lizard counts them.
    assert_eq!(
        only(Language::Ruby, "def f\n  @a ||= 1\n  @b &&= 2\nend\n").cyclomatic,
        3
    );
    assert_eq!(
        only(
            Language::JavaScript,
            "function f(a) { a.x ||= 1; a.y ??= 2; a.z += 3; }\n"
        )
        .cyclomatic,
        3
    );
}

#[test]
fn c_preprocessor_conditionals_inside_functions_count() {
    let f = only(
        Language::C,
        "void f(void) {\n#ifdef WINDOWS\n  a();\n#elif defined(MAC)\n  b();\n#else\n  c();\n#endif\n}\n",
    );
    // 1 + #ifdef + #elif = 3
    assert_eq!(f.cyclomatic, 3);
    // One decision per directive: the `||` of its condition does not count.
    let f = only(
        Language::C,
        "void f(void) {\n#if defined(A) || defined(B)\n  a();\n#endif\n}\n",
    );
    assert_eq!(f.cyclomatic, 2);
    let f = only(
        Language::CSharp,
        "class C { int F(int a) {\n#if NET20 || NET35\n a++;\n#else\n a--;\n#endif\n return a; } }\n",
    );
    assert_eq!(f.cyclomatic, 2);
}

#[test]
fn cpp_headers_named_h_are_parsed_as_cpp() {
    let src = "namespace fmt {\ntemplate <typename T> class buffer {\n public:\n  T* data() { return ptr_ ? ptr_ : nullptr; }\n private:\n  T* ptr_;\n};\n}\n";
    let m = measure(Language::C, src);
    assert_eq!(m.language, Language::Cpp);
    assert!(m.flags.is_empty(), "{:?}", m.flags);
    assert_eq!(named(&m, "fmt::buffer::data").cyclomatic, 2);
    // Plain C headers stay C.
    assert_eq!(measure(Language::C, "int f(void);\n").language, Language::C);
}

#[test]
fn anonymous_functions_are_not_named_after_their_parameter() {
    let m = measure(Language::JavaScript, "run(item => { if (item) go(); });\n");
    assert_eq!(m.functions[0].name, "(anonymous)");
    assert_eq!(m.functions[0].cyclomatic, 2);
}

// ---------------------------------------------------------------------------
// Cohesion (LCOM4).

#[test]
fn lcom4_counts_groups_of_methods_sharing_no_field() {
    // `a` and `b` share `x`; `c` and `d` share `y`; `e` calls `a`: two groups.
    // The constructor touches both fields and is left out.
    let py = "class C:\n    def __init__(self):\n        self.x = 0\n        self.y = 0\n    def a(self):\n        return self.x\n    def b(self):\n        self.x += 1\n    def c(self):\n        return self.y\n    def d(self):\n        self.y -= 1\n    def e(self):\n        return self.a()\n";
    let m = measure(Language::Python, py);
    assert_eq!(m.classes.len(), 1);
    let c = &m.classes[0];
    assert_eq!(
        (c.name.as_str(), c.methods, c.fields, c.lcom4),
        ("C", 5, 2, 2)
    );
    let h = friction_code::health::assess(&m);
    assert!(
        h.findings.iter().any(|f| f.smell == "low-cohesion"),
        "{:?}",
        h.findings
    );

    // Java: bare field names and calls count as uses.
    let java = "class C {\n  int x; int y;\n  C() { x = 0; y = 0; }\n  int a() { return x; }\n  void b() { this.x++; a(); }\n  int c() { return y; }\n}\n";
    let c = &measure(Language::Java, java).classes[0];
    assert_eq!((c.methods, c.fields, c.lcom4), (3, 2, 2));

    // Cohesive: every method uses the same field.
    let ts = "class Counter {\n  private n = 0;\n  inc() { this.n++; }\n  dec() { this.n--; }\n  get() { return this.n; }\n}\n";
    let c = &measure(Language::TypeScript, ts).classes[0];
    assert_eq!((c.methods, c.lcom4), (3, 1));

    // Ruby instance variables, PHP $this, Rust self, C# this.
    let rb = "class C\n  def a\n    @x\n  end\n  def b\n    @y\n  end\nend\n";
    assert_eq!(measure(Language::Ruby, rb).classes[0].lcom4, 2);
    let php = "<?php\nclass C { function a() { return $this->x; } function b() { return $this->x + 1; } }\n";
    assert_eq!(measure(Language::Php, php).classes[0].lcom4, 1);
    let rs = "impl S {\n    fn new() -> S { S { x: 0, y: 0 } }\n    fn a(&self) -> i32 { self.x }\n    fn b(&self) -> i32 { self.y }\n}\n";
    let c = &measure(Language::Rust, rs).classes[0];
    assert_eq!((c.methods, c.lcom4), (2, 2));
    let cs = "class C { int x; int A() { return this.x; } int B() { return x + 1; } }\n";
    assert_eq!(measure(Language::CSharp, cs).classes[0].lcom4, 1);

    // Static methods have no instance: left out. A class without state has no LCOM4.
    let java = "class U {\n  int x;\n  int a() { return x; }\n  int b() { return x; }\n  static int s() { return 1; }\n}\n";
    let c = &measure(Language::Java, java).classes[0];
    assert_eq!((c.methods, c.lcom4), (2, 1));
    let util = "class Util:\n    @staticmethod\n    def a():\n        return 1\n    def b(self):\n        return 2\n    def c(self):\n        return 3\n";
    assert!(measure(Language::Python, util).classes.is_empty());
}

// ---------------------------------------------------------------------------
// Lines.

#[test]
fn code_comment_and_blank_lines() {
    let src =
        "// comment\nint f(void) {\n\n  return 1; /* trailing */\n}\n/* block\n   comment */\n";
    let m = measure(Language::C, src);
    assert_eq!(m.lines.total, 7);
    assert_eq!(m.lines.code, 3);
    assert_eq!(m.lines.comment, 3);
    assert_eq!(m.lines.blank, 1);
    assert_eq!(m.functions[0].nloc, 3);
    // CRLF line endings measure the same.
    let crlf = measure(Language::C, &src.replace('\n', "\r\n"));
    assert_eq!(crlf.lines, m.lines);
    assert_eq!(crlf.functions[0].nloc, 3);

    let py = measure(Language::Python, "# only\n# comments\n");
    assert_eq!((py.lines.total, py.lines.code, py.lines.comment), (2, 0, 2));
    assert!(py.functions.is_empty());

    let empty = measure(Language::Rust, "");
    assert_eq!(empty.lines.total, 0);
    assert!(empty.flags.is_empty());
}

#[test]
fn duplicated_blocks_within_a_file_are_found() {
    let block = "    total = total + values[index] * weight;\n    index = index + stride;\n    count = count + 1;\n    check_bounds(index, limit);\n    log_value(total, count);\n    update_cache(total, index);\n";
    let src = format!(
        "def a(values, weight, stride, limit):\n{block}    return total\n\ndef b(values, weight, stride, limit):\n{block}    return total\n"
    );
    let m = measure(Language::Python, &src);
    // The six block lines and the `return total` after them repeat: 2 × 7 lines.
    assert_eq!(m.duplication.blocks, 2);
    assert_eq!(m.duplication.duplicated_lines, 14);
    let unique = measure(Language::Python, "def a(x):\n    return x + 1\n");
    assert_eq!(unique.duplication.duplicated_lines, 0);
}

// ---------------------------------------------------------------------------
// Bad input.

#[test]
fn syntax_errors_are_flagged_and_the_rest_is_measured() {
    let m = measure(
        Language::Python,
        "def f(:\n    return 1\ndef g(a):\n    if a:\n        return 2\n",
    );
    assert!(
        matches!(
            m.flags.as_slice(),
            [Flag::SyntaxErrors { first_line: 1, .. }]
        ),
        "{:?}",
        m.flags
    );
    assert_eq!(named(&m, "g").cyclomatic, 2);

    let m = measure(
        Language::C,
        "int f(void) { return 1 + ; }\nint g(int a) { if (a) return 1; return 0; }\n",
    );
    assert!(
        m.flags
            .iter()
            .any(|f| matches!(f, Flag::SyntaxErrors { .. }))
    );
    assert_eq!(named(&m, "g").cyclomatic, 2);
}

#[test]
fn binary_huge_minified_and_non_utf8_input() {
    let mut m = Measurer::new();
    let bin = m.measure(Language::C, b"\x7fELF\x02\x01\x01\0\0\0\0");
    assert_eq!(bin.method, Method::Skipped);
    assert_eq!(bin.flags, vec![Flag::Binary]);

    let huge = "x = 1\n".repeat(MAX_PARSE_BYTES / 6 + 10);
    let h = m.measure(Language::Python, huge.as_bytes());
    assert!(
        matches!(h.flags.as_slice(), [Flag::TooLarge { .. }]),
        "{:?}",
        h.flags
    );
    assert_eq!(h.lines.total as usize, MAX_PARSE_BYTES / 6 + 10);
    assert!(h.functions.is_empty());

    let minified = format!("{};\n", "var a=function(b){return b&&b.c};".repeat(2000));
    let mi = m.measure(Language::JavaScript, minified.as_bytes());
    assert!(mi.flags.contains(&Flag::Minified), "{:?}", mi.flags);

    let latin1 = b"int f(void) { /* caf\xe9 */ if (x) return 1; return 0; }\n";
    let l = m.measure(Language::C, latin1);
    assert!(l.flags.contains(&Flag::NonUtf8));
    assert_eq!(l.functions[0].cyclomatic, 2);
    let name = b"def caf\xe9(a):\n    return a\n";
    let n = m.measure(Language::Python, name);
    assert!(n.flags.contains(&Flag::NonUtf8));
    assert_eq!(n.functions.len(), 1);
}

#[test]
fn deeply_nested_input_does_not_exhaust_a_small_stack() {
    // 256 KiB of stack: a recursive walk over 20,000 levels would overflow it.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let mut m = Measurer::new();
            let depth = 20_000;
            let c = format!(
                "int f(void) {{ return {}1{}; }}\n",
                "(\n".repeat(depth),
                ")\n".repeat(depth)
            );
            let r = m.measure(Language::C, c.as_bytes());
            assert_eq!(r.method, Method::TreeSitter);
            let py = format!("x = {}1{}\n", "[\n".repeat(depth), "]\n".repeat(depth));
            m.measure(Language::Python, py.as_bytes());
            let js = format!(
                "function f() {{ {} }}\n",
                "if (a) {\n".repeat(2_000) + &"}\n".repeat(2_000)
            );
            let j = m.measure(Language::JavaScript, js.as_bytes());
            assert_eq!(j.functions[0].max_nesting, 2_000);
            let rs = format!(
                "fn f() {{ {}0{} }}\n",
                "{\n".repeat(depth),
                "}\n".repeat(depth)
            );
            m.measure(Language::Rust, rs.as_bytes());
        })
        .expect("thread");
    handle.join().expect("no stack overflow, no panic");
}

#[test]
fn measurement_is_deterministic() {
    let mut a = Measurer::new();
    let mut b = Measurer::new();
    for case in TWO_IFS {
        assert_eq!(
            a.measure(case.lang, case.src.as_bytes()),
            b.measure(case.lang, case.src.as_bytes())
        );
    }
}
