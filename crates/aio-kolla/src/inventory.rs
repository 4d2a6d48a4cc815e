//! Kolla's inventory as aio writes it: the operator's or a shipped one, with
//! the kolla venv's Python for the hosts that run on this machine.
//!
//! On the all-in-one every host is `localhost` (or `ansible_connection=local`),
//! and Ansible must run Kolla's modules with the venv's Python: aio adds it
//! for all hosts. A multinode inventory names remote hosts, whose Python is
//! their own: aio adds nothing there, and the operator sets
//! `ansible_python_interpreter` per host as Kolla's multinode guide says.

use std::path::Path;

/// The inventory aio writes, relative to the config dir.
pub const FILE: &str = "inventory";

/// `text` with the venv's `python` for every host when all of them are local.
pub fn written(text: &str, python: &Path) -> String {
    if !all_local(text) {
        return text.to_string();
    }
    format!(
        "{text}\n# Added by aio: Ansible runs with the kolla venv's Python.\n[all:vars]\nansible_python_interpreter={}\n",
        python.display()
    )
}

/// Whether every host line of an INI inventory is `localhost` or has
/// `ansible_connection=local` (lines of `[group:vars]` and
/// `[group:children]` sections name no hosts).
pub fn all_local(text: &str) -> bool {
    let mut hosts_section = true;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[') {
            let name = section.trim_end_matches(']');
            hosts_section = !(name.ends_with(":vars") || name.ends_with(":children"));
            continue;
        }
        if !hosts_section {
            continue;
        }
        let mut words = line.split_whitespace();
        let host = words.next().unwrap_or_default();
        let local = host == "localhost" || words.any(|w| w == "ansible_connection=local");
        if !local {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_IN_ONE: &str = "[control]\nlocalhost       ansible_connection=local\n\n[network]\nlocalhost       ansible_connection=local\n\n[baremetal:children]\ncontrol\n\n[common:children]\ncontrol\nnetwork\n";
    const MULTINODE: &str = "[control]\ncontrol01\ncontrol02\n\n[network]\nnetwork01\n\n[compute]\ncompute01\n\n[deployment]\nlocalhost       ansible_connection=local\n\n[baremetal:children]\ncontrol\nnetwork\ncompute\n\n[all:vars]\nansible_user=kolla\n";

    #[test]
    fn the_all_in_one_gets_the_venv_python_for_all_hosts() {
        assert!(all_local(ALL_IN_ONE));
        let text = written(ALL_IN_ONE, Path::new("/v/bin/python"));
        assert!(text.starts_with(ALL_IN_ONE));
        assert!(text.ends_with("[all:vars]\nansible_python_interpreter=/v/bin/python\n"));
    }

    #[test]
    fn a_multinode_inventory_is_written_as_it_is() {
        assert!(!all_local(MULTINODE));
        assert_eq!(written(MULTINODE, Path::new("/v/bin/python")), MULTINODE);
        // A remote host among local ones, however it is written.
        assert!(!all_local(
            "[control]\nlocalhost\nnode2 ansible_host=192.0.2.12\n"
        ));
        assert!(all_local("# no host\n[all:vars]\nx=1\n"));
    }
}
