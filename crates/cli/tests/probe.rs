//! `friction probe`, `spec` and `drift` on real programs: small scripts written here
//! (deterministic, noisy, misbehaving) and, installed by `scripts/probe-deps.sh` from
//! npm, the `semver` CLI (5.x and 7.x) and `json-server` (0.17 and 1.0) on loopback.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

mod support;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn friction(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_friction"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run friction")
}

fn text(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// An executable script (run directly through its `#!` line, never by friction
/// through a shell).
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(body.as_bytes()).unwrap();
    drop(f);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

fn probe(dir: &Path, out: &str, extra: &[&str], program: &[&str]) -> Value {
    let mut args = vec!["probe", "--out", out, "-q"];
    args.extend_from_slice(extra);
    args.push("--");
    args.extend_from_slice(program);
    let o = friction(&args, dir);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let spec: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(out).join("spec.json")).unwrap())
            .unwrap();
    validate(&spec);
    spec
}

fn validate(doc: &Value) {
    let errors =
        support::schema_errors(include_str!("../../../schemas/probe-spec.schema.json"), doc);
    assert!(errors.is_empty(), "{errors:#?}");
}

/// The behaviour families of a spec, in class order.
fn families(spec: &Value) -> Vec<&str> {
    spec["behaviours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["family"].as_str().unwrap())
        .collect()
}

fn drift_json(dir: &Path, args: &[&str]) -> (Option<i32>, Value, String) {
    let mut all = vec!["drift", "--json"];
    all.extend_from_slice(args);
    let o = friction(&all, dir);
    let report = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    (o.status.code(), report, text(&o))
}

fn at_least(report: &Value, risk: &str) -> usize {
    let s = &report["summary"];
    match risk {
        "medium" => (s["high"].as_u64().unwrap() + s["medium"].as_u64().unwrap()) as usize,
        _ => s["high"].as_u64().unwrap() as usize,
    }
}

const DETERMINISTIC: &str = r#"#!/bin/sh
case "$1" in
  --help) echo "Usage: greet [--shout] [--name <who>] [--exit <code>]"
          echo "  --shout        upper case"
          echo "  --name <who>   whom to greet"
          echo "  --exit <code>  exit with this code"; exit 0 ;;
  --name) [ -z "$2" ] && { echo "error: --name needs a value" >&2; exit 2; }
          echo "hello $2"; exit 0 ;;
  --shout) echo "HELLO"; exit 0 ;;
  --exit) echo "leaving"; exit 4 ;;
  "") echo "usage: greet [--shout] [--name <who>]" >&2; exit 1 ;;
  *) echo "unknown argument: $1" >&2; exit 2 ;;
esac
"#;

