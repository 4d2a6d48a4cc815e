//! The data path, checked by traffic. A reachability claim gets a few
//! tries (the first packets may be spent learning); an isolation claim
//! gets one. Each claim about the health manager also checks the MAC each
//! side resolved and receives on the health manager's link only, so that
//! a reply from anywhere but `v-lbaas` through `br-ex` does not count;
//! the VMs' claims check that they resolved the router's MAC, and the
//! host the router's MAC for the floating IP on the external bridge.

use std::net::Ipv4Addr;
use std::time::Duration;

use super::Lab;
use super::guests::{host_end_faults, offloads_off};
use crate::neutron::objects::{Made, VM_TCP_PORT};
use crate::{GATEWAY, exec_in, poll, tcp, udp};

/// A claim about the data path, and whether traffic bore it out.
pub struct Proof {
    pub claim: String,
    pub held: bool,
    /// Why it did not hold, when that is known.
    pub why: String,
}

/// The port an amphora's security group does not open.
const CLOSED_PORT: u16 = 80;
/// How long an added security group rule may take to reach the datapath.
const RULE_DEADLINE: Duration = Duration::from_secs(30);

impl Lab {
    fn made(&self) -> &Made {
        self.made.as_ref().expect("Neutron's objects are made")
    }

    pub(super) fn ns_of(&self, port: &str) -> String {
        format!("{}-{port}", self.host.ns)
    }

    /// Every proof of the design.
    pub fn proofs(&self) -> Vec<Proof> {
        // aio's links are remade after a reboot: offloads off again.
        for link in ["dummy1", "veth-br", "veth-ovs", "v-lbaas", "v-lbaas-vlan"] {
            offloads_off(&self.host.ns, link);
        }
        let mut proofs = vec![self.host_ends()];
        proofs.extend(self.amphora_proofs());
        proofs.extend(self.vm_proofs());
        proofs.push(self.empty_plan());
        proofs
    }

    fn host_ends(&self) -> Proof {
        let faults: Vec<String> = self
            .made()
            .ports
            .iter()
            .flat_map(|p| host_end_faults(&self.host, p))
            .collect();
        proof(
            "the guests' cable ends in the host take no part in IP (no address, ARP and IPv6 off)"
                .into(),
            faults.is_empty(),
            &faults.join("; "),
        )
    }

