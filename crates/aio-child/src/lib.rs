//! Child processes that never outlive aio.
//!
//! Every program aio runs (kolla-ansible, kolla-genpwd, pip, nft) starts
//! through [`spawn`] or [`output`]:
//!
//! - in a process group of its own, so that the whole tree it starts
//!   (kolla-ansible runs ansible-playbook, which forks workers) can be
//!   signalled at once, and a Ctrl-C meant for aio does not reach it half-way;
//! - with `PR_SET_PDEATHSIG = SIGKILL`, so the program itself dies the moment
//!   the thread that started it is gone;
//! - watched by a *guardian*: a process forked from aio that only waits on a
//!   pipe. When aio ends for any reason, SIGKILL included, the kernel closes
//!   aio's end of the pipe; the guardian then kills the child's whole process
//!   group and exits. When the child finishes normally, aio tells the
//!   guardian so and it exits without killing anything.
//!
//! The guardian closes every descriptor it inherited but its pipe and the
//! one [`keep_in_guardians`] names: the state lock, which so stays held until
//! the child's group has been killed, and the next aio cannot start a second
//! action beside a dying one.

mod path;

pub use path::find_program;

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};

/// The descriptor guardians keep open (-1: none).
static KEPT: AtomicI32 = AtomicI32::new(-1);

/// Guardians started from now on keep `fd` open until the child's group is
/// killed: give it the state lock. `None` stops that.
pub fn keep_in_guardians(fd: Option<std::os::fd::RawFd>) {
    KEPT.store(fd.unwrap_or(-1), Ordering::SeqCst);
}

/// A running child and the guardian that kills its process group if aio dies.
pub struct Guarded {
    child: Child,
    guardian: Option<Guardian>,
}

impl Guarded {
    /// The child's pid, which is also its process group id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Waits for the child; any of its group still running is killed then.
    pub fn wait(&mut self) -> io::Result<ExitStatus> {
        let status = self.child.wait();
        self.release();
        status
    }

    /// Waits for the child, collecting what it printed.
    pub fn wait_with_output(mut self) -> io::Result<Output> {
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let (out, err) = (self.child.stdout.take(), self.child.stderr.take());
        // stderr on its own thread: a child filling one pipe must not block on the other.
        let reader = err.map(|mut e| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = e.read_to_end(&mut buf);
                buf
            })
        });
        if let Some(mut o) = out {
            o.read_to_end(&mut stdout)?;
        }
        if let Some(r) = reader {
            stderr = r.join().unwrap_or_default();
        }
        let status = self.wait()?;
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }

    /// The child is done: kill what is left of its group, then let the guardian go.
    fn release(&mut self) {
        self.kill_group();
        if let Some(g) = self.guardian.take() {
            g.dismiss();
        }
    }

    /// Kills the child's process group (ESRCH when nothing is left). The
    /// group id cannot have been reused: a group id is taken only by a new
    /// process of that pid, which needs the pid space to wrap first.
    fn kill_group(&self) {
        // SAFETY: plain syscall on the child's own process group.
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGKILL);
        }
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        if self.guardian.is_some() {
            // Dropped without waiting (an error path): the child must not live on.
            self.kill_group();
            let _ = self.child.wait();
            self.release();
        }
    }
}

/// Starts `command` in its own process group, dying with aio.
pub fn spawn(command: &mut Command) -> io::Result<Guarded> {
    // SAFETY: only async-signal-safe calls (prctl, getppid, kill) run
    // between fork and exec.
    let parent = std::process::id() as libc::pid_t;
    unsafe {
        command.process_group(0).pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
                return Err(io::Error::last_os_error());
            }
            // aio died between fork and prctl: the signal would never come.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    let child = command.spawn()?;
    let guardian = match Guardian::start(child.id() as libc::pid_t) {
        Ok(g) => g,
        Err(e) => {
            let mut child = child;
            let _ = child.kill();
            let _ = child.wait();
            return Err(e);
        }
    };
    Ok(Guarded {
        child,
        guardian: Some(guardian),
    })
}