#[test]
fn the_same_seed_gives_byte_identical_specs_and_classes_per_behaviour() {
    let dir = tempfile::tempdir().unwrap();
    let target = script(dir.path(), "greet", DETERMINISTIC);
    let t = target.to_str().unwrap();
    let spec = probe(dir.path(), "a", &["--budget", "300", "--seed", "7"], &[t]);
    probe(dir.path(), "b", &["--budget", "300", "--seed", "7"], &[t]);
    let a = std::fs::read(dir.path().join("a/spec.json")).unwrap();
    let b = std::fs::read(dir.path().join("b/spec.json")).unwrap();
    assert!(a == b, "two probes with one seed differ");
    let families = families(&spec);
    for family in [
        "exit=0/stdout=text/stderr=empty",
        "exit=1/stdout=empty/stderr=text",
        "exit=2/stdout=empty/stderr=text",
        "exit=4/stdout=text/stderr=empty",
    ] {
        assert!(families.contains(&family), "{family} not in {families:?}");
    }
    // One case file per class, and the catalogue names every class.
    let catalogue = std::fs::read_to_string(dir.path().join("a/catalogue.md")).unwrap();
    for b in spec["behaviours"].as_array().unwrap() {
        let id = b["id"].as_str().unwrap();
        assert!(dir.path().join(format!("a/cases/{id}.toml")).is_file());
        assert!(catalogue.contains(&format!("### {id}")), "{id}");
    }
    // Rules explain classes by input features, with their support.
    let exact = spec["behaviours"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["when"].as_array().unwrap().iter())
        .filter(|r| r["confidence"] == 1.0 && r["support"].as_u64().unwrap() >= 3)
        .count();
    assert!(exact > 0, "no exact rule in {:#}", spec["behaviours"]);
    // The spec renders and checks.
    let o = friction(&["spec", "a/spec.json", "--check"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // The same program against itself: no drift, exit 0.
    let (code, report, out) = drift_json(dir.path(), &["a/spec.json"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(at_least(&report, "low"), 0, "{out}");
}

#[test]
fn a_changed_program_drifts_with_the_changes_named() {
    let dir = tempfile::tempdir().unwrap();
    let target = script(dir.path(), "greet", DETERMINISTIC);
    let t = target.to_str().unwrap();
    probe(dir.path(), "a", &["--budget", "300"], &[t]);
    // Version 2: `--exit` exits 0 now, unknown arguments say something else.
    let v2 = DETERMINISTIC
        .replace("echo \"leaving\"; exit 4", "echo \"leaving\"; exit 0")
        .replace("unknown argument: $1", "no such thing: $1");
    let t2 = script(dir.path(), "greet2", &v2);
    let (code, report, out) = drift_json(dir.path(), &["a/spec.json", "--", t2.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}");
    let findings = report["findings"].as_array().unwrap();
    let reasons: Vec<String> = findings
        .iter()
        .flat_map(|f| f["reasons"].as_array().unwrap().iter())
        .map(|r| r.as_str().unwrap().to_owned())
        .collect();
    assert!(
        reasons.iter().any(|r| r == "termination exit=4 -> exit=0"),
        "{reasons:#?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("no such thing")),
        "{reasons:#?}"
    );
    assert!(findings.iter().any(|f| f["risk"] == "high"));
    // Below the threshold it passes.
    let (code, _, out) = drift_json(
        dir.path(),
        &[
            "a/spec.json",
            "--fail-on",
            "high",
            "--",
            dir.path().join("greet").to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn a_nondeterministic_program_gives_no_false_drift_and_its_noise_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let target = script(
        dir.path(),
        "noisy",
        r#"#!/bin/sh
if [ "$1" = "--help" ]; then echo "Usage: noisy [--fail] [--json]"; echo "  --fail  fail"; echo "  --json  JSON"; exit 0; fi
if [ "$1" = "--json" ]; then
  echo "{\"id\": \"$(cat /proc/sys/kernel/random/uuid)\", \"pid\": $$, \"at\": \"$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)\", \"ok\": true}"
  exit 0
fi
echo "started $(date -u '+%Y-%m-%d %H:%M:%S')"
echo "request $(cat /proc/sys/kernel/random/uuid)"
echo "worker $$ ready"
if [ "$1" = "--fail" ]; then echo "failed in worker $$" >&2; exit 3; fi
echo "done"
"#,
    );
    let t = target.to_str().unwrap();
    let spec = probe(dir.path(), "a", &["--budget", "250"], &[t]);
    let measured: Vec<&Value> = spec["normalisers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["origin"] == "measured")
        .collect();
    assert!(!measured.is_empty(), "the pid is measured noise");
    let (code, report, out) = drift_json(dir.path(), &["a/spec.json"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(at_least(&report, "medium"), 0, "{out}");
    assert!(!report["noise"].as_array().unwrap().is_empty(), "{out}");
}

const MISBEHAVING: &str = r#"#!/bin/sh
case "$1" in
  --help) echo "Usage: bad --mode <m>"
          echo "  --mode <m>   one of: ok, hang, flood, fork, crash, write"; exit 0 ;;
esac
case "$2" in
  hang) sleep 30 ;;
  flood) while :; do echo "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"; done ;;
  fork) sleep 30 & echo "forked" ;;
  crash) kill -SEGV $$ ;;
  write) echo data > out.txt ;;
  *) echo "fine" ;;
esac
"#;

fn misbehaving_spec() -> &'static (tempfile::TempDir, Value, Duration) {
    static SPEC: OnceLock<(tempfile::TempDir, Value, Duration)> = OnceLock::new();
    SPEC.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path().join("tmp");
        std::fs::create_dir(&tmp).unwrap();
        let target = script(dir.path(), "bad", MISBEHAVING);
        let started = Instant::now();
        let o = Command::new(env!("CARGO_BIN_EXE_friction"))
            .args([
                "probe",
                "--out",
                "out",
                "-q",
                "--budget",
                "120",
                "--timeout-ms",
                "700",
                "--output-cap",
                "65536",
                "--saturation",
                "40",
                "--",
            ])
            .arg(&target)
            .env("TMPDIR", &tmp)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let spec: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("out/spec.json")).unwrap(),
        )
        .unwrap();
        validate(&spec);
        (dir, spec, started.elapsed())
    })
}

