//! Files aio reads cannot stall it or exhaust its memory, and a config dir
//! aio may not write to is refused before anything is written anywhere.
//!
//! A small YAML alias bomb as `globals.yml` is refused with its name (in a
//! few hundred MiB of address space, where copying every alias needed
//! gigabytes); `globals.yml` as a link to `/dev/zero` and a FIFO as
//! `globals.yml`, `passwords.yml` or the inventory end `aio plan` at once
//! with an error naming the file; a saved plan whose topology became a link
//! to `/dev/zero` is refused by `aio show`. A world-writable config dir and
//! a config dir that is a symlink are refused by the plan: no file is
//! written, in the config dir or where the link points, and no link is made.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aio_sandbox::files_under;
use common::{Sandbox, command, poll};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Generous: the machine may be busy. A run that reads without end or
/// waits on a FIFO never ends at all.
const LIMIT: Duration = Duration::from_secs(120);

/// The address space aio is given, in bytes (1.5 GiB; `prlimit` takes no
/// suffix): plenty for its own work (its threads' stacks and allocator
/// arenas are reserved, not used), far from what copying every alias of a
/// bomb or reading `/dev/zero` without end takes.
const ADDRESS_SPACE: u64 = 3 << 29;

/// How a run ended: its exit code (`None` when a signal ended it) and what
/// it said on stderr.
struct Ended {
    code: Option<i32>,
    stderr: String,
}

/// `aio` as `prlimit` runs it, in [`ADDRESS_SPACE`].
fn limited(aio: &Command) -> Command {
    let mut limited = Command::new("prlimit");
    limited
        .arg(format!("--as={ADDRESS_SPACE}"))
        .arg("--")
        .arg(aio.get_program())
        .args(aio.get_args());
    for (key, value) in aio.get_envs() {
        match value {
            Some(value) => limited.env(key, value),
            None => limited.env_remove(key),
        };
    }
    limited
}

/// Runs `aio` in [`ADDRESS_SPACE`] (what reads without end runs out of
/// memory there, not on the machine), its output in files (a full pipe
/// cannot stall it), killing it and failing if it still runs after
/// [`LIMIT`].
fn finish(aio: Command, dir: &Path, what: &str) -> Ended {
    let out = dir.join("aio.out");
    let err = dir.join("aio.err");
    let mut child: Child = limited(&aio)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let ended = poll::within(LIMIT, || child.try_wait().unwrap().is_some());
    if !ended {
        let _ = child.kill();
        let _ = child.wait();
    }
    let stderr = std::fs::read_to_string(&err).unwrap();
    assert!(ended, "{what} still ran after {LIMIT:?}; it said: {stderr}");
    let code = child.wait().unwrap().code();
    Ended { code, stderr }
}

/// A sandbox whose reference topology points at a stand-in venv in its temp
/// dir (its version fits the requirement, and it ships the all-in-one
/// inventory), so nothing here installs or reads the real one.
struct Host {
    sb: Sandbox,
    topology: PathBuf,
    config: PathBuf,
}

impl Host {
    fn new() -> Host {
        let sb = Sandbox::new();
        let venv = sb.state.path().join("venv");
        let site = venv.join("lib/python3/site-packages/kolla_ansible-20.1.0.dist-info");
        std::fs::create_dir_all(site).unwrap();
        let inventory = venv.join("share/kolla-ansible/ansible/inventory");
        std::fs::create_dir_all(&inventory).unwrap();
        std::fs::write(
            inventory.join("all-in-one"),
            "[control]\nlocalhost ansible_connection=local\n",
        )
        .unwrap();
        let text = std::fs::read_to_string(sb.reference())
            .unwrap()
            .replace(aio_sandbox::KOLLA_VENV, &venv.display().to_string());
        let topology = sb.topology("reference.toml", &text);
        let config = sb.state.path().join("kolla-etc");
        Host {
            sb,
            topology,
            config,
        }
    }

    /// `aio COMMAND` against the sandbox, to run with [`finish`].
    fn aio(&self, command: &str, extra: &[&str]) -> Command {
        self.sb.command(command, &self.topology, extra)
    }

    /// A file in the config dir, which is made (0750) if missing.
    fn config_file(&self, name: &str) -> PathBuf {
        std::fs::create_dir_all(&self.config).unwrap();
        std::fs::set_permissions(&self.config, std::fs::Permissions::from_mode(0o750)).unwrap();
        self.config.join(name)
    }

    /// `aio plan` run to its end, within [`LIMIT`].
    fn plan(&self, what: &str) -> Ended {
        finish(self.aio("plan", &[]), self.sb.state.path(), what)
    }
}

fn mkfifo(path: &Path) {
    let out = Command::new("mkfifo").arg(path).output().unwrap();
    assert!(out.status.success(), "mkfifo {}", path.display());
}

