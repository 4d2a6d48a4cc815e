//! Boot units in temporary roots: the installer's as the seed leaves them
//! (its own files, read at run time), and units that only look like them.

use super::*;
use aio_sandbox::seed::{enable, installer_units, upstream, write};
use std::os::unix::fs::symlink;

/// The reference topology, whose uplink is eth0.
fn reference() -> (Topology, Facts) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/openstack-aio.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let topology = aio_topology::parse_str(path, text).unwrap();
    let facts = Facts {
        uplink: Some("eth0".into()),
        ..Facts::default()
    };
    (topology, facts)
}

/// A script that does one thing the installer's does.
const MAKES_DUMMY1: &str = "#!/bin/sh\nip link add dummy1 type bridge\n";

/// Unit `name` running `exec`, enabled in `target`.wants as `systemctl
/// enable` does (an absolute link): the link.
fn unit(root: &Path, name: &str, exec: &str, target: &str) -> PathBuf {
    write(
        root,
        &format!("{UNIT_DIR}/{name}"),
        &format!("[Service]\nType=oneshot\nExecStart={exec}\n\n[Install]\nWantedBy={target}\n"),
    );
    enable(root, name, target)
}

/// `/usr/local/bin/NAME.sh` holding `script`, run by unit `NAME.service`
/// enabled in `target`.wants: the link.
fn script_unit(root: &Path, name: &str, script: &str, target: &str) -> PathBuf {
    let exec = format!("/usr/local/bin/{name}.sh");
    write(root, &exec, script);
    unit(root, &format!("{name}.service"), &exec, target)
}

/// Under `tmp`: a root with a unit like the installer's enabled in
/// multi-user.target.wants, and beside the root a directory holding a link
/// of that unit's name: (the root, that directory, the link).
fn beside_a_link_outside(tmp: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let root = tmp.join("root");
    let outside = tmp.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let victim = outside.join("setup-interfaces.service");
    symlink("/somewhere", &victim).unwrap();
    script_unit(&root, "setup-interfaces", MAKES_DUMMY1, "multi-user.target");
    (root, outside, victim)
}

/// A fresh root holding one unit, `NAME.service` running `script`, looked
/// at with the reference topology and disabled: what was found, once its
/// link is proven to be still there.
fn one_unit_disabled(name: &str, script: &str, target: &str) -> BootUnits {
    let tmp = tempfile::tempdir().unwrap();
    let link = script_unit(tmp.path(), name, script, target);
    let (topology, facts) = reference();
    let units = boot_units(tmp.path(), &topology, &facts).unwrap();
    units.disable().unwrap();
    assert!(exists(&link), "{name} was disabled: {units:?}");
    units
}

fn exists(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}

fn names(units: &BootUnits) -> (Vec<&str>, Vec<&str>) {
    (
        units.installer.iter().map(|u| u.name.as_str()).collect(),
        units.left_alone.iter().map(|u| u.name.as_str()).collect(),
    )
}

/// The units under `root`, looked at with the reference topology, once
/// both the installer's names (`setup-interfaces`, `veth-lbaas`) are proven
/// left alone, in that order, and none taken for the installer's.
#[track_caller]
fn both_left_alone(root: &Path) -> BootUnits {
    let (topology, facts) = reference();
    let units = boot_units(root, &topology, &facts).unwrap();
    assert_eq!(
        names(&units),
        (
            vec![],
            vec!["setup-interfaces.service", "veth-lbaas.service"]
        )
    );
    units
}

#[test]
fn the_seeds_own_units_are_the_installers_and_are_disabled() {
    let Some(seed) = upstream() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let links = installer_units(&seed, root);
    let (topology, facts) = reference();

    let units = boot_units(root, &topology, &facts).unwrap();
    assert_eq!(
        names(&units),
        (
            vec!["setup-interfaces.service", "veth-lbaas.service"],
            vec![]
        ),
        "{units:?}"
    );
    assert_eq!(
        units.installer[0].runs,
        ["/usr/local/bin/setup-interfaces.sh"]
    );
    assert_eq!(units.installer[0].enabled_by[0].path, links[0]);
    assert_eq!(units.disable().unwrap(), 2);
    for link in &links {
        assert!(!exists(link), "{} still enables its unit", link.display());
    }
    assert!(
        root.join(UNIT_DIR)
            .join("setup-interfaces.service")
            .is_file()
    );
    let again = boot_units(root, &topology, &facts).unwrap();
    assert_eq!(again.enabled().count(), 0);
    assert_eq!(again.installer.len(), 2, "still the installer's, disabled");
}

