//! The text aio writes for systemd: the whole unit when no package
//! installed one, else a drop-in that points the packaged unit at a topology.

use std::path::Path;

use crate::Failure;

pub const UNIT: &str = "aio.service";
/// The first line of every unit aio writes: how uninstall knows it is aio's.
pub const MARK: &str = "# Written by `aio service install`; `aio service uninstall` removes it.";

/// The unit that runs `aio watch -f topology` with the binary at `aio`.
pub fn unit(aio: &Path, topology: &Path) -> Result<String, Failure> {
    Ok(format!("{MARK}\n{}", body(aio, topology)?))
}

/// The first line of the unit the Debian package installs.
const PACKAGED: &str = "# Installed by the aio package, neither enabled nor started: `aio service install -f FILE` points it at FILE and enables it.";

/// The unit `cargo xtask dist` packages: [`unit`] without aio's mark, so
/// that `aio service uninstall` never removes it (dpkg owns it).
pub fn packaged(aio: &Path, topology: &Path) -> Result<String, Failure> {
    Ok(format!("{PACKAGED}\n{}", body(aio, topology)?))
}

/// What runs the packaged unit on `topology` with `aio`: a drop-in that
/// replaces its ExecStart.
pub fn drop_in(aio: &Path, topology: &Path) -> Result<String, Failure> {
    Ok(format!(
        "{MARK}\n# The packaged aio.service, run on this topology.\n[Service]\nExecStart=\nExecStart={}\n",
        exec(aio, topology)?
    ))
}

fn exec(aio: &Path, topology: &Path) -> Result<String, Failure> {
    Ok(format!("{} watch -f {}", arg(aio)?, arg(topology)?))
}

fn body(aio: &Path, topology: &Path) -> Result<String, Failure> {
    let exec = exec(aio, topology)?;
    Ok(format!(
        "[Unit]
Description=aio: keep the all-in-one OpenStack host plumbing converged
Documentation=man:aio(1)
# Routes and the uplink's address first (aio finds the uplink by the default route).
Wants=network-online.target
After=network-online.target
# Started before Docker, which starts Kolla's containers: aio watch reports
# ready (Type=notify) once its first pass made the host's plumbing
# (veth-ovs, v-lbaas, NAT, sysctls); Kolla's deployment and the br-ex port
# come after. It waits for OVSDB (in those containers) itself.
Before=docker.service
# Retry a failed start (the network may come up late), but not forever: ten
# failures within ten minutes leave the unit failed until
# `systemctl reset-failed aio.service` (or a fixed topology and a restart).
StartLimitIntervalSec=10min
StartLimitBurst=10

[Service]
Type=notify
NotifyAccess=main
ExecStart={exec}
Restart=on-failure
RestartSec=15s
# SIGTERM stops aio watch between applies.
KillSignal=SIGTERM
TimeoutStopSec=90s
# What aio and Kolla's tasks create is private unless they set its mode.
UMask=0077

# Hardening. aio watch runs as root in the host's network namespace: it
# changes links, addresses and nftables over netlink, writes /proc/sys,
# probes ARP over a packet socket, talks to OVSDB over its unix socket and
# to Docker over its own, enters a named network namespace for a
# rehearsal, and runs kolla-ansible from its venv. Kolla's
# bootstrap-servers installs Docker with apt, makes users and groups,
# loads kernel modules, sets sysctls, writes /etc and makes setgid
# directories; deploy writes /etc/kolla and starts containers through
# dockerd, which runs outside this unit.
NoNewPrivileges=yes
# Kept: file ownership and modes (dpkg, Kolla's files), changing identity
# (apt drops to _apt, become), the network, setns (SYS_ADMIN), kernel
# modules (Kolla's module-load), other users' processes (SYS_PTRACE, with
# ProtectProc), priorities and limits, the AppArmor profile Kolla removes
# for libvirt (MAC_ADMIN), the audit messages of useradd and sudo.
# Dropped: the clock, reboot, raw I/O, device nodes, BPF and perf, the
# kernel log, immutable files, leases, memory locking, signals to other
# users' processes, privileged ports.
CapabilityBoundingSet=CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_SETFCAP CAP_SETUID CAP_SETGID CAP_SETPCAP CAP_NET_ADMIN CAP_NET_RAW CAP_SYS_ADMIN CAP_SYS_MODULE CAP_SYS_PTRACE CAP_SYS_NICE CAP_SYS_RESOURCE CAP_MAC_ADMIN CAP_MAC_OVERRIDE CAP_AUDIT_WRITE
RestrictAddressFamilies=AF_UNIX AF_NETLINK AF_INET AF_INET6 AF_PACKET
# Network namespaces only: aio enters one for a rehearsal.
RestrictNamespaces=net
SystemCallArchitectures=native
# A mount made inside this unit's own mount namespace would reach nothing.
SystemCallFilter=~@clock @cpu-emulation @debug @mount @obsolete @raw-io @reboot @swap
SystemCallErrorNumber=EPERM
PrivateTmp=yes
PrivateMounts=yes
ProtectControlGroups=yes
ProtectKernelLogs=yes
ProtectHostname=yes
ProtectProc=invisible
LockPersonality=yes
RestrictRealtime=yes
# Left out, because each would break what this unit runs:
# - PrivateNetwork, IPAddressDeny: aio works on the host's own network,
#   pip and Docker fetch from the internet, Ansible reaches other nodes.
# - User, DynamicUser, PrivateUsers: netlink, nftables, /proc/sys and
#   Kolla's tasks need root.
# - ProtectSystem, ProtectHome, ReadWritePaths: bootstrap-servers installs
#   packages into /usr and writes /etc; the venv is under /opt; Ansible
#   keeps its temporary files, collections and SSH keys in root's home.
# - ProtectKernelTunables, ProcSubset: aio and Kolla write /proc/sys.
# - ProtectKernelModules, SystemCallFilter=~@module: Kolla loads modules.
# - PrivateDevices, DeviceAllow, ProtectClock (which implies a device
#   list): Kolla's tasks and the packages they install see host devices.
# - RestrictSUIDSGID: Kolla makes setgid directories.
# - MemoryDenyWriteExecute: Python's ctypes and libffi closures need
#   writable executable memory.
# - SystemCallFilter=~@privileged ~@resources: apt, sudo and useradd
#   change identity; every program reads its limits with prlimit64.

[Install]
WantedBy=multi-user.target
"
    ))
}

