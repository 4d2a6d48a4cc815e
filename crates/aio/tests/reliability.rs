//! One writer at a time, saved plans, verification, rollback, destroy,
//! hostile input and failing surroundings: each ends in a clear error or a
//! converged system, never in a half-changed one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Sandbox, change, command, said, stderr, stdout};
use std::path::Path;
use std::process::{Command, Output};

/// `aio apply --yes PLAN EXTRA`: a saved plan applied.
fn apply_saved(plan: &Path, extra: &[&str]) -> Output {
    command(&["apply", "--yes"])
        .arg(plan)
        .args(extra)
        .output()
        .unwrap()
}

/// What aio may change in the sandbox, as `ip`, `nft` and OVSDB show it.
fn snapshot(sb: &Sandbox) -> String {
    let ports = sb.ovsdb.vsctl(&[
        "--format=json",
        "--columns=name,tag,external_ids",
        "list",
        "port",
    ]);
    format!(
        "{}\n{}\n{ports}",
        sb.everything(),
        sb.nft("-j list ruleset")
    )
}

#[test]
fn concurrent_applies_take_turns_and_converge_without_duplicates() {
    let sb = Sandbox::new();
    let t = sb.reference();
    // All at once: some wait their turn, some give up naming the holder.
    let children: Vec<_> = (0..8)
        .map(|_| {
            sb.command("apply", &t, &["--yes", "--lock-timeout", "0.2"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let err = stderr(&out);
        assert!(
            out.status.success()
                || (out.status.code() == Some(1) && err.contains("another aio (pid")),
            "{err}"
        );
    }
    assert_eq!(sb.plan(&t), vec![]);
    assert_eq!(sb.nft("list ruleset").matches("masquerade").count(), 1);
    assert_eq!(
        sb.ovsdb
            .vsctl(&["list-ports", "br-ex"])
            .lines()
            .filter(|p| *p == "v-lbaas-vlan")
            .count(),
        1
    );
}

#[test]
fn a_saved_plan_applies_as_made_and_a_stale_one_is_refused() {
    let sb = Sandbox::new();
    let t = sb.reference();
    let saved = sb.state.path().join("plan.json");
    let out = sb.aio("plan", &t, &["--out", saved.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The system changes under the plan: it no longer says what apply would do.
    sb.ip(&["link", "add", "dummy1", "type", "bridge"]);
    let before = snapshot(&sb);
    let stale = apply_saved(&saved, &[]);
    assert_eq!(stale.status.code(), Some(1));
    assert!(
        stderr(&stale).contains("the system changed since"),
        "{}",
        stderr(&stale)
    );
    assert_eq!(snapshot(&sb), before, "a refused plan changed something");

    sb.ip(&["link", "del", "dummy1"]);
    let out = sb.aio("plan", &t, &["--out", saved.to_str().unwrap()]);
    assert!(out.status.success());
    let fresh = apply_saved(&saved, &[]);
    assert!(fresh.status.success(), "{}", stderr(&fresh));
    assert_eq!(sb.plan(&t), vec![]);
}

#[test]
fn a_change_the_kernel_silently_did_not_take_fails_verification_naming_it() {
    let sb = Sandbox::new();
    // The kernel answers "ok" to a group range whose start is above its end,
    // and keeps "1 0" (nobody may ping).
    let t = sb.topology(
        "ping.toml",
        "version = 1\n[sysctl]\n\"net.ipv4.ping_group_range\" = \"5 2\"\n",
    );
    let out = sb.aio("apply", &t, &["--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("did not converge")
            && err.contains("sysctl/net.ipv4.ping_group_range  value: 1 0 -> 5 2"),
        "{err}"
    );
}

#[test]
fn a_failed_apply_rolls_back_the_links_it_made() {
    let sb = Sandbox::new();
    let before = snapshot(&sb);
    // A port range whose start is above its end: the kernel refuses it after the links were made.
    let t = sb.topology(
        "bad.toml",
        "version = 1\n[interfaces.br9]\ntype = \"bridge\"\naddresses = [\"10.9.0.1/24\"]\n[interfaces.v9]\ntype = \"veth\"\npeer = \"v9p\"\nmaster = \"br9\"\n\
         [sysctl]\n\"net.ipv4.ip_local_port_range\" = \"60000 1000\"\n",
    );
    let out = sb.aio("apply", &t, &["--yes"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("rolled back: link/br9"), "{err}");
    assert_eq!(snapshot(&sb), before, "the rollback left something behind");
    let out = sb.aio("apply", &t, &["--yes", "--no-rollback"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        sb.links().contains_key("br9"),
        "--no-rollback undid the links"
    );
}

#[test]
fn destroy_leaves_the_sandbox_as_it_was_before_the_first_apply() {
    let sb = Sandbox::new();
    let t = sb.reference();
    let before = snapshot(&sb);
    sb.apply(&t);
    assert_ne!(snapshot(&sb), before);
    let out = sb.aio("destroy", &t, &["--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(snapshot(&sb), before);
    let again = sb.aio("destroy", &t, &["--yes"]);
    assert!(
        again.status.success(),
        "a second destroy: {}",
        stderr(&again)
    );
    assert!(
        sb.ovsdb.vsctl(&["list-br"]).contains("br-ex"),
        "Kolla's bridge was deleted"
    );
}

#[test]
fn hostile_files_are_rejected_with_a_location_and_change_nothing() {
    let sb = Sandbox::new();
    let dir = sb.state.path();
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "nested.toml",
            format!(
                "version = 1\nx = {}{}\n",
                "[".repeat(100_000),
                "]".repeat(100_000)
            )
            .into_bytes(),
        ),
        (
            "garbage.toml",
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
                .collect(),
        ),
        (
            "huge.toml",
            [b"version = 1\n".as_slice(), &vec![b'#'; 50 << 20]].concat(),
        ),
        (
            "long-name.toml",
            "version = 1\n[interfaces.\"ééééééééé\"]\ntype = \"bridge\"\n"
                .as_bytes()
                .to_vec(),
        ),
    ];
    let before = snapshot(&sb);
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = sb.aio("plan", &path, &[]);
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{name}: {}",
            &err[..err.len().min(400)]
        );
        assert!(!err.contains("panicked"), "{name}");
        assert!(
            err.contains(&format!("{}:", path.display())),
            "{name} is not located: {}",
            &err[..err.len().min(400)]
        );
        assert!(err.len() < 4000, "{name}: {} bytes of error", err.len());
    }
    assert_eq!(snapshot(&sb), before);
}

#[test]
fn failing_surroundings_give_one_line_errors() {
    let sb = Sandbox::new();
    let t = sb.reference();
    // No nft on PATH.
    let out = sb
        .command("plan", &t, &[])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot run nft (is nftables installed?)"),
        "{}",
        stderr(&out)
    );

    // Not root.
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_aio"))
        .args(["plan", "-f"])
        .arg(&t)
        .args(["--netns", &sb.ns, "--state-dir", "/tmp/aio-not-root"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("root") && err.lines().count() <= 2, "{err}");

    // A read-only state dir, in a private mount namespace.
    let state = sb.state.path().join("ro");
    std::fs::create_dir_all(&state).unwrap();
    let script = format!(
        "mount -t tmpfs -o ro,mode=0700 tmpfs {s} && exec {aio} apply --yes -f {t} --netns {ns} --state-dir {s}",
        s = state.display(),
        aio = env!("CARGO_BIN_EXE_aio"),
        t = t.display(),
        ns = sb.ns
    );
    let before = snapshot(&sb);
    let out = Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &script])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("Read-only file system") && err.contains(&state.display().to_string()),
        "{err}"
    );
    assert_eq!(
        snapshot(&sb),
        before,
        "a read-only state dir let apply change the system"
    );
    assert_eq!(sb.plan(&t).first(), Some(&change("link/dummy1", "create")));
}

#[test]
fn a_saved_plan_is_verified_not_trusted() {
    let sb = Sandbox::new();
    let t = sb.topology(
        "t.toml",
        "version = 1\n[interfaces.dummy1]\ntype = \"bridge\"\n[interfaces.dummy2]\ntype = \"bridge\"\n",
    );
    let saved = sb.state.path().join("plan.json");
    let out = sb.aio("plan", &t, &["--out", saved.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let original: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&saved).unwrap()).unwrap();
    let apply = |doc: &serde_json::Value, extra: &[&str]| {
        let forged = sb.state.path().join("forged.json");
        std::fs::write(&forged, serde_json::to_vec(doc).unwrap()).unwrap();
        apply_saved(&forged, extra)
    };
    let before = snapshot(&sb);

    let mut bogus = original.clone();
    bogus["plan"]["changes"][0]["provider"] = "bogus".into();
    let mut twice = original.clone();
    let first = twice["plan"]["changes"][0].clone();
    twice["plan"]["changes"].as_array_mut().unwrap().push(first);
    let mut action = original.clone();
    action["plan"]["changes"][0]["action"] = "explode".into();
    for (what, doc) in [
        ("bogus provider", bogus),
        ("a change twice", twice),
        ("unknown action", action),
    ] {
        let out = apply(&doc, &[]);
        assert_eq!(out.status.code(), Some(1), "{what}: {}", stderr(&out));
        assert_eq!(snapshot(&sb), before, "{what} changed the system");
    }
    let elsewhere = sb.state.path().join("elsewhere");
    for extra in [
        vec!["--state-dir", elsewhere.to_str().unwrap()],
        vec!["-f", "/etc/hostname"],
    ] {
        let out = apply(&original, &extra);
        assert_eq!(out.status.code(), Some(1), "{extra:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("was made for"), "{}", stderr(&out));
    }
    assert_eq!(snapshot(&sb), before);

    // Forged facts and descriptions refuse the plan, and are never shown.
    let mut forged = original.clone();
    forged["plan"]["facts"]["uplink"] = "FORGED-UPLINK".into();
    forged["plan"]["changes"][0]["detail"] = "FORGED-DETAIL".into();
    let out = apply(&forged, &[]);
    let shown = said(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(!shown.contains("FORGED"), "{shown}");
    assert_eq!(snapshot(&sb), before, "a forged plan changed the system");
    let out = apply(&original, &[]);
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(sb.plan(&t), vec![]);
}

#[test]
fn an_apply_the_kernel_refuses_names_the_resource_its_line_and_the_kernel_s_words() {
    let sb = Sandbox::new();
    let t = sb.topology(
        "ttl.toml",
        "version = 1\n[interfaces.dummy1]\ntype = \"bridge\"\n[sysctl]\n\"net.ipv4.ip_default_ttl\" = \"many\"\n",
    );
    let out = sb.aio("apply", &t, &["--yes"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("{}:5:1: apply failed", t.display()))
            && err.contains("sysctl/net.ipv4.ip_default_ttl")
            && err.contains("Invalid argument"),
        "{err}"
    );
}
