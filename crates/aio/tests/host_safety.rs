//! Never harm the host: the interfaces that carry a default route, their
//! addresses and sysctls are out of reach whatever the file says; an object
//! aio once made and someone else made again is never deleted; aio's files
//! never follow a symlink. Every case runs the real binary against a
//! sandbox namespace and checks the namespace is unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::topology::HEAD;
use common::{Sandbox, command, run, stderr};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// `plan` and `apply` both refuse `text` at `line:col` naming `word`, and
/// the namespace (links, addresses, routes, the uplink's sysctls) is unchanged.
fn refused(sb: &Sandbox, name: &str, text: &str, at: &str, word: &str) {
    let t = sb.topology(name, text);
    let before = (sb.everything(), sb.sysctl("net.ipv4.conf.eth0.arp_ignore"));
    for command in ["plan", "apply"] {
        let extra: &[&str] = if command == "apply" { &["--yes"] } else { &[] };
        let out = sb.aio(command, &t, extra);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{command} {name}: {err}");
        let located = format!("{}:{at}:", t.display());
        assert!(
            err.contains(&located) && err.contains(word),
            "{command} {name}: wanted {located} and `{word}` in:\n{err}"
        );
    }
    assert_eq!(
        (sb.everything(), sb.sysctl("net.ipv4.conf.eth0.arp_ignore")),
        before,
        "{name} changed the namespace"
    );
}

fn validate(t: &Path) -> std::process::Output {
    run(&["validate", "-f", t.to_str().unwrap()])
}

#[test]
fn the_uplink_s_sysctls_addresses_and_gateway_are_out_of_reach() {
    let sb = Sandbox::new();
    let cases = [
        (
            "arp.toml",
            "[sysctl]\n\"net.ipv4.conf.eth0.arp_ignore\" = 8\n",
            "5:1",
            "eth0",
        ),
        (
            "v6.toml",
            "[sysctl]\n\"net.ipv6.conf.eth0.disable_ipv6\" = 1\n",
            "5:1",
            "uplink",
        ),
        (
            "neigh.toml",
            "[sysctl]\n\"net.ipv4.neigh.eth0.gc_stale_time\" = 1\n",
            "5:1",
            "uplink",
        ),
        (
            "gateway.toml",
            "[interfaces.dummy1]\ntype = \"bridge\"\naddresses = [\"192.0.2.1/32\"]\n",
            "6:14",
            "default gateway",
        ),
        (
            "own.toml",
            "[interfaces.dummy1]\ntype = \"bridge\"\naddresses = [\"192.0.2.10/24\"]\n",
            "6:14",
            "address of \"eth0\"",
        ),
        (
            "subnet.toml",
            "[interfaces.dummy1]\ntype = \"bridge\"\naddresses = [\"192.0.2.77/28\"]\n",
            "6:14",
            "overlaps the subnet 192.0.2.0/24",
        ),
        (
            "wider.toml",
            "[interfaces.dummy1]\ntype = \"bridge\"\naddresses = [\"192.0.0.1/16\"]\n",
            "6:14",
            "overlaps",
        ),
    ];
    for (name, body, at, word) in cases {
        refused(&sb, name, &format!("{HEAD}{body}"), at, word);
    }
}

#[test]
fn a_wrong_uplink_name_does_not_unprotect_the_interface_with_the_default_route() {
    let sb = Sandbox::new();
    sb.ip(&["link", "add", "fx0", "type", "bridge"]);
    let text = "version = 1\n[host]\nuplink = \"fx0\"\n[interfaces.eth0]\nstate = \"down\"\n";
    refused(
        &sb,
        "fx0.toml",
        text,
        "3:10",
        "does not carry the default route; eth0 does",
    );
    assert!(sb.ip(&["link", "show", "eth0"]).contains("state UP"));
}