fn suspicion(spec: &Value, needle: &str) -> bool {
    spec["suspicious"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["reason"].as_str().unwrap().contains(needle))
}

#[test]
fn a_hanging_target_is_killed_and_reported() {
    let (_, spec, elapsed) = misbehaving_spec();
    assert!(suspicion(spec, "hung"), "{:#}", spec["suspicious"]);
    assert!(*elapsed < Duration::from_secs(60), "{elapsed:?}");
}

#[test]
fn a_flooding_target_is_capped_and_reported() {
    let (_, spec, _) = misbehaving_spec();
    assert!(suspicion(spec, "flooded"), "{:#}", spec["suspicious"]);
}

#[test]
fn a_forking_target_has_its_children_killed_and_reported() {
    let (_, spec, _) = misbehaving_spec();
    assert!(
        suspicion(spec, "left processes running"),
        "{:#}",
        spec["suspicious"]
    );
}

#[test]
fn a_crashing_target_is_reported_as_a_crash() {
    let (_, spec, _) = misbehaving_spec();
    assert!(
        suspicion(spec, "crashed: killed by signal 11"),
        "{:#}",
        spec["suspicious"]
    );
}

#[test]
fn working_directories_are_isolated_and_removed() {
    let (dir, spec, _) = misbehaving_spec();
    let wrote = spec["behaviours"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["fingerprint"]["files"] == serde_json::json!(["created:out.txt"]));
    assert!(wrote, "the file a run wrote is an observed effect");
    assert!(!dir.path().join("out.txt").exists());
    let left: Vec<_> = std::fs::read_dir(dir.path().join("tmp")).unwrap().collect();
    assert!(left.is_empty(), "scratch directories left behind: {left:?}");
}

#[test]
fn arguments_reach_the_program_without_a_shell() {
    let dir = tempfile::tempdir().unwrap();
    let target = script(dir.path(), "echoargs", "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
    let spec = probe(
        dir.path(),
        "a",
        &["--budget", "80"],
        &[target.to_str().unwrap(), "$(touch pwned)", "*"],
    );
    assert!(!dir.path().join("pwned").exists());
    let printed = spec["corpus"].as_array().unwrap().iter().any(|c| {
        c["expect"]["stdout"]
            .as_str()
            .unwrap()
            .starts_with("$(touch pwned)\n*")
    });
    assert!(printed, "the fixed arguments arrive verbatim");
}

#[test]
fn an_http_target_off_loopback_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let o = friction(
        &[
            "probe",
            "--http",
            "http://192.0.2.1:80",
            "--request",
            "GET /",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("error: ") && err.contains("not a loopback address"),
        "{err}"
    );
    assert!(err.contains("--allow-remote"), "{err}");
    // The LLM helper's endpoint too: nothing leaves the machine unless allowed.
    let o = friction(
        &[
            "probe",
            "--llm-endpoint",
            "http://192.0.2.1:8080/v1",
            "--",
            "/bin/true",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the LLM endpoint: `http://192.0.2.1:8080/v1` is not a loopback address"),
        "{err}"
    );
}

#[test]
fn a_crashing_or_hanging_harness_is_a_behaviour_and_the_probe_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let harness = script(
        dir.path(),
        "harness",
        r#"#!/bin/sh
while read -r line; do
  case "$line" in
    *'"-1"'*) kill -SEGV $$ ;;
    *'"0"'*) sleep 30 ;;
    *'"abc"'*) echo 'not json' ;;
    *) echo '{"ok": "fine"}' ;;
  esac
