//! Running a child with its output logged and its progress shown: pip
//! building the venv, each kolla-ansible action.
//!
//! On a terminal one live line is redrawn every second, so its clock keeps
//! ticking through a long task: what runs, the elapsed time, the current
//! step (Ansible's `TASK [...]`, pip's `Collecting ...`) and, for Ansible,
//! the tasks counted ok, changed and failed so far. Elsewhere (a journal, a
//! CI log) each step is one line, and a heartbeat line follows every 30 s
//! without one. The last line always names the log.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How often the live line is redrawn on a terminal.
const TICK: Duration = Duration::from_secs(1);
/// How long a non-terminal goes without a line before a heartbeat.
pub const HEARTBEAT: Duration = Duration::from_secs(30);

/// Whose output a line is, which says how to read it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Speaker {
    /// `ansible-playbook` under kolla-ansible: `TASK [...]` and per-host results.
    Ansible,
    /// pip and `python3 -m venv`: `Collecting ...`, `Installing ...`.
    Pip,
}

/// The outcome of one Ansible task on one host, worst last.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Outcome {
    Skipped,
    Ok,
    Changed,
    Failed,
}

/// Tasks counted as Ansible's recap counts them: one outcome per task and
/// host, the worst of its loop items; a changed task is also ok.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Counts {
    pub ok: u32,
    pub changed: u32,
    pub failed: u32,
}

/// What is shown while one child runs. Time is passed in, so what it
/// prints depends only on the lines and the clock it is given.
pub struct Progress<W: Write> {
    label: String,
    speaker: Speaker,
    terminal: bool,
    out: W,
    step: Option<String>,
    /// Outcomes of the current task, by host.
    task: BTreeMap<String, Outcome>,
    counts: Counts,
    /// When a line was last printed off a terminal.
    last_said: Duration,
}

impl<W: Write> Progress<W> {
    pub fn new(label: &str, speaker: Speaker, terminal: bool, mut out: W) -> Progress<W> {
        if !terminal {
            let _ = writeln!(out, "  {label} ...");
        }
        Progress {
            label: label.into(),
            speaker,
            terminal,
            out,
            step: None,
            task: BTreeMap::new(),
            counts: Counts::default(),
            last_said: Duration::ZERO,
        }
    }

    /// One line of the child's output, `elapsed` after it started.
    pub fn line(&mut self, line: &str, elapsed: Duration) {
        if let Some(step) = self.step_of(line) {
            self.close_task();
            self.step = Some(step);
            if self.terminal {
                self.redraw(elapsed);
            } else {
                self.say(elapsed, "");
            }
        } else if self.speaker == Speaker::Ansible
            && let Some((outcome, host)) = result(line)
        {
            let worst = self.task.entry(host.into()).or_insert(outcome);
            *worst = (*worst).max(outcome);
        }
    }

    /// The clock moved on with no new line.
    pub fn tick(&mut self, elapsed: Duration) {
        if self.terminal {
            self.redraw(elapsed);
        } else if elapsed.saturating_sub(self.last_said) >= HEARTBEAT {
            self.say(elapsed, "still running, ");
        }
    }

    /// The child ended: one last line with how, how long, the counts and the log.
    pub fn done(&mut self, ok: bool, elapsed: Duration, log: &Path) -> Counts {
        self.close_task();
        let clear = if self.terminal { "\r\x1b[K" } else { "" };
        let how = if ok { "finished" } else { "FAILED" };
        let _ = writeln!(
            self.out,
            "{clear}  {} {how} after {}{}; log: {}",
            self.label,
            duration(elapsed),
            self.counted(", "),
            log.display()
        );
        let _ = self.out.flush();
        self.counts
    }

    fn step_of(&self, line: &str) -> Option<String> {
        let step = match self.speaker {
            Speaker::Ansible => line
                .starts_with("TASK [")
                .then(|| line.trim_end_matches(['*', ' '])),
            Speaker::Pip => ["Collecting ", "Installing collected", "Building wheel"]
                .iter()
                .any(|p| line.starts_with(p))
                .then_some(line.trim()),
        }?;
        Some(step.chars().take(70).collect())
    }

    fn close_task(&mut self) {
        for outcome in std::mem::take(&mut self.task).into_values() {
            match outcome {
                Outcome::Skipped => {}
                Outcome::Ok => self.counts.ok += 1,
                Outcome::Changed => {
                    self.counts.ok += 1;
                    self.counts.changed += 1;
                }
                Outcome::Failed => self.counts.failed += 1,
            }
        }
    }

