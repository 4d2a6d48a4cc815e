#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::validate::testing::{only_error, valid};

/// An export to one client whose directory has `keys`.
fn directory(keys: &str) -> String {
    format!("version = 1\n[nfs.exports.\"/mnt/nfs\"]\nclients = [\"10.0.0.5\"]\n{keys}\n")
}

#[test]
fn owner_and_group_are_names_or_numbers() {
    for (owner, group) in [
        ("root", "root"),
        ("cinder", "_nfs.share-1"),
        ("0", "4294967294"),
        ("svc$", "g"),
    ] {
        let t = valid(&directory(&format!(
            "owner = \"{owner}\"\ngroup = \"{group}\""
        )));
        let e = &t.nfs.as_ref().unwrap().exports["/mnt/nfs"];
        assert_eq!(e.owner.as_ref().unwrap().value, owner);
        assert_eq!(e.group.as_ref().unwrap().value, group);
    }
    let names = |n: &str| {
        format!(
            "write a name of up to 32 letters, digits, `_`, `-` or `.` that starts with a letter or `_`, or a number from 0 to 4294967294 ({n})"
        )
    };
    for (keys, message, help) in [
        (
            "owner = \"4294967295\"",
            "owner 4294967295 is not a uid",
            "a uid is from 0 to 4294967294 (4294967295 means \"none\" to the kernel)".to_string(),
        ),
        (
            "group = \"99999999999\"",
            "group 99999999999 is not a gid",
            "a gid is from 0 to 4294967294 (4294967295 means \"none\" to the kernel)".to_string(),
        ),
        (
            "owner = \"\"",
            "owner \"\" is neither a name nor a uid",
            names("uid"),
        ),
        (
            "owner = \"1cinder\"",
            "owner \"1cinder\" is neither a name nor a uid",
            names("uid"),
        ),
        (
            "owner = \"-x\"",
            "owner \"-x\" is neither a name nor a uid",
            names("uid"),
        ),
        (
            "group = \"a b\"",
            "group \"a b\" is neither a name nor a gid",
            names("gid"),
        ),
        (
            "group = \"root:root\"",
            "group \"root:root\" is neither a name nor a gid",
            names("gid"),
        ),
    ] {
        let e = only_error(&directory(keys));
        assert_eq!(e.at, "4:9", "{keys}");
        assert_eq!(e.message, message);
        assert_eq!(e.help, help.replace(" (uid)", "").replace(" (gid)", ""));
    }
    let long = format!("owner = \"{}\"", "a".repeat(33));
    assert!(
        only_error(&directory(&long))
            .message
            .ends_with("is neither a name nor a uid")
    );
}

#[test]
fn mode_is_an_octal_string_of_three_or_four_digits() {
    for (mode, bits) in [
        ("0777", 0o777),
        ("755", 0o755),
        ("1777", 0o1777),
        ("7777", 0o7777),
        ("000", 0),
    ] {
        let t = valid(&directory(&format!("mode = \"{mode}\"")));
        assert_eq!(
            t.nfs.unwrap().exports["/mnt/nfs"].mode.value,
            bits,
            "{mode}"
        );
    }
    for mode in ["0800", "77", "01777", "rwx", "0o755", ""] {
        let e = only_error(&directory(&format!("mode = \"{mode}\"")));
        assert_eq!(e.at, "4:8", "{mode}");
        assert_eq!(e.message, format!("mode \"{mode}\" is not an octal mode"));
        assert_eq!(e.help, "write 3 or 4 octal digits, e.g. \"0755\"");
    }
    let e = only_error(&directory("mode = 0o755"));
    assert_eq!(e.at, "4:8");
    assert_eq!(
        e.message,
        "mode is a number (493 in decimal), not an octal string"
    );
    assert_eq!(
        e.help,
        "write it quoted, e.g. mode = \"0755\": a quoted mode's digits are octal"
    );
    let e = only_error(&directory("mode = true"));
    assert_eq!(e.message, "mode must be an octal string, found boolean");
}