    fn amphora_proofs(&self) -> Vec<Proof> {
        let d = &self.design;
        let made = self.made();
        let host = self.host.ns.as_str();
        let amp = made.port("amp0");
        let amp_ns = self.ns_of("amp0");
        let hm = d.health_manager;
        let heartbeat = self.port_variable("octavia_health_manager_port");
        let agent = self.port_variable("octavia_amp_listen_port");
        let pinged = pings(&amp_ns, &hm.to_string()) && pings(host, &amp.address.to_string());
        let macs = self.resolved_macs(&amp_ns, &amp.mac, amp.address);
        let link = self.design.health_manager_link.as_str();
        let through_br_ex = || self.resolved_macs(&amp_ns, &amp.mac, amp.address);
        let heard = heartbeat
            .and_then(|p| {
                retry(|| udp::datagram(host, Some(link), &amp_ns, hm, p))
                    .and_then(|from| expect_from(from.ip(), amp.address, "the heartbeat came from"))
            })
            .and_then(|()| through_br_ex());
        let called = agent
            .and_then(|p| retry(|| tcp::exchange(&amp_ns, host, amp.address, p)))
            .and_then(|_| through_br_ex());
        // Dropped by the group: the connection times out (a reset or any
        // other error is not the group's doing).
        let refused = tcp::exchange(&amp_ns, host, amp.address, CLOSED_PORT);
        let dropped = matches!(&refused, Err(e) if e.contains("timed out"));
        let opened = self.opened_by_a_rule(&amp_ns, amp.address);
        let size = made.amp_mtu;
        let full = (0..4).any(|_| unfragmented(&amp_ns, hm, size))
            && (0..4).any(|_| unfragmented(host, amp.address, size))
            && through_br_ex().is_ok();
        let twin = self.ns_of("amp1");
        vec![
            proof(
                format!(
                    "amphora on lb-mgmt-net (VLAN {}, {}) and the health manager's v-lbaas {hm} ping each other, each resolving the other's MAC through br-ex",
                    d.amp_tag, amp.address
                ),
                pinged && macs.is_ok(),
                &macs.err().unwrap_or_default(),
            ),
            proof(
                format!(
                    "the amphora's heartbeat (UDP {}) reaches the health manager",
                    self.port_text("octavia_health_manager_port")
                ),
                heard.is_ok(),
                &heard.err().unwrap_or_default(),
            ),
            proof(
                format!(
                    "the controller calls the amphora's agent (TCP {}, opened by lb-mgmt-sec-grp)",
                    self.port_text("octavia_amp_listen_port")
                ),
                called.is_ok(),
                &called.err().unwrap_or_default(),
            ),
            proof(
                format!(
                    "TCP {CLOSED_PORT} to the amphora is dropped by its security group, and passes once a rule for it is added through the API"
                ),
                dropped && opened.is_ok(),
                &match (&refused, opened) {
                    (Ok(_), _) => format!("TCP {CLOSED_PORT} passed before any rule opened it"),
                    (Err(e), _) if !dropped => {
                        format!("TCP {CLOSED_PORT} failed, but not by a drop: {e}")
                    }
                    (_, opened) => opened.err().unwrap_or_default(),
                },
            ),
            proof(
                format!(
                    "amphora and v-lbaas exchange {size}-byte packets (lb-mgmt-net's MTU from Neutron), unfragmented, both ways"
                ),
                full,
                "",
            ),
            proof(
                format!(
                    "an amphora on VLAN {} (lb-mgmt-net's twin) cannot reach v-lbaas",
                    d.wrong_tag()
                ),
                !ping(&twin, &hm.to_string()),
                "",
            ),
        ]
    }

    fn vm_proofs(&self) -> Vec<Proof> {
        let made = self.made();
        let host = self.host.ns.as_str();
        let (vm0, vm1) = (made.port("vm0"), made.port("vm1"));
        let (vm0_ns, vm1_ns) = (self.ns_of("vm0"), self.ns_of("vm1"));
        let outside = self.design.outside.addr().to_string();
        let fip = made.floating_ip;
        let fip_ping = pings(host, &fip.to_string());
        let fip_tcp = retry(|| tcp::exchange(&vm1_ns, host, fip, VM_TCP_PORT))
            .and_then(|_| self.fip_answered_by_the_router(fip));
        let to_dummy1 = pings(&vm0_ns, &outside);
        let via_router = self.gateway_is_the_router(&vm0_ns, vm0);
        vec![
            proof(
                format!(
                    "vm0 ({}) reaches dummy1 {outside} through the OVN router (its gateway resolved to the router's MAC)",
                    vm0.address
                ),
                to_dummy1 && via_router.is_ok(),
                &via_router.err().unwrap_or_default(),
            ),
            self.nat_proof(
                &vm0_ns,
                vm0.address,
                made.router_gateway,
                "the router's SNAT",
            ),
            proof(
                format!(
                    "the host reaches vm1 at its floating IP {fip} (ICMP, and TCP {VM_TCP_PORT} answered by vm1), resolved on dummy1 to the router's MAC"
                ),
                fip_ping && fip_tcp.is_ok(),
                &fip_tcp.err().unwrap_or_default(),
            ),
            self.nat_proof(&vm1_ns, vm1.address, fip, "its floating IP"),
        ]
    }

