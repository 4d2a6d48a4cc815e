#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::validate::testing::{PLUMBING, line_of, only_error, valid};

fn with_package(package: &str) -> String {
    PLUMBING.replace("[kolla]\n", &format!("[kolla]\npackage = \"{package}\"\n"))
}

#[test]
fn a_package_from_a_url_without_credentials_is_a_requirement() {
    valid(&with_package(
        "kolla-ansible @ git+https://opendev.org/openstack/kolla-ansible@stable/2025.1",
    ));
    valid(&with_package("kolla-ansible>=20,<21"));
}

#[test]
fn a_credential_in_the_packages_url_is_refused_without_being_shown() {
    for package in [
        "kolla-ansible @ git+https://ghp_SECRET1@github.com/me/kolla-ansible",
        "kolla-ansible @ git+https://me:SECRET2@git.example.org/kolla-ansible",
    ] {
        let text = with_package(package);
        let e = only_error(&text);
        assert_eq!(e.at, format!("{}:11", line_of(&text, "package = ")));
        assert_eq!(
            e.message,
            "package's URL carries a credential, which plans, logs and aio's state would show"
        );
        assert!(e.help.contains("~/.netrc"), "{}", e.help);
        assert!(!format!("{e:?}").contains("SECRET"), "{e:?}");
    }
}
