//! The storage suite's proofs, each run over SSH in the VM it concerns.

use std::net::Ipv4Addr;

use aio_vm::Ssh;

use super::super::remote::{Proof, must, plan_is_empty, said, write_topology};
use super::super::topology::PATH;

/// The exported directory, and where clients mount it.
const EXPORT: &str = "/mnt/nfs";
const MOUNT: &str = "/mnt/cinder";
/// Kolla's cinder user.
const CINDER_UID: u32 = 42407;
const DROP_IN: &str = "/etc/exports.d/aio.exports";

pub struct Hosts {
    pub server: Ipv4Addr,
    pub client: Ipv4Addr,
}

/// The server's topology: the export for itself and the client.
fn topology(hosts: &Hosts) -> String {
    format!(
        "version = 1\n\n[host]\nuplink = \"auto\"\n\n[nfs]\n\n\
         [nfs.exports.\"{EXPORT}\"]\n\
         clients = [\"${{uplink_address}}\", \"{client}\"]\n\
         options = [\"rw\", \"sync\", \"no_subtree_check\", \"no_root_squash\"]\n\
         mode = \"0777\"\n",
        client = hosts.client
    )
}

/// `aio COMMAND -f PATH ARGS`, its exit code and what it said.
fn aio(ssh: &Ssh, command: &str, args: &str) -> Result<(Option<i32>, String), String> {
    let out = ssh
        .exec(&format!("aio {command} -f {PATH} --color never {args}"))
        .map_err(|e| e.to_string())?;
    Ok((out.status.code(), said(&out)))
}

pub fn exported(ssh: &Ssh, hosts: &Hosts) -> Proof<()> {
    write_topology(ssh, PATH, &topology(hosts))?;
    let (code, text) = aio(ssh, "apply", "--yes")?;
    if code != Some(0) {
        return Err(format!("aio apply exited {code:?}:\n{text}"));
    }
    let table = must(ssh, "exportfs -v")?;
    for want in [hosts.server.to_string(), hosts.client.to_string()] {
        if !table.contains(&want) {
            return Err(format!("exportfs -v does not list {want}:\n{table}"));
        }
    }
    if table.contains("<world>") {
        return Err(format!("the export is open to every host:\n{table}"));
    }
    let line = must(
        ssh,
        &format!("head -1 {DROP_IN} | grep -q '^# Written by aio' && tail -n +2 {DROP_IN}"),
    )?;
    let dir = must(ssh, &format!("stat -c '%a %U:%G' {EXPORT}"))?;
    if dir != "777 root:root" {
        return Err(format!("{EXPORT} is {dir}, not 777 root:root"));
    }
    plan_is_empty(ssh, PATH)?;
    Ok((
        (),
        format!("{DROP_IN}: {line}; {EXPORT} {dir}; the next plan is empty"),
    ))
}

pub fn client_writes(client: &Ssh, server: &Ssh, hosts: &Hosts) -> Proof<()> {
    must(
        client,
        &format!(
            "mkdir -p {MOUNT} && timeout 120 mount -t nfs {}:{EXPORT} {MOUNT} && \
             touch {MOUNT}/by-root && \
             setpriv --reuid={CINDER_UID} --regid={CINDER_UID} --clear-groups touch {MOUNT}/by-cinder",
            hosts.server
        ),
    )?;
    let owners = must(
        server,
        &format!("stat -c '%u %n' {EXPORT}/by-root {EXPORT}/by-cinder"),
    )?;
    let expected = format!("0 {EXPORT}/by-root\n{CINDER_UID} {EXPORT}/by-cinder");
    if owners != expected {
        return Err(format!(
            "on the server the files are owned as:\n{owners}\nnot:\n{expected}"
        ));
    }
    let version = must(
        client,
        &format!("findmnt -n -o FSTYPE,OPTIONS {MOUNT} | cut -c1-60"),
    )?;
    Ok((
        (),
        format!("mounted ({version}); by-root owned by 0, by-cinder by {CINDER_UID} on the server"),
    ))
}

pub fn refused(stranger: &Ssh, hosts: &Hosts) -> Proof<()> {
    let out = stranger
        .exec(&format!(
            "mkdir -p {MOUNT} && timeout 120 mount -t nfs -o retry=0 {}:{EXPORT} {MOUNT}",
            hosts.server
        ))
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        return Err("vm2 mounted the export".into());
    }
    Ok((
        (),
        said(&out).lines().last().unwrap_or_default().to_string(),
    ))
}

pub fn edited_is_repaired(ssh: &Ssh) -> Proof<()> {
    must(ssh, &format!("sed -i 's/(rw,/(ro,/g' {DROP_IN}"))?;
    let (code, text) = aio(ssh, "plan", "--detailed-exitcode")?;
    if code != Some(2) || !text.contains("~ nfs-export//mnt/nfs") {
        return Err(format!(
            "the plan does not show the drift (exit {code:?}):\n{text}"
        ));
    }
    repaired(ssh, "(rw,")
}

pub fn unexported_is_repaired(ssh: &Ssh, hosts: &Hosts) -> Proof<()> {
    must(ssh, &format!("exportfs -u {}:{EXPORT}", hosts.client))?;
    let (code, text) = aio(ssh, "plan", "--detailed-exitcode")?;
    if code != Some(2) || !text.contains("exported: false -> true") {
        return Err(format!(
            "the plan does not show the drift (exit {code:?}):\n{text}"
        ));
    }
    repaired(ssh, &hosts.client.to_string())
}

