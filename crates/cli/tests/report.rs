//! `friction report` and the report `friction scan` writes: every format
//! escapes hostile repository content, renders identically apart from its
//! timestamp, and the HTML renders in headless Chromium without errors or
//! network requests.

mod support;

use std::path::{Path, PathBuf};

use support::{Fixture, costly_hotspot, friction_json, pdf_text, thousands, tool};

const BIDI: char = '\u{202E}';

/// A repository whose paths and messages try to break out of every format.
fn hostile() -> Fixture {
    let mut f = Fixture::new();
    let evil_dir = "<img src=x onerror=alert(1)>";
    let evil_file = format!("{evil_dir}/\"quoted\" *bold* [x](y) {BIDI}gpj.py");
    let script_file = "src/<script>alert('x')</script>.py";
    // Deeply nested, branchy functions: unhealthy code, so SARIF has findings.
    let body = |v: usize| -> String {
        (0..6)
            .map(|i| format!(
                "def f{i}(a, b, c, d, e, f, g, h):\n    if a:\n        if b and c or d and e:\n            for x in range(a):\n                if x % 2 and e:\n                    while b:\n                        b -= 1\n                        if c > 3 or f and d:\n                            return {v}\n                        elif c < 0:\n                            continue\n    return 0\n\n"
            ))
            .collect()
    };
    for week in 0..8usize {
        f.write(&evil_file, body(week));
        f.write(script_file, body(week + 1));
        f.write("src/plain.py", body(week + 2));
        f.commit_as(
            &format!("fix <script>alert({week})</script> | *boom* {BIDI}"),
            &format!("Mallory <b>{week}</b>"),
            "mallory@example.com",
        );
        f.advance_days(5);
    }
    f
}

fn run(args: &[&str], cwd: &Path, epoch: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_friction"))
        .args(args)
        .current_dir(cwd)
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .unwrap()
}