    /// `, 5 ok, 2 changed, 0 failed` for Ansible, nothing for pip.
    fn counted(&self, lead: &str) -> String {
        if self.speaker != Speaker::Ansible {
            return String::new();
        }
        let c = &self.counts;
        format!(
            "{lead}{} ok, {} changed, {} failed",
            c.ok, c.changed, c.failed
        )
    }

    fn redraw(&mut self, elapsed: Duration) {
        let mut line = format!("\r\x1b[K  {} {:>6}", self.label, duration(elapsed));
        let _ = write!(line, "{}", self.counted("  "));
        if let Some(step) = &self.step {
            let _ = write!(line, "  {step}");
        }
        let _ = write!(self.out, "{line}");
        let _ = self.out.flush();
    }

    fn say(&mut self, elapsed: Duration, what: &str) {
        let step = self.step.as_deref().unwrap_or("starting");
        let counts = match self.speaker {
            Speaker::Ansible => format!(" ({})", self.counted("")),
            Speaker::Pip => String::new(),
        };
        let _ = writeln!(
            self.out,
            "  {} {}: {what}{step}{counts}",
            self.label,
            duration(elapsed),
        );
        let _ = self.out.flush();
        self.last_said = elapsed;
    }
}

/// An Ansible per-host result line: `ok: [host]`, `changed: [host] => (item=…)`,
/// `fatal: [host]: FAILED! …`, `skipping: [host]`.
fn result(line: &str) -> Option<(Outcome, &str)> {
    let (word, rest) = line.split_once(": [")?;
    let outcome = match word {
        "ok" => Outcome::Ok,
        "changed" => Outcome::Changed,
        "failed" | "fatal" => Outcome::Failed,
        "skipping" => Outcome::Skipped,
        _ => return None,
    };
    let host = rest.split(']').next()?;
    Some((outcome, host))
}