done
"#,
    );
    let spec = probe(
        dir.path(),
        "h",
        &[
            "--stdio",
            "--budget",
            "200",
            "--timeout-ms",
            "500",
            "--saturation",
            "60",
        ],
        &[harness.to_str().unwrap()],
    );
    let families = families(&spec);
    for family in ["signal=11/", "timeout/", "spawn_error/", "exit=0/"] {
        assert!(
            families.iter().any(|f| f.starts_with(family)),
            "{family} not in {families:?}"
        );
    }
    assert!(
        suspicion(&spec, "crashed: killed by signal 11"),
        "{:#}",
        spec["suspicious"]
    );
}

#[test]
fn a_malformed_spec_or_openapi_document_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.json"),
        "{\"spec_version\": \"1\", \"kind\": 3}",
    )
    .unwrap();
    for args in [
        vec!["spec", "bad.json"],
        vec!["drift", "bad.json", "--", "/bin/true"],
    ] {
        let o = friction(&args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("bad.json is not a valid behaviour spec"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    std::fs::write(dir.path().join("api.yaml"), "openapi: 3.0.0\npaths: [\n").unwrap();
    std::fs::write(dir.path().join("api.json"), "{\"openapi\": \"3.0.0\",").unwrap();
    std::fs::write(dir.path().join("none.yaml"), "info: {}\n").unwrap();
    std::fs::write(dir.path().join("bad.har"), "{\"log\": {\"pages\": []}}").unwrap();
    std::fs::write(
        dir.path().join("writes.har"),
        r#"{"log": {"entries": [{"request": {"method": "DELETE", "url": "http://127.0.0.1:9/posts/1"}}]}}"#,
    )
    .unwrap();
    for (flag, file, needle) in [
        (
            "--openapi",
            "api.yaml",
            "api.yaml is not an OpenAPI document: neither JSON nor YAML",
        ),
        (
            "--openapi",
            "api.json",
            "api.json is not an OpenAPI document: its JSON is malformed",
        ),
        (
            "--openapi",
            "none.yaml",
            "none.yaml has neither an `openapi` nor a `swagger`",
        ),
        (
            "--har",
            "bad.har",
            "bad.har is not a HAR file: it has no `log.entries`",
        ),
        (
            "--har",
            "writes.har",
            "writes.har holds no GET or HEAD request",
        ),
    ] {
        let o = friction(
            &["probe", "--http", "http://127.0.0.1:9", flag, file],
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{needle}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let o = friction(&["probe", "--", "no-such-program-here"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not found"));
}

// ---- real programs from npm -------------------------------------------------------

/// A loopback stand-in for an OpenAI-compatible chat endpoint: proposes inputs
/// (one, `--magic`, reaches a behaviour the help text hides) and names classes;
/// counts the requests it answered.
struct MockLlm {
    url: String,
    answered: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

fn mock_llm() -> MockLlm {
    use std::io::{BufRead, BufReader, Read};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = answered.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            let mut first = String::new();
            reader.read_line(&mut first).unwrap();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                if line == "\r\n" || line.is_empty() {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let request: Value = serde_json::from_slice(&body).unwrap();
            let system = request["messages"][0]["content"].as_str().unwrap();
            let user = request["messages"][1]["content"].as_str().unwrap();
            let content = if system.contains("proposing inputs") {
                "Here you are:\n```json\n[[\"--magic\"], [\"--help\"], {\"argv\": [\"--name\", \"x\"]}]\n```".to_owned()
            } else {
                let names: serde_json::Map<String, Value> = user
                    .lines()
                    .filter_map(|l| l.strip_prefix("- "))
                    .filter_map(|l| l.split_once(':'))
                    .map(|(id, rest)| {
                        let name = if rest.contains("exit=7") {
                            "magic mode"
                        } else {
                            "other"
                        };
                        (id.to_owned(), Value::String(name.into()))
                    })
                    .collect();
                Value::Object(names).to_string()
            };
            let reply = serde_json::json!({"choices": [{"message": {"role": "assistant", "content": content}}]}).to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    MockLlm { url, answered }
}

#[test]
fn the_llm_helper_s_suggestions_are_kept_only_when_new_and_its_replies_replay_offline() {
    let dir = tempfile::tempdir().unwrap();
    let magic = DETERMINISTIC.replace(
        "  --shout) echo \"HELLO\"; exit 0 ;;",
        "  --shout) echo \"HELLO\"; exit 0 ;;\n  --magic) echo \"magic happened\"; exit 7 ;;",
    );
    let target = script(dir.path(), "greet", &magic);
    let t = target.to_str().unwrap();
    // Without the helper the hidden behaviour stays hidden; the core needs no LLM.
    let plain = probe(dir.path(), "plain", &["--budget", "300"], &[t]);
    assert!(!families(&plain).iter().any(|f| f.starts_with("exit=7")));
    assert_eq!(plain["provenance"]["llm_used"], false);

    let llm = mock_llm();
    let o = friction(
        &[
            "probe",
            "--out",
            "asked",
            "--budget",
            "300",
            "--llm-endpoint",
            &llm.url,
            "--llm-cassette",
            "llm.jsonl",
            "--",
            t,
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("LLM helper: 3 inputs proposed"),
        "{}",
        text(&o)
    );
    assert_eq!(llm.answered.load(std::sync::atomic::Ordering::SeqCst), 2);
    let asked: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("asked/spec.json")).unwrap())
            .unwrap();
    validate(&asked);
    assert_eq!(asked["provenance"]["llm_used"], true);
    let magic_class = asked["behaviours"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["family"].as_str().unwrap().starts_with("exit=7"))
        .expect("the suggested input's new behaviour is kept");
    assert_eq!(magic_class["label"], "magic mode");
    // A suggestion that shows nothing new is not kept: `--help` stays the seed's.
    let helps = asked["corpus"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["input"]["argv"] == serde_json::json!(["--help"]))
        .count();
    assert!(helps <= 1, "{helps}");
    let recorded = std::fs::read_to_string(dir.path().join("llm.jsonl")).unwrap();
    assert_eq!(recorded.lines().count(), 2, "{recorded}");

    // Replayed from the cassette with no endpoint at all: the same spec, byte for byte.
    drop(llm);
    probe(
        dir.path(),
        "replayed",
        &["--budget", "300", "--llm-cassette", "llm.jsonl"],
        &[t],
    );
    assert!(
        std::fs::read(dir.path().join("asked/spec.json")).unwrap()
            == std::fs::read(dir.path().join("replayed/spec.json")).unwrap(),
        "the replayed probe differs"
    );
}

/// Python's own HTTP file server on loopback, serving `root`.
fn file_server(python: &Path, root: &Path) -> Option<(Server, String)> {
    let port = free_port();
    let child = Command::new(python)
        .args([
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            &port.to_string(),
        ])
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    serve(child, port, "python -m http.server")
}

#[test]
fn an_http_service_is_probed_from_a_yaml_openapi_document_and_a_har_recording() {
    let Some(python) = python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("docs")).unwrap();
    std::fs::write(site.join("docs/a.json"), "{\"name\": \"a\", \"size\": 1}").unwrap();
    std::fs::write(site.join("docs/b.txt"), "plain text\n").unwrap();
    let Some((_server, url)) = file_server(&python, &site) else {
        return;
    };
    std::fs::write(
        dir.path().join("api.yaml"),
        "openapi: 3.0.3\ninfo:\n  title: files\n  version: '1'\npaths:\n  /docs/{name}:\n    get:\n      parameters:\n        - {name: name, in: path, required: true, schema: {type: string}}\n      responses:\n        '200': {description: the file}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("session.har"),
        format!(
            r#"{{"log": {{"version": "1.2", "creator": {{"name": "test", "version": "1"}}, "entries": [
                {{"request": {{"method": "GET", "url": "{url}/docs/a.json", "headers": []}}}},
                {{"request": {{"method": "GET", "url": "{url}/docs/b.txt", "headers": []}}}},
                {{"request": {{"method": "POST", "url": "{url}/docs/a.json", "headers": []}}}}]}}}}"#
        ),
    )
    .unwrap();
    let o = friction(
        &[
            "probe",
            "--out",
            "p",
            "--http",
            &url,
            "--openapi",
            "api.yaml",
            "--har",
            "session.har",
            "--budget",
            "150",
            "--saturation",
            "40",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("1 requests of session.har are not GET or HEAD"),
        "{}",
        text(&o)
    );
    let spec: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("p/spec.json")).unwrap())
            .unwrap();
    validate(&spec);
    let families = families(&spec);
    for family in [
        "status=200/stdout=json/stderr=empty",
        "status=200/stdout=text/stderr=empty",
    ] {
        assert!(families.contains(&family), "{family} not in {families:?}");
    }
    assert!(
        families.iter().any(|f| f.starts_with("status=404")),
        "{families:?}"
    );
    let inputs = serde_json::to_string(&spec["corpus"]).unwrap();
    assert!(!inputs.contains("POST"), "a write was replayed: {inputs}");
}