fn report(f: &Fixture, out: &Path, epoch: &str) {
    let db = f.path().join(".friction/friction.db");
    if !db.exists() {
        let o = run(&["scan", "-q", "."], f.path(), epoch);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let o = run(
        &["report", ".", "--out", out.to_str().unwrap(), "-q"],
        f.path(),
        epoch,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn replace(haystack: &[u8], needle: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(b"<TS>");
            out.extend(std::iter::repeat_n(b' ', needle.len() - 4));
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_format_escapes_hostile_content() {
    let f = hostile();
    let out = f.path().join("out");
    report(&f, &out, "1700000000");
    let written = files(&out);
    let names: Vec<&str> = written.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "report.html",
        "board-pack.pdf",
        "summary.md",
        "report.sarif",
        "hotspots.csv",
        "roadmap.csv",
        "drivers.csv",
        "signals.csv",
        "evidence.csv",
        "manifest.csv",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    for (name, bytes) in written.iter().filter(|(n, _)| !n.ends_with(".pdf")) {
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(!text.contains(BIDI), "{name} carries a raw bidi control");
        assert!(!text.contains("<b>"), "{name} carries raw author markup");
        // CSV and SARIF are data: markup stays as text there (quoted, JSON-escaped).
        if name.ends_with(".html") || name.ends_with(".md") {
            assert!(!text.contains("<script>"), "{name} carries a raw <script>");
            assert!(!text.contains("<img src=x"), "{name} carries a raw <img>");
        }
    }
    let html = String::from_utf8(
        written
            .iter()
            .find(|(n, _)| n == "report.html")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;.py"),
        "the hostile path is shown, escaped"
    );
    assert!(
        html.contains("&lt;U+202E&gt;gpj.py"),
        "the bidi control is made visible"
    );
    assert!(html.contains("&quot;quoted&quot;"));
    let md = String::from_utf8(
        written
            .iter()
            .find(|(n, _)| n == "summary.md")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(
        !md.contains("*bold*"),
        "Markdown syntax in paths is escaped: {md}"
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&written.iter().find(|(n, _)| n == "report.sarif").unwrap().1)
            .unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF invalid against the OASIS schema: {errors:#?}"
    );
    assert_eq!(sarif["version"], "2.1.0");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for r in sarif["runs"][0]["results"].as_array().unwrap() {
        if let Some(i) = r["ruleIndex"].as_u64() {
            assert_eq!(
                rules[i as usize]["id"], r["ruleId"],
                "ruleIndex points at its rule"
            );
        }
        assert!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                >= 1
        );
    }
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(!uris.is_empty());
    assert!(
        uris.iter().all(|u| u
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b))),
        "{uris:?}"
    );
    // CSV: a spreadsheet would not evaluate any cell, and the hostile path survives a round trip.
    let csv = &written.iter().find(|(n, _)| n == "hotspots.csv").unwrap().1;
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let paths: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
    let shown = "<img src=x onerror=alert(1)>/\"quoted\" *bold* [x](y) <U+202E>gpj.py".to_owned();
    assert!(
        paths.contains(&shown),
        "the path survives a CSV round trip, bidi made visible: {paths:?}"
    );
    let evil = std::fs::read_to_string(out.join("interventions.csv")).unwrap();
    for line in evil.lines().skip(1) {
        assert!(
            !line.starts_with(['=', '+', '@']),
            "formula-like cell: {line}"
        );
    }
}

#[test]
fn the_report_of_a_snapshot_is_identical_apart_from_its_timestamp() {
    let f = hostile();
    let (a, b, c) = (f.path().join("a"), f.path().join("b"), f.path().join("c"));
    report(&f, &a, "1700000000");
    report(&f, &b, "1700000000");
    report(&f, &c, "1800000000");
    assert_eq!(
        files(&a),
        files(&b),
        "same snapshot, same time: byte-identical"
    );
    // Both timestamps have 20 bytes, so even the PDF's stream lengths agree.
    let strip = |files: Vec<(String, Vec<u8>)>| -> Vec<(String, Vec<u8>)> {
        files
            .into_iter()
            .map(|(n, t)| {
                (
                    n,
                    replace(
                        &replace(&t, b"2023-11-14T22:13:20Z"),
                        b"2027-01-15T08:00:00Z",
                    ),
                )
            })
            .collect()
    };
    let (fa, fc) = (strip(files(&a)), strip(files(&c)));
    assert_eq!(fa.len(), fc.len());
    for ((na, ta), (nc, tc)) in fa.iter().zip(&fc) {
        assert_eq!(na, nc);
        assert!(ta == tc, "{na}: only the generation time may differ");
    }
    let html = String::from_utf8(
        fa.iter()
            .find(|(n, _)| n == "report.html")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(
        html.contains("Generated <TS>"),
        "the timestamp is where it should be"
    );
    // The audit says what a calibrated score compares with.
    let population = format!(
        "compare the value with a reference population of {} public repositories",
        friction_signals::calibration::repositories()
    );
    assert!(html.contains(&population), "{population}");
}

#[test]
fn scan_writes_the_html_report_unless_told_not_to() {
    let f = hostile();
    let o = run(&["scan", "-q", ".", "--json"], f.path(), "1700000000");
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let path = PathBuf::from(v["report"].as_str().unwrap());
    let path = if path.is_absolute() {
        path
    } else {
        f.path().join(path)
    };
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("<!doctype html>")
    );
    let g = hostile();
    let o = run(
        &["scan", "-q", ".", "--json", "--no-report"],
        g.path(),
        "1700000000",
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["report"].is_null());
    assert!(!g.path().join(".friction/report.html").exists());
}

/// Headless Chromium on the PATH; `None` (the page test is skipped) only
/// outside CI, where scripts/test-deps.sh installs it.
fn chromium() -> Option<PathBuf> {
    let found = [
        "chromium-headless-shell",
        "chromium",
        "chromium-browser",
        "google-chrome",
    ]
    .iter()
    .find_map(|name| tool(name));
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install Chromium (scripts/test-deps.sh) for the page test"
        );
        eprintln!("skipped: no Chromium on PATH (scripts/test-deps.sh installs it)");
    }
    found
}

#[test]
fn the_html_renders_in_headless_chromium_without_errors_or_requests() {
    let Some(browser) = chromium() else {
        return;
    };
    let f = hostile();
    let out = f.path().join("out");
    report(&f, &out, "1700000000");
    let page = out.join("report.html");
    let url = format!("file://{}", page.display());
    let net = f.path().join("net.json");
    let common = [
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--log-level=0",
    ];
    let dom = std::process::Command::new(&browser)
        .args(common)
        .arg(format!("--log-net-log={}", net.display()))
        .args(["--dump-dom", &url])
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let stderr = String::from_utf8_lossy(&dom.stderr);
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    let dom = String::from_utf8_lossy(&dom.stdout);
    for id in [
        "id=\"summary\"",
        "id=\"kpi-index\"",
        "id=\"trend-t\"",
        "id=\"waterfall-t\"",
        "id=\"treemap-t\"",
        "id=\"roadmap\"",
        "id=\"appendix\"",
    ] {
        assert!(dom.contains(id), "{id} missing from the rendered page");
    }
    assert!(dom.contains("Execution Capacity Index"));
    assert!(!dom.contains("<script"), "no script element survived");
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&net).unwrap()).unwrap();
    let mut urls: Vec<String> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_owned))
        .collect();
    urls.sort();
    urls.dedup();
    assert!(
        urls.iter()
            .all(|u| u.starts_with("file://") || u.starts_with("data:") || u == "about:blank"),
        "network requests: {urls:?}"
    );
    // The screenshot, kept as a test artefact.
    let shot = artefacts().join("report.png");
    let o = std::process::Command::new(&browser)
        .args(common)
        .args([
            "--window-size=1280,4000",
            &format!("--screenshot={}", shot.display()),
            &url,
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a real screenshot ({} bytes)",
        png.len()
    );
}

