//! The database every run starts from, made once per set of inputs and
//! cached beside the venv (`OPENSTACK_VENV/db-KEY/`): a MariaDB datadir
//! holding databases `keystone` and `neutron`, migrated and bootstrapped as
//! Kolla does it, the Fernet keys made then, and the passwords (`passwords`,
//! 0600). KEY hashes the pinned requirements, `mariadbd`'s version and the
//! harness's own bootstrap code, so any change to them makes a new one.
//!
//! Parallel tests take a lock (`db-KEY.lock`, flock) before building; the
//! template is built in `db-KEY.tmp-*` and renamed into place, so a reader
//! never sees half of one.

use std::io::Read;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::mariadb::{self, Mariadb};
use super::settings::{NeutronSettings, OvnEndpoints, REGION, venv_bin};
use super::{client, keystone, server};

/// What the template is made from, besides `mariadbd --version`.
const INPUTS: [&str; 7] = [
    include_str!("../../openstack/requirements.txt"),
    include_str!("../../openstack/upper-constraints-2025.1.txt"),
    include_str!("../../openstack/register_neutron.py"),
    include_str!("template.rs"),
    include_str!("mariadb.rs"),
    include_str!("keystone.rs"),
    include_str!("server.rs"),
];
const REGISTER_NEUTRON: &str = include_str!("../../openstack/register_neutron.py");

/// The passwords of the cloud's users, made with the template.
pub(crate) struct Secrets {
    pub(crate) admin: String,
    pub(crate) neutron: String,
}

pub(crate) struct Template {
    /// Holds `datadir/`, `fernet-keys/` and `passwords`.
    pub(crate) dir: PathBuf,
    pub(crate) secrets: Secrets,
    /// How long building it took, if this call built it.
    pub(crate) built_in: Option<Duration>,
}

/// The cached template, built first (in namespace `ns`) if there is none.
pub(crate) fn ensure(ns: &str) -> Result<Template, String> {
    let root = Path::new(super::settings::OPENSTACK_VENV);
    let key = key()?;
    let dir = root.join(format!("db-{key}"));
    if let Some(template) = load(&dir) {
        return Ok(template);
    }
    let lock_path = root.join(format!("db-{key}.lock"));
    let lock =
        std::fs::File::create(&lock_path).map_err(|e| format!("{}: {e}", lock_path.display()))?;
    // SAFETY: flock on a descriptor this function owns; released when
    // `lock` is closed at the end of the function.
    if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) } != 0 {
        return Err(format!(
            "flock {}: {}",
            lock_path.display(),
            std::io::Error::last_os_error()
        ));
    }
    if let Some(template) = load(&dir) {
        return Ok(template);
    }
    remove_unfinished(root, &key);
    let started = Instant::now();
    let work = tempfile::Builder::new()
        .prefix(&format!("db-{key}.tmp-"))
        .tempdir_in(root)
        .map_err(|e| format!("a directory in {}: {e}", root.display()))?;
    super::settings::make_private(work.path())?;
    build(ns, work.path())?;
    std::fs::rename(work.path(), &dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut template = load(&dir).ok_or_else(|| format!("{} is incomplete", dir.display()))?;
    template.built_in = Some(started.elapsed());
    Ok(template)
}

/// A finished template at `dir`, if there is one.
fn load(dir: &Path) -> Option<Template> {
    let passwords = read_bounded(&dir.join("passwords"))?;
    let get = |user: &str| {
        passwords
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{user} ")))
            .map(str::to_string)
    };
    let secrets = Secrets {
        admin: get("admin")?,
        neutron: get("neutron")?,
    };
    let complete = dir.join("datadir").is_dir() && dir.join("fernet-keys").is_dir();
    complete.then(|| Template {
        dir: dir.to_path_buf(),
        secrets,
        built_in: None,
    })
}

