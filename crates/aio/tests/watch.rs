//! `aio watch` for real, in a sandbox: drift is repaired as it happens,
//! OVSDB is waited for, unrelated events cost nothing, SIGTERM stops it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aio_sandbox::process::alive_with_env;
use common::watch::{Watch, within};
use common::{Sandbox, kolla};
use std::process::Command;
use std::time::Duration;

#[test]
fn drift_is_repaired_as_it_happens_and_unrelated_events_cost_nothing() {
    let sb = Sandbox::new();
    let t = sb.reference();
    let watch = Watch::start(&sb, &t);
    let port_tag = || {
        Command::new("ovs-vsctl")
            .arg(format!("--db={}", sb.ovsdb.unix()))
            .args(["get", "port", "v-lbaas-vlan", "tag"])
            .output()
            .unwrap()
    };
    within(Duration::from_secs(120), "the first apply", &watch, || {
        String::from_utf8_lossy(&port_tag().stdout).trim() == "1718"
    });
    // Kolla's files come in their own lane, after the host's plumbing.
    within(Duration::from_secs(180), "Kolla's files", &watch, || {
        watch.log().contains("kolla/deployment")
    });

    sb.ip(&["link", "del", "veth-br"]);
    within(
        Duration::from_secs(15),
        "veth-br back in dummy1",
        &watch,
        || {
            sb.links()
                .get("veth-br")
                .is_some_and(|l| l["master"] == "dummy1")
        },
    );
    within(Duration::from_secs(15), "a log line", &watch, || {
        watch.log().contains("repaired + link/veth-br")
    });

    sb.ovsdb.vsctl(&["set", "port", "v-lbaas-vlan", "tag=99"]);
    within(Duration::from_secs(15), "tag 1718 again", &watch, || {
        String::from_utf8_lossy(&port_tag().stdout).trim() == "1718"
    });
    within(Duration::from_secs(15), "a log line", &watch, || {
        watch
            .log()
            .contains("repaired ~ ovs-port/br-ex/v-lbaas-vlan  tag: 99 -> 1718")
    });

    // 1000 events about links aio does not manage.
    std::thread::sleep(Duration::from_millis(500));
    let before = watch.repairs();
    let mut batch = String::new();
    for i in 0..250 {
        batch += &format!(
            "link add x{i} type bridge\nlink set x{i} up\nlink set x{i} down\nlink del x{i}\n"
        );
    }
    let storm = sb.state.path().join("storm.batch");
    std::fs::write(&storm, batch).unwrap();
    sb.ip(&["-batch", storm.to_str().unwrap()]);
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        watch.repairs(),
        before,
        "unrelated events led to an apply:\n{}",
        watch.log()
    );
    let log = watch.stop();
    assert!(log.trim_end().ends_with("aio watch: stopped"), "{log}");
}

#[test]
fn ovsdb_appearing_later_gets_the_port_once_it_is_there() {
    let mut sb = Sandbox::new();
    sb.ovsdb.kill();
    let t = sb.reference();
    let watch = Watch::start_with(&sb, &t, &[("RUST_LOG", "aio_host=debug")]);
    within(Duration::from_secs(60), "the links", &watch, || {
        sb.links().contains_key("v-lbaas-vlan")
    });
    // Once Kolla's files are written, the port no longer waits for them:
    // OVSDB itself is what is missing, and watch says so, once.
    within(Duration::from_secs(120), "a not-yet line", &watch, || {
        watch.log().contains("not yet: ovs-port/br-ex/v-lbaas-vlan")
    });
    std::thread::sleep(Duration::from_secs(3));
    let said = watch
        .log()
        .matches("not yet: ovs-port/br-ex/v-lbaas-vlan")
        .count();
    assert_eq!(said, 1, "retries are not news:\n{}", watch.log());
    sb.ovsdb.restart();
    let tag = || {
        sb.ovsdb
            .vsctl(&["--if-exists", "get", "port", "v-lbaas-vlan", "tag"])
    };
    within(Duration::from_secs(30), "the port on br-ex", &watch, || {
        tag() == "1718"
    });
    watch.stop();
}

