//! Running a command-line target: never through a shell, in a fresh working directory
//! per run (holding an existing file, a directory and an unreadable file for the path
//! value classes), with a fixed environment, a timeout and a cap per output stream.
//! The target runs in its own process group, so a hang, a flood or a forked child is
//! killed with the whole group and reported as a behaviour.

use std::collections::BTreeMap;
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

    /// Runs the target once with `argv` and `stdin` in a fresh directory under `root`:
    /// newly made, or one a previous run left exactly as it was made (every entry's
    /// size, mode and change time the same), which no run can tell apart.
    pub fn run(&self, root: &Path, argv: &[String], stdin: Option<&str>) -> RawRun {
        let workdir = match Workdir::take(root) {
            Ok(w) => w,
            Err(e) => return spawn_error(format!("cannot prepare a working directory: {e}")),
        };
        let cwd = workdir.path.clone();
        // Stdin comes from a file beside the working directory, not a pipe: a target
        // that exits without reading cannot raise SIGPIPE in friction.
        let stdin_file = cwd.with_extension("stdin");
        let stdin = match stdin {
            Some(text) => match std::fs::write(&stdin_file, text)
                .and_then(|()| std::fs::File::open(&stdin_file))
            {
                Ok(f) => Some(f),
                Err(e) => {
                    workdir.give_back(root);
                    return spawn_error(format!("cannot prepare stdin: {e}"));
                }
            },
            None => None,
        };
        let had_stdin = stdin.is_some();
        let mut run = self.spawn(&cwd, argv, stdin);
        if had_stdin {
            let _ = std::fs::remove_file(&stdin_file);
        }
        run.files = workdir.effects_and_give_back(root);
        run
    }

    /// The program as a command in `cwd`: no shell, a fixed environment, its own
    /// process group (so everything it starts can be killed with it).
    pub(crate) fn command(&self, cwd: &Path) -> std::io::Result<Command> {
        let Some(program) = self.command.first() else {
            return Err(std::io::Error::other("no program"));
        };
        let mut cmd = Command::new(resolve(program).unwrap_or_else(|| PathBuf::from(program)));
        cmd.args(&self.command[1..])
            .current_dir(cwd)
            .env_clear()
            .env("LC_ALL", "C")
            .env("TZ", "UTC")
            .env("HOME", cwd)
            .env("TMPDIR", cwd)
            .envs(&self.env);
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
        Ok(cmd)
    }

    fn spawn(&self, cwd: &Path, argv: &[String], stdin: Option<std::fs::File>) -> RawRun {
        let started = Instant::now();
        let cwd_text = cwd.to_string_lossy().into_owned();
        let mut cmd = match self.command(cwd) {
            Ok(c) => c,
            Err(e) => return spawn_error(e.to_string()),
        };
        cmd.args(argv)
            .stdin(stdin.map_or_else(Stdio::null, Stdio::from))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => {
                let mut r = spawn_error(e.to_string());
                r.cwd = cwd_text;
                return r;
            }
        };
        let deadline = started + Duration::from_millis(self.timeout_ms);
        let ended = capture(&mut child, self.output_cap, deadline);
        let duration = started.elapsed();
        let Captured {
            status,
            stdout,
            stderr,
            timed_out,
            flooded,
            orphans,
        } = ended;
        let termination = if timed_out {
            Termination::Timeout
        } else if flooded {
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

/// What [`capture`] saw of a child until it ended or was killed.
struct Captured {
    status: Option<std::process::ExitStatus>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    timed_out: bool,
    flooded: bool,
    /// Processes of the child's group were alive after it exited (then killed).
    orphans: bool,
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

pub(crate) fn exit_termination(status: std::process::ExitStatus) -> Termination {
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

pub(crate) fn kill_group(pid: u32) {
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

/// Reads the child's stdout and stderr until both close and the child has exited,
/// in this thread (no reader threads): `poll(2)` wakes on output, on the end of the
/// child (a pidfd on Linux, so a fast target is observed the moment it exits) or at
/// the deadline. More than `cap` bytes on a stream, or the deadline, kills the group.
#[cfg(unix)]
fn capture(child: &mut std::process::Child, cap: usize, deadline: Instant) -> Captured {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    let pid = child.id();
    let out = child.stdout.take();
    let err = child.stderr.take();
    let fds = [
        out.as_ref().map(AsRawFd::as_raw_fd),
        err.as_ref().map(AsRawFd::as_raw_fd),
    ];
    #[cfg(target_os = "linux")]
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1;
    // the pid is our unreaped child, so it cannot name another process.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
    #[cfg(not(target_os = "linux"))]
    let pidfd: i64 = -1;
    let pidfd = i32::try_from(pidfd)
        .ok()
        .filter(|&fd| fd >= 0)
        // SAFETY: the descriptor was just returned to us by pidfd_open and is owned
        // by nothing else.
        .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) });
    let mut open = [fds[0].is_some(), fds[1].is_some()];
    let mut kept: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
    let mut chunk = [0u8; 16 * 1024];
    let mut ended = Captured {
        status: None,
        stdout: Vec::new(),
        stderr: Vec::new(),
        timed_out: false,
        flooded: false,
        orphans: false,
    };
    let mut idle = Duration::from_micros(50);
    'run: loop {
        if ended.status.is_none()
            && let Ok(Some(s)) = child.try_wait()
        {
            ended.status = Some(s);
            // Whatever the target left running in its group goes with it.
            if group_alive(pid) {
                ended.orphans = true;
                kill_group(pid);
            }
        }
        if ended.status.is_some() && !open[0] && !open[1] {
            break;
        }
        let now = Instant::now();
        if now >= deadline {
            if ended.status.is_none() {
                ended.timed_out = true;
                kill_group(pid);
                ended.status = child.wait().ok();
            }
            // Output still held open by a process outside the group is given up.
            break;
        }
        let mut polled: Vec<libc::pollfd> = Vec::with_capacity(3);
        for (i, fd) in fds.iter().enumerate() {
            if let (true, Some(fd)) = (open[i], fd) {
                polled.push(libc::pollfd {
                    fd: *fd,
                    events: libc::POLLIN,
                    revents: 0,
                });
            }
        }
        let watching_exit = ended.status.is_none() && pidfd.is_some();
        if let (true, Some(fd)) = (watching_exit, &pidfd) {
            polled.push(libc::pollfd {
                fd: fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            });
        }
        let remaining = deadline - now;
        if polled.is_empty() {
            // Both streams closed, exit not watchable: wait in short steps.
            std::thread::sleep(idle.min(remaining));
            idle = (idle * 2).min(Duration::from_millis(2));
            continue;
        }
        let mut wait_ms = i32::try_from(remaining.as_millis() + 1).unwrap_or(i32::MAX);
        if ended.status.is_none() && !watching_exit {
            wait_ms = wait_ms.min(2);
        }
        // SAFETY: `polled` is a valid array of `polled.len()` pollfd structs that
        // lives across the call.
        let ready =
            unsafe { libc::poll(polled.as_mut_ptr(), polled.len() as libc::nfds_t, wait_ms) };
        if ready <= 0 {
            continue;
        }
        for p in &polled {
            let Some(i) = fds.iter().position(|fd| *fd == Some(p.fd)) else {
                continue;
            };
            if p.revents == 0 {
                continue;
            }
            // SAFETY: reading into a buffer we own, of the length given, from a
            // pipe descriptor owned by `out` or `err`, which outlive this loop.
            let n = unsafe { libc::read(p.fd, chunk.as_mut_ptr().cast(), chunk.len()) };
            if n == 0 {
                open[i] = false;
                continue;
            }
            let Ok(n) = usize::try_from(n) else {
                if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                    open[i] = false;
                }
                continue;
            };
            let room = cap.saturating_sub(kept[i].len());
            kept[i].extend_from_slice(&chunk[..n.min(room)]);
            if n > room {
                ended.flooded = true;
                if ended.status.is_none() {
                    kill_group(pid);
                    ended.status = child.wait().ok();
                }
                break 'run;
            }
        }
    }
    if group_alive(pid) {
        ended.orphans = true;
        kill_group(pid);
    }
    let [stdout, stderr] = kept;
    ended.stdout = stdout;
    ended.stderr = stderr;
    ended
}