/// Where a test keeps what a person checks by eye: screenshots of the page
/// and images of the board pack (`target/tmp/artefacts`).
fn artefacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("artefacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Issue 15.14: at 1,280 and 1,920 px nothing in the page reaches past the
/// main column (the roadmap table once did, hiding its projected index) and
/// no element scrolls sideways. The page forbids scripts, so the test
/// measures the layout in a copy whose policy allows one probe script.
#[test]
fn the_html_fits_1280_and_1920_pixel_windows() {
    let Some(browser) = chromium() else {
        return;
    };
    let f = hostile();
    let out = f.path().join("out");
    report(&f, &out, "1700000000");
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    let policy = "<meta http-equiv=\"Content-Security-Policy\"";
    let start = page.find(policy).expect("the page declares its policy");
    let end = start + page[start..].find('>').unwrap() + 1;
    let probe = "<script>\
        const main = document.querySelector('main').getBoundingClientRect();\
        const out = [];\
        for (const el of document.querySelectorAll('main *')) {\
          if (el.closest('svg')) continue;\
          const r = el.getBoundingClientRect();\
          const where = el.tagName + ' in #' + ((el.closest('section') || {}).id || '');\
          if (r.right > main.right + 0.5) out.push(where + ' ends at ' + Math.round(r.right) + ' > ' + Math.round(main.right));\
          if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) out.push(where + ' scrolls ' + el.scrollWidth + ' > ' + el.clientWidth);\
        }\
        const roadmap = document.querySelector('#roadmap table');\
        if (!roadmap || roadmap.querySelectorAll('tbody tr').length === 0) out.push('no roadmap rows');\
        document.body.setAttribute('data-overflow', JSON.stringify(out));\
        </script></body>";
    let measured = format!("{}{}", &page[..start], &page[end..]).replace("</body>", probe);
    let probe_page = out.join("probe.html");
    std::fs::write(&probe_page, measured).unwrap();
    let common = ["--no-sandbox", "--disable-gpu", "--hide-scrollbars"];
    for width in [1280, 1920] {
        let dom = std::process::Command::new(&browser)
            .args(common)
            .arg(format!("--window-size={width},2000"))
            .args(["--dump-dom", &format!("file://{}", probe_page.display())])
            .output()
            .unwrap();
        assert!(
            dom.status.success(),
            "{}",
            String::from_utf8_lossy(&dom.stderr)
        );
        let dom = String::from_utf8_lossy(&dom.stdout);
        let attr = "data-overflow=\"";
        let at = dom.find(attr).expect("the probe ran") + attr.len();
        let found = dom[at..][..dom[at..].find('"').unwrap()].replace("&quot;", "\"");
        let found: Vec<String> = serde_json::from_str(&found.replace("&gt;", ">")).unwrap();
        assert!(found.is_empty(), "at {width} px: {found:#?}");
        let shot = artefacts().join(format!("report-{width}.png"));
        let o = std::process::Command::new(&browser)
            .args(common)
            .args([
                &format!("--window-size={width},6000"),
                &format!("--screenshot={}", shot.display()),
                &format!("file://{}", out.join("report.html").display()),
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(std::fs::read(&shot).unwrap().starts_with(b"\x89PNG"));
    }
}

/// Share of pixels darker than near-white in a binary PGM (P5) image.
fn ink_share(pgm: &[u8]) -> f64 {
    // Header: P5 <w> <h> <max>, whitespace-separated, then the pixels.
    let mut fields = 0;
    let mut i = 0;
    while fields < 4 && i < pgm.len() {
        while i < pgm.len() && pgm[i].is_ascii_whitespace() {
            i += 1;
        }
        while i < pgm.len() && !pgm[i].is_ascii_whitespace() {
            i += 1;
        }
        fields += 1;
    }
    let pixels = &pgm[(i + 1).min(pgm.len())..];
    pixels.iter().filter(|&&p| p < 230).count() as f64 / pixels.len().max(1) as f64
}

#[test]
fn the_board_pack_has_the_index_hotspots_and_roadmap_on_non_blank_pages() {
    let (Some(_), Some(pdftoppm)) = (tool("pdftotext"), tool("pdftoppm")) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install poppler-utils (scripts/test-deps.sh) for the PDF test"
        );
        eprintln!("skipped: no pdftotext/pdftoppm on PATH (scripts/test-deps.sh installs them)");
        return;
    };
    let f = hostile();
    let out = f.path().join("out");
    report(&f, &out, "1700000000");
    let pdf = out.join("board-pack.pdf");
    let text = pdf_text(&pdf).unwrap();
    for needle in [
        "Execution Capacity Index",
        "Hotspots: where change costs most",
        "src/plain.py",
        "Roadmap",
        "Appendix: methodology and audit",
        "eci/8",
    ] {
        assert!(
            text.contains(needle),
            "`{needle}` missing from the PDF text:\n{text}"
        );
    }
    let roadmap = std::fs::read_to_string(out.join("roadmap.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(roadmap.as_bytes());
    let first_step = reader.records().next().unwrap().unwrap()[2].to_owned();
    let words: Vec<&str> = first_step.split_whitespace().take(3).collect();
    assert!(
        text.contains(&words.join(" ")),
        "first roadmap step `{first_step}` missing:\n{text}"
    );
    assert!(!text.contains(BIDI), "raw bidi control in the PDF text");
    let trend = std::fs::read_to_string(out.join("trend.csv")).unwrap();
    let index: f64 = trend
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        text.contains(&format!("{index:.1}")),
        "index {index:.1} missing:\n{text}"
    );

    let pages = f.path().join("page");
    let o = std::process::Command::new(&pdftoppm)
        .args([
            "-gray",
            "-r",
            "40",
            pdf.to_str().unwrap(),
            pages.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut images: Vec<PathBuf> = std::fs::read_dir(f.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pgm"))
        .collect();
    images.sort();
    assert!((3..=6).contains(&images.len()), "{} pages", images.len());
    // The pages at a readable resolution, kept for a person to look at.
    let o = std::process::Command::new(&pdftoppm)
        .args(["-png", "-r", "80", pdf.to_str().unwrap()])
        .arg(artefacts().join("board-pack"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for img in &images {
        let share = ink_share(&std::fs::read(img).unwrap());
        assert!(share > 0.01, "{} is blank ({share:.4} ink)", img.display());
    }
}

/// The board pack never drops what matters (issue 15.13): the cost tile
/// takes smaller type instead of losing digits, file names are shortened
/// from the left so the name itself stays, and every roadmap step is listed.
#[test]
fn the_board_pack_fits_costs_file_names_and_every_roadmap_step() {
    let f = costly_hotspot();
    let out = f.path().join("out");
    report(&f, &out, "1700000000");
    let Some(text) = pdf_text(&out.join("board-pack.pdf")) else {
        return;
    };
    let a = friction_json(&["assess", "--json"], f.path());
    let money = &a["cost"]["total"]["money"];
    let tile = format!(
        "{}–{} USD",
        thousands(money["low"].as_f64().unwrap()),
        thousands(money["high"].as_f64().unwrap())
    );
    assert!(
        text.contains(&tile),
        "the cost tile `{tile}` is whole:\n{text}"
    );
    let roadmap = std::fs::read_to_string(out.join("roadmap.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(roadmap.as_bytes());
    for step in reader.records() {
        let title = step.unwrap()[2].to_owned();
        let words: Vec<&str> = title.split_whitespace().take(3).collect();
        assert!(
            text.contains(&words.join(" ")),
            "step `{title}` is listed:\n{text}"
        );
    }
    assert!(!text.contains("more steps in roadmap.csv"));
    // The projection chart sets the index gained against the effort spent
    // (issue 20, item 8), not against snapshot dates.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(
        ">cumulative effort, person-days (mid-point): today, then after each step</text>"
    ));
    assert!(html.contains("Cumulative index gain against cumulative effort"));
    assert!(html.contains("ordered by value per effort-day"));
    assert!(text.contains("gain so far"), "{text}");

    let f = hostile();
    let out = f.path().join("out");
    report(&f, &out, "1700000000");
    let text = pdf_text(&out.join("board-pack.pdf")).unwrap();
    assert!(
        text.contains("gpj.py"),
        "a long path keeps its file name:\n{text}"
    );
}