    fn empty_plan(&self) -> Proof {
        let plan = self.aio("plan", &["--detailed-exitcode"]);
        let bridge = &self.design.bridge;
        let patch_ports = self
            .ovsdb
            .vsctl(&["list-ports", bridge])
            .lines()
            .filter(|p| p.starts_with("patch-"))
            .count();
        proof(
            format!("aio plan is empty with OVN's {patch_ports} patch port(s) on {bridge}"),
            plan.code == Some(0) && patch_ports > 0,
            &plan.stdout,
        )
    }

    /// Opens TCP [`CLOSED_PORT`] in lb-mgmt-sec-grp through the API, waits
    /// until it passes, and removes the rule again.
    fn opened_by_a_rule(&self, amp_ns: &str, amp: Ipv4Addr) -> Result<(), String> {
        let group = &self.made().amp_group;
        let range = format!("{CLOSED_PORT}:{CLOSED_PORT}");
        let rule = self.cloud().openstack(&[
            "security",
            "group",
            "rule",
            "create",
            "--ingress",
            "--protocol",
            "tcp",
            "--dst-port",
            &range,
            group,
        ])?;
        let id = rule["id"].as_str().unwrap_or_default().to_string();
        let host = self.host.ns.as_str();
        let mut last = String::new();
        let passed = poll::within(RULE_DEADLINE, || {
            match tcp::exchange(amp_ns, host, amp, CLOSED_PORT) {
                Ok(_) => true,
                Err(e) => {
                    last = e;
                    false
                }
            }
        });
        self.cloud()
            .openstack_unit(&["security", "group", "rule", "delete", &id])?;
        if passed {
            Ok(())
        } else {
            Err(format!(
                "TCP {CLOSED_PORT} still dropped {} s after its rule was added: {last}",
                RULE_DEADLINE.as_secs()
            ))
        }
    }

    /// Checks that a VM resolved its gateway to router1's MAC.
    fn gateway_is_the_router(&self, ns: &str, vm: &crate::neutron::Port) -> Result<(), String> {
        let gateway = vm.gateway.ok_or("the VM has no gateway")?.to_string();
        let expected = &self.made().router_inside_mac;
        match neighbour(ns, &gateway) {
            Some(mac) if &mac == expected => Ok(()),
            seen => Err(format!(
                "{} resolved its gateway {gateway} to {seen:?}, not router1's {expected}",
                vm.name
            )),
        }
    }

    /// Checks that the host resolved the floating IP on the external
    /// bridge to router1's MAC on `public1`.
    fn fip_answered_by_the_router(&self, fip: Ipv4Addr) -> Result<(), String> {
        let expected = &self.made().router_outside_mac;
        let line = crate::ip(&["-n", &self.host.ns, "neigh", "show", &fip.to_string()]);
        let bridge = self.design.outside_link.as_str();
        if line.contains(&format!("dev {bridge} ")) && line.contains(expected.as_str()) {
            Ok(())
        } else {
            Err(format!(
                "the host's neighbour entry for {fip} is {:?}, not {expected} on {bridge}",
                line.trim()
            ))
        }
    }

    /// Checks that the amphora resolved `v-lbaas`'s MAC for the health
    /// manager's address, and the host resolved the amphora's MAC on
    /// `v-lbaas`.
    fn resolved_macs(&self, amp_ns: &str, amp_mac: &str, amp: Ipv4Addr) -> Result<(), String> {
        let hm = self.design.health_manager.to_string();
        let link = &self.design.health_manager_link;
        let v_lbaas = exec_in(
            &self.host.ns,
            &["cat", &format!("/sys/class/net/{link}/address")],
        );
        let v_lbaas = String::from_utf8_lossy(&v_lbaas.stdout).trim().to_string();
        let seen = neighbour(amp_ns, &hm);
        match seen {
            Some(mac) if mac == v_lbaas => {}
            Some(mac) => {
                return Err(format!(
                    "the amphora resolved {hm} to {mac}, not v-lbaas's {v_lbaas}"
                ));
            }
            None => {
                return Err(format!(
                    "the amphora resolved no MAC for {hm} (v-lbaas's is {v_lbaas}): its ARP went unanswered"
                ));
            }
        }
        let line = crate::ip(&["-n", &self.host.ns, "neigh", "show", &amp.to_string()]);
        if !(line.contains(&format!("dev {link} ")) && line.contains(amp_mac)) {
            return Err(format!(
                "the host's neighbour entry for the amphora is {:?}, not {amp_mac} on v-lbaas",
                line.trim()
            ));
        }
        Ok(())
    }

