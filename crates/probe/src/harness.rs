//! A library function as a target: a *harness* program, started once per worker and
//! kept running, reads one JSON request per line on stdin and writes one JSON
//! response per line on stdout. It is probed, specified and drift-checked like a
//! command-line program, without a process start per input.
//!
//! The protocol (`docs/probe.md`):
//!
//! - request: `{"argv": ["1.2.3", "^1"], "stdin": "…"}` (`stdin` only when the input
//!   has one) — the generated arguments, for the harness to map onto the function;
//! - response: `{"ok": VALUE}` when the function returned (observed as exit 0, VALUE
//!   on stdout: a string as itself, anything else as JSON) or `{"error": MESSAGE}`
//!   when it failed (exit 1, MESSAGE on stderr);
//! - anything else, no answer within the timeout, an answer longer than the output
//!   cap, or the harness ending, is that input's behaviour (`spawn_error`, `timeout`,
//!   `flood`, the exit or signal); the harness is then killed with its process group
//!   and started afresh for the next input.
//!
//! The harness's stderr is discarded and its file effects are not observed: it runs
//! in one working directory of its own for its whole life.

use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::Termination;
use crate::scratch::ScratchDir;
use crate::target::{CliTarget, RawRun, spawn_error};

/// A running harness.
#[derive(Debug)]
struct Session {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
    dir: ScratchDir,
}

impl Drop for Session {
    fn drop(&mut self) {
        crate::target::kill_group(self.child.id());
        let _ = self.child.wait();
    }
}

/// A harness target: how to start it, and the sessions idle between inputs.
#[derive(Debug)]
pub struct Harness {
    pub target: CliTarget,
    idle: Mutex<Vec<Session>>,
}