/// Runs `command` to the end, with `stdin` as its input (or none), and collects its output.
pub fn output(command: &mut Command, stdin: Option<&[u8]>) -> io::Result<Output> {
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut guarded = spawn(command)?;
    if let (Some(bytes), Some(mut pipe)) = (stdin, guarded.child_mut().stdin.take()) {
        // A child that exits without reading all of it is reported by its status.
        let _ = pipe.write_all(bytes);
    }
    guarded.wait_with_output()
}

/// The forked watcher of one child's process group.
struct Guardian {
    pid: libc::pid_t,
    /// aio's end of the pipe: closing it without a word means "aio is gone".
    pipe: OwnedFd,
}

/// The byte that tells the guardian the child finished normally.
const DISMISS: u8 = b'.';

impl Guardian {
    fn start(group: libc::pid_t) -> io::Result<Guardian> {
        let mut fds = [0; 2];
        // SAFETY: plain syscall with a valid two-int array.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: both descriptors were just made and are owned here.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let kept = KEPT.load(Ordering::SeqCst);
        // SAFETY: the forked process calls only async-signal-safe functions
        // (setpgid, sigaction through signal, close_range, read, kill, nanosleep, _exit).
        let pid = unsafe { libc::fork() };
        match pid {
            -1 => Err(io::Error::last_os_error()),
            0 => unsafe { guard(read.as_raw_fd(), kept, group) },
            pid => {
                drop(read);
                Ok(Guardian { pid, pipe: write })
            }
        }
    }

    /// The child is done: the guardian exits without killing, and is reaped.
    fn dismiss(self) {
        let fd = self.pipe.as_raw_fd();
        // SAFETY: writes one byte to a descriptor this struct owns.
        unsafe {
            libc::write(fd, [DISMISS].as_ptr().cast(), 1);
        }
        drop(self.pipe);
        let mut status = 0;
        // SAFETY: reaps the guardian this process forked.
        unsafe {
            libc::waitpid(self.pid, &mut status, 0);
        }
    }
}

/// Closes every descriptor but `a` and `b` (either may be -1).
///
/// # Safety
/// Closes descriptors others may own: only for the guardian.
unsafe fn close_all_but(a: libc::c_int, b: libc::c_int) {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    let mut from: libc::c_uint = 0;
    for keep in [low, high] {
        if keep < 0 {
            continue;
        }
        let keep = keep as libc::c_uint;
        if keep > from {
            // SAFETY: close_range takes plain integers.
            unsafe { libc::syscall(libc::SYS_close_range, from, keep - 1, 0) };
        }
        from = keep + 1;
    }
    // SAFETY: as above.
    unsafe { libc::syscall(libc::SYS_close_range, from, libc::c_uint::MAX, 0) };
}

/// The guardian's whole life, in the forked process.
///
/// # Safety
/// Only for the child of `fork`: it never returns.
unsafe fn guard(read: libc::c_int, kept: libc::c_int, group: libc::pid_t) -> ! {
    unsafe {
        // Out of aio's process group and deaf to the terminal: a Ctrl-C that
        // kills aio must not kill the guardian before it has done its job.
        libc::setpgid(0, 0);
        libc::signal(libc::SIGINT, libc::SIG_IGN);
        libc::signal(libc::SIGHUP, libc::SIG_IGN);
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        // Everything else aio had open: its own end of this pipe, other
        // children's pipes (a child waiting for EOF on stdin must get it),
        // aio's terminal and output.
        close_all_but(read, kept);
        let mut byte = 0u8;
        let n = loop {
            let n = libc::read(read, (&mut byte as *mut u8).cast(), 1);
            if n >= 0 || *libc::__errno_location() != libc::EINTR {
                break n;
            }
        };
        if n == 1 && byte == DISMISS {
            libc::_exit(0);
        }
        // aio is gone: so is everything it started.
        libc::kill(-group, libc::SIGKILL);
        // Keep the inherited state lock a moment, while the group dies.
        let pause = libc::timespec {
            tv_sec: 0,
            tv_nsec: 200_000_000,
        };
        libc::nanosleep(&pause, std::ptr::null_mut());
        libc::_exit(0)
    }
}
