#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::validate::testing::{PLUMBING, at, errors, line_of, only_error, valid};

/// The plumbing (with [kolla]), `[nfs]` holding `keys` and Cinder's share
/// `/mnt/nfs` exported to the host itself with `options`.
fn share(keys: &str, options: &str) -> String {
    format!(
        "{PLUMBING}[nfs]\ncinder_share = \"/mnt/nfs\"\n{keys}\n\
         [nfs.exports.\"/mnt/nfs\"]\nclients = [\"${{uplink_address}}\"]\n{options}\n"
    )
}

/// The whole `[nfs]` of the format reference, with [kolla].
const FULL: &str = r#"[nfs]
cinder_share = "/mnt/nfs"
address = "${uplink_address}"

[nfs.exports."/mnt/nfs"]
clients = ["${uplink_address}", "192.168.100.11", "192.168.100.0/24"]
options = ["rw", "sync", "no_subtree_check", "no_root_squash"]
owner = "root"
group = "root"
mode = "0777"
any_client = false
"#;

#[test]
fn the_full_section_validates_and_keeps_every_value_where_it_is_written() {
    let text = format!("{PLUMBING}{FULL}");
    let t = valid(&text);
    let nfs = t.nfs.as_ref().unwrap();
    let pos = |span: &crate::Span| {
        let (line, col) = t.source.line_col(span.start);
        format!("{line}:{col}")
    };
    assert_eq!(pos(&nfs.span), format!("{}:1", line_of(&text, "[nfs]")));
    let share = nfs.cinder_share.as_ref().unwrap();
    assert_eq!(share.value, "/mnt/nfs");
    assert_eq!(pos(&share.span), at(&text, "\"/mnt/nfs\"\naddress"));
    assert_eq!(nfs.address.value.raw(), "${uplink_address}");
    assert_eq!(
        pos(&nfs.address.span),
        format!("{}:11", line_of(&text, "address ="))
    );
    assert_eq!(nfs.exports.len(), 1);
    let e = &nfs.exports["/mnt/nfs"];
    assert_eq!(e.path, "/mnt/nfs");
    assert_eq!(pos(&e.path_span), at(&text, "\"/mnt/nfs\"]"));
    let clients: Vec<String> = e.clients.iter().map(|c| c.value.raw()).collect();
    assert_eq!(
        clients,
        ["${uplink_address}", "192.168.100.11", "192.168.100.0/24"]
    );
    assert_eq!(pos(&e.clients[1].span), at(&text, "\"192.168.100.11\""));
    let options: Vec<&str> = e.options.iter().map(|o| o.value.as_str()).collect();
    assert_eq!(
        options,
        ["rw", "sync", "no_subtree_check", "no_root_squash"]
    );
    assert_eq!(pos(&e.options[3].span), at(&text, "\"no_root_squash\""));
    assert_eq!(e.owner.as_ref().unwrap().value, "root");
    assert_eq!(e.group.as_ref().unwrap().value, "root");
    assert_eq!(e.mode.value, 0o777);
    assert_eq!(pos(&e.mode.span), at(&text, "\"0777\""));
    assert!(!e.any_client);
}

#[test]
fn an_export_alone_takes_the_defaults_located_at_its_table() {
    let text = "version = 1\n[nfs.exports.\"/srv/share\"]\nclients = [\"10.0.0.5\"]\n";
    let t = valid(text);
    let nfs = t.nfs.as_ref().unwrap();
    let pos = |span: &crate::Span| t.source.line_col(span.start);
    // `[nfs]` itself is not written: its place is `nfs` in the header.
    assert_eq!(pos(&nfs.span), (2, 2));
    assert_eq!(nfs.address.value.raw(), "${uplink_address}");
    assert_eq!(pos(&nfs.address.span), (2, 2));
    assert_eq!(nfs.cinder_share, None);
    let e = &nfs.exports["/srv/share"];
    assert_eq!(pos(&e.path_span), (2, 14));
    let options: Vec<&str> = e.options.iter().map(|o| o.value.as_str()).collect();
    assert_eq!(options, ["rw", "sync", "no_subtree_check"]);
    assert!(e.options.iter().all(|o| pos(&o.span) == (2, 14)));
    assert_eq!((e.mode.value, pos(&e.mode.span)), (0o755, (2, 14)));
    assert_eq!((&e.owner, &e.group, e.any_client), (&None, &None, false));
    // Declared under `[nfs]`, the address's default is located there.
    let t = valid(&share("", ""));
    let nfs = t.nfs.as_ref().unwrap();
    assert_eq!(
        t.source.line_col(nfs.address.span.start),
        (line_of(&share("", ""), "[nfs]"), 1)
    );
}

