//! `aio doctor` against the sandbox with real OVN, Keystone and
//! neutron-server: a healthy host passes and is the same before and after
//! (links, addresses, routes, rules, OVSDB); each of eight breakages is
//! named at its hop with its fix (veth-br out of dummy1, the NAT rule
//! deleted, `ip_forward=0`, the OVS tag changed, `ovn-bridge-mappings`
//! wrong, `public1`'s gateway 10.0.2.1, a 1500-byte link on the 9000 path,
//! `v-lbaas` down), and repaired before the next; a doctor killed while
//! its probe is plugged in leaves nothing behind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use aio_sandbox::lab::{Lab, Run};
use common::{REFERENCE, poll};

const NEUTRON: &str = "\n[neutron.external_network]\nname = \"public1\"\n";

fn said(run: &Run) -> String {
    format!("exit {:?}\n{}{}", run.code, run.stdout, run.stderr)
}

/// The sandbox's aio runs with Kolla's stand-in, whose post-deploy writes
/// the cloud's `clouds.yaml`.
struct Host {
    lab: Lab,
    env: Vec<(&'static str, PathBuf)>,
}

impl Host {
    fn aio(&self, command: &str, args: &[&str]) -> Run {
        let env: Vec<(&str, &Path)> = self.env.iter().map(|(k, v)| (*k, v.as_path())).collect();
        self.lab.aio_with(command, args, &env)
    }

    fn doctor(&self) -> Run {
        self.aio("doctor", &[])
    }

    fn apply(&self) {
        let run = self.aio("apply", &["--yes"]);
        assert_eq!(run.code, Some(0), "aio apply: {}", said(&run));
    }