/// Portable fallback: a reader thread per stream, the child polled for its end.
#[cfg(not(unix))]
fn capture(child: &mut std::process::Child, cap: usize, deadline: Instant) -> Captured {
    use std::io::Read;
    fn reader(
        mut pipe: impl Read + Send + 'static,
        cap: usize,
    ) -> std::thread::JoinHandle<(Vec<u8>, bool)> {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut buf = [0u8; 16 * 1024];
            loop {
                match pipe.read(&mut buf) {
                    Ok(0) | Err(_) => return (kept, false),
                    Ok(n) => {
                        let room = cap.saturating_sub(kept.len());
                        kept.extend_from_slice(&buf[..n.min(room)]);
                        if n > room {
                            return (kept, true);
                        }
                    }
                }
            }
        })
    }
    let out = child.stdout.take().map(|p| reader(p, cap));
    let err = child.stderr.take().map(|p| reader(p, cap));
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if Instant::now() >= deadline => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(1)),
            Err(_) => break None,
        }
    };
    let join = |h: Option<std::thread::JoinHandle<(Vec<u8>, bool)>>| {
        h.and_then(|h| h.join().ok()).unwrap_or_default()
    };
    let (stdout, out_full) = join(out);
    let (stderr, err_full) = join(err);
    Captured {
        status,
        stdout,
        stderr,
        timed_out,
        flooded: out_full || err_full,
        orphans: false,
    }
}