/// `7s`, `2m05s`, `1h02m`: rounded to the second, never in Rust's debug form.
pub fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// Runs `command` with stdin closed, its stdout and stderr appended to
/// `log` line by line and shown as progress under `label` on stderr. Its
/// whole process tree dies with aio.
pub fn run(
    command: &mut Command,
    label: &str,
    speaker: Speaker,
    log: &mut std::fs::File,
    log_path: &Path,
) -> std::io::Result<(ExitStatus, Counts)> {
    let mut guarded = aio_child::spawn(
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    )?;
    let child = guarded.child_mut();
    let (tx, rx) = channel();
    let pipes: [Option<Box<dyn std::io::Read + Send>>; 2] = [
        child.stdout.take().map(|p| Box::new(p) as _),
        child.stderr.take().map(|p| Box::new(p) as _),
    ];
    for pipe in pipes.into_iter().flatten() {
        let tx = tx.clone();
        std::thread::spawn(move || each_line(BufReader::new(pipe), |l| drop(tx.send(l))));
    }
    drop(tx);
    let started = Instant::now();
    let stderr = std::io::stderr();
    let terminal = stderr.is_terminal();
    let mut progress = Progress::new(label, speaker, terminal, stderr.lock());
    loop {
        match rx.recv_timeout(TICK) {
            Ok(line) => {
                writeln!(log, "{line}")?;
                progress.line(&line, started.elapsed());
            }
            Err(RecvTimeoutError::Timeout) => progress.tick(started.elapsed()),
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = guarded.wait()?;
    let counts = progress.done(status.success(), started.elapsed(), log_path);
    Ok((status, counts))
}

/// The longest line kept of a child's output; the rest of it is dropped.
const LINE: usize = 64 * 1024;

/// Hands on each line of `pipe` until it ends: bytes that are not UTF-8
/// as `\u{FFFD}`, a line longer than [`LINE`] cut there. The pipe is read
/// to its end whatever it holds: a reader that stopped would leave the
/// child writing into a closed pipe.
fn each_line(mut pipe: impl BufRead, mut line: impl FnMut(String)) {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let mut long = false;
        loop {
            let (done, used) = match pipe.fill_buf() {
                Ok([]) => (true, 0),
                Ok(chunk) => {
                    let (end, done) = match chunk.iter().position(|&b| b == b'\n') {
                        Some(i) => (i + 1, true),
                        None => (chunk.len(), false),
                    };
                    let room = LINE.saturating_sub(buf.len()).min(end);
                    buf.extend_from_slice(&chunk[..room]);
                    long |= room < end;
                    (done, end)
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => (true, 0),
            };
            pipe.consume(used);
            if done {
                break;
            }
        }
        if buf.is_empty() && !long {
            return;
        }
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        line(String::from_utf8_lossy(&buf).into_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(bytes: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        // A small buffer: lines arrive in several pieces.
        each_line(BufReader::with_capacity(7, bytes), |l| out.push(l));
        out
    }

    #[test]
    fn output_that_is_not_utf8_is_read_to_its_end() {
        let said = lines(b"TASK [a]\nbad \xff\xfe bytes\r\nTASK [b]\n\nlast");
        assert_eq!(
            said,
            [
                "TASK [a]",
                "bad \u{FFFD}\u{FFFD} bytes",
                "TASK [b]",
                "",
                "last"
            ]
        );
    }

    #[test]
    fn a_line_longer_than_the_bound_is_cut_and_the_next_one_kept() {
        let mut text = vec![b'x'; LINE * 3];
        text.extend_from_slice(b"\nTASK [next]\n");
        let said = lines(&text);
        assert_eq!(said.len(), 2);
        assert_eq!(said[0].len(), LINE);
        assert_eq!(said[1], "TASK [next]");
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn ansible_tasks_are_counted_as_the_recap_counts_them() {
        let mut p = Progress::new("kolla-ansible deploy", Speaker::Ansible, false, Vec::new());
        for line in [
            "PLAY [Apply role common] ***",
            "TASK [common : Ensure dirs] ***",
            "changed: [localhost] => (item=a)",
            "ok: [localhost] => (item=b)",
            "ok: [other]",
            "TASK [common : Skip me] ***",
            "skipping: [localhost]",
            "TASK [nova : Fail] ***",
            "fatal: [localhost]: FAILED! => {\"msg\": \"no\"}",
        ] {
            p.line(line, secs(3));
        }
        let counts = p.done(false, secs(75), Path::new("/var/lib/aio/kolla/deploy.log"));
        let want = Counts {
            ok: 2,
            changed: 1,
            failed: 1,
        };
        assert_eq!(counts, want);
        let text = String::from_utf8(p.out).unwrap();
        assert!(
            text.ends_with("  kolla-ansible deploy FAILED after 1m15s, 2 ok, 1 changed, 1 failed; log: /var/lib/aio/kolla/deploy.log\n"),
            "{text}"
        );
    }

    #[test]
    fn off_a_terminal_each_task_is_a_line_and_silence_a_heartbeat() {
        let mut p = Progress::new("kolla-ansible deploy", Speaker::Ansible, false, Vec::new());
        p.line("TASK [common : Ensure dirs] ***", secs(2));
        p.line("ok: [localhost]", secs(3));
        for s in [20, 33, 40, 64] {
            p.tick(secs(s));
        }
        p.line("TASK [nova : Start] ***", secs(70));
        p.done(true, secs(71), Path::new("deploy.log"));
        let text = String::from_utf8(p.out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "  kolla-ansible deploy ...",
                "  kolla-ansible deploy 2s: TASK [common : Ensure dirs] (0 ok, 0 changed, 0 failed)",
                "  kolla-ansible deploy 33s: still running, TASK [common : Ensure dirs] (0 ok, 0 changed, 0 failed)",
                "  kolla-ansible deploy 1m04s: still running, TASK [common : Ensure dirs] (0 ok, 0 changed, 0 failed)",
                "  kolla-ansible deploy 1m10s: TASK [nova : Start] (1 ok, 0 changed, 0 failed)",
                "  kolla-ansible deploy finished after 1m11s, 1 ok, 0 changed, 0 failed; log: deploy.log",
            ]
        );
    }

    #[test]
    fn on_a_terminal_the_clock_ticks_within_a_task() {
        let mut p = Progress::new("venv", Speaker::Pip, true, Vec::new());
        p.line("Collecting kolla-ansible==20.1.0", secs(1));
        p.line("  Downloading kolla_ansible-20.1.0.whl", secs(2));
        p.tick(secs(3));
        p.tick(secs(4));
        p.done(true, secs(5), Path::new("venv.log"));
        let text = String::from_utf8(p.out).unwrap();
        let frames: Vec<&str> = text.split("\r\x1b[K").filter(|f| !f.is_empty()).collect();
        assert_eq!(
            frames,
            [
                "  venv     1s  Collecting kolla-ansible==20.1.0",
                "  venv     3s  Collecting kolla-ansible==20.1.0",
                "  venv     4s  Collecting kolla-ansible==20.1.0",
                "  venv finished after 5s; log: venv.log\n",
            ]
        );
    }

    #[test]
    fn durations_are_rounded_to_the_second() {
        assert_eq!(duration(Duration::from_millis(2005)), "2s");
        assert_eq!(duration(secs(125)), "2m05s");
        assert_eq!(duration(secs(3720)), "1h02m");
    }
}