/// A sandbox with a second uplink-like interface, `eth1` (up, no address yet).
fn with_eth1() -> Sandbox {
    let sb = Sandbox::new();
    sb.ip(&[
        "link",
        "add",
        "eth1",
        "type",
        "veth",
        "peer",
        "name",
        "eth1-peer",
    ]);
    sb.ip(&["link", "set", "eth1-peer", "up"]);
    sb.ip(&["link", "set", "eth1", "up"]);
    sb
}

#[test]
fn every_interface_with_a_default_route_is_protected_ipv6_included() {
    let sb = with_eth1();
    sb.ip(&["-6", "addr", "add", "fd00:1::10/64", "dev", "eth1", "nodad"]);
    sb.ip(&[
        "-6",
        "route",
        "add",
        "default",
        "via",
        "fd00:1::1",
        "dev",
        "eth1",
    ]);
    refused(
        &sb,
        "eth1.toml",
        &format!("{HEAD}[interfaces.eth1]\nmtu = 1400\n"),
        "4:13",
        "cannot be declared",
    );
    refused(
        &sb,
        "eth1-sysctl.toml",
        &format!("{HEAD}[sysctl]\n\"net.ipv6.conf.eth1.forwarding\" = 1\n"),
        "5:1",
        "eth1",
    );
    refused(
        &sb,
        "eth1-subnet.toml",
        &format!("{HEAD}[interfaces.dummy1]\ntype = \"bridge\"\naddresses = [\"fd00:1::99/64\"]\n"),
        "6:14",
        "eth1",
    );
}

#[test]
fn addresses_no_interface_can_have_are_refused_by_validate() {
    let sb = Sandbox::new();
    for (address, word) in [
        ("0.0.0.0/0", "unspecified"),
        ("0.1.2.3/8", "0.0.0.0/8"),
        ("127.0.0.2/8", "loopback"),
        ("224.0.0.9/4", "multicast"),
        ("255.255.255.255/32", "broadcast"),
        ("10.0.2.255/24", "broadcast"),
        ("::/0", "unspecified"),
        ("ff02::1/16", "multicast"),
    ] {
        let t = sb.topology(
            "bad.toml",
            &format!("{HEAD}[interfaces.dummy1]\ntype = \"bridge\"\naddresses = [\"{address}\"]\n"),
        );
        let out = validate(&t);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{address}: {err}");
        assert!(
            err.contains(":6:14:") && err.contains(word),
            "{address}: {err}"
        );
    }
    let twice = sb.topology(
        "twice.toml",
        &format!(
            "{HEAD}[interfaces.a]\ntype = \"bridge\"\naddresses = [\"10.0.2.2/24\"]\n[interfaces.b]\ntype = \"bridge\"\naddresses = [\"10.0.2.2/25\"]\n"
        ),
    );
    let out = validate(&twice);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains(":9:14:") && err.contains("already the address of \"a\""),
        "{err}"
    );
}

#[test]
fn all_and_default_sysctls_are_marked_in_the_plan() {
    let sb = Sandbox::new();
    let t = sb.topology(
        "all.toml",
        &format!("{HEAD}[sysctl]\n\"net.ipv4.conf.all.rp_filter\" = 2\n\"net.ipv4.conf.default.rp_filter\" = 2\n"),
    );
    let out = sb.aio("plan", &t, &[]);
    let text = common::stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        text.contains("changes the uplink's behaviour") && text.contains("eth0 included"),
        "{text}"
    );
    assert!(
        text.contains("`default` applies to every interface made from now on"),
        "{text}"
    );
}

/// A sandbox where aio made `dummy1`, and a topology without it.
fn dummy1_made_by_aio() -> (Sandbox, std::path::PathBuf) {
    let sb = Sandbox::new();
    let with = sb.topology(
        "with.toml",
        &format!("{HEAD}[interfaces.dummy1]\ntype = \"bridge\"\n"),
    );
    let without = sb.topology("without.toml", HEAD);
    sb.apply(&with);
    (sb, without)
}

