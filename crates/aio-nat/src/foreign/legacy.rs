//! Masquerade rules of iptables-legacy's `nat` table, read from
//! `iptables-legacy-save -t nat`, and the installer's ones deleted in one
//! `iptables-legacy-restore --noflush`, which replaces the table whole or
//! not at all.

use aio_engine::ResourceId;

use super::rule::{ForeignId, ForeignRule, Form};
use super::save::{self, SaveRule};
use crate::error::{NatError, Tool, stderr_of};

const SAVE: &str = "iptables-legacy-save";
/// The table the old installer's rules are in.
const TABLE: &str = "nat";

/// Legacy masquerade rules, if iptables-legacy is installed and has any.
pub(super) fn rules() -> Vec<ForeignRule> {
    if aio_child::find_program(SAVE).is_none() {
        return Vec::new();
    }
    let mut command = std::process::Command::new(SAVE);
    let Ok(out) = aio_child::output(command.args(["-t", TABLE]), None) else {
        return Vec::new();
    };
    read(&String::from_utf8_lossy(&out.stdout))
}

/// The masquerade rules of `iptables-save` output, each named by its
/// chain and its position there (as `iptables -L --line-numbers` counts).
pub(super) fn read(text: &str) -> Vec<ForeignRule> {
    let mut positions = std::collections::HashMap::<String, usize>::new();
    let mut out = Vec::new();
    for rule in text.lines().filter_map(SaveRule::parse) {
        let n = positions.entry(rule.chain.clone()).or_default();
        *n += 1;
        if !rule.masquerades() {
            continue;
        }
        let id = ForeignId::Legacy {
            table: TABLE.to_string(),
            chain: rule.chain.clone(),
            n: *n,
        };
        out.push(ForeignRule {
            id: ResourceId::from(&id),
            place: id.place(),
            source: rule.value("-s").map(str::to_string),
            out: rule.value("-o").map(str::to_string),
            form: match rule.installers() {
                Some(i) => Form::Installers(i),
                None => Form::Other(format!("it reads `{}`", rule.text)),
            },
        });
    }
    out
}

/// Deletes one installer's rule per `(source, out)`, all in one
/// transaction: either every one goes or none does. Call in the namespace.
pub(crate) fn delete(rules: &[(String, String)]) -> Result<(), NatError> {
    if rules.is_empty() {
        return Ok(());
    }
    let mut input = String::from("*nat\n");
    for (source, out) in rules {
        input.push_str(&save::delete_text(source, out));
        input.push('\n');
    }
    input.push_str("COMMIT\n");
    let tool = Tool::IptablesLegacyRestore;
    let mut command = std::process::Command::new(tool.program());
    command.arg("--noflush");
    let out = tool.output(&mut command, Some(input.as_bytes()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(NatError::RestoreRefused {
            status: out.status,
            stderr: stderr_of(&out),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::rule::Place;
    use super::super::save::Installers;
    use super::*;

    #[test]
    fn every_masquerade_line_is_read_and_only_the_exact_one_is_the_installers() {
        let save = "*nat\n:POSTROUTING ACCEPT [0:0]\n:MINE - [0:0]\n\
            -A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE\n\
            -A POSTROUTING -o eth1 -j SNAT --to-source 1.2.3.4\n\
            -A POSTROUTING -s 10.0.2.0/24 -o eth0 -p tcp -m tcp --dport 80 -j MASQUERADE\n\
            -A POSTROUTING -j MINE\n\
            -A MINE ! -s 10.0.2.0/24 -o eth0 -j MASQUERADE\nCOMMIT\n";
        let rules = read(save);
        let ids: Vec<String> = rules.iter().map(|r| r.id.to_string()).collect();
        assert_eq!(
            ids,
            [
                "iptables-legacy/nat/POSTROUTING/1",
                "iptables-legacy/nat/POSTROUTING/3",
                "iptables-legacy/nat/MINE/1"
            ]
        );
        assert_eq!(
            rules[0].form,
            Form::Installers(Installers {
                source: "10.0.2.0/24".into(),
                out: "eth0".into()
            })
        );
        assert_eq!(
            rules[1].form,
            Form::Other(
                "it reads `-A POSTROUTING -s 10.0.2.0/24 -o eth0 -p tcp -m tcp --dport 80 -j MASQUERADE`"
                    .into()
            )
        );
        // A negated source still names the source: the rule is shown beside its `[[nat]]`.
        assert_eq!(rules[2].source.as_deref(), Some("10.0.2.0/24"));
        assert!(matches!(rules[2].form, Form::Other(_)));
        assert_eq!(
            Place::of(&rules[2].id),
            Some(Place::Legacy {
                chain: "MINE".into()
            })
        );
    }
}
