//! `aio adopt` and masquerade rules on a messy host: only the old
//! installer's exact rule (`-A POSTROUTING -s 10.0.2.0/24 -o eth0 -j
//! MASQUERADE`) is taken over; every other masquerade rule is shown and
//! left as it was; the host never stops masquerading, even when a step
//! fails, and the report counts what was applied. Proven with the real
//! iptables-legacy, iptables-nft and nft in the sandbox's namespace, and by
//! a guest's traffic to the upstream router.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use aio_sandbox::Guest;
use common::{Sandbox, poll, said, stdout, topology};

/// The installer's rule, as iptables-save prints it.
const INSTALLERS: &str = "-A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE";
const NAT: &str = "nat/eth0/10.0.2.0/24";

/// `PROGRAM -t nat ARGS` (`iptables-legacy`, `iptables-nft`) in the namespace.
fn iptables(sb: &Sandbox, program: &str, args: &str) {
    let args: Vec<&str> = [program, "-t", "nat"]
        .into_iter()
        .chain(args.split_whitespace())
        .collect();
    sb.exec_ok(&args);
}

/// The `-A` lines of `PROGRAM -t nat` (`iptables-legacy-save`, `iptables-nft-save`).
fn saved(sb: &Sandbox, program: &str) -> Vec<String> {
    sb.exec_ok(&[program, "-t", "nat"])
        .lines()
        .filter(|l| l.starts_with("-A"))
        .map(str::to_string)
        .collect()
}

/// A host the installer half built: dummy1 with its address, forwarding
/// on, and a guest behind dummy1 whose default route is dummy1. No NAT yet.
fn host() -> (Sandbox, PathBuf, Guest) {
    let sb = Sandbox::new();
    let t = sb.topology("nat.toml", &topology::nat());
    sb.exec_ok(&["ip", "link", "add", "dummy1", "type", "bridge"]);
    sb.exec_ok(&["ip", "link", "set", "dummy1", "up"]);
    sb.exec_ok(&["ip", "addr", "add", "10.0.2.2/24", "dev", "dummy1"]);
    sb.exec_ok(&["sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"]);
    let vm = sb
        .host
        .guest("vm0", Some("dummy1"), "10.0.2.50/24", Some("10.0.2.2"));
    assert!(
        poll::within(Duration::from_secs(20), || vm.pings("10.0.2.2")),
        "the guest cannot reach dummy1"
    );
    (sb, t, vm)
}

/// `aio adopt --yes`, boot units looked for in an empty root.
fn adopt(sb: &Sandbox, t: &Path, env: &[(&str, &str)]) -> Output {
    let root = tempfile::tempdir().unwrap();
    sb.aio_with(
        env,
        "adopt",
        t,
        &["--yes", "--root", root.path().to_str().unwrap()],
    )
}

/// Whether the guest reaches the upstream router, which only masqueraded
/// traffic can (retried for a while: a loaded machine may drop one ping).
fn masqueraded(vm: &Guest) -> bool {
    poll::within(Duration::from_secs(20), || vm.pings(aio_sandbox::GATEWAY))
}

/// aio's masquerade rules in its own table.
fn aios_rules(sb: &Sandbox) -> usize {
    let out = sb.host.exec(&["nft", "list", "table", "ip", "aio"]);
    stdout(&out)
        .lines()
        .filter(|l| l.contains("masquerade") && l.contains("aio:nat/eth0/10.0.2.0/24"))
        .count()
}

#[test]
fn the_installers_legacy_rule_is_replaced_and_a_port_80_rule_beside_it_is_left_alone() {
    let (sb, t, vm) = host();
    let port_80 = "-A POSTROUTING -s 10.0.2.0/24 -o eth0 -p tcp -m tcp --dport 80 -j MASQUERADE";
    iptables(&sb, "iptables-legacy", INSTALLERS);
    iptables(
        &sb,
        "iptables-legacy",
        "-A POSTROUTING -s 10.0.2.0/24 -o eth0 -p tcp --dport 80 -j MASQUERADE",
    );
    assert_eq!(saved(&sb, "iptables-legacy-save"), [INSTALLERS, port_80]);
    assert!(
        masqueraded(&vm),
        "the installer's rule does not masquerade: the test proves nothing"
    );

    let out = adopt(&sb, &t, &[]);
    let shown = said(&out);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains(&format!(
            "- iptables-legacy/nat/POSTROUTING/1\n      taken over by {NAT}"
        )),
        "{shown}"
    );
    assert!(
        shown.contains(&format!(
            "note: iptables-legacy/nat/POSTROUTING/2 looks like what {NAT} declares, but it reads `{port_80}`"
        )),
        "{shown}"
    );
    assert!(!shown.contains("duplicate"), "{shown}");

    // The port-80 rule is as it was, aio's rule took the installer's place,
    // and the guest's traffic is still masqueraded.
    assert_eq!(saved(&sb, "iptables-legacy-save"), [port_80]);
    assert_eq!(aios_rules(&sb), 1);
    assert!(masqueraded(&vm), "NAT was taken away");
    assert!(sb.plan(&t).is_empty(), "{}", sb.plan_text(&t));
}