impl Harness {
    pub fn new(target: CliTarget) -> Harness {
        Harness {
            target,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Sends one input to an idle session (or a new one) and reads its answer.
    pub fn call(&self, root: &Path, argv: &[String], stdin: Option<&str>) -> RawRun {
        let session = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut session = match session {
            Some(s) => s,
            None => match self.start(root) {
                Ok(s) => s,
                Err(e) => return spawn_error(format!("cannot start the harness: {e}")),
            },
        };
        let mut request = serde_json::json!({ "argv": argv });
        if let Some(text) = stdin {
            request["stdin"] = Value::String(text.to_owned());
        }
        let mut line = request.to_string();
        line.push('\n');
        let started = Instant::now();
        let deadline = started + Duration::from_millis(self.target.timeout_ms);
        let answer = exchange(
            &mut session,
            line.as_bytes(),
            self.target.output_cap,
            deadline,
        );
        let cwd = session.dir.path().to_string_lossy().into_owned();
        let (termination, stdout, stderr, keep) = match answer {
            Answer::Line(bytes) => match reply(&bytes) {
                Ok((t, out, err)) => (t, out, err, true),
                Err(message) => (
                    Termination::SpawnError { message },
                    bytes,
                    Vec::new(),
                    false,
                ),
            },
            Answer::Timeout => (Termination::Timeout, Vec::new(), Vec::new(), false),
            Answer::Flood(bytes) => (Termination::Flood, bytes, Vec::new(), false),
            Answer::Ended(bytes) => {
                crate::target::kill_group(session.child.id());
                let termination = match session.child.wait() {
                    Ok(status) => crate::target::exit_termination(status),
                    Err(e) => Termination::SpawnError {
                        message: e.to_string(),
                    },
                };
                (termination, bytes, Vec::new(), false)
            }
        };
        let duration = started.elapsed();
        if keep && let Ok(mut idle) = self.idle.lock() {
            idle.push(session);
        }
        RawRun {
            termination,
            stdout,
            stderr,
            files: Vec::new(),
            duration,
            cwd,
            orphans: false,
        }
    }

    fn start(&self, root: &Path) -> std::io::Result<Session> {
        let dir = ScratchDir::new_in(root, "harness")?;
        let mut cmd = self.target.command(dir.path())?;
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            crate::target::kill_group(child.id());
            let _ = child.wait();
            return Err(std::io::Error::other("no pipes to the harness"));
        };
        Ok(Session {
            child,
            stdin,
            stdout,
            dir,
        })
    }
}

/// What came back for one request.
enum Answer {
    Line(Vec<u8>),
    Timeout,
    Flood(Vec<u8>),
    /// The harness closed its stdout (ended) before a whole line.
    Ended(Vec<u8>),
}

fn exchange(session: &mut Session, request: &[u8], cap: usize, deadline: Instant) -> Answer {
    match send(&session.stdin, request, deadline) {
        Sent::Whole => read_answer(&mut session.stdout, cap, deadline),
        Sent::Timeout => Answer::Timeout,
        // The harness stopped reading: what it said before it ended is its answer.
        Sent::Closed => read_answer(&mut session.stdout, cap, deadline),
    }
}

enum Sent {
    Whole,
    Timeout,
    Closed,
}

/// Writes the request without blocking past the deadline (the pipe is non-blocking)
/// and without SIGPIPE: friction restores SIGPIPE's default action, which would end
/// it when a harness has died, so the signal is blocked in this thread for the write
/// and a signal it raised is taken back before the mask is restored.
#[cfg(unix)]
fn send(stdin: &ChildStdin, mut bytes: &[u8], deadline: Instant) -> Sent {
    use std::os::fd::AsRawFd;
    let fd = stdin.as_raw_fd();
    // SAFETY: signal-set and mask calls on local, initialised sets of this thread;
    // fcntl, write and poll on the pipe `stdin` owns, with buffers we own.
    unsafe {
        let mut pipe_only: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut pipe_only);
        libc::sigaddset(&mut pipe_only, libc::SIGPIPE);
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, &pipe_only, &mut old);
        let mut pending: libc::sigset_t = std::mem::zeroed();
        libc::sigpending(&mut pending);
        let was_pending = libc::sigismember(&pending, libc::SIGPIPE) == 1;
        let flags = libc::fcntl(fd, libc::F_GETFL);
        libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
        let sent = loop {
            if bytes.is_empty() {
                break Sent::Whole;
            }
            let n = libc::write(fd, bytes.as_ptr().cast(), bytes.len());
            if let Ok(n) = usize::try_from(n) {
                bytes = &bytes[n..];
                continue;
            }
            match std::io::Error::last_os_error().kind() {
                std::io::ErrorKind::Interrupted => {}
                std::io::ErrorKind::WouldBlock => {
                    let now = Instant::now();
                    if now >= deadline {
                        break Sent::Timeout;
                    }
                    let wait_ms =
                        i32::try_from((deadline - now).as_millis() + 1).unwrap_or(i32::MAX);
                    let mut p = libc::pollfd {
                        fd,
                        events: libc::POLLOUT,
                        revents: 0,
                    };
                    libc::poll(&mut p, 1, wait_ms);
                }
                _ => break Sent::Closed,
            }
        };
        if !was_pending {
            let zero = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            libc::sigtimedwait(&pipe_only, std::ptr::null_mut(), &zero);
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
        sent
    }
}

#[cfg(not(unix))]
fn send(_: &ChildStdin, _: &[u8], _: Instant) -> Sent {
    Sent::Closed
}