/// The Python interpreter itself (not a version manager's shim, which needs the
/// caller's HOME): `None` and a note when there is none.
fn python() -> Option<PathBuf> {
    let found = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "python3 is missing");
        eprintln!("SKIPPED: no python3");
    }
    found
}

#[test]
fn a_library_function_behind_a_stdio_harness_is_probed_and_drift_checked() {
    let Some(python) = python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let harness = workspace().join("crates/cli/tests/fixtures/probe/round-harness.py");
    let program = [python.to_str().unwrap(), harness.to_str().unwrap()];
    let spec = probe(
        dir.path(),
        "h",
        &["--stdio", "--budget", "600", "--saturation", "150"],
        &program,
    );
    assert_eq!(spec["target"]["adapter"], "stdio");
    let families = families(&spec);
    for family in [
        "exit=0/stdout=json/stderr=empty",
        "exit=1/stdout=empty/stderr=text",
    ] {
        assert!(families.contains(&family), "{family} not in {families:?}");
    }
    let errors: Vec<&str> = spec["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert!(
        errors
            .iter()
            .any(|t| t.starts_with("ValueError: could not convert string to float")),
        "{errors:#?}"
    );
    // The same harness against itself: no drift; the harness's next version: the
    // changed answers named.
    let (code, report, out) = drift_json(dir.path(), &["h/spec.json"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(at_least(&report, "low"), 0, "{out}");
    let mut v2 = vec!["h/spec.json", "--stdio", "--env", "HARNESS_VERSION=2", "--"];
    v2.extend_from_slice(&program);
    let (code, report, out) = drift_json(dir.path(), &v2);
    assert_eq!(code, Some(1), "{out}");
    assert!(at_least(&report, "high") > 0, "{out}");
    assert!(out.contains("cannot round"), "{out}");
}

/// Where `scripts/probe-deps.sh` installed `name@version`, installing it first;
/// `None` (and a note) when that is impossible here (no node/npm or no registry).
fn npm_bin(pkg: &str, bin: &str) -> Option<PathBuf> {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    let ok = *INSTALLED.get_or_init(|| {
        Command::new("bash")
            .arg(workspace().join("scripts/probe-deps.sh"))
            .status()
            .is_ok_and(|s| s.success())
    });
    let path = workspace()
        .join("target/probe-deps")
        .join(pkg)
        .join("node_modules/.bin")
        .join(bin);
    if ok && path.is_file() {
        return Some(path);
    }
    // CI installs them (scripts/test-deps.sh): there, a missing program is a failure.
    assert!(
        std::env::var_os("CI").is_none(),
        "scripts/probe-deps.sh could not install {pkg}"
    );
    eprintln!(
        "SKIPPED: scripts/probe-deps.sh could not install {pkg} (needs node, npm and registry access)"
    );
    None
}

fn semver5_spec() -> Option<&'static (tempfile::TempDir, Value)> {
    static SPEC: OnceLock<Option<(tempfile::TempDir, Value)>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let bin = npm_bin("semver@5.7.2", "semver")?;
        let dir = tempfile::tempdir().unwrap();
        let spec = probe(
            dir.path(),
            "s5",
            &["--budget", "400", "--saturation", "80"],
            &[bin.to_str().unwrap()],
        );
        Some((dir, spec))
    })
    .as_ref()
}