    fn ns(&self, args: &[&str]) {
        let out = self.lab.host.exec(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn openstack(&self, args: &[&str]) {
        self.lab
            .cloud()
            .openstack_unit(args)
            .unwrap_or_else(|e| panic!("openstack {}: {e}", args.join(" ")));
    }

    /// What doctor must leave as it found it: links, addresses, routes,
    /// the ruleset (without its counters, which doctor's traffic moves)
    /// and the OVSDB rows of bridges, ports and interfaces.
    fn snapshot(&self) -> String {
        let mut out = String::new();
        for args in [
            &["ip", "-o", "link", "show"][..],
            &["ip", "-o", "address", "show"],
            &["ip", "route", "show", "table", "all"],
            &["nft", "list", "ruleset"],
        ] {
            let o = self.lab.host.exec(args);
            out.push_str(&String::from_utf8_lossy(&o.stdout));
        }
        let counters = regex_free_counters(&out);
        let mut text = counters;
        for (table, columns) in [
            ("Open_vSwitch", "external_ids,other_config,bridges"),
            ("Bridge", "name,ports,external_ids,other_config"),
            ("Port", "name,tag,trunks,interfaces,external_ids"),
            (
                "Interface",
                "name,type,ofport,error,mtu,options,external_ids",
            ),
        ] {
            text.push_str(
                &self
                    .lab
                    .ovsdb
                    .vsctl(&[&format!("--columns={columns}"), "list", table]),
            );
        }
        text
    }
}

/// `counter packets N bytes M` with the numbers taken out.
fn regex_free_counters(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("counter packets") {
            Some(at) => format!("{}counter", &l[..at]),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` without the MTU of OVS's internal ports (`br-ex`, `br-int`):
/// ovs-vswitchd sets it from the bridge's ports, and with a port's MTU
/// changed by hand it settles again on any link event in the namespace
/// (the probe's link is one).
fn ovs_internal_mtu_aside(text: &str) -> String {
    text.lines()
        .map(|l| match l.split_once(": br-") {
            Some((index, _)) if index.parse::<u32>().is_ok() => {
                let mut words: Vec<&str> = l.split(' ').collect();
                if let Some(at) = words.iter().position(|w| *w == "mtu") {
                    words.drain(at..at + 2);
                }
                words.join(" ")
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn deployed() -> Option<Host> {
    for env in ["AIO_TEST_NO_OPENSTACK_VENV", "AIO_TEST_NO_KOLLA_VENV"] {
        if let Ok(why) = std::env::var(env) {
            eprintln!("skipped: {env}: {why}");
            return None;
        }
    }
    let reference = std::fs::read_to_string(REFERENCE).unwrap() + NEUTRON;
    let lab = Lab::new(
        &format!("aio-doc-{}", std::process::id()),
        Path::new(env!("CARGO_BIN_EXE_aio")),
        &reference,
    );
    lab.kolla_makes_br_ex();
    let text = std::fs::read_to_string(&lab.topology).unwrap();
    std::fs::write(
        &lab.topology,
        text.replace("actions = []", "actions = [\"post-deploy\"]"),
    )
    .unwrap();
    let dir = lab.topology.parent().unwrap().to_path_buf();
    let env = vec![
        (
            "AIO_KOLLA_ANSIBLE",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stand-in/kolla-ansible-stand-in"),
        ),
        ("AIO_STANDIN_RECORD", dir.join("stand-in.calls")),
        (
            "AIO_STANDIN_CLOUDS_YAML",
            lab.cloud().clouds_yaml().to_path_buf(),
        ),
    ];
    let host = Host { lab, env };
    host.apply();
    // Kolla's Octavia role makes lb-mgmt-net on the port's VLAN.
    host.lab.kolla_makes_lb_mgmt_net(1718).unwrap();
    Some(host)
}

#[test]
fn doctor_that_cannot_look_exits_2_not_1() {
    let out = common::command(&["doctor", "-f", "/nonexistent/topology.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", common::said(&out));
    assert!(
        common::stderr(&out).contains("/nonexistent/topology.toml"),
        "{}",
        common::said(&out)
    );
}

/// One way to break the host, the hop doctor must name, a word its fix
/// says, and the probe whose traffic must feel it too.
struct Breakage {
    what: &'static str,
    hop: &'static str,
    fix: &'static str,
    felt: Option<&'static str>,
}

const NAT_PROBE: Option<&str> = Some("✗ traffic from dummy1 out through NAT");
const VLAN_PROBE: Option<&str> = Some("✗ traffic on VLAN 1718 to v-lbaas");
/// A bridge without ports would take the probe's MAC, and keep zeros after.
const NOT_PLUGGED: Option<&str> =
    Some("dummy1 has no ports: the probe would leave it a MAC of its own choosing");

#[test]
fn doctor_passes_a_healthy_host_and_names_each_breakage_at_its_hop() {
    let Some(host) = deployed() else { return };
    // ovn-controller has seen every object Neutron made: what it would
    // change in OVSDB is changed before the first snapshot.
    host.lab.ovn.sync().unwrap();
    let before = host.snapshot();
    let healthy = host.doctor();
    assert_eq!(healthy.code, Some(0), "a healthy host: {}", said(&healthy));
    for proof in [
        "✓ traffic from dummy1 out through NAT",
        "✓ full-size packets on dummy1: 64 bytes answered",
        "9000 bytes answered",
        "✓ traffic on VLAN 1718 to v-lbaas",
        "✓ OVN's bridge mapping",
        "✓ Neutron's external network",
        "✓ Neutron's Octavia network",
        "Every hop holds",
    ] {
        assert!(
            healthy.stdout.contains(proof),
            "{proof}:\n{}",
            said(&healthy)
        );
    }
    eprintln!("{}", healthy.stdout);
    assert_eq!(host.snapshot(), before, "doctor changed the host");
    json_is_valid(&host);

    let mappings = host.lab.ovsdb.vsctl(&[
        "get",
        "Open_vSwitch",
        ".",
        "external_ids:ovn-bridge-mappings",
    ]);
    let breakages = [
        Breakage {
            what: "veth-br out of dummy1",
            hop: "veth-br",
            fix: "aio apply",
            felt: NOT_PLUGGED,
        },
        Breakage {
            what: "the NAT rule deleted",
            hop: "NAT of 10.0.2.0/24",
            fix: "aio apply",
            felt: NAT_PROBE,
        },
        Breakage {
            what: "ip_forward=0",
            hop: "IPv4 forwarding",
            fix: "aio apply",
            felt: NAT_PROBE,
        },
        Breakage {
            what: "the OVS tag changed",
            hop: "v-lbaas-vlan on br-ex, VLAN 1718",
            fix: "aio apply",
            felt: VLAN_PROBE,
        },
        Breakage {
            what: "ovn-bridge-mappings wrong",
            hop: "OVN's bridge mapping",
            fix: "ovn-bridge-mappings=physnet1:br-ex",
            felt: None,
        },
        Breakage {
            what: "public1's gateway 10.0.2.1",
            hop: "Neutron's external network",
            fix: "aio apply",
            felt: None,
        },
        Breakage {
            what: "a 1500-byte link on the 9000 path",
            hop: "veth-ovs",
            fix: "aio apply",
            felt: VLAN_PROBE,
        },
        Breakage {
            what: "v-lbaas down",
            hop: "v-lbaas",
            fix: "aio apply",
            felt: VLAN_PROBE,
        },
    ];
    for b in &breakages {
        match b.what {
            "veth-br out of dummy1" => host.ns(&["ip", "link", "set", "veth-br", "nomaster"]),
            "the NAT rule deleted" => {
                host.ns(&["nft", "flush", "chain", "ip", "aio", "postrouting"])
            }
            "ip_forward=0" => host.ns(&["sh", "-c", "echo 0 > /proc/sys/net/ipv4/ip_forward"]),
            "the OVS tag changed" => {
                host.lab
                    .ovsdb
                    .vsctl(&["set", "Port", "v-lbaas-vlan", "tag=99"]);
            }
            "ovn-bridge-mappings wrong" => {
                host.lab.ovsdb.vsctl(&[
                    "set",
                    "Open_vSwitch",
                    ".",
                    "external_ids:ovn-bridge-mappings=physnet1:br-int",
                ]);
            }
            "public1's gateway 10.0.2.1" => {
                host.openstack(&["subnet", "set", "--gateway", "10.0.2.1", "public1-subnet"])
            }
            "a 1500-byte link on the 9000 path" => {
                host.ns(&["ip", "link", "set", "veth-ovs", "mtu", "1500"])
            }
            "v-lbaas down" => host.ns(&["ip", "link", "set", "v-lbaas", "down"]),
            other => panic!("no way to break: {other}"),
        }
        let broken = ovs_internal_mtu_aside(&host.snapshot());
        let run = host.doctor();
        assert_eq!(run.code, Some(1), "{}: {}", b.what, said(&run));
        assert_eq!(
            ovs_internal_mtu_aside(&host.snapshot()),
            broken,
            "doctor changed the host with {}",
            b.what
        );
        let verdict = run
            .stdout
            .lines()
            .find(|l| l.contains("First broken hop:"))
            .unwrap_or_else(|| panic!("{}: no verdict:\n{}", b.what, said(&run)));
        assert!(
            verdict.contains(&format!("First broken hop: {} on ", b.hop))
                && verdict.contains(b.fix),
            "{}: named {verdict:?}, not {:?} with {:?}:\n{}",
            b.what,
            b.hop,
            b.fix,
            said(&run)
        );
        eprintln!("{}: {verdict}", b.what);
        if let Some(probe) = b.felt {
            assert!(
                run.stdout.contains(probe),
                "{}: {probe}:\n{}",
                b.what,
                said(&run)
            );
        }
        if b.what == "a 1500-byte link on the 9000 path" {
            assert!(
                run.stdout.contains("but 9000 bytes with DF got no answer"),
                "the VLAN probe feels the 1500-byte link:\n{}",
                said(&run)
            );
        }
        if b.what == "ovn-bridge-mappings wrong" {
            host.lab.ovsdb.vsctl(&[
                "set",
                "Open_vSwitch",
                ".",
                &format!("external_ids:ovn-bridge-mappings={}", mappings.trim()),
            ]);
        } else {
            host.apply();
        }
        let again = host.doctor();
        assert_eq!(
            again.code,
            Some(0),
            "after repairing {}: {}",
            b.what,
            said(&again)
        );
    }
    killed_mid_probe(&host);
}

/// `doctor --json` against `docs/doctor.schema.json`, with a broken hop
/// to name (the NAT rule gone).
fn json_is_valid(host: &Host) {
    let text = std::fs::read_to_string(common::root().join("docs/doctor.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::meta::validate(&schema).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    host.ns(&["nft", "flush", "chain", "ip", "aio", "postrouting"]);
    let run = host.aio("doctor", &["--json"]);
    assert_eq!(run.code, Some(1), "{}", said(&run));
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{doc:#}");
    assert_eq!(doc["first_broken"]["hop"], "NAT of 10.0.2.0/24", "{doc:#}");
    host.apply();
}

/// A doctor killed while its probe is plugged into dummy1 leaves no link,
/// address, route, rule or OVSDB row behind.
fn killed_mid_probe(host: &Host) {
    let before = host.snapshot();
    let lab = &host.lab;
    let mut child = Command::new(env!("CARGO_BIN_EXE_aio"))
        .envs(host.env.iter().map(|(k, v)| (*k, v.as_os_str())))
        .args(["doctor", "-f"])
        .arg(&lab.topology)
        .args(["--netns", &lab.host.ns, "--state-dir"])
        .arg(lab.topology.parent().unwrap().join("state"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let plugged = poll::within(Duration::from_secs(120), || {
        let links = lab.host.exec(&["ip", "-o", "link", "show"]).stdout;
        String::from_utf8_lossy(&links).contains("aio-doc")
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(plugged, "the probe was never seen plugged in");
    let gone = poll::within(Duration::from_secs(60), || host.snapshot() == before);
    assert!(
        gone,
        "a killed doctor left something behind:\n{}",
        host.snapshot()
    );
}