#[test]
fn kollas_lane_leaves_the_hosts_resources_to_the_host_lane() {
    let sb = Sandbox::new();
    let t = sb.reference();
    let watch = Watch::start_on_events(&sb, &t);
    let port = "ovs-port/br-ex/v-lbaas-vlan";
    let tag = || {
        sb.ovsdb
            .vsctl(&["--if-exists", "get", "port", "v-lbaas-vlan", "tag"])
    };
    within(
        Duration::from_secs(180),
        "the port on br-ex",
        &watch,
        || tag() == "1718",
    );
    // Another writer keeps changing the port's tag: the host lane holds
    // its repairs back, each longer than the last.
    let waits = || {
        let out = sb.command("show", &t, &["--json"]).output().unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["contested"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["id"] == port)
            .filter_map(|c| c["wait_seconds"].as_u64())
            .next()
    };
    within(
        Duration::from_secs(120),
        "the port contested",
        &watch,
        || {
            sb.ovsdb.vsctl(&["set", "port", "v-lbaas-vlan", "tag=99"]);
            std::thread::sleep(Duration::from_millis(50));
            waits().is_some_and(|w| w >= 8)
        },
    );
    // While a repair of the port is held back, Kolla's lane has work of
    // its own: it does that, and leaves the port to the host lane.
    sb.ovsdb.vsctl(&["set", "port", "v-lbaas-vlan", "tag=99"]);
    let globals = sb.state.path().join("kolla-etc/globals.d/aio.yml");
    let aios = std::fs::read_to_string(&globals).unwrap();
    let repaired = watch.log().matches("repaired ~ kolla/deployment").count();
    std::fs::write(&globals, format!("{aios}enable_horizon: \"no\"\n")).unwrap();
    within(Duration::from_secs(60), "Kolla's file back", &watch, || {
        watch.log().matches("repaired ~ kolla/deployment").count() > repaired
    });
    assert_eq!(std::fs::read_to_string(&globals).unwrap(), aios);
    let log = watch.stop();
    let crossed: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("Later lane applies") && l.contains(port))
        .collect();
    assert!(crossed.is_empty(), "{crossed:#?}\n{log}");
}

