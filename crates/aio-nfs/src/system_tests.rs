use std::os::unix::fs::PermissionsExt;

use super::*;

fn root() -> (tempfile::TempDir, System) {
    let dir = tempfile::tempdir().unwrap();
    let system = System::at_root(dir.path());
    (dir, system)
}

fn write(dir: &tempfile::TempDir, path: &str, text: &str) {
    let at = dir.path().join(path.trim_start_matches('/'));
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::fs::write(at, text).unwrap();
}

#[test]
fn a_stopped_server_is_unavailable_with_the_fix() {
    let (dir, system) = root();
    let error = system.server_running().unwrap_err();
    assert!(
        error.message.contains("systemctl enable --now nfs-server"),
        "{error}"
    );
    write(&dir, NFSD_THREADS, "0\n");
    assert!(system.server_running().is_err());
    write(&dir, NFSD_THREADS, "8\n");
    system.server_running().unwrap();
}

#[test]
fn a_drop_in_aio_did_not_write_is_refused() {
    let (dir, system) = root();
    assert_eq!(system.drop_in().unwrap(), None);
    write(&dir, exports::DROP_IN, "/mnt/nfs *(rw)\n");
    let error = system.drop_in().unwrap_err();
    assert_eq!(error.kind, aio_engine::ErrorKind::Refused, "{error}");
    let mine = exports::render(&["/mnt/nfs 10.0.0.1(rw)".into()]);
    system.write_drop_in(Some(&mine)).unwrap();
    assert_eq!(system.drop_in().unwrap(), Some(mine));
    system.write_drop_in(None).unwrap();
    assert_eq!(system.drop_in().unwrap(), None);
}

#[test]
fn the_export_table_lists_each_paths_clients() {
    let (dir, system) = root();
    write(
        &dir,
        ETAB,
        "/mnt/nfs\t192.0.2.10(rw,sync,wdelay,hide,no_root_squash)\n/mnt/nfs\t10.0.0.0/24(rw)\n/srv\t*(ro)\n",
    );
    let table = system.exported().unwrap();
    let clients: Vec<&str> = table["/mnt/nfs"].iter().map(String::as_str).collect();
    assert_eq!(clients, ["10.0.0.0/24", "192.0.2.10"]);
    assert!(table["/srv"].contains("*"));
}

#[test]
fn a_directory_is_made_through_real_directories_only() {
    let (dir, system) = root();
    let me = unsafe { libc::geteuid() };
    let group = unsafe { libc::getegid() };
    system.make_directory("/mnt/nfs", me, group, 0o777).unwrap();
    let meta = std::fs::metadata(dir.path().join("mnt/nfs")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o777);
    assert_eq!(
        system.directory("/mnt/nfs").unwrap(),
        Some(Found::Directory {
            uid: me,
            gid: group,
            mode: 0o777
        })
    );
    std::os::unix::fs::symlink(dir.path().join("mnt"), dir.path().join("link")).unwrap();
    let error = system
        .make_directory("/link/nfs", me, group, 0o755)
        .unwrap_err();
    assert_eq!(error.kind, aio_engine::ErrorKind::Refused, "{error}");
    assert_eq!(
        system.directory("/link").unwrap(),
        Some(Found::Other("symlink"))
    );
    assert_eq!(system.directory("/nowhere").unwrap(), None);
}

#[test]
fn owners_are_read_by_name_or_number() {
    let (dir, system) = root();
    write(
        &dir,
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\ncinder:x:42407:42407::/:/sbin/nologin\n",
    );
    write(&dir, "/etc/group", "root:x:0:\ncinder:x:42407:\n");
    assert_eq!(system.id_of("cinder", Database::Users).unwrap(), 42407);
    assert_eq!(system.id_of("42407", Database::Users).unwrap(), 42407);
    assert!(system.id_of("nobody-here", Database::Groups).is_err());
    assert_eq!(system.shown_as(42407, "cinder", Database::Users), "cinder");
    assert_eq!(system.shown_as(42407, "42407", Database::Users), "42407");
    assert_eq!(system.shown_as(5, "root", Database::Groups), "5");
}