#[test]
fn a_link_aio_once_made_is_never_deleted_once_someone_else_made_it_again() {
    let (sb, without) = dummy1_made_by_aio();

    // Deleted by hand, dropped from the file, made again by an operator.
    sb.ip(&["link", "del", "dummy1"]);
    sb.ip(&["link", "add", "dummy1", "type", "bridge"]);
    assert_eq!(
        sb.plan(&without),
        vec![],
        "would delete the operator's dummy1"
    );
    let text = sb.plan_text(&without);
    assert!(
        text.contains("link/dummy1 released: made again by someone else"),
        "{text}"
    );
    sb.apply(&without);
    let out = sb.aio("destroy", &without, &["--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        sb.links().contains_key("dummy1"),
        "destroy deleted the operator's dummy1"
    );

    // Gone then made again only after aio saw it gone: released at once.
    let (sb, without) = dummy1_made_by_aio();
    sb.ip(&["link", "del", "dummy1"]);
    sb.apply(&without);
    let state = std::fs::read_to_string(sb.state.path().join("state.json")).unwrap();
    assert!(
        !state.contains("link/dummy1"),
        "a claim on a link that is gone: {state}"
    );
    sb.ip(&["link", "add", "dummy1", "type", "bridge"]);
    sb.apply(&without);
    assert!(sb.links().contains_key("dummy1"));
}

#[test]
fn no_file_of_aio_s_follows_a_symlink_and_unsafe_dirs_are_refused() {
    let sb = Sandbox::new();
    let t = sb.topology(
        "t.toml",
        &format!("{HEAD}[interfaces.dummy1]\ntype = \"bridge\"\n"),
    );
    let victim = sb.state.path().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    std::os::unix::fs::symlink(&victim, sb.state.path().join("lock")).unwrap();
    let out = sb.aio("apply", &t, &["--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    std::fs::remove_file(sb.state.path().join("lock")).unwrap();

    // A planted temp name cannot matter: names are unpredictable.
    std::os::unix::fs::symlink(&victim, sb.state.path().join(".state.json.1.tmp")).unwrap();
    sb.apply(&t);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");

    // plan --out never writes through a symlink, nor over a file that is not a plan.
    let link = sb.state.path().join("plan-link");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    for target in [link.as_path(), victim.as_path()] {
        let out = sb.aio("plan", &t, &["--out", target.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    }
    let saved = sb.state.path().join("saved.plan");
    let out = sb.aio("plan", &t, &["--out", saved.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mode = std::fs::metadata(&saved).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "a saved plan others can read");

    // A state dir anyone can write to is refused, named, with the fix.
    let open = sb.state.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = command(&["apply", "--yes", "-f"])
        .arg(&t)
        .args(["--netns", &sb.ns, "--state-dir"])
        .arg(&open)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&open.display().to_string()) && err.contains("chmod go-w"),
        "{err}"
    );
}

#[test]
fn every_next_hop_of_a_multipath_default_route_is_protected() {
    let sb = with_eth1();
    sb.ip(&["addr", "add", "198.51.100.10/24", "dev", "eth1"]);
    sb.ip(&[
        "route",
        "replace",
        "default",
        "nexthop",
        "via",
        "192.0.2.1",
        "dev",
        "eth0",
        "nexthop",
        "via",
        "198.51.100.1",
        "dev",
        "eth1",
    ]);
    for head in [HEAD, "version = 1\n[host]\nuplink = \"eth0\"\n"] {
        refused(
            &sb,
            "multipath.toml",
            &format!("{head}[interfaces.eth1]\nmtu = 1400\n"),
            "4:13",
            "cannot be declared",
        );
        refused(
            &sb,
            "multipath-subnet.toml",
            &format!(
                "{head}[interfaces.dummy1]\ntype = \"bridge\"\naddresses = [\"198.51.100.77/24\"]\n"
            ),
            "6:14",
            "eth1",
        );
    }
}