#[test]
fn a_topology_that_leaves_out_the_octavia_pair_leaves_its_unit_alone() {
    let Some(seed) = upstream() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let links = installer_units(&seed, tmp.path());
    let text = "version = 1\n[interfaces.dummy1]\ntype = \"bridge\"\naddresses = [\"10.0.2.2/24\"]\n\
                [interfaces.veth-ovs]\ntype = \"veth\"\npeer = \"veth-br\"\n\
                [interfaces.veth-br]\nmaster = \"dummy1\"\n\
                [[nat]]\nsource = \"10.0.2.0/24\"\nout = \"${uplink}\"\n";
    let topology = aio_topology::parse_str("t.toml", text).unwrap();
    let facts = Facts {
        uplink: Some("eth0".into()),
        ..Facts::default()
    };
    let units = boot_units(tmp.path(), &topology, &facts).unwrap();
    assert_eq!(
        names(&units),
        (vec!["setup-interfaces.service"], vec!["veth-lbaas.service"])
    );
    let why = units.left_alone[0].why.to_string();
    assert!(
        why.contains("veth-lbaas.sh:2:") && why.contains("no such interface v-lbaas-vlan"),
        "{why}"
    );
    units.disable().unwrap();
    assert!(!exists(&links[0]));
    assert!(exists(&links[1]), "the unit left alone stays enabled");
}

#[test]
fn a_vpn_units_masquerade_is_not_the_installers() {
    let units = one_unit_disabled(
        "vpn-nat",
        "#!/bin/sh\niptables -t nat -A POSTROUTING -s 10.8.0.0/24 -o tun0 -j MASQUERADE\n",
        "multi-user",
    );
    assert_eq!(names(&units), (vec![], vec![]), "{units:?}");
}

#[test]
fn a_script_with_only_a_comment_is_not_the_installers_even_by_its_name() {
    let units = one_unit_disabled(
        "veth-lbaas",
        "#!/bin/bash\n# v-lbaas and v-lbaas-vlan: ip link add v-lbaas-vlan type veth peer name v-lbaas\n",
        "default",
    );
    assert_eq!(names(&units), (vec![], vec!["veth-lbaas.service"]));
    assert!(
        units.left_alone[0]
            .why
            .to_string()
            .contains("runs no command aio replaces"),
        "{:?}",
        units.left_alone
    );
}

#[test]
fn the_installers_name_with_one_line_more_is_left_alone_and_says_which() {
    let units = one_unit_disabled(
        "setup-interfaces",
        "#!/bin/bash\nip link add dummy1 type bridge\nip link set dummy1 up\n\
         iptables -t nat -A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE --random\n",
        "multi-user.target",
    );
    assert_eq!(names(&units), (vec![], vec!["setup-interfaces.service"]));
    let why = units.left_alone[0].why.to_string();
    assert!(why.contains("setup-interfaces.sh:4:"), "{why}");
    assert!(why.contains("--random"), "{why}");
}

#[test]
fn a_wants_directory_that_points_out_of_the_root_is_not_followed_out() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, outside, victim) = beside_a_link_outside(tmp.path());
    let wants = root.join(UNIT_DIR).join("graphical.target.wants");
    symlink(&outside, &wants).unwrap();
    let (topology, facts) = reference();

    let units = boot_units(&root, &topology, &facts).unwrap();
    let dirs: Vec<&str> = units.installer[0]
        .enabled_by
        .iter()
        .map(|l| l.dir.as_str())
        .collect();
    assert_eq!(dirs, ["multi-user.target.wants"]);
    units.disable().unwrap();
    assert!(exists(&victim), "a link outside the root was removed");
}

