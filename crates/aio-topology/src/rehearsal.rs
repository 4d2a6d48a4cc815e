//! A rehearsal (`--netns NAME`) is a rehearsal: it acts inside that
//! namespace and below sandbox paths only. The host's live Kolla locations
//! are refused, and so is every Kolla action that runs playbooks against the
//! host, unless kolla-ansible is a named stand-in.

use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{OvsDb, Topology};
use crate::validate::kolla::DEFAULT_VENV;

/// Where the host's own ovsdb-server listens.
const HOST_OVSDB_DIRS: [&str; 2] = ["/run/openvswitch", "/var/run/openvswitch"];
/// Where a live deployment keeps its configuration.
const HOST_CONFIG_DIR: &str = "/etc/kolla";
/// Actions that only write files under the config dir (certificates made on
/// localhost), which a rehearsal may run for real.
pub const FILE_ONLY_ACTIONS: [&str; 2] = ["octavia-certificates", "certificates"];

/// Where a rehearsal in `netns` keeps its Kolla files, as `aio init --netns` writes.
pub fn sandbox_kolla_dir(netns: &str) -> String {
    format!("/var/lib/aio/netns/{netns}/kolla")
}

fn within(path: &str, root: &str) -> bool {
    Path::new(path).starts_with(root)
}

impl Topology {
    /// The rehearsal rules for `--netns netns`; `stand_in`: the kolla-ansible
    /// that actions run is a named stand-in (`AIO_KOLLA_ANSIBLE`).
    pub fn check_rehearsal(&self, netns: &str, stand_in: bool) -> Result<(), Diagnostics> {
        let mut items = Vec::new();
        if let Some(ovs) = &self.ovs
            && let OvsDb::Unix(path) = &ovs.db
            && HOST_OVSDB_DIRS.iter().any(|d| within(path, d))
        {
            items.push(
                Diagnostic::new(
                    ovs.db_span.clone(),
                    format!("OVSDB {} is the host's Open vSwitch; a rehearsal (--netns {netns}) never changes it", ovs.db),
                )
                .help("start a private ovsdb-server for the rehearsal and point db at its socket, e.g. \"unix:/tmp/rehearsal/db.sock\""),
            );
        }
        self.check_kolla_rehearsal(netns, stand_in, &mut items);
        if items.is_empty() {
            Ok(())
        } else {
            items.sort_by_key(|d| d.span.start);
            Err(Diagnostics {
                file: self.source.clone(),
                items,
            })
        }
    }

    fn check_kolla_rehearsal(&self, netns: &str, stand_in: bool, items: &mut Vec<Diagnostic>) {
        let Some(k) = &self.kolla else {
            return;
        };
        let sandbox = sandbox_kolla_dir(netns);
        if within(&k.config_dir, HOST_CONFIG_DIR) {
            items.push(
                Diagnostic::new(
                    k.spans.config_dir.clone(),
                    format!(
                        "config_dir \"{}\" is the host's live Kolla configuration; a rehearsal (--netns {netns}) never writes there",
                        k.config_dir
                    ),
                )
                .help(format!("set config_dir = \"{sandbox}/etc\"")),
            );
        }
        if within(&k.venv, DEFAULT_VENV) {
            items.push(
                Diagnostic::new(
                    k.spans.venv.clone(),
                    format!(
                        "venv \"{}\" is the host's kolla-ansible; a rehearsal (--netns {netns}) never installs there",
                        k.venv
                    ),
                )
                .help(format!("set venv = \"{sandbox}/venv\"")),
            );
        }
        if !stand_in {
            for (action, span) in k.actions.iter().zip(&k.spans.actions) {
                if FILE_ONLY_ACTIONS.contains(&action.as_str()) {
                    continue;
                }
                items.push(
                    Diagnostic::new(
                        span.clone(),
                        format!(
                            "kolla-ansible {action} runs playbooks against the host itself, not inside --netns {netns}"
                        ),
                    )
                    .help(format!(
                        "a rehearsal runs only {}: set actions = [] or [\"octavia-certificates\"], or point AIO_KOLLA_ANSIBLE at a stand-in whose name says so (kolla-ansible-stand-in)",
                        FILE_ONLY_ACTIONS.join(" and ")
                    )),
                );
            }
        }
    }
}