#[test]
fn cinder_share_must_be_one_of_the_exports() {
    let text = format!(
        "{PLUMBING}[nfs]\ncinder_share = \"/mnt/cinder\"\n\
         [nfs.exports.\"/mnt/nfs\"]\nclients = [\"10.0.0.5\"]\n\
         [nfs.exports.\"/srv/a\"]\nclients = [\"10.0.0.5\"]\n"
    );
    let e = only_error(&text);
    assert_eq!(e.at, at(&text, "\"/mnt/cinder\""));
    assert_eq!(
        e.message,
        "cinder_share \"/mnt/cinder\" is not one of the exports"
    );
    assert_eq!(
        e.help,
        "write one of the exports' paths: \"/mnt/nfs\", \"/srv/a\""
    );
    let text = format!("{PLUMBING}[nfs]\ncinder_share = \"/mnt/nfs\"\n");
    let e = only_error(&text);
    assert_eq!(e.at, at(&text, "\"/mnt/nfs\""));
    assert_eq!(
        e.help,
        "declare the export: [nfs.exports.\"/mnt/nfs\"] with its clients"
    );
}

#[test]
fn cinder_share_needs_kolla() {
    let text = "version = 1\n[nfs]\ncinder_share = \"/mnt/nfs\"\n\
                [nfs.exports.\"/mnt/nfs\"]\nclients = [\"10.0.0.5\"]\n";
    let e = only_error(text);
    assert_eq!(e.at, "3:16");
    assert_eq!(
        e.message,
        "cinder_share needs [kolla]: Kolla deploys Cinder"
    );
    assert_eq!(
        e.help,
        "add [kolla], or remove cinder_share to export the directory alone"
    );
    // Without cinder_share, [nfs] needs no [kolla].
    valid("version = 1\n[nfs.exports.\"/mnt/nfs\"]\nclients = [\"10.0.0.5\"]\n");
}

#[test]
fn kolla_globals_may_not_turn_cinder_off_under_a_cinder_share() {
    let help = "aio sets enable_cinder and enable_cinder_backend_nfs to \"yes\" from [nfs] cinder_share; remove them";
    for (global, shown) in [
        ("enable_cinder = \"no\"", "enable_cinder = \"no\""),
        ("enable_cinder = false", "enable_cinder = false"),
        (
            "enable_cinder_backend_nfs = \"no\"",
            "enable_cinder_backend_nfs = \"no\"",
        ),
        (
            "enable_cinder_backend_nfs = 0",
            "enable_cinder_backend_nfs = 0",
        ),
    ] {
        let plumbing =
            PLUMBING.replace("[kolla.globals]\n", &format!("[kolla.globals]\n{global}\n"));
        let text = share("", "").replace(PLUMBING, &plumbing);
        let e = only_error(&text);
        let key = global.split_once(" = ").unwrap().0;
        assert_eq!(
            e.at,
            format!("{}:{}", line_of(&text, key), key.len() + 4),
            "{global}"
        );
        assert_eq!(
            e.message,
            format!("{shown}, but [nfs] cinder_share deploys Cinder's NFS backend")
        );
        assert_eq!(e.help, help);
        // Without cinder_share aio sets nothing: Kolla's globals are the file's.
        let alone = format!("{plumbing}[nfs.exports.\"/mnt/nfs\"]\nclients = [\"10.0.0.5\"]\n");
        valid(&alone);
    }
    for global in [
        "enable_cinder = \"yes\"",
        "enable_cinder = true",
        "enable_cinder_backend_nfs = \"yes\"",
    ] {
        let plumbing =
            PLUMBING.replace("[kolla.globals]\n", &format!("[kolla.globals]\n{global}\n"));
        valid(&share("", "").replace(PLUMBING, &plumbing));
    }
}