#[test]
fn semver_behaviour_classes_are_found() {
    let Some((_, spec)) = semver5_spec() else {
        return;
    };
    let behaviours = spec["behaviours"].as_array().unwrap();
    let family = |f: &str| behaviours.iter().any(|b| b["family"] == f);
    // Valid versions are printed; invalid ones exit 1 silently (documented: "If no
    // satisfying versions are found, then exits failure").
    assert!(family("exit=0/stdout=text/stderr=empty"), "{behaviours:#?}");
    assert!(
        family("exit=1/stdout=empty/stderr=empty"),
        "{behaviours:#?}"
    );
    let features: Vec<&str> = behaviours
        .iter()
        .flat_map(|b| b["when"].as_array().unwrap().iter())
        .flat_map(|r| r["all"].as_array().unwrap().iter())
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        features.iter().any(|f| f.contains("--range")),
        "{features:?}"
    );
    assert!(
        features.iter().any(|f| f.contains("--increment")),
        "{features:?}"
    );
    let options: Vec<&str> = spec["input_model"]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            o["names"]
                .as_array()
                .unwrap()
                .last()
                .unwrap()
                .as_str()
                .unwrap()
        })
        .collect();
    for o in ["--range", "--increment", "--loose", "--coerce"] {
        assert!(options.contains(&o), "{options:?}");
    }
}

