//! `aio watch` repairs NAT and sysctl drift as it happens, not at its full
//! check: a flushed or deleted nftables table, or forwarding turned off, is
//! back within seconds while the full check is an hour away, and aio's own
//! repairs do not set off more passes. Link announcements the kernel had
//! to drop are not drift waiting for that hour either, nor are Kolla's
//! files edited or deleted under the config dir.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::watch::{Watch, within};
use common::{Sandbox, topology};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Well below the full check (`--resync 3600`): only a live repair meets it.
const LIVE: Duration = Duration::from_secs(15);
/// How long watch is left alone to show that nothing more happens.
const QUIET: Duration = Duration::from_secs(4);
/// What the watch loop logs (at debug) for each pass of either lane (the
/// host's plumbing, Kolla's).
const PASS: &str = " lane: ";

/// Masquerade rules anywhere in the namespace's ruleset.
fn masquerade_rules(sb: &Sandbox) -> usize {
    sb.nft("list ruleset")
        .lines()
        .filter(|l| l.contains("masquerade"))
        .count()
}

/// The NAT topology, and watch on it whose full check is an hour away,
/// logging each pass, once its first apply is in place and settled.
fn watching() -> (Sandbox, PathBuf, Watch) {
    let sb = Sandbox::new();
    let t = sb.topology("nat.toml", &topology::nat());
    let watch = Watch::start_on_events(&sb, &t);
    within(Duration::from_secs(120), "the first apply", &watch, || {
        masquerade_rules(&sb) == 1 && sb.sysctl("net.ipv4.ip_forward") == "1"
    });
    settled(&watch);
    (sb, t, watch)
}

/// Passes of the host's plumbing so far.
fn passes(watch: &Watch) -> usize {
    watch.log().matches(PASS).count()
}

/// Waits until watch has made no pass for a second (its own changes were
/// looked at once more), failing after a minute.
fn settled(watch: &Watch) {
    let mut last = (passes(watch), Instant::now());
    within(Duration::from_secs(60), "watch at rest", watch, || {
        let now = passes(watch);
        if now != last.0 {
            last = (now, Instant::now());
        }
        last.1.elapsed() >= Duration::from_secs(1)
    });
}

/// After a repair: no more repairs and no more passes while left alone.
fn stays_quiet(watch: &Watch, what: &str) {
    settled(watch);
    let (repairs, passes_before) = (watch.repairs(), passes(watch));
    std::thread::sleep(QUIET);
    let log = watch.log();
    assert_eq!(
        watch.repairs(),
        repairs,
        "more repairs after {what}:\n{log}"
    );
    assert_eq!(
        passes(watch),
        passes_before,
        "more passes after {what}, with nothing changed:\n{log}"
    );
}

/// Runs `drift` and waits until `repaired` holds: how long that took.
fn repair_time(
    watch: &Watch,
    what: &str,
    drift: impl FnOnce(),
    repaired: impl FnMut() -> bool,
) -> Duration {
    let before = watch.repairs();
    drift();
    let started = Instant::now();
    within(LIVE, what, watch, repaired);
    let took = started.elapsed();
    eprintln!("{what}: {took:?}");
    // And the repair is logged.
    within(LIVE, "the repair's log line", watch, || {
        watch.repairs() > before
    });
    took
}

/// How many times watch logged `line`.
fn logged(watch: &Watch, line: &str) -> usize {
    watch.log().matches(line).count()
}

/// aio's masquerade rule as `nft -a` lists it: the rule, and its handle.
fn aios_rule(sb: &Sandbox) -> (String, String) {
    let listing = sb.nft("-a list chain ip aio postrouting");
    let line = listing
        .lines()
        .find(|l| l.contains("masquerade"))
        .unwrap_or_else(|| panic!("no masquerade rule in aio's chain:\n{listing}"));
    let (rule, handle) = line
        .split_once(" # handle ")
        .unwrap_or_else(|| panic!("no handle in {line:?}"));
    (rule.trim().to_string(), handle.trim().to_string())
}

#[test]
fn an_edited_nat_rule_is_put_back_within_seconds() {
    let (sb, _t, watch) = watching();
    let (rule, handle) = aios_rule(&sb);
    assert!(rule.contains("oifname \"eth0\""), "{rule}");
    let edited = rule.replace("oifname \"eth0\"", "oifname \"lo\"");
    repair_time(
        &watch,
        "the rule as declared after it was edited to masquerade out lo",
        || {
            drop(sb.nft(&format!(
                "replace rule ip aio postrouting handle {handle} {edited}"
            )))
        },
        || {
            let rules = sb.nft("list ruleset");
            let masquerades: Vec<&str> =
                rules.lines().filter(|l| l.contains("masquerade")).collect();
            masquerades.len() == 1 && masquerades[0].contains("oifname \"eth0\"")
        },
    );
    stays_quiet(&watch, "the repair of an edited rule");
    watch.stop();
}

