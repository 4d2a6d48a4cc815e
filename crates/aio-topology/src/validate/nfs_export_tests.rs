#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::validate::testing::{PLUMBING, at, errors, only_error, valid};

/// `[nfs.exports."/mnt/nfs"]` holding `keys`, without [kolla].
fn export(keys: &str) -> String {
    format!("version = 1\n[nfs.exports.\"/mnt/nfs\"]\n{keys}\n")
}

/// An export of `path` to one client.
fn at_path(path: &str) -> String {
    format!("version = 1\n[nfs.exports.{path:?}]\nclients = [\"10.0.0.5\"]\n")
}

#[test]
fn every_host_as_a_client_needs_any_client() {
    for every in ["*", "0.0.0.0/0"] {
        let text = export(&format!("clients = [\"10.0.0.5\", \"{every}\"]"));
        let e = only_error(&text);
        assert_eq!(e.at, at(&text, &format!("\"{every}\"")));
        assert_eq!(
            e.message,
            format!("client \"{every}\" lets every host mount /mnt/nfs")
        );
        assert_eq!(
            e.help,
            "name the clients (the host itself is \"${uplink_address}\"), or set any_client = true"
        );
        let t = valid(&export(&format!(
            "clients = [\"{every}\"]\nany_client = true"
        )));
        let e = &t.nfs.as_ref().unwrap().exports["/mnt/nfs"];
        assert!(e.any_client);
        assert_eq!(e.clients[0].value.raw(), every);
    }
    let text = export("clients = [\"*\"]\nany_client = false");
    assert_eq!(only_error(&text).at, "3:12");
}

#[test]
fn no_root_squash_with_every_host_is_refused_even_with_any_client() {
    let text = export(
        "clients = [\"*\"]\noptions = [\"rw\", \"sync\", \"no_root_squash\"]\nany_client = true",
    );
    let e = only_error(&text);
    assert_eq!(e.at, at(&text, "\"no_root_squash\""));
    assert_eq!(
        e.message,
        "no_root_squash with client \"*\" makes any host's root root on /mnt/nfs"
    );
    assert_eq!(
        e.help,
        "drop no_root_squash, or name the clients (the host itself is \"${uplink_address}\")"
    );
    // Without any_client, both rules speak, each at its own value.
    let text = export("clients = [\"0.0.0.0/0\"]\noptions = [\"no_root_squash\", \"rw\"]");
    let found: Vec<(String, String)> = errors(&text)
        .into_iter()
        .map(|e| (e.at, e.message))
        .collect();
    assert_eq!(
        found,
        [
            (
                "3:12".to_string(),
                "client \"0.0.0.0/0\" lets every host mount /mnt/nfs".to_string()
            ),
            (
                "4:12".to_string(),
                "no_root_squash with client \"0.0.0.0/0\" makes any host's root root on /mnt/nfs"
                    .to_string()
            ),
        ]
    );
    // Named clients keep remote root as root: the seed's choice, on purpose.
    valid(&export(
        "clients = [\"${uplink_address}\", \"192.168.100.0/24\"]\noptions = [\"rw\", \"no_root_squash\"]",
    ));
    // Squashed root with every host is allowed on purpose.
    valid(&export(
        "clients = [\"*\"]\nany_client = true\noptions = [\"ro\", \"root_squash\"]",
    ));
}

#[test]
fn paths_are_absolute_normalised_and_not_the_hosts_own() {
    let system = "export a directory of its own, e.g. under /mnt or /srv: /proc, /sys, /dev, /run, /etc, /boot, /usr, /bin, /sbin and /lib* belong to the host";
    for (path, message, help) in [
        (
            "mnt/nfs",
            "export path \"mnt/nfs\" is not absolute",
            "write a path from /, e.g. \"/mnt/nfs\"",
        ),
        (
            "/",
            "export path \"/\" is the whole filesystem",
            "export a directory of its own, e.g. \"/mnt/nfs\"",
        ),
        (
            "/mnt/nfs/",
            "export path \"/mnt/nfs/\" is not normalised",
            "write \"/mnt/nfs\": no \".\", \"..\", \"//\" or trailing \"/\"",
        ),
        (
            "/mnt//nfs",
            "export path \"/mnt//nfs\" is not normalised",
            "write \"/mnt/nfs\": no \".\", \"..\", \"//\" or trailing \"/\"",
        ),
        (
            "/mnt/./nfs",
            "export path \"/mnt/./nfs\" is not normalised",
            "write \"/mnt/nfs\": no \".\", \"..\", \"//\" or trailing \"/\"",
        ),
        (
            "/srv/../mnt/nfs",
            "export path \"/srv/../mnt/nfs\" is not normalised",
            "write \"/mnt/nfs\": no \".\", \"..\", \"//\" or trailing \"/\"",
        ),
        (
            "/mnt/..",
            "export path \"/mnt/..\" is not normalised",
            "write a path without \".\", \"..\", \"//\" or a trailing \"/\"",
        ),
        (
            "/mnt/../etc/x",
            "export path \"/mnt/../etc/x\" is not normalised",
            "write a path without \".\", \"..\", \"//\" or a trailing \"/\"",
        ),
        (
            "/etc",
            "export path \"/etc\" is under /etc, the host's own",
            system,
        ),
        (
            "/etc/kolla",
            "export path \"/etc/kolla\" is under /etc, the host's own",
            system,
        ),
        (
            "/proc/1",
            "export path \"/proc/1\" is under /proc, the host's own",
            system,
        ),
        (
            "/run/nfs",
            "export path \"/run/nfs\" is under /run, the host's own",
            system,
        ),
        (
            "/lib64/x",
            "export path \"/lib64/x\" is under /lib*, the host's own",
            system,
        ),
        (
            "/usr/share",
            "export path \"/usr/share\" is under /usr, the host's own",
            system,
        ),
        (
            "/mnt/my nfs",
            "export path \"/mnt/my nfs\" holds a character exports(5) reads specially",
            "write a path without whitespace, control characters, `\"`, `\\` or `#`",
        ),
        (
            "/mnt/a#b",
            "export path \"/mnt/a#b\" holds a character exports(5) reads specially",
            "write a path without whitespace, control characters, `\"`, `\\` or `#`",
        ),
    ] {
        let text = at_path(path);
        let e = only_error(&text);
        assert_eq!(e.at, "2:14", "{path}");
        assert_eq!(
            (e.message.as_str(), e.help.as_str()),
            (message, help),
            "{path}"
        );
    }
}