/// One ExecStart argument: quoted when it holds anything but plain path
/// characters; `%` and `$` doubled so systemd expands neither.
fn arg(path: &Path) -> Result<String, Failure> {
    let Some(s) = path.to_str() else {
        return Err(Failure::Refused(format!(
            "{} is not UTF-8: a systemd unit cannot name it",
            path.display()
        )));
    };
    if s.chars().any(char::is_control) {
        return Err(Failure::Refused(format!(
            "{s:?} holds a control character: a systemd unit cannot name it"
        )));
    }
    let escaped = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('%', "%%")
        .replace('$', "$$");
    let plain = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@".contains(c));
    Ok(if plain {
        escaped
    } else {
        format!("\"{escaped}\"")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_start_arguments_are_quoted_only_when_needed() {
        let a = |s: &str| arg(Path::new(s)).unwrap();
        assert_eq!(a("/usr/local/sbin/aio"), "/usr/local/sbin/aio");
        assert_eq!(
            a("/etc/aio/my topology.toml"),
            "\"/etc/aio/my topology.toml\""
        );
        assert_eq!(a("/srv/100%/$HOME"), "\"/srv/100%%/$$HOME\"");
        assert_eq!(a("/a\"b\\c"), "\"/a\\\"b\\\\c\"");
        assert!(arg(Path::new("/a\nb")).is_err());
    }

    #[test]
    fn the_packaged_unit_is_not_aios_and_a_drop_in_replaces_its_command() {
        let (aio, t) = (
            Path::new("/usr/bin/aio"),
            Path::new("/etc/aio/topology.toml"),
        );
        let packaged = packaged(aio, t).unwrap();
        assert!(!packaged.starts_with(MARK));
        assert_eq!(
            packaged.lines().skip(1).collect::<Vec<_>>(),
            unit(aio, t).unwrap().lines().skip(1).collect::<Vec<_>>()
        );
        let drop_in = drop_in(aio, Path::new("/srv/t.toml")).unwrap();
        assert!(drop_in.starts_with(MARK));
        assert!(
            drop_in
                .ends_with("[Service]\nExecStart=\nExecStart=/usr/bin/aio watch -f /srv/t.toml\n"),
            "{drop_in}"
        );
    }

    #[test]
    fn the_unit_runs_watch_after_the_network_and_before_docker() {
        let text = unit(
            Path::new("/usr/local/sbin/aio"),
            Path::new("/etc/aio/t.toml"),
        )
        .unwrap();
        assert!(text.starts_with(MARK));
        for line in [
            "ExecStart=/usr/local/sbin/aio watch -f /etc/aio/t.toml",
            "Wants=network-online.target",
            "After=network-online.target",
            "Before=docker.service",
            "WantedBy=multi-user.target",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
        }
    }
}