#[test]
fn semver_against_itself_shows_no_drift() {
    let Some((dir, _)) = semver5_spec() else {
        return;
    };
    let (code, report, out) = drift_json(dir.path(), &["s5/spec.json", "--fresh", "10"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(at_least(&report, "medium"), 0, "{out}");
    assert!(report["noise"].is_array(), "{out}");
}

#[test]
fn semver_5_to_7_drifts_with_the_changed_behaviours_named() {
    let Some((dir, _)) = semver5_spec() else {
        return;
    };
    let Some(v7) = npm_bin("semver@7.6.3", "semver") else {
        return;
    };
    let (code, report, out) = drift_json(
        dir.path(),
        &["s5/spec.json", "--fresh", "0", "--", v7.to_str().unwrap()],
    );
    assert_eq!(code, Some(1), "{out}");
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty(), "{out}");
    for f in findings {
        assert!(!f["reasons"].as_array().unwrap().is_empty(), "{f:#}");
        assert!(f["behaviour"].as_str().unwrap().starts_with('B'), "{f:#}");
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn json_server(pkg: &str, dir: &Path) -> Option<(Server, String)> {
    let bin = npm_bin(pkg, "json-server")?;
    let db = dir.join(format!("{pkg}.json"));
    std::fs::write(
        &db,
        r#"{"posts": [{"id": "1", "title": "first", "views": 10}, {"id": "2", "title": "second", "views": 3}], "comments": [{"id": "1", "postId": "1", "text": "hi"}], "profile": {"name": "typicode"}}"#,
    )
    .unwrap();
    let port = free_port();
    let child = Command::new(bin)
        .args(["--port", &port.to_string(), "--host", "127.0.0.1"])
        .arg(&db)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    serve(child, port, pkg)
}

/// The server `child` once it accepts connections on loopback `port` (its base URL),
/// or `None` and a note after 30 s.
fn serve(child: Child, port: u16, name: &str) -> Option<(Server, String)> {
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            eprintln!("SKIPPED: {name} did not start");
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Some((server, format!("http://127.0.0.1:{port}")))
}

#[test]
fn json_server_0_17_to_1_0_drifts_over_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let Some((old, url)) = json_server("json-server@0.17.4", dir.path()) else {
        return;
    };
    let requests = [
        "GET /posts",
        "GET /posts/1",
        "GET /profile",
        "GET /posts?_page=1",
        "GET /posts?title=first",
        "GET /comments/1",
    ];
    let mut args = vec![
        "probe",
        "--out",
        "js",
        "-q",
        "--budget",
        "200",
        "--saturation",
        "60",
        "--http",
        &url,
    ];
    for r in &requests {
        args.push("--request");
        args.push(r);
    }
    let o = friction(&args, dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let spec: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("js/spec.json")).unwrap())
            .unwrap();
    validate(&spec);
    // The old version against itself: no drift.
    let (code, report, out) = drift_json(dir.path(), &["js/spec.json", "--fresh", "0"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(at_least(&report, "medium"), 0, "{out}");
    drop(old);
    let Some((_new, url)) = json_server("json-server@1.0.0-beta.3", dir.path()) else {
        return;
    };
    let (code, report, out) = drift_json(
        dir.path(),
        &["js/spec.json", "--fresh", "0", "--http", &url],
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(at_least(&report, "high") > 0, "{out}");
}
