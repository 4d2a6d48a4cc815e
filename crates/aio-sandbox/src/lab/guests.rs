//! Guests plugged as Nova's and Octavia's VIF plugging does: a namespace
//! with the port's MAC, address and MTU as Neutron reports them, its cable
//! a veth whose host end is on `br-int` with `iface-id` = the port's id.
//!
//! The host end takes no part in IP: no address, ARP and IPv6 off. With
//! ARP on, the host's own stack would answer an amphora's ARP for
//! `v-lbaas`'s address straight through that veth, and the VLAN proofs
//! would pass without touching `br-ex`.

use crate::neutron::Port;
use crate::ovs::Ovsdb;
use crate::{Guest, Sandbox, exec_in};

/// Makes the guest for `port` and plugs it into `br-int`.
pub fn plug(host: &Sandbox, ovsdb: &Ovsdb, port: &Port) -> Guest {
    let cidr = format!("{}/{}", port.address, port.prefix);
    // Only VMs route through their subnet's gateway; an amphora talks to
    // the health manager on its own subnet.
    let gateway = port
        .gateway
        .filter(|_| port.name.starts_with("vm"))
        .map(|g| g.to_string());
    let guest = host.guest(port.name, None, &cidr, gateway.as_deref());
    let mtu = port.mtu.to_string();
    crate::ip(&["-n", &guest.ns, "link", "set", "eth0", "down"]);
    crate::ip(&[
        "-n", &guest.ns, "link", "set", "eth0", "address", &port.mac, "mtu", &mtu, "up",
    ]);
    if let Some(gateway) = &gateway {
        crate::ip(&[
            "-n", &guest.ns, "route", "replace", "default", "via", gateway,
        ]);
    }
    host.ip(&["link", "set", port.name, "mtu", &mtu, "arp", "off"]);
    let no_ipv6 = format!("net.ipv6.conf.{}.disable_ipv6=1", port.name);
    let out = host.exec(&["sysctl", "-q", "-w", &no_ipv6]);
    assert!(out.status.success(), "sysctl {no_ipv6} in the host");
    let ids = format!(
        "external_ids:iface-id={} external_ids:attached-mac={} external_ids:iface-status=active",
        port.id, port.mac
    );
    let mut args = vec!["add-port", "br-int", port.name, "--", "set", "interface"];
    args.push(port.name);
    args.extend(ids.split(' '));
    ovsdb.vsctl(&args);
    offloads_off(&guest.ns, "eth0");
    offloads_off(&host.ns, port.name);
    guest
}

/// What is wrong with the host end of `port`'s cable, if anything: it must
/// hold no address and have ARP and IPv6 off.
pub fn host_end_faults(host: &Sandbox, port: &Port) -> Vec<String> {
    let mut faults = Vec::new();
    let shown = host.ip(&["-o", "addr", "show", "dev", port.name]);
    if !shown.trim().is_empty() {
        faults.push(format!("{} has addresses: {}", port.name, shown.trim()));
    }
    let link = host.ip(&["-o", "link", "show", "dev", port.name]);
    if !link.contains("NOARP") {
        faults.push(format!("{} answers ARP", port.name));
    }
    let knob = format!("/proc/sys/net/ipv6/conf/{}/disable_ipv6", port.name);
    let out = host.exec(&["cat", &knob]);
    if String::from_utf8_lossy(&out.stdout).trim() != "1" {
        faults.push(format!("{} has IPv6 on", port.name));
    }
    faults
}

/// `ethtool -K DEV tx off` in namespace `ns` (see the lab's doc).
pub fn offloads_off(ns: &str, dev: &str) {
    let out = exec_in(ns, &["ethtool", "-K", dev, "tx", "off"]);
    assert!(
        out.status.success(),
        "ethtool -K {dev} tx off (package ethtool): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