#[test]
fn a_flushed_or_deleted_nat_table_is_back_within_seconds_and_watch_then_rests() {
    let (sb, _t, watch) = watching();
    let rule = "repaired + nat/eth0/10.0.2.0/24";
    for (drift, command) in [
        ("a flushed table", "flush table ip aio"),
        ("a deleted table", "delete table ip aio"),
        ("a flushed ruleset", "flush ruleset"),
    ] {
        let before = logged(&watch, rule);
        repair_time(
            &watch,
            &format!("the rule back after `nft {command}`"),
            || drop(sb.nft(command)),
            || masquerade_rules(&sb) == 1,
        );
        stays_quiet(&watch, &format!("the repair of {drift}"));
        assert_eq!(
            logged(&watch, rule),
            before + 1,
            "one drift, one repair:\n{}",
            watch.log()
        );
    }

    // Someone else's table is not aio's business: not even a plan.
    let passes_before = passes(&watch);
    for command in [
        "add table ip theirs",
        "add chain ip theirs post { type nat hook postrouting priority 100 ; }",
        "add rule ip theirs post oifname lo accept",
        "delete table ip theirs",
    ] {
        sb.nft(command);
    }
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        passes(&watch),
        passes_before,
        "another table's changes led to a pass:\n{}",
        watch.log()
    );
    watch.stop();
}

#[test]
fn forwarding_turned_off_is_back_within_seconds_and_watch_then_rests() {
    let (sb, _t, watch) = watching();
    let repaired = "repaired ~ sysctl/net.ipv4.ip_forward";
    // The key is followed for as long as watch runs: twice.
    for time in ["", " again"] {
        let before = logged(&watch, repaired);
        repair_time(
            &watch,
            &format!("ip_forward back to 1 after it was set to 0{time}"),
            || {
                let out = sb
                    .host
                    .exec(&["sh", "-c", "echo 0 > /proc/sys/net/ipv4/ip_forward"]);
                assert!(out.status.success());
            },
            || sb.sysctl("net.ipv4.ip_forward") == "1",
        );
        stays_quiet(&watch, "forwarding's repair");
        assert_eq!(
            logged(&watch, repaired),
            before + 1,
            "one drift, one repair:\n{}",
            watch.log()
        );
    }
    watch.stop();
}

/// Drops of the namespace's netlink sockets subscribed to link
/// announcements (group 1, `RTMGRP_LINK`), from `/proc/net/netlink`.
fn link_listeners_drops(sb: &Sandbox) -> u64 {
    let table = sb.exec_ok(&["cat", "/proc/net/netlink"]);
    table
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let (protocol, groups, drops) = (f.get(1)?, f.get(3)?, f.get(8)?);
            let groups = u32::from_str_radix(groups, 16).ok()?;
            (*protocol == "0" && groups & 1 == 1).then(|| drops.parse::<u64>().ok())?
        })
        .sum()
}

#[test]
fn link_announcements_lost_while_watch_was_busy_lead_to_a_look_at_every_link() {
    let (sb, _t, watch) = watching();
    let pid = watch.child.id().to_string();
    // Watch cannot read while stopped: a storm of someone else's links
    // fills its socket's buffer, then the kernel drops what comes, among
    // it the deletion of aio's bridge.
    let stop = |signal: &str| {
        let status = std::process::Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap();
        assert!(status.success());
    };
    stop("-STOP");
    // Each new alias of an up link is announced with the whole link:
    // cheap to make, costly to queue.
    let mut storm = String::from("link add x0 type bridge\nlink set x0 up\n");
    for i in 0..20_000 {
        storm += &format!("link set x0 alias a{i}\n");
    }
    let batch = sb.topology("storm.batch", &storm);
    sb.ip(&["-batch", batch.to_str().unwrap()]);
    sb.ip(&["link", "del", "dummy1"]);
    let drops = link_listeners_drops(&sb);
    stop("-CONT");
    assert!(drops > 0, "the storm filled no socket's buffer");
    repair_time(
        &watch,
        "dummy1 back after its deletion was lost",
        || {},
        || sb.links().contains_key("dummy1"),
    );
    assert!(
        watch.log().contains("repaired + link/dummy1"),
        "{}",
        watch.log()
    );
    watch.stop();
}

#[test]
fn kollas_files_edited_or_deleted_are_written_again_within_seconds() {
    let sb = Sandbox::new();
    let t = sb.reference();
    let watch = Watch::start_on_events(&sb, &t);
    let etc = sb.state.path().join("kolla-etc");
    let globals = etc.join("globals.d/aio.yml");
    let ini = etc.join("config/neutron/ml2_conf.ini");
    let read = |path: &PathBuf| std::fs::read_to_string(path).ok();
    within(Duration::from_secs(180), "Kolla's files", &watch, || {
        watch.log().contains("repaired ~ kolla/deployment")
    });
    settled(&watch);
    let (aios, override_) = (read(&globals).unwrap(), read(&ini).unwrap());

    repair_time(
        &watch,
        "globals.d/aio.yml as aio wrote it after an edit",
        || {
            let mut edited = aios.clone();
            edited.push_str("enable_horizon: \"no\"\n");
            std::fs::write(&globals, edited).unwrap();
        },
        || read(&globals).as_ref() == Some(&aios),
    );
    settled(&watch);
    repair_time(
        &watch,
        "ml2_conf.ini back after it was deleted",
        || std::fs::remove_file(&ini).unwrap(),
        || read(&ini).as_ref() == Some(&override_),
    );
    let log = watch.stop();
    assert!(log.contains("repaired ~ kolla/deployment"), "{log}");
}
