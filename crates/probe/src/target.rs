//! Running a command-line target: never through a shell, in a fresh working directory
//! per run (holding an existing file, a directory and an unreadable file for the path
//! value classes), with a fixed environment, a timeout and a cap per output stream.
//! The target runs in its own process group, so a hang, a flood or a forked child is
//! killed with the whole group and reported as a behaviour.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::{Error, Termination};

/// Files every run's working directory starts with (the path value classes name them).
pub const FIXTURE_FILE: &str = "exists.txt";
pub const FIXTURE_DIR: &str = "dir";
pub const FIXTURE_UNREADABLE: &str = "unreadable.txt";

/// How a command-line target is run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CliTarget {
    /// Program and fixed leading arguments.
    pub command: Vec<String>,
    /// Extra environment (on top of `LC_ALL=C`, `TZ=UTC`, `HOME` and `TMPDIR` = the
    /// working directory, and the caller's `PATH`).
    pub env: BTreeMap<String, String>,
    pub timeout_ms: u64,
    /// Bytes kept per output stream; more ends the run (`flood`).
    pub output_cap: usize,
}

/// What one run did, before normalisation.
#[derive(Debug, Clone)]
pub struct RawRun {
    pub termination: Termination,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Paths created, modified or deleted in the working directory
    /// (`created:out.txt`, …), sorted.
    pub files: Vec<String>,
    pub duration: Duration,
    /// The working directory's path, for the `[CWD]` normaliser.
    pub cwd: String,
    /// Processes of the target's group still alive after it ended (killed).
    pub orphans: bool,
}

impl CliTarget {
    /// Checks the program exists before any run, so a typo is one clear error.
    pub fn check(&self) -> Result<(), Error> {
        let Some(program) = self.command.first() else {
            return Err(Error::Input(
                "no program to probe: give it after `--`".into(),
            ));
        };
        if resolve(program).is_none() {
            return Err(Error::Input(format!(
                "program `{program}` not found (neither a path nor on PATH)"
            )));
        }
        Ok(())
    }

    /// Runs the target once with `argv` and `stdin` in a fresh directory under `root`.
    pub fn run(&self, root: &Path, argv: &[String], stdin: Option<&str>) -> RawRun {
        let dir = match crate::scratch::ScratchDir::new_in(root, "run") {
            Ok(d) => d,
            Err(e) => return spawn_error(format!("cannot create a working directory: {e}")),
        };
        let cwd = dir.path().to_path_buf();
        let before = match prepare(&cwd) {
            Ok(b) => b,
            Err(e) => return spawn_error(format!("cannot prepare the working directory: {e}")),
        };
        // Stdin comes from a file beside the working directory, not a pipe: a target
        // that exits without reading cannot raise SIGPIPE in friction.
        let stdin_file = cwd.with_extension("stdin");
        let stdin = match stdin {
            Some(text) => match std::fs::write(&stdin_file, text)
                .and_then(|()| std::fs::File::open(&stdin_file))
            {
                Ok(f) => Some(f),
                Err(e) => return spawn_error(format!("cannot prepare stdin: {e}")),
            },
            None => None,
        };
        let had_stdin = stdin.is_some();
        let mut run = self.spawn(&cwd, argv, stdin);
        if had_stdin {
            let _ = std::fs::remove_file(&stdin_file);
        }
        run.files = effects(&cwd, &before);
        // Undo the unreadable fixture's mode so the directory can be removed.
        restore_modes(&cwd);
        drop(dir);
        run
    }

    fn spawn(&self, cwd: &Path, argv: &[String], stdin: Option<std::fs::File>) -> RawRun {
        let started = Instant::now();
        let cwd_text = cwd.to_string_lossy().into_owned();
        let Some(program) = self.command.first() else {
            return spawn_error("no program".into());
        };
        let mut cmd = Command::new(resolve(program).unwrap_or_else(|| PathBuf::from(program)));
        cmd.args(&self.command[1..])
            .args(argv)
            .current_dir(cwd)
            .env_clear()
            .env("LC_ALL", "C")
            .env("TZ", "UTC")
            .env("HOME", cwd)
            .env("TMPDIR", cwd)
            .envs(&self.env)
            .stdin(stdin.map_or_else(Stdio::null, Stdio::from))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(path) = std::env::var_os("PATH")
            && !self.env.contains_key("PATH")
        {
            cmd.env("PATH", path);
        }
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => {
                let mut r = spawn_error(e.to_string());
                r.cwd = cwd_text;
                return r;
            }
        };
        let pid = child.id();
        let cap = self.output_cap;
        let out = child.stdout.take().map(|p| capped_reader(p, cap));
        let err = child.stderr.take().map(|p| capped_reader(p, cap));
        let deadline = started + Duration::from_millis(self.timeout_ms);
        let mut pause = Duration::from_micros(50);
        let mut timed_out = false;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) => {}
                Err(_) => break None,
            }
            let flooded =
                out.as_ref().is_some_and(|r| r.full()) || err.as_ref().is_some_and(|r| r.full());
            if flooded {
                kill_group(pid);
                let _ = child.wait();
                break None;
            }
            if Instant::now() >= deadline {
                timed_out = true;
                kill_group(pid);
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(5));
        };
        let duration = started.elapsed();
        // Whatever the target left running in its group goes with it.
        let orphans = group_alive(pid);
        if orphans {
            kill_group(pid);
        }
        let (stdout, out_full) = out.map(CappedReader::finish).unwrap_or_default();
        let (stderr, err_full) = err.map(CappedReader::finish).unwrap_or_default();
        let termination = if timed_out {
            Termination::Timeout
        } else if out_full || err_full {
            Termination::Flood
        } else {
            match status {
                Some(s) => exit_termination(s),
                None => Termination::SpawnError {
                    message: "the target could not be waited for".into(),
                },
            }
        };
        RawRun {
            termination,
            stdout,
            stderr,
            files: Vec::new(),
            duration,
            cwd: cwd_text,
            orphans,
        }
    }
}