#[cfg(unix)]
fn read_answer(stdout: &mut ChildStdout, cap: usize, deadline: Instant) -> Answer {
    use std::io::Read;
    use std::os::fd::AsRawFd;
    let mut line = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Answer::Timeout;
        }
        let wait_ms = i32::try_from((deadline - now).as_millis() + 1).unwrap_or(i32::MAX);
        let mut fd = libc::pollfd {
            fd: stdout.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd that lives across the call.
        if unsafe { libc::poll(&mut fd, 1, wait_ms) } <= 0 {
            continue;
        }
        match stdout.read(&mut chunk) {
            Ok(0) => return Answer::Ended(line),
            Ok(n) => {
                let got = &chunk[..n];
                if let Some(end) = got.iter().position(|&b| b == b'\n') {
                    line.extend_from_slice(&got[..end]);
                    return if line.len() > cap {
                        Answer::Flood(line[..cap].to_vec())
                    } else {
                        Answer::Line(line)
                    };
                }
                line.extend_from_slice(got);
                if line.len() > cap {
                    line.truncate(cap);
                    return Answer::Flood(line);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Answer::Ended(line),
        }
    }
}

#[cfg(not(unix))]
fn read_answer(_: &mut ChildStdout, _: usize, _: Instant) -> Answer {
    Answer::Ended(b"the stdio harness needs a Unix system".to_vec())
}

/// A response line as (termination, stdout, stderr), or why it is not one.
fn reply(line: &[u8]) -> Result<(Termination, Vec<u8>, Vec<u8>), String> {
    let text = |v: &Value| {
        let mut s = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        s.push('\n');
        s.into_bytes()
    };
    let value: Value = serde_json::from_slice(line)
        .map_err(|e| format!("the harness answered a line that is not JSON ({e})"))?;
    match (value.get("ok"), value.get("error")) {
        (Some(v), None) => Ok((Termination::Exit { code: 0 }, text(v), Vec::new())),
        (None, Some(e)) => Ok((Termination::Exit { code: 1 }, Vec::new(), text(e))),
        _ => Err("the harness answered neither {\"ok\": …} nor {\"error\": …}".into()),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn harness(script: &str) -> Harness {
        Harness::new(CliTarget {
            command: vec!["/bin/sh".into(), "-c".into(), script.into()],
            env: Default::default(),
            timeout_ms: 500,
            output_cap: 1024,
        })
    }

    #[test]
    fn answers_become_exit_codes_and_streams_and_the_session_is_kept() {
        let root = ScratchDir::new_in(&std::env::temp_dir(), "t-harness").unwrap();
        let h = harness(
            r#"n=0; while read -r line; do n=$((n+1)); case "$line" in *bad*) echo '{"error":"no"}' ;; *) echo "{\"ok\":{\"n\":$n}}" ;; esac; done"#,
        );
        let ok = h.call(root.path(), &["x".into()], None);
        assert_eq!(ok.termination, Termination::Exit { code: 0 });
        assert_eq!(ok.stdout, b"{\"n\":1}\n");
        let err = h.call(root.path(), &["bad".into()], None);
        assert_eq!(err.termination, Termination::Exit { code: 1 });
        assert_eq!(err.stderr, b"no\n");
        // The same process answered both.
        assert_eq!(h.call(root.path(), &[], None).stdout, b"{\"n\":3}\n");
    }

    #[test]
    fn a_silent_crashing_or_babbling_harness_is_a_behaviour_and_is_restarted() {
        let root = ScratchDir::new_in(&std::env::temp_dir(), "t-harness-bad").unwrap();
        let h = harness(
            r#"while read -r line; do case "$line" in *hang*) sleep 30 ;; *crash*) kill -SEGV $$ ;; *flood*) yes | head -c 5000 | tr -d '\n'; echo ;; *junk*) echo junk ;; *) echo '{"ok":1}' ;; esac; done"#,
        );
        let call = |a: &str| h.call(root.path(), &[a.to_owned()], None);
        assert_eq!(call("hang").termination, Termination::Timeout);
        assert_eq!(call("fine").termination, Termination::Exit { code: 0 });
        assert_eq!(
            call("crash").termination,
            Termination::Signal { signal: 11 }
        );
        assert_eq!(call("flood").termination, Termination::Flood);
        assert!(matches!(
            call("junk").termination,
            Termination::SpawnError { message } if message.contains("not JSON")
        ));
        assert_eq!(call("fine").termination, Termination::Exit { code: 0 });
    }
}