#[test]
fn masquerade_rules_that_are_not_exactly_the_installers_are_shown_and_never_touched() {
    let (sb, t, _vm) = host();
    for (program, rules) in [
        // A negated source, a target option, a chain of its own reached by a jump.
        (
            "iptables-legacy",
            &[
                "-A POSTROUTING ! -s 10.0.2.0/24 -o eth0 -j MASQUERADE",
                "-A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE --random",
                "-N MINE",
                "-A POSTROUTING -j MINE",
                "-A MINE -s 10.0.2.0/24 -o eth0 -j MASQUERADE",
            ][..],
        ),
        // A target option nft's JSON does not show, a chain of its own.
        (
            "iptables-nft",
            &[
                "-A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE --random",
                "-N THEIRS",
                "-A POSTROUTING -j THEIRS",
                "-A THEIRS -s 10.0.2.0/24 -o eth0 -j MASQUERADE",
            ],
        ),
    ] {
        for rule in rules {
            iptables(&sb, program, rule);
        }
    }
    // nftables: the operator's own table.
    sb.nft("add table inet fw");
    sb.exec_ok(&[
        "nft",
        "add chain inet fw post { type nat hook postrouting priority 100 ; }",
    ]);
    sb.nft("add rule inet fw post ip saddr 10.0.2.0/24 oifname eth0 masquerade");
    let legacy = saved(&sb, "iptables-legacy-save");
    let nft_side = saved(&sb, "iptables-nft-save");
    let fw = sb.nft("list table inet fw");

    // The plan notes none of them as adoptable.
    let plan = sb.plan_text(&t);
    assert!(
        !plan.lines().any(
            |l| (l.contains("iptables-legacy/") || l.contains("nft-rule/"))
                && l.contains("takes it over")
        ),
        "{plan}"
    );
    let out = adopt(&sb, &t, &[]);
    let shown = said(&out);
    assert!(out.status.success(), "{shown}");
    for rule in [
        "iptables-legacy/nat/POSTROUTING/1",
        "iptables-legacy/nat/POSTROUTING/2",
        "iptables-legacy/nat/MINE/1",
        "nft-rule/inet/fw/post/",
        "nft-rule/ip/nat/POSTROUTING/",
        "nft-rule/ip/nat/THEIRS/",
    ] {
        let line = shown
            .lines()
            .find(|l| l.contains(rule))
            .unwrap_or_else(|| panic!("{rule} is not shown:\n{shown}"));
        assert!(
            line.contains(&format!("note: {rule}")) && line.ends_with("aio leaves it alone"),
            "{line}"
        );
    }
    assert!(
        shown.contains(
            "it reads `-A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE --random`, not exactly the old installer's"
        ),
        "{shown}"
    );
    assert!(!shown.contains("taken over"), "{shown}");
    assert!(!shown.contains("duplicate"), "{shown}");
    assert_eq!(saved(&sb, "iptables-legacy-save"), legacy);
    assert_eq!(saved(&sb, "iptables-nft-save"), nft_side);
    assert_eq!(sb.nft("list table inet fw"), fw);
    assert_eq!(aios_rules(&sb), 0, "adopt made a rule it did not take over");
}

#[test]
fn when_deleting_the_old_rule_fails_the_host_keeps_masquerading_and_the_count_is_true() {
    let (sb, t, vm) = host();
    // dummy1 is aio's already: the plan is the NAT takeover alone.
    let bare = sb.topology(
        "bare.toml",
        topology::nat().split("[[nat]]").next().unwrap(),
    );
    let out = adopt(&sb, &bare, &[]);
    assert!(out.status.success(), "{}", said(&out));
    iptables(&sb, "iptables-legacy", INSTALLERS);
    // iptables-legacy-restore, which deletes the old rules, fails.
    let fake = tempfile::tempdir().unwrap();
    let restore = fake.path().join("iptables-legacy-restore");
    std::fs::write(
        &restore,
        "#!/bin/sh\necho 'iptables-restore: line 2 failed' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&restore, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        fake.path().display(),
        std::env::var("PATH").unwrap()
    );

    let out = adopt(&sb, &t, &[("PATH", &path)]);
    let shown = said(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    // Every change of the plan but the failed deletion was applied.
    let planned = stdout(&out)
        .lines()
        .filter(|l| l.starts_with("  = ") || l.starts_with("  - "))
        .count();
    assert_eq!(planned, 2, "{shown}");
    assert!(
        shown.contains(&format!(
            "iptables-legacy/nat/POSTROUTING/1 failed after {} change(s) were applied",
            planned - 1
        )),
        "{shown}"
    );
    assert!(shown.contains("traffic is still masqueraded"), "{shown}");
    assert!(
        shown.contains(&format!(
            "(applied: {NAT}; not applied: iptables-legacy/nat/POSTROUTING/1)"
        )),
        "{shown}"
    );
    // What the report says: aio's rule is made, the old one is still there.
    assert_eq!(aios_rules(&sb), 1);
    assert_eq!(saved(&sb, "iptables-legacy-save"), [INSTALLERS]);
    assert!(masqueraded(&vm), "NAT was taken away");

    // Once deleting works, adopt finishes: the old rule goes as a duplicate.
    let out = adopt(&sb, &t, &[]);
    let shown = said(&out);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains(&format!(
            "- iptables-legacy/nat/POSTROUTING/1\n      duplicate of {NAT}"
        )),
        "{shown}"
    );
    assert!(saved(&sb, "iptables-legacy-save").is_empty());
    assert_eq!(aios_rules(&sb), 1);
    assert!(masqueraded(&vm), "NAT was taken away");
}
