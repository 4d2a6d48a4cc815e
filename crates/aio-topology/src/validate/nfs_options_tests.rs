#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::validate::testing::{at, only_error, valid};

/// An export to one client with `options`.
fn with_options(options: &str) -> String {
    format!(
        "version = 1\n[nfs.exports.\"/mnt/nfs\"]\nclients = [\"10.0.0.5\"]\noptions = [{options}]\n"
    )
}

#[test]
fn every_known_option_and_valued_option_is_kept_in_order() {
    let all = "\"ro\", \"async\", \"subtree_check\", \"root_squash\", \"all_squash\", \"insecure\", \
               \"no_wdelay\", \"nohide\", \"crossmnt\", \"anonuid=65534\", \"anongid=0\", \
               \"fsid=0\", \"sec=krb5:krb5i:krb5p:sys\"";
    let t = valid(&with_options(all));
    let options: Vec<String> = t.nfs.unwrap().exports["/mnt/nfs"]
        .options
        .iter()
        .map(|o| format!("\"{}\"", o.value))
        .collect();
    assert_eq!(options.join(", "), all);
    for fsid in [
        "root",
        "4294967295",
        "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    ] {
        valid(&with_options(&format!("\"rw\", \"fsid={fsid}\"")));
    }
    // An empty list is exports(5)'s defaults, as written.
    assert!(
        valid(&with_options("")).nfs.unwrap().exports["/mnt/nfs"]
            .options
            .is_empty()
    );
}

#[test]
fn an_unknown_option_is_refused_with_the_closest_known_one() {
    let text = with_options("\"rw\", \"no_subtree_chek\"");
    let e = only_error(&text);
    assert_eq!(e.at, at(&text, "\"no_subtree_chek\""));
    assert_eq!(e.message, "unknown exports(5) option \"no_subtree_chek\"");
    assert!(
        e.help.starts_with(
            "did you mean \"no_subtree_check\"? exports(5) option is one of: rw, ro, sync,"
        ) && e
            .help
            .ends_with("anonuid=N, anongid=N, fsid=N|root|UUID, sec=sys|krb5|krb5i|krb5p"),
        "{}",
        e.help
    );
    for unknown in ["rw=1", "anonuid", "mountpoint", "RW"] {
        let e = only_error(&with_options(&format!("\"{unknown}\"")));
        assert_eq!(
            e.message,
            format!("unknown exports(5) option \"{unknown}\"")
        );
    }
}

#[test]
fn valued_options_take_their_values_only() {
    for (option, help) in [
        ("anonuid=-1", "write anonuid=N with N from 0 to 4294967294"),
        (
            "anonuid=4294967295",
            "write anonuid=N with N from 0 to 4294967294",
        ),
        (
            "anongid=nobody",
            "write anongid=N with N from 0 to 4294967294",
        ),
        (
            "fsid=abc",
            "write fsid=N (a number), fsid=root or fsid=UUID (32 hex digits, `-` allowed between)",
        ),
        (
            "fsid=-0f1e2d3c4b5a69788796a5b4c3d2e1f0",
            "write fsid=N (a number), fsid=root or fsid=UUID (32 hex digits, `-` allowed between)",
        ),
        (
            "sec=krb6",
            "write sec= and flavors among sys, krb5, krb5i, krb5p joined by `:`, each once",
        ),
        (
            "sec=sys:sys",
            "write sec= and flavors among sys, krb5, krb5i, krb5p joined by `:`, each once",
        ),
        (
            "sec=",
            "write sec= and flavors among sys, krb5, krb5i, krb5p joined by `:`, each once",
        ),
    ] {
        let text = with_options(&format!("\"rw\", \"{option}\""));
        let e = only_error(&text);
        let value = option.split_once('=').unwrap().1;
        assert_eq!(e.at, "4:18", "{option}");
        assert_eq!(
            e.message,
            format!("option \"{option}\" has an invalid value \"{value}\"")
        );
        assert_eq!(e.help, help);
    }
}

#[test]
fn an_option_twice_or_its_opposite_is_refused_at_the_second() {
    for (options, second, message) in [
        (
            "\"sync\", \"rw\", \"sync\"",
            "\"sync\"]",
            "option \"sync\" is given twice",
        ),
        (
            "\"anonuid=1\", \"anonuid=2\"",
            "\"anonuid=2\"",
            "option \"anonuid\" is given twice",
        ),
        (
            "\"rw\", \"ro\"",
            "\"ro\"",
            "options \"rw\" and \"ro\" say the opposite",
        ),
        (
            "\"async\", \"sync\"",
            "\"sync\"",
            "options \"async\" and \"sync\" say the opposite",
        ),
        (
            "\"no_root_squash\", \"root_squash\"",
            "\"root_squash\"",
            "options \"no_root_squash\" and \"root_squash\" say the opposite",
        ),
        (
            "\"secure\", \"insecure\"",
            "\"insecure\"",
            "options \"secure\" and \"insecure\" say the opposite",
        ),
    ] {
        let text = with_options(options);
        let e = only_error(&text);
        let line = text.lines().nth(3).unwrap();
        let col = line.rfind(second.trim_end_matches(']')).unwrap() + 1;
        assert_eq!(e.at, format!("4:{col}"), "{options}");
        assert_eq!(e.message, message);
        let help = if message.contains("twice") {
            "remove one"
        } else {
            "keep one of them"
        };
        assert_eq!(e.help, help);
    }
}