#[test]
fn a_link_swapped_for_a_directory_out_of_the_root_after_the_look_is_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, outside, victim) = beside_a_link_outside(tmp.path());
    let (topology, facts) = reference();
    let units = boot_units(&root, &topology, &facts).unwrap();
    assert_eq!(units.enabled().count(), 1);
    // Between the plan and the confirmation, the directory becomes a link out.
    let wants = root.join(UNIT_DIR).join("multi-user.target.wants");
    std::fs::remove_dir_all(&wants).unwrap();
    symlink(&outside, &wants).unwrap();
    units.disable().unwrap();
    assert!(exists(&victim), "a link outside the root was removed");
}

#[test]
fn exec_paths_and_script_links_stay_inside_the_root() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("a/root");
    // Out of the root by `..`, and by an absolute link.
    write(tmp.path(), "a/x", MAKES_DUMMY1);
    write(tmp.path(), "elsewhere/y.sh", MAKES_DUMMY1);
    std::fs::create_dir_all(&root).unwrap();
    symlink(tmp.path().join("elsewhere/y.sh"), root.join("y.sh")).unwrap();
    unit(&root, "dots.service", "/../x", "multi-user.target");
    unit(&root, "linked.service", "/y.sh", "multi-user.target");
    let (topology, facts) = reference();
    let units = boot_units(&root, &topology, &facts).unwrap();
    assert_eq!(names(&units), (vec![], vec![]), "{units:?}");

    // The same link, read as the root's own file of that path, is read.
    let same_path_inside = tmp.path().join("elsewhere/y.sh");
    write(&root, same_path_inside.to_str().unwrap(), MAKES_DUMMY1);
    let units = boot_units(&root, &topology, &facts).unwrap();
    assert_eq!(names(&units).0, ["linked.service"]);
}

#[test]
fn a_fifo_or_a_huge_script_is_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("usr/local/bin")).unwrap();
    let fifo = root.join("usr/local/bin/setup-interfaces.sh");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    unit(
        root,
        "setup-interfaces.service",
        "/usr/local/bin/setup-interfaces.sh",
        "multi-user.target",
    );
    let huge = format!("#!/bin/sh\n{}", "# padding\n".repeat(200_000));
    script_unit(root, "veth-lbaas", &huge, "default.target");
    let units = both_left_alone(root);
    assert_eq!(
        units.left_alone[0].why,
        NotTheInstallers::Unreadable {
            path: root.join("usr/local/bin/setup-interfaces.sh"),
            why: ReadRefusal::NotRegular
        }
    );
    assert!(matches!(
        units.left_alone[1].why,
        NotTheInstallers::Unreadable {
            why: ReadRefusal::TooLarge { .. },
            ..
        }
    ));
}

#[test]
fn drop_ins_and_other_exec_lines_make_a_unit_not_the_installers() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    script_unit(root, "setup-interfaces", MAKES_DUMMY1, "multi-user.target");
    write(
        root,
        &format!("{UNIT_DIR}/setup-interfaces.service.d/more.conf"),
        "[Service]\nExecStartPost=/usr/bin/logger hi\n",
    );
    write(
        root,
        "/usr/local/bin/veth-lbaas.sh",
        "#!/bin/sh\nip link set v-lbaas up\n",
    );
    write(
        root,
        &format!("{UNIT_DIR}/veth-lbaas.service"),
        "[Service]\nExecStart=/usr/local/bin/veth-lbaas.sh\nExecStop=/usr/sbin/ip link del v-lbaas\n",
    );
    let units = both_left_alone(root);
    assert!(matches!(
        units.left_alone[0].why,
        NotTheInstallers::DropIns(_)
    ));
    assert!(matches!(
        units.left_alone[1].why,
        NotTheInstallers::Shape(UnitShape::NotAScript(_))
    ));
}

#[test]
fn a_root_without_units_has_none_and_a_missing_root_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (topology, facts) = reference();
    let units = boot_units(tmp.path(), &topology, &facts).unwrap();
    assert!(units.installer.is_empty() && units.left_alone.is_empty());
    let missing = boot_units(&tmp.path().join("nope"), &topology, &facts);
    assert!(
        matches!(missing, Err(SeedError::Root { .. })),
        "{missing:?}"
    );
}