#[test]
fn it_tells_systemd_it_is_ready_once_the_hosts_plumbing_is_in_place() {
    let sb = Sandbox::new();
    let t = sb.reference_with_actions(true);
    let socket_path = sb.state.path().join("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    // Kolla's actions fail here (the stand-in fails at the first): they come after ready.
    let record = sb.state.path().join("stand-in.record");
    let watch = Watch::start_with(
        &sb,
        &t,
        &[
            ("NOTIFY_SOCKET", socket_path.to_str().unwrap()),
            ("AIO_KOLLA_ANSIBLE", kolla::STAND_IN),
            ("AIO_STANDIN_RECORD", record.to_str().unwrap()),
            ("AIO_STANDIN_FAIL_AT", "bootstrap-servers"),
        ],
    );
    let mut buf = [0u8; 64];
    let n = socket
        .recv(&mut buf)
        .unwrap_or_else(|e| panic!("no READY=1: {e}\n{}", watch.log()));
    assert_eq!(&buf[..n], b"READY=1");
    let links = sb.links();
    for name in ["veth-ovs", "v-lbaas", "dummy1"] {
        assert!(links.contains_key(name), "ready before {name} existed");
    }
    watch.stop();
}

#[test]
fn a_deleted_link_is_repaired_while_kollas_deploy_runs() {
    let sb = Sandbox::new();
    let t = sb.reference_with_actions(true);
    let record = sb.state.path().join("stand-in.record");
    let watch = Watch::start_with(
        &sb,
        &t,
        &[
            ("AIO_KOLLA_ANSIBLE", kolla::STAND_IN),
            ("AIO_STANDIN_RECORD", record.to_str().unwrap()),
            ("AIO_STANDIN_HANG_AT", "deploy"),
        ],
    );
    // Kolla's deploy runs for minutes (here it hangs): the host's plumbing
    // is still kept.
    within(
        Duration::from_secs(180),
        "the deploy under way",
        &watch,
        || record.exists() && kolla::ran(&record).iter().any(|a| a == "deploy"),
    );
    sb.ip(&["link", "del", "veth-br"]);
    within(
        Duration::from_secs(15),
        "veth-br back during the deploy",
        &watch,
        || {
            sb.links()
                .get("veth-br")
                .is_some_and(|l| l["master"] == "dummy1")
        },
    );
    assert!(
        kolla::ran(&record).last().is_some_and(|a| a == "deploy"),
        "the deploy ended first: {:?}",
        kolla::ran(&record)
    );
    // Stopped, watch lets the deploy finish: end the stand-in's hang (its
    // `sleep`, by PID) rather than wait out its five minutes.
    let marker = format!("AIO_STANDIN_RECORD={}", record.display());
    for stat in alive_with_env(&marker) {
        if let Some((pid, _)) = stat.split_once(" (sleep) ") {
            Command::new("kill").args(["-TERM", pid]).status().unwrap();
        }
    }
    watch.stop();
}

#[test]
fn a_fight_with_another_writer_is_damped_and_ends_when_the_writer_stops() {
    let sb = Sandbox::new();
    let t = sb.reference();
    let watch = Watch::start(&sb, &t);
    let up = || {
        sb.links().get("veth-br").is_some_and(|l| {
            l["flags"]
                .as_array()
                .is_some_and(|f| f.iter().any(|x| x == "UP"))
        })
    };
    within(Duration::from_secs(120), "the first apply", &watch, up);
    let contested = || {
        let out = sb.command("show", &t, &["--json"]).output().unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["contested"].as_array().cloned().unwrap_or_default()
    };
    // Another writer wants veth-br down and sets it 200 times in 10 s.
    let repairs = || watch.log().matches("repaired ~ link/veth-br").count();
    let started = std::time::Instant::now();
    for _ in 0..200 {
        Command::new("ip")
            .args(["-n", &sb.ns, "link", "set", "veth-br", "down"])
            .output()
            .unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }
    let fought = started.elapsed();
    let repairs = repairs();
    let log = watch.log();
    assert!(
        repairs <= 15,
        "{repairs} repairs in {fought:?} against another writer:\n{log}"
    );
    let said = "another writer keeps changing link/veth-br";
    assert_eq!(log.matches(said).count(), 1, "{log}");
    let listed = contested();
    assert!(
        listed.iter().any(|c| c["id"] == "link/veth-br"),
        "show --json: {listed:?}"
    );

    // The writer stopped: watch repairs it and, once it stays, settles.
    within(Duration::from_secs(120), "veth-br up again", &watch, up);
    within(
        Duration::from_secs(180),
        "the fight settled",
        &watch,
        || watch.log().contains("link/veth-br stayed as repaired"),
    );
    assert!(contested().is_empty());
    watch.stop();
}

#[test]
fn a_fight_over_kollas_files_is_damped_too() {
    let sb = Sandbox::new();
    let t = sb.reference();
    let watch = Watch::start_on_events(&sb, &t);
    let globals = sb.state.path().join("kolla-etc/globals.d/aio.yml");
    // Each time watch writes the file again, whether or not the writer
    // undid it before watch's check.
    let repairs = || {
        watch
            .log()
            .matches("Later lane applies ~ kolla/deployment")
            .count()
    };
    within(Duration::from_secs(180), "Kolla's files", &watch, || {
        watch.log().contains("repaired ~ kolla/deployment")
    });
    let aios = std::fs::read_to_string(&globals).unwrap();
    // Another writer wants Horizon off and writes so 200 times in 10 s.
    let before = repairs();
    let started = std::time::Instant::now();
    for _ in 0..200 {
        std::fs::write(&globals, format!("{aios}enable_horizon: \"no\"\n")).unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }
    let fought = started.elapsed();
    let repaired = repairs() - before;
    let log = watch.log();
    assert!(
        repaired <= 15,
        "{repaired} repairs in {fought:?} against another writer:\n{log}"
    );
    let said = "another writer keeps changing kolla/deployment";
    assert_eq!(log.matches(said).count(), 1, "{log}");
    within(
        Duration::from_secs(120),
        "the file as aio wrote it",
        &watch,
        || std::fs::read_to_string(&globals).unwrap() == aios,
    );
    watch.stop();
}