    /// A guest at `address` reaches the upstream router, which has no
    /// route back, so through OVN's NAT to `nat_ip` and then the host's;
    /// the datapath's conntrack holds the entry whose reply goes to
    /// `nat_ip`.
    fn nat_proof(&self, ns: &str, address: Ipv4Addr, nat_ip: Ipv4Addr, by: &str) -> Proof {
        let reached = pings(ns, GATEWAY);
        let conntrack = self
            .vswitchd
            .as_ref()
            .map(|v| v.appctl(&["dpctl/dump-conntrack"]))
            .unwrap_or_default();
        let orig = format!("orig=(src={address},dst={GATEWAY},");
        let reply = format!("reply=(src={GATEWAY},dst={nat_ip},");
        let tracked = conntrack
            .lines()
            .any(|l| l.starts_with("icmp,") && l.contains(&orig) && l.contains(&reply));
        let why = if tracked {
            String::new()
        } else {
            format!("no conntrack entry {orig}…{reply} in:\n{conntrack}")
        };
        proof(
            format!(
                "{address} reaches the upstream router {GATEWAY} through {by} ({nat_ip}, seen in conntrack) and the host's NAT"
            ),
            reached && tracked,
            &why,
        )
    }

    fn port_variable(&self, name: &str) -> Result<u16, String> {
        let value = self.kolla_variable(name)?;
        value
            .parse()
            .map_err(|_| format!("Kolla's {name} is {value:?}, not a port"))
    }

    fn port_text(&self, name: &str) -> String {
        self.port_variable(name)
            .map_or_else(|e| format!("? ({e})"), |p| p.to_string())
    }
}

pub(super) fn proof(claim: String, held: bool, why: &str) -> Proof {
    let why = if held { String::new() } else { why.to_string() };
    Proof { claim, held, why }
}

/// Tries twice (the first packets may be spent learning).
fn retry<T>(mut attempt: impl FnMut() -> Result<T, String>) -> Result<T, String> {
    attempt().or_else(|_| attempt())
}

fn expect_from(from: std::net::IpAddr, expected: Ipv4Addr, what: &str) -> Result<(), String> {
    if from == expected {
        Ok(())
    } else {
        Err(format!("{what} {from}, not {expected}"))
    }
}

/// Whether one ping from namespace `ns` to `to` is answered within 2 s.
pub(super) fn ping(ns: &str, to: &str) -> bool {
    exec_in(ns, &["ping", "-c", "1", "-W", "2", to])
        .status
        .success()
}

fn pings(ns: &str, to: &str) -> bool {
    (0..4).any(|_| ping(ns, to))
}

/// Whether one ping of exactly `size` bytes (IPv4 and ICMP headers
/// included), with "don't fragment", goes from `ns` to `to` and back.
fn unfragmented(ns: &str, to: Ipv4Addr, size: u32) -> bool {
    let payload = (size - 28).to_string();
    let to = to.to_string();
    let ping = [
        "ping", "-M", "do", "-s", &payload, "-c", "1", "-W", "2", &to,
    ];
    exec_in(ns, &ping).status.success()
}

/// The MAC namespace `ns` resolved `address` to.
fn neighbour(ns: &str, address: &str) -> Option<String> {
    let line = crate::ip(&["-n", ns, "neigh", "show", address]);
    let mut words = line.split_whitespace();
    words.find(|w| *w == "lladdr")?;
    words.next().map(str::to_string)
}