/// Asserts that a run ended with aio's error exit (1, not a signal nor a
/// success) and that its error names `path` and says `why`.
fn refused(ended: &Ended, path: &Path, why: &str) {
    assert_eq!(
        ended.code,
        Some(1),
        "aio did not end with its error exit; it said: {}",
        ended.stderr
    );
    let shown = path.display().to_string();
    assert!(
        ended.stderr.contains(&shown) && ended.stderr.contains(why),
        "the error does not name {shown} and say `{why}`: {}",
        ended.stderr
    );
}

/// A "billion laughs": nine aliases a level, nine levels, each of which
/// yaml-rust2 would copy (387 420 489 strings).
fn alias_bomb() -> String {
    let mut text = "---\na0: &a0 [\"lol\"]\n".to_string();
    for i in 1..=9 {
        let refs = vec![format!("*a{}", i - 1); 9].join(",");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    text
}

#[test]
fn an_alias_bomb_as_globals_yml_is_refused_in_bounded_memory() {
    let host = Host::new();
    let globals = host.config_file("globals.yml");
    let bomb = alias_bomb();
    assert!(bomb.len() < 500, "{} bytes", bomb.len());
    std::fs::write(&globals, bomb).unwrap();
    let ended = host.plan("aio plan with an alias bomb");
    refused(&ended, &globals, "aliases would copy more than");
}

#[test]
fn globals_yml_as_a_link_to_dev_zero_is_refused_at_once() {
    let host = Host::new();
    let globals = host.config_file("globals.yml");
    symlink("/dev/zero", &globals).unwrap();
    let ended = host.plan("aio plan with globals.yml a link to /dev/zero");
    refused(&ended, &globals, "a character device, not a regular file");
}

#[test]
fn a_fifo_as_globals_yml_or_passwords_yml_does_not_hang_plan() {
    let host = Host::new();
    for name in ["globals.yml", "passwords.yml"] {
        let fifo = host.config_file(name);
        mkfifo(&fifo);
        let ended = host.plan(&format!("aio plan with {name} a FIFO"));
        refused(&ended, &fifo, "a FIFO, not a regular file");
        std::fs::remove_file(&fifo).unwrap();
    }
}

#[test]
fn a_fifo_as_the_inventory_does_not_hang_plan() {
    let host = Host::new();
    let fifo = host.sb.state.path().join("multinode");
    mkfifo(&fifo);
    let text = std::fs::read_to_string(&host.topology).unwrap().replace(
        "[kolla]\n",
        &format!("[kolla]\ninventory = \"{}\"\n", fifo.display()),
    );
    std::fs::write(&host.topology, text).unwrap();
    let ended = host.plan("aio plan with the inventory a FIFO");
    refused(&ended, &fifo, "a FIFO, not a regular file");
}

#[test]
fn a_saved_plans_topology_turned_into_a_link_to_dev_zero_is_refused_by_show() {
    let host = Host::new();
    let saved = host.sb.state.path().join("saved.json");
    let ended = finish(
        host.aio("plan", &["--out", &saved.display().to_string()]),
        host.sb.state.path(),
        "aio plan --out",
    );
    assert_eq!(ended.code, Some(0), "{}", ended.stderr);
    std::fs::remove_file(&host.topology).unwrap();
    symlink("/dev/zero", &host.topology).unwrap();
    let mut show = command(&["show"]);
    show.arg(&saved);
    let ended = finish(show, host.sb.state.path(), "aio show of the saved plan");
    refused(
        &ended,
        &host.topology,
        "a character device, not a regular file",
    );
}

/// `aio apply --yes` is refused with `why`, and nothing is written: not in
/// `written` (the config dir, or where it points), not Kolla's record in
/// the state dir, and no link in the sandbox.
fn apply_writes_nothing(host: &Host, written: &Path, why: &str) {
    let links = host.sb.everything();
    let ended = finish(
        host.aio("apply", &["--yes"]),
        host.sb.state.path(),
        "aio apply",
    );
    assert_eq!(ended.code, Some(1), "{}", ended.stderr);
    assert!(ended.stderr.contains(why), "{}", ended.stderr);
    assert_eq!(
        files_under(written),
        Vec::<PathBuf>::new(),
        "{}",
        ended.stderr
    );
    let kolla_record = host.sb.state.path().join("kolla");
    assert!(
        !kolla_record.exists(),
        "{} was made",
        kolla_record.display()
    );
    assert_eq!(host.sb.everything(), links, "the apply changed the sandbox");
}

#[test]
fn a_world_writable_config_dir_is_refused_before_anything_is_written() {
    let host = Host::new();
    std::fs::create_dir(&host.config).unwrap();
    std::fs::set_permissions(&host.config, std::fs::Permissions::from_mode(0o777)).unwrap();
    apply_writes_nothing(&host, &host.config, "world-writable");
}

#[test]
fn a_config_dir_that_is_a_symlink_is_refused_and_nothing_lands_where_it_points() {
    let host = Host::new();
    let target = host.sb.state.path().join("elsewhere");
    std::fs::create_dir(&target).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o750)).unwrap();
    symlink(&target, &host.config).unwrap();
    apply_writes_nothing(&host, &target, "symbolic link");
}