/// A run's working directory, with its listing as made.
struct Workdir {
    path: PathBuf,
    made: Listing,
}

/// Working directories left exactly as made, per probe root, ready for another run:
/// making and removing one costs more than the run of a fast target (≈ 4 ms on ext4
/// under load against ≈ 3 ms for a spawn).
static CLEAN: std::sync::Mutex<Vec<(PathBuf, Workdir)>> = std::sync::Mutex::new(Vec::new());

/// Clean directories kept per root (one per worker is enough; a few spare).
const CLEAN_KEPT: usize = 64;

impl Workdir {
    /// A clean directory under `root`: a kept one, else a new one with the fixtures.
    fn take(root: &Path) -> std::io::Result<Workdir> {
        if let Ok(mut clean) = CLEAN.lock()
            && let Some(i) = clean.iter().position(|(r, _)| r == root)
        {
            return Ok(clean.swap_remove(i).1);
        }
        let dir = crate::scratch::ScratchDir::new_in(root, "run")?;
        let made = prepare(dir.path()).inspect_err(|_| restore_modes(dir.path()))?;
        Ok(Workdir {
            path: dir.into_path(),
            made,
        })
    }

    /// What the run changed; the directory is kept for another run when it changed
    /// nothing, else removed.
    fn effects_and_give_back(self, root: &Path) -> Vec<String> {
        let now = listing(&self.path);
        let effects = effects(&self.made, &now);
        if now == self.made {
            self.give_back(root);
        } else {
            self.remove();
        }
        effects
    }

    fn give_back(self, root: &Path) {
        match CLEAN.lock() {
            Ok(mut clean) if clean.len() < CLEAN_KEPT => clean.push((root.to_path_buf(), self)),
            _ => self.remove(),
        }
    }

    fn remove(self) {
        // Undo the unreadable fixture's mode so the directory can be removed.
        restore_modes(&self.path);
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Forgets the clean directories kept under `root` (which is being removed).
pub(crate) fn forget_clean(root: &Path) {
    if let Ok(mut clean) = CLEAN.lock() {
        clean.retain(|(r, _)| r != root);
    }
}

/// Creates the fixtures; returns the directory's listing.
fn prepare(cwd: &Path) -> std::io::Result<Listing> {
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

/// One entry of a listing: its size (0 for a directory) and a stamp that any write,
/// creation inside, rename or mode change alters (change time and mode).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    size: u64,
    stamp: (i64, i64, u32),
}

/// Relative path (`dir/` for a directory, `.` for the directory itself) → entry,
/// two levels deep (enough to see what a run wrote; deeper writes change a listed
/// directory's stamp).
type Listing = BTreeMap<String, Entry>;

fn entry(meta: &std::fs::Metadata) -> Entry {
    #[cfg(unix)]
    let stamp = {
        use std::os::unix::fs::MetadataExt;
        (meta.ctime(), meta.ctime_nsec(), meta.mode())
    };
    #[cfg(not(unix))]
    let stamp = (
        meta.modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i64),
        0,
        u32::from(meta.permissions().readonly()),
    );
    Entry {
        size: if meta.is_dir() { 0 } else { meta.len() },
        stamp,
    }
}

fn listing(cwd: &Path) -> Listing {
    let mut out = BTreeMap::new();
    if let Ok(meta) = std::fs::metadata(cwd) {
        out.insert(".".to_owned(), entry(&meta));
    }
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
                out.insert(format!("{rel}/"), entry(&meta));
                if depth < 2 {
                    stack.push((path, depth + 1));
                }
            } else {
                out.insert(rel, entry(&meta));
            }
        }
    }
    out
}