/// A run that could not happen, with the reason.
pub(crate) fn spawn_error(message: String) -> RawRun {
    RawRun {
        termination: Termination::SpawnError { message },
        stdout: Vec::new(),
        stderr: Vec::new(),
        files: Vec::new(),
        duration: Duration::ZERO,
        cwd: String::new(),
        orphans: false,
    }
}

fn exit_termination(status: std::process::ExitStatus) -> Termination {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return Termination::Signal { signal: sig };
        }
    }
    Termination::Exit {
        code: status.code().unwrap_or(-1),
    }
}

/// A program name resolved like `execvp` does, without a shell.
pub fn resolve(program: &str) -> Option<PathBuf> {
    let p = Path::new(program);
    if program.contains('/') {
        return p
            .is_file()
            .then(|| p.canonicalize().unwrap_or(p.to_path_buf()));
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(program))
        .find(|c| c.is_file())
}

fn kill_group(pid: u32) {
    #[cfg(unix)]
    // SAFETY: sending SIGKILL to the process group this module created for the
    // target (`process_group(0)` makes its id the child's pid); no memory is touched.
    unsafe {
        libc::kill(-(pid as i32), libc::SIGKILL);
    }
    #[cfg(not(unix))]
    let _ = pid;
}

fn group_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        // SAFETY: signal 0 only asks whether the group exists; nothing is sent.
        unsafe { libc::kill(-(pid as i32), 0) == 0 }
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        false
    }
}

struct CappedReader {
    handle: std::thread::JoinHandle<(Vec<u8>, bool)>,
    full: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl CappedReader {
    fn full(&self) -> bool {
        self.full.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn finish(self) -> (Vec<u8>, bool) {
        self.handle.join().unwrap_or_default()
    }
}

fn capped_reader(mut pipe: impl Read + Send + 'static, cap: usize) -> CappedReader {
    let full = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = full.clone();
    let handle = std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = cap.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                    if n > room {
                        flag.store(true, std::sync::atomic::Ordering::Relaxed);
                        break;
                    }
                }
            }
        }
        let over = flag.load(std::sync::atomic::Ordering::Relaxed);
        (kept, over)
    });
    CappedReader { handle, full }
}

/// Creates the fixtures; returns the directory's listing before the run.
fn prepare(cwd: &Path) -> std::io::Result<BTreeMap<String, u64>> {
    std::fs::write(cwd.join(FIXTURE_FILE), "hello\n")?;
    std::fs::create_dir(cwd.join(FIXTURE_DIR))?;
    let unreadable = cwd.join(FIXTURE_UNREADABLE);
    std::fs::write(&unreadable, "secret\n")?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&unreadable, std::fs::Permissions::from_mode(0o000))?;
    }
    Ok(listing(cwd))
}

fn restore_modes(cwd: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(
            cwd.join(FIXTURE_UNREADABLE),
            std::fs::Permissions::from_mode(0o600),
        );
    }
    #[cfg(not(unix))]
    let _ = cwd;
}

/// Relative path → size, two levels deep (enough to see what a run wrote).
fn listing(cwd: &Path) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let mut stack = vec![(cwd.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            let rel = path
                .strip_prefix(cwd)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                out.insert(format!("{rel}/"), 0);
                if depth < 2 {
                    stack.push((path, depth + 1));
                }
            } else {
                out.insert(rel, meta.len());
            }
        }
    }
    out
}

fn effects(cwd: &Path, before: &BTreeMap<String, u64>) -> Vec<String> {
    let after = listing(cwd);
    let mut out = Vec::new();
    for (path, size) in &after {
        match before.get(path) {
            None => out.push(format!("created:{path}")),
            Some(old) if old != size => out.push(format!("modified:{path}")),
            Some(_) => {}
        }
    }
    for path in before.keys() {
        if !after.contains_key(path) {
            out.push(format!("deleted:{path}"));
        }
    }
    out.sort();
    out
}
