//! A private MariaDB: Debian's `mariadbd` on a datadir of the run's own,
//! no TCP (`--skip-networking`), its unix socket, pid file and error log
//! next to the datadir, run as root. `root@localhost` has an empty password
//! ([`install_datadir`] uses `--auth-root-authentication-method=normal`):
//! only root can reach the socket, in a root-only directory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::daemon::Daemon;
use crate::poll;

pub const MARIADBD: &str = "/usr/sbin/mariadbd";
const INSTALL_DB: &str = "/usr/bin/mariadb-install-db";
const CLIENT: &str = "/usr/bin/mariadb";

/// How long a clean shutdown may take before SIGKILL.
const SHUTDOWN: Duration = Duration::from_secs(30);

pub(crate) struct Mariadb {
    daemon: Option<Daemon>,
    /// Holds `datadir/`, `mysqld.sock`, `mysqld.pid`, `mysqld.err`.
    dir: PathBuf,
    ns: String,
}

/// A fresh datadir at `dir/datadir` (system tables only).
pub(crate) fn install_datadir(dir: &Path) -> Result<(), String> {
    let datadir = dir.join("datadir");
    let out = Command::new(INSTALL_DB)
        .arg("--no-defaults")
        .arg(format!("--datadir={}", datadir.display()))
        .args(["--user=root", "--auth-root-authentication-method=normal"])
        .args(["--skip-test-db", "--skip-name-resolve"])
        .args(server_tuning())
        .output()
        .map_err(|e| format!("{INSTALL_DB} (package mariadb-server): {e}"))?;
    match out.status.success() {
        true => Ok(()),
        false => Err(format!(
            "mariadb-install-db: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )),
    }
}

/// What every start passes, install included: Kolla's character set, and a
/// small, fast database for a test (no doublewrite, no flush per commit:
/// a crash may lose the last second, a clean stop loses nothing).
fn server_tuning() -> [&'static str; 7] {
    [
        "--character-set-server=utf8mb3",
        "--collation-server=utf8mb3_general_ci",
        "--innodb-buffer-pool-size=64M",
        "--innodb-log-file-size=16M",
        "--innodb-doublewrite=0",
        "--innodb-flush-log-at-trx-commit=0",
        "--skip-log-bin",
    ]
}

impl Mariadb {
    /// Starts `mariadbd` on `dir/datadir` in namespace `ns`; returns once it
    /// answers on its socket.
    pub(crate) fn start(ns: &str, dir: &Path) -> Result<Mariadb, String> {
        let mut db = Mariadb::stopped(ns, dir);
        db.start_again()?;
        Ok(db)
    }

    /// The database at `dir/datadir`, not running yet.
    pub(crate) fn stopped(ns: &str, dir: &Path) -> Mariadb {
        Mariadb {
            daemon: None,
            dir: dir.to_path_buf(),
            ns: ns.to_string(),
        }
    }

    pub(crate) fn socket(&self) -> PathBuf {
        self.dir.join("mysqld.sock")
    }

    /// The SQLAlchemy URL of database `name`, as root over the socket.
    pub(crate) fn url(&self, name: &str) -> String {
        format!(
            "mysql+pymysql://root@localhost/{name}?unix_socket={}&charset=utf8",
            self.socket().display()
        )
    }

    pub(crate) fn start_again(&mut self) -> Result<(), String> {
        if self.daemon.is_some() {
            return Err("MariaDB runs already".into());
        }
        let at = |name: &str| self.dir.join(name).display().to_string();
        let _ = std::fs::remove_file(self.socket());
        let mut args = vec![
            "--no-defaults".to_string(),
            format!("--datadir={}", at("datadir")),
            format!("--socket={}", at("mysqld.sock")),
            format!("--pid-file={}", at("mysqld.pid")),
            format!("--log-error={}", at("mysqld.err")),
            format!("--tmpdir={}", self.dir.display()),
            "--skip-networking".to_string(),
            "--skip-name-resolve".to_string(),
            "--user=root".to_string(),
        ];
        args.extend(server_tuning().map(str::to_string));
        let daemon = Daemon::spawn(
            "mariadbd",
            &self.ns,
            Path::new(MARIADBD),
            &args,
            &[],
            self.dir.join("mysqld.out"),
        )?;
        self.daemon = Some(daemon);
        let started = Instant::now();
        let socket = self.socket();
        let ready = poll::within(Duration::from_secs(60), || {
            crate::ovs::listens(&socket) || !self.daemon.as_mut().is_some_and(Daemon::alive)
        });
        if !ready || !self.daemon.as_mut().is_some_and(Daemon::alive) {
            let log = self.logs();
            self.stop();
            return Err(format!(
                "mariadbd did not answer on its socket within {:?}:\n{log}",
                started.elapsed()
            ));
        }
        Ok(())
    }

    /// Runs SQL `statements` as root through the `mariadb` client.
    pub(crate) fn sql(&self, statements: &str) -> Result<String, String> {
        let out = Command::new(CLIENT)
            .arg("--no-defaults")
            .arg(format!("--socket={}", self.socket().display()))
            .args(["--user=root", "--batch", "--skip-column-names", "-e"])
            .arg(statements)
            .output()
            .map_err(|e| format!("{CLIENT}: {e}"))?;
        match out.status.success() {
            true => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
            false => Err(format!(
                "mariadb -e {statements:?}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )),
        }
    }

    /// A clean shutdown (SIGTERM; SIGKILL after 30 s); the datadir stays.
    pub(crate) fn stop(&mut self) {
        if let Some(mut daemon) = self.daemon.take() {
            daemon.stop(SHUTDOWN);
        }
    }

    pub(crate) fn daemon(&self) -> Option<&Daemon> {
        self.daemon.as_ref()
    }

    pub(crate) fn logs(&self) -> String {
        let mut out = String::from("--- mysqld.err\n");
        out += &super::daemon::tail(&self.dir.join("mysqld.err"), 20);
        out
    }
}

impl Drop for Mariadb {
    fn drop(&mut self) {
        self.stop();
    }
}