/// Paths created, deleted or changed in size (directories only by creation and
/// deletion; the directory itself not at all), sorted.
fn effects(before: &Listing, after: &Listing) -> Vec<String> {
    let mut out = Vec::new();
    for (path, e) in after.iter().filter(|(p, _)| *p != ".") {
        match before.get(path) {
            None => out.push(format!("created:{path}")),
            Some(old) if old.size != e.size => out.push(format!("modified:{path}")),
            Some(_) => {}
        }
    }
    for path in before.keys().filter(|p| *p != ".") {
        if !after.contains_key(path) {
            out.push(format!("deleted:{path}"));
        }
    }
    out.sort();
    out
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> CliTarget {
        CliTarget {
            command: vec!["/bin/sh".into(), "-c".into(), script.into(), "sh".into()],
            env: BTreeMap::new(),
            timeout_ms: 5_000,
            output_cap: 1 << 16,
        }
    }

    #[test]
    fn every_run_starts_in_the_directory_as_made_even_after_a_run_changed_it() {
        let root = crate::scratch::ScratchDir::new_in(&std::env::temp_dir(), "t-reuse").unwrap();
        let t = sh("cat exists.txt; printf 'HELLO\\n' > exists.txt; echo x > new.txt");
        for _ in 0..3 {
            let r = t.run(root.path(), &[], None);
            assert_eq!(String::from_utf8_lossy(&r.stdout), "hello\n");
            assert_eq!(r.files, ["created:new.txt"]);
        }
        // Same size, other content: not an effect by size, but never seen again.
        let same_size = sh("cat exists.txt; printf 'HELLO\\n' > exists.txt");
        for _ in 0..3 {
            let r = same_size.run(root.path(), &[], None);
            assert_eq!(String::from_utf8_lossy(&r.stdout), "hello\n");
        }
    }

    #[test]
    fn a_deep_write_is_never_seen_by_a_later_run() {
        let root = crate::scratch::ScratchDir::new_in(&std::env::temp_dir(), "t-deep").unwrap();
        let t = sh("ls -R dir | wc -l; mkdir -p dir/a/b/c && echo x > dir/a/b/c/f");
        let first = t.run(root.path(), &[], None);
        for _ in 0..3 {
            assert_eq!(t.run(root.path(), &[], None).stdout, first.stdout);
        }
    }

    #[test]
    fn a_run_ends_when_the_target_does_and_a_hang_at_the_timeout() {
        let root = crate::scratch::ScratchDir::new_in(&std::env::temp_dir(), "t-time").unwrap();
        let r = sh("echo out; echo err >&2; exit 3").run(root.path(), &[], None);
        assert_eq!(r.termination, Termination::Exit { code: 3 });
        assert_eq!(
            (r.stdout.as_slice(), r.stderr.as_slice()),
            (&b"out\n"[..], &b"err\n"[..])
        );
        let mut hang = sh("exec 1>&- 2>&-; sleep 30");
        hang.timeout_ms = 300;
        let r = hang.run(root.path(), &[], None);
        assert_eq!(r.termination, Termination::Timeout);
        assert!(r.duration < Duration::from_secs(5), "{:?}", r.duration);
    }

    #[test]
    fn the_root_s_clean_directories_go_with_it() {
        let root = crate::scratch::ScratchDir::new_in(&std::env::temp_dir(), "t-gone").unwrap();
        let path = root.path().to_path_buf();
        sh("true").run(&path, &[], None);
        drop(root);
        assert!(!path.exists());
        let kept = CLEAN.lock().unwrap().iter().any(|(r, _)| *r == path);
        assert!(!kept, "a removed root's directories are forgotten");
    }
}