#[test]
fn one_export_may_hold_another_and_directories_of_their_own_are_exported() {
    let text = "version = 1\n[nfs.exports.\"/srv/nfs\"]\nclients = [\"10.0.0.5\"]\n\
                [nfs.exports.\"/srv/nfs/cinder\"]\nclients = [\"10.0.0.6\"]\n\
                [nfs.exports.\"/mnt/.nfs\"]\nclients = [\"10.0.0.6\"]\n\
                [nfs.exports.\"/var/lib/nfs-data\"]\nclients = [\"10.0.0.6\"]\n";
    let t = valid(text);
    let paths: Vec<&String> = t.nfs.as_ref().unwrap().exports.keys().collect();
    assert_eq!(
        paths,
        [
            "/srv/nfs",
            "/srv/nfs/cinder",
            "/mnt/.nfs",
            "/var/lib/nfs-data"
        ]
    );
}

#[test]
fn clients_are_addresses_networks_or_address_substitutions() {
    let text = export(
        "clients = [\"${uplink_address}\", \"192.168.100.11\", \"192.168.100.0/24\", \"10.0.0.0/8\"]",
    );
    let t = valid(&text);
    assert_eq!(t.nfs.unwrap().exports["/mnt/nfs"].clients.len(), 4);
    let literal = "write an IPv4 address (\"192.168.100.11\"), a network (\"192.168.100.0/24\") or \"${uplink_address}\" for the host itself";
    for (client, message, help) in [
        (
            "192.168.100.11/24",
            "client 192.168.100.11/24 has host bits set",
            "write the network: \"192.168.100.0/24\"",
        ),
        (
            "nfs-client.example",
            "client \"nfs-client.example\" is not an IPv4 address or network",
            literal,
        ),
        (
            "192.168.100.*",
            "client \"192.168.100.*\" is not an IPv4 address or network",
            literal,
        ),
        (
            "fd00::1",
            "client \"fd00::1\" is not an IPv4 address or network",
            literal,
        ),
        (
            "${uplink}",
            "client \"${uplink}\": `${uplink}` is an interface name, not an address",
            "write \"${uplink_address}\", the uplink's address",
        ),
        (
            "${uplink_address}/24",
            "client \"${uplink_address}/24\" is not a substitution alone",
            "write \"${uplink_address}\" or \"${vip}\" alone, or an IPv4 address",
        ),
        (
            "${vip}",
            "client \"${vip}\" needs [kolla]: the VIP is kolla.vip",
            "write \"${uplink_address}\" or an IPv4 address, or add [kolla]",
        ),
        (
            "${host}",
            "unknown substitution `${host}`",
            "substitutions are ${uplink}, ${uplink_address}, ${vip}",
        ),
    ] {
        let text = export(&format!("clients = [\"10.0.0.5\", \"{client}\"]"));
        let e = only_error(&text);
        assert_eq!(e.at, "3:24", "{client}");
        assert_eq!(
            (e.message.as_str(), e.help.as_str()),
            (message, help),
            "{client}"
        );
    }
    // With [kolla], `${vip}` is an address.
    valid(&format!(
        "{PLUMBING}[nfs.exports.\"/mnt/nfs\"]\nclients = [\"${{vip}}\"]\n"
    ));
}

#[test]
fn clients_are_not_empty_and_each_is_named_once() {
    let text = export("clients = []");
    let e = only_error(&text);
    assert_eq!(e.at, "3:11");
    assert_eq!(e.message, "export /mnt/nfs has no clients");
    assert_eq!(
        e.help,
        "name who may mount it, e.g. clients = [\"${uplink_address}\"] for the host itself"
    );
    let text = export("clients = [\"10.0.0.5\", \"10.0.0.6\", \"10.0.0.5\"]");
    let e = only_error(&text);
    assert_eq!(e.at, "3:36");
    assert_eq!(
        (e.message.as_str(), e.help.as_str()),
        ("client \"10.0.0.5\" is listed twice", "remove one")
    );
}