/// Applied, the plan is empty and `exportfs -v` or the drop-in shows `sign`.
fn repaired(ssh: &Ssh, sign: &str) -> Proof<()> {
    let (code, text) = aio(ssh, "apply", "--yes")?;
    if code != Some(0) {
        return Err(format!("aio apply exited {code:?}:\n{text}"));
    }
    plan_is_empty(ssh, PATH)?;
    let now = must(ssh, &format!("cat {DROP_IN}; exportfs -v"))?;
    if !now.contains(sign) {
        return Err(format!("no {sign} once repaired:\n{now}"));
    }
    Ok((
        (),
        "planned as an update, applied, the next plan is empty".into(),
    ))
}

pub fn service(ssh: &Ssh) -> Proof<()> {
    must(ssh, &format!("aio service install -f {PATH}"))?;
    let enabled = must(ssh, "systemctl is-enabled aio.service")?;
    match enabled.as_str() {
        "enabled" => Ok(((), enabled)),
        other => Err(format!("aio.service is {other}")),
    }
}

pub fn back_after_reboot(server: &Ssh, client: &Ssh, hosts: &Hosts) -> Proof<()> {
    let waited = must(
        server,
        &format!(
            "for i in $(seq 120); do exportfs -v | grep -q '{}' && {{ echo $i; exit 0; }}; sleep 1; done; \
             exportfs -v; systemctl status --no-pager nfs-server; exit 1",
            hosts.client
        ),
    )?;
    let read = must(client, &format!("timeout 180 stat -c %n {MOUNT}/by-root"))?;
    plan_is_empty(server, PATH)?;
    Ok((
        (),
        format!("exported {waited} s after SSH; the client read {read}; the plan is empty"),
    ))
}

pub fn destroyed(ssh: &Ssh) -> Proof<()> {
    must(ssh, "aio service uninstall")?;
    let (code, text) = aio(ssh, "destroy", "--yes")?;
    if code != Some(0) {
        return Err(format!("aio destroy exited {code:?}:\n{text}"));
    }
    must(ssh, &format!("! test -e {DROP_IN}")).map_err(|_| format!("{DROP_IN} is still there"))?;
    let table = must(ssh, "exportfs -v")?;
    if table.contains(EXPORT) {
        return Err(format!("{EXPORT} is still exported:\n{table}"));
    }
    must(ssh, &format!("test -f {EXPORT}/by-cinder"))
        .map_err(|_| "the data went with it".to_string())?;
    Ok((
        (),
        format!("{DROP_IN} gone, {EXPORT} not exported, its files kept"),
    ))
}

/// The seed's lines: the same wide-open export twice (its `tee -a` on two
/// runs), after a line of the operator's own.
fn seed_lines(hosts: &Hosts) -> String {
    let open = format!("{EXPORT} *(rw,sync,no_root_squash,no_subtree_check)");
    format!(
        "/srv/keep {}(ro,sync,no_subtree_check)\n{open}\n{open}\n",
        hosts.client
    )
}

pub fn seed_adopted(server: &Ssh, stranger: &Ssh, hosts: &Hosts) -> Proof<()> {
    let before = must(server, "cat /etc/exports")?;
    // exportfs exits 1 on the duplicate yet exports it, which the seed's
    // own run ignores.
    must(
        server,
        &format!(
            "mkdir -p /srv/keep && printf '%s' '{}' >> /etc/exports && {{ exportfs -ra || true; }}",
            seed_lines(hosts)
        ),
    )?;
    let mount = format!(
        "timeout 120 mount -t nfs -o retry=0 {}:{EXPORT} {MOUNT} && umount {MOUNT}",
        hosts.server
    );
    must(stranger, &mount).map_err(|e| format!("the seed's export should let vm2 in: {e}"))?;
    let (code, text) = aio(server, "adopt", "--yes")?;
    if code != Some(0) {
        return Err(format!("aio adopt exited {code:?}:\n{text}"));
    }
    // Both lines go: one taken over by the export, one a duplicate.
    let took = text
        .lines()
        .filter(|l| l.contains("- exports-line/"))
        .count();
    if took != 2 {
        return Err(format!(
            "the adoption should name the seed's two lines:\n{text}"
        ));
    }
    let after = must(server, "cat /etc/exports")?;
    let expected = format!(
        "{before}\n/srv/keep {}(ro,sync,no_subtree_check)",
        hosts.client
    );
    if after.trim_end() != expected.trim_end() {
        return Err(format!(
            "/etc/exports after adoption:\n{after}\nnot:\n{expected}"
        ));
    }
    let out = stranger.exec(&mount).map_err(|e| e.to_string())?;
    if out.status.success() {
        return Err("vm2 still mounts the export after adoption".into());
    }
    plan_is_empty(server, PATH)?;
    let line = must(server, &format!("tail -n +2 {DROP_IN}"))?;
    Ok((
        (),
        format!("2 seed lines moved into {DROP_IN} ({line}); /srv/keep kept; vm2 refused"),
    ))
}
