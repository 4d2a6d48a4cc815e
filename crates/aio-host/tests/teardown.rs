//! `aio destroy --kolla-ansible-destroy` through the families: Kolla's
//! teardown is put to the caller's confirmation, with what it removes and
//! what to type back (the config dir); refused, nothing runs; confirmed,
//! `kolla-ansible destroy` runs once. A topology without `[kolla]` has no
//! teardown and is never asked about.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use aio_family::Teardown;
use aio_host::{Host, HostError, Target};
use aio_sandbox::Sandbox;

fn topology(dir: &Path, kolla: bool) -> String {
    let mut text = String::from("version = 1\n[host]\nuplink = \"auto\"\n");
    if kolla {
        text.push_str(&format!(
            "\n[kolla]\nvip = \"192.0.2.250\"\nvenv = \"{0}/venv\"\nconfig_dir = \"{0}/etc\"\nactions = []\n",
            dir.display()
        ));
    }
    text
}

async fn open(sb: &Sandbox, dir: &Path, kolla: bool) -> Host {
    let file = dir.join(if kolla { "kolla.toml" } else { "bare.toml" });
    std::fs::write(&file, topology(dir, kolla)).unwrap();
    Host::open(Target {
        file,
        netns: Some(sb.ns.clone()),
        state_dir: dir.join("state"),
        reruns: Vec::new(),
        targets: Vec::new(),
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn kolla_s_teardown_runs_only_once_confirmed_with_the_config_dir() {
    let sb = Sandbox::new(&format!("aio-teardown-{}", std::process::id()));
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls");
    let program = dir.path().join("kolla-ansible-stand-in");
    std::fs::write(
        &program,
        format!("#!/bin/sh\necho \"$*\" >> {}\n", calls.display()),
    )
    .unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    // SAFETY: this test file's only test; nothing else reads the environment concurrently.
    unsafe { std::env::set_var(aio_kolla::PROGRAM_ENV, &program) };

    let bare = open(&sb, dir.path(), false).await;
    let mut asked = 0;
    assert_eq!(
        bare.teardown(&mut |_| {
            asked += 1;
            true
        })
        .unwrap(),
        0
    );
    assert_eq!(asked, 0);

    let host = open(&sb, dir.path(), true).await;
    let mut seen: Option<Teardown> = None;
    let refused = host.teardown(&mut |t| {
        seen = Some(t.clone());
        false
    });
    match refused {
        Err(HostError::Refused(why)) => assert_eq!(why, "kolla-ansible destroy cancelled"),
        other => panic!("{other:?}"),
    }
    let config_dir = dir.path().join("etc").display().to_string();
    assert_eq!(
        seen,
        Some(Teardown {
            name: "kolla-ansible destroy".into(),
            removes: "every OpenStack container and volume".into(),
            confirm_with: config_dir.clone(),
        })
    );
    assert!(!calls.exists(), "it ran though refused");

    assert_eq!(host.teardown(&mut |_| true).unwrap(), 1);
    let ran = std::fs::read_to_string(&calls).unwrap();
    assert_eq!(ran.lines().count(), 1, "{ran}");
    assert!(ran.starts_with("destroy -i "), "{ran}");
    assert!(
        ran.contains(&format!(
            "--configdir {config_dir} --yes-i-really-really-mean-it"
        )),
        "{ran}"
    );
}