#[test]
fn cinder_share_is_exported_read_write() {
    let text = share("", "options = [\"ro\", \"sync\"]");
    let e = only_error(&text);
    assert_eq!(e.at, at(&text, "\"ro\""));
    assert_eq!(e.message, "Cinder's share /mnt/nfs is exported read-only");
    assert_eq!(
        e.help,
        "write \"rw\" in place of \"ro\": cinder-volume writes its volumes there"
    );
    let text = share("", "options = [\"sync\"]");
    let e = only_error(&text);
    assert_eq!(e.at, at(&text, "[\"sync\"]"));
    assert_eq!(
        e.message,
        "Cinder's share /mnt/nfs is exported read-only: exports(5) makes an export without \"rw\" read-only"
    );
    assert_eq!(
        e.help,
        "add \"rw\" to options: cinder-volume writes its volumes there"
    );
    // Another export may be read-only.
    valid(&format!(
        "{}[nfs.exports.\"/srv/images\"]\nclients = [\"10.0.0.0/8\"]\noptions = [\"ro\"]\n",
        share("", "")
    ));
}

#[test]
fn address_is_an_ipv4_address_or_a_substitution_that_is_one() {
    for address in ["192.168.100.10", "${uplink_address}", "${vip}"] {
        let t = valid(&share(&format!("address = \"{address}\""), ""));
        assert_eq!(t.nfs.unwrap().address.value.raw(), address);
    }
    let help = "write the address Cinder mounts the share from: \"${uplink_address}\" (the default), \"${vip}\" or an IPv4 address such as \"192.168.100.10\"";
    for (address, message, help) in [
        (
            "192.168.100.10/24",
            "address \"192.168.100.10/24\" is a network, not an address",
            help,
        ),
        (
            "nfs.example",
            "address \"nfs.example\" is not an IPv4 address",
            help,
        ),
        (
            "${uplink}",
            "address \"${uplink}\": `${uplink}` is an interface name, not an address",
            "write \"${uplink_address}\", the uplink's address",
        ),
        (
            "${vip}:2049",
            "address \"${vip}:2049\" is not a substitution alone",
            "write \"${uplink_address}\" or \"${vip}\" alone, or an IPv4 address",
        ),
        (
            "${server}",
            "unknown substitution `${server}`",
            "substitutions are ${uplink}, ${uplink_address}, ${vip}",
        ),
    ] {
        let text = share(&format!("address = \"{address}\""), "");
        let e = only_error(&text);
        assert_eq!(
            e.at,
            format!("{}:11", line_of(&text, "address =")),
            "{address}"
        );
        assert_eq!((e.message.as_str(), e.help.as_str()), (message, help));
    }
    // `${vip}` is [kolla]'s.
    let text = "version = 1\n[nfs]\naddress = \"${vip}\"\n";
    let e = only_error(text);
    assert_eq!(e.at, "3:11");
    assert_eq!(
        e.message,
        "address \"${vip}\" needs [kolla]: the VIP is kolla.vip"
    );
    assert_eq!(
        e.help,
        "write \"${uplink_address}\" or an IPv4 address, or add [kolla]"
    );
}

#[test]
fn unknown_keys_are_refused_with_the_closest_known_one() {
    let text = share("adress = \"10.0.0.1\"", "");
    let e = only_error(&text);
    assert_eq!(e.message, "unknown key `adress`");
    assert!(e.help.starts_with("did you mean `address`?"), "{}", e.help);
    let text = share("", "client = [\"10.0.0.1\"]");
    let e = only_error(&text);
    assert_eq!(e.message, "unknown key `client`");
    assert!(e.help.starts_with("did you mean `clients`?"), "{}", e.help);
    let text = "version = 1\n[nfs.exports.\"/mnt/nfs\"]\nmode = \"0777\"\n";
    let e = only_error(text);
    assert_eq!(
        (e.at.as_str(), e.message.as_str()),
        ("2:1", "missing required key `clients`")
    );
}

#[test]
fn every_error_of_the_section_comes_at_once() {
    let text = format!(
        "{PLUMBING}[nfs]\ncinder_share = \"/mnt/other\"\naddress = \"10.0.0.1/8\"\n\
         [nfs.exports.\"/etc/exports.d\"]\nclients = [\"*\"]\noptions = [\"rw\", \"no_root_squash\"]\nmode = \"9\"\n"
    );
    let found: Vec<String> = errors(&text).into_iter().map(|e| e.message).collect();
    assert_eq!(found.len(), 6, "{found:#?}");
}