fn read_bounded(path: &Path) -> Option<String> {
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(4096)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// What a build of this key killed half-way left behind (the caller
/// holds the lock). Other keys' templates and every lock file are left
/// alone: another checkout may be using them.
fn remove_unfinished(root: &Path, key: &str) {
    let partial = format!("db-{key}.tmp-");
    for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&partial) && entry.path().is_dir() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn key() -> Result<String, String> {
    let version = Command::new(mariadb::MARIADBD)
        .arg("--version")
        .output()
        .map_err(|e| {
            format!(
                "{} --version (package mariadb-server): {e}",
                mariadb::MARIADBD
            )
        })?;
    let mut hash = Sha256::new();
    for input in INPUTS {
        hash.update(input.len().to_le_bytes());
        hash.update(input);
    }
    hash.update(&version.stdout);
    let digest = hash.finalize();
    Ok(digest[..8].iter().map(|b| format!("{b:02x}")).collect())
}

/// Makes the template in `work`: a fresh datadir, both databases migrated,
/// Keystone bootstrapped, neutron-server registered.
fn build(ns: &str, work: &Path) -> Result<(), String> {
    mariadb::install_datadir(work)?;
    let secrets = Secrets {
        admin: password()?,
        neutron: password()?,
    };
    let scratch = work.join("scratch");
    std::fs::create_dir(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let mut db = Mariadb::start(ns, work)?;
    let with_log = |e: String, db: &Mariadb| format!("{e}\n{}", db.logs());
    db.sql("CREATE DATABASE keystone; CREATE DATABASE neutron;")?;
    let conf = keystone::write_conf(&scratch, &db.url("keystone"))?;
    keystone::manage(&conf, &["db_sync"], &[]).map_err(|e| with_log(e, &db))?;
    let fernet = [
        "fernet_setup",
        "--keystone-user",
        "root",
        "--keystone-group",
        "root",
    ];
    keystone::manage(&conf, &fernet, &[])?;
    keystone::bootstrap(&conf, &secrets.admin)?;
    let clouds_yaml = client::write_clouds_yaml(&scratch, &secrets.admin)?;
    {
        let _keystone = keystone::start(ns, &scratch, &conf).map_err(|e| {
            let log = super::daemon::tail(&scratch.join("keystone.log"), 30);
            format!("{e}\n--- keystone.log\n{log}")
        })?;
        register_neutron(ns, &scratch, &clouds_yaml, &secrets.neutron)?;
    }
    let unused = OvnEndpoints {
        nb: "unix:/nonexistent/nb.sock".into(),
        sb: "unix:/nonexistent/sb.sock".into(),
    };
    let files = server::write_conf(
        &scratch,
        &db.url("neutron"),
        &secrets.neutron,
        &unused,
        &NeutronSettings::default(),
    )?;
    server::migrate(&files).map_err(|e| with_log(e, &db))?;
    db.stop();
    let keys = work.join("fernet-keys");
    std::fs::rename(scratch.join("fernet-keys"), &keys)
        .map_err(|e| format!("{}: {e}", keys.display()))?;
    std::fs::remove_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    for file in ["mysqld.sock", "mysqld.pid", "mysqld.err", "mysqld.out"] {
        let _ = std::fs::remove_file(work.join(file));
    }
    let passwords = format!("admin {}\nneutron {}\n", secrets.admin, secrets.neutron);
    super::settings::write_private(&work.join("passwords"), &passwords)
}

/// `register_neutron.py` with the venv's Python, inside `ns`.
fn register_neutron(
    ns: &str,
    scratch: &Path,
    clouds_yaml: &Path,
    password: &str,
) -> Result<(), String> {
    let script = scratch.join("register_neutron.py");
    std::fs::write(&script, REGISTER_NEUTRON).map_err(|e| format!("{}: {e}", script.display()))?;
    let out = Command::new("ip")
        .args(["netns", "exec", ns])
        .arg(venv_bin("python3"))
        .arg(&script)
        .args([REGION, server::URL])
        .env("OS_CLIENT_CONFIG_FILE", clouds_yaml)
        .env("NEUTRON_PASSWORD", password)
        .output()
        .map_err(|e| format!("register_neutron.py: {e}"))?;
    match out.status.success() {
        true => Ok(()),
        false => Err(format!(
            "register_neutron.py: {}",
            super::daemon::tail_of(
                &String::from_utf8_lossy(&out.stderr).replace(password, "***"),
                30
            )
        )),
    }
}

/// 32 random hex digits.
fn password() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
