//! The security groups Kolla-Ansible's Octavia role creates, read from the
//! installed kolla-ansible (its `octavia_amp_security_groups` in the
//! role's defaults, the variables it names from the role's defaults and
//! `group_vars/all.yml`), as its `prepare.yml` passes them to
//! `openstack.cloud.security_group_rule`: `protocol`, `port_range_min`
//! from `src_port`, `port_range_max` from `dst_port`, ingress from
//! anywhere. A group whose `enabled` is false for the deployment's
//! `octavia_network_type` is left out (`lb-health-mgr-sec-grp` exists
//! only for the `tenant` type).

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// The most of a Kolla file read.
const MAX_FILE: u64 = 1 << 20;

/// One group and its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityGroup {
    pub name: String,
    pub rules: Vec<Rule>,
}

/// One ingress rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub protocol: String,
    /// `port_range_min`, `port_range_max`.
    pub ports: Option<(u16, u16)>,
}

impl Rule {
    /// The `openstack security group rule create` arguments, group last.
    pub fn args(&self, group: &str) -> Vec<String> {
        let mut args: Vec<String> = ["security", "group", "rule", "create", "--ingress"]
            .map(String::from)
            .into();
        args.extend(["--protocol".into(), self.protocol.clone()]);
        if let Some((min, max)) = self.ports {
            args.extend(["--dst-port".into(), format!("{min}:{max}")]);
        }
        args.push(group.to_string());
        args
    }
}

/// Where kolla-ansible's playbooks are in its venv.
fn ansible_dir(venv: &Path) -> std::path::PathBuf {
    venv.join("share/kolla-ansible/ansible")
}

fn read_bounded(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut text = String::new();
    file.take(MAX_FILE)
        .read_to_string(&mut text)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text)
}

/// The Octavia role's defaults, and Kolla's variables as the role sees
/// them: `group_vars/all.yml`, the role's defaults, then `overrides`.
fn role(
    venv: &Path,
    overrides: &HashMap<String, String>,
) -> Result<(String, HashMap<String, String>), String> {
    let dir = ansible_dir(venv);
    let defaults = read_bounded(&dir.join("roles/octavia/defaults/main.yml"))?;
    let all = read_bounded(&dir.join("group_vars/all.yml"))?;
    let mut vars = top_level_scalars(&all);
    vars.extend(top_level_scalars(&defaults));
    vars.extend(overrides.clone());
    Ok((defaults, vars))
}

/// The groups the role creates under `overrides` (the topology's Kolla
/// globals, as strings), read from the kolla-ansible in `venv`.
pub fn security_groups(
    venv: &Path,
    overrides: &HashMap<String, String>,
) -> Result<Vec<SecurityGroup>, String> {
    let (defaults, vars) = role(venv, overrides)?;
    parse_groups(&defaults, &vars)
}

/// Kolla's variable `name` as the Octavia role sees it, rendered
/// (`octavia_health_manager_port`, `octavia_amp_listen_port`).
pub fn variable(
    venv: &Path,
    overrides: &HashMap<String, String>,
    name: &str,
) -> Result<String, String> {
    let (_, vars) = role(venv, overrides)?;
    render(&format!("{{{{ {name} }}}}"), &vars)
}

/// `name: value` lines at column 0 whose value is a scalar, unquoted.
fn top_level_scalars(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with([' ', '#', '-']))
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.trim().to_string(), unquote(v)))
        .collect()
}

fn unquote(value: &str) -> String {
    value
        .trim()
        .trim_matches('"')
        .trim_matches('\'')
        .to_string()
}

/// Evaluates the two shapes of Jinja the role's groups use:
/// `{{ NAME }}` and `{{ A if NAME == 'X' else B }}` (A, B literals).
fn render(value: &str, vars: &HashMap<String, String>) -> Result<String, String> {
    let Some(inner) = value
        .strip_prefix("{{")
        .and_then(|v| v.strip_suffix("}}"))
        .map(str::trim)
    else {
        return Ok(value.to_string());
    };
    let lookup = |name: &str| {
        vars.get(name)
            .cloned()
            .ok_or_else(|| format!("{value}: no variable {name} in kolla-ansible's files"))
    };
    let Some((then, rest)) = inner.split_once(" if ") else {
        return render(&lookup(inner)?, vars);
    };
    let (test, otherwise) = rest
        .split_once(" else ")
        .ok_or_else(|| format!("{value}: an if without else"))?;
    let (name, expected) = test
        .split_once(" == ")
        .ok_or_else(|| format!("{value}: a test other than =="))?;
    let chosen = if render(&lookup(name.trim())?, vars)? == unquote(expected) {
        then
    } else {
        otherwise
    };
    Ok(unquote(chosen))
}

/// The `octavia_amp_security_groups` block of the role's defaults.
fn parse_groups(
    defaults: &str,
    vars: &HashMap<String, String>,
) -> Result<Vec<SecurityGroup>, String> {
    let block: Vec<&str> = defaults
        .lines()
        .skip_while(|l| !l.starts_with("octavia_amp_security_groups:"))
        .skip(1)
        .take_while(|l| l.starts_with(' ') || l.is_empty())
        .collect();
    if block.is_empty() {
        return Err("no octavia_amp_security_groups in the Octavia role's defaults".into());
    }
    let mut groups = Vec::new();
    let mut current: Option<(SecurityGroup, bool)> = None;
    for line in block {
        let depth = line.len() - line.trim_start().len();
        let text = line.trim();
        if depth == 2 && text.ends_with(':') {
            groups.extend(current.take().filter(|(_, on)| *on).map(|(g, _)| g));
            current = Some((
                SecurityGroup {
                    name: String::new(),
                    rules: Vec::new(),
                },
                true,
            ));
            continue;
        }
        let Some((group, enabled)) = current.as_mut() else {
            continue;
        };
        let (item, text) = match text.strip_prefix("- ") {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let Some((key, value)) = text.split_once(':') else {
            continue;
        };
        let value = render(&unquote(value), vars)?;
        match (key.trim(), item) {
            ("name", false) if depth == 4 => group.name = value,
            ("enabled", false) if depth == 4 => *enabled = value == "true" || value == "yes",
            ("protocol", true) => group.rules.push(Rule {
                protocol: value,
                ports: None,
            }),
            ("src_port" | "dst_port", false) => {
                let port: u16 = value
                    .parse()
                    .map_err(|_| format!("{key}: {value} is not a port"))?;
                let rule = group
                    .rules
                    .last_mut()
                    .ok_or_else(|| format!("{key} before any protocol"))?;
                let (min, max) = rule.ports.unwrap_or((port, port));
                rule.ports = Some(if key.trim() == "src_port" {
                    (port, max)
                } else {
                    (min, port)
                });
            }
            _ => {}
        }
    }
    groups.extend(current.take().filter(|(_, on)| *on).map(|(g, _)| g));
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str = r#"octavia_amp_listen_port: "9443"
octavia_amp_security_groups:
  mgmt-sec-grp:
    name: "lb-mgmt-sec-grp"
    enabled: true
    rules:
      - protocol: "{{ 'ipv6-icmp' if octavia_network_address_family == 'ipv6' else 'icmp' }}"
      - protocol: tcp
        src_port: 22
        dst_port: 22
      - protocol: tcp
        src_port: "{{ octavia_amp_listen_port }}"
        dst_port: "{{ octavia_amp_listen_port }}"
  health-mgr-sec-grp:
    name: "lb-health-mgr-sec-grp"
    enabled: "{{ true if octavia_network_type == 'tenant' else false }}"
    rules:
      - protocol: udp
        src_port: "{{ octavia_health_manager_port }}"
        dst_port: "{{ octavia_health_manager_port }}"

octavia_amp_network:
"#;

    fn vars(network_type: &str) -> HashMap<String, String> {
        let mut vars = top_level_scalars(ROLE);
        vars.insert("octavia_network_address_family".into(), "ipv4".into());
        vars.insert("octavia_network_type".into(), network_type.into());
        vars.insert("octavia_health_manager_port".into(), "5555".into());
        vars
    }

    #[test]
    fn the_provider_type_gets_lb_mgmt_sec_grp_only_with_icmp_ssh_and_the_agent_port() {
        let groups = parse_groups(ROLE, &vars("provider")).unwrap();
        let tcp = |p| Rule {
            protocol: "tcp".into(),
            ports: Some((p, p)),
        };
        let icmp = Rule {
            protocol: "icmp".into(),
            ports: None,
        };
        assert_eq!(
            groups,
            [SecurityGroup {
                name: "lb-mgmt-sec-grp".into(),
                rules: vec![icmp, tcp(22), tcp(9443)],
            }]
        );
        assert_eq!(
            groups[0].rules[2].args("lb-mgmt-sec-grp").join(" "),
            "security group rule create --ingress --protocol tcp --dst-port 9443:9443 lb-mgmt-sec-grp"
        );
    }

    #[test]
    fn the_tenant_type_also_gets_the_health_manager_group() {
        let groups = parse_groups(ROLE, &vars("tenant")).unwrap();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[1].name, "lb-health-mgr-sec-grp");
        assert_eq!(groups[1].rules[0].ports, Some((5555, 5555)));
    }

    #[test]
    fn a_variable_kolla_does_not_define_is_an_error() {
        let mut vars = vars("provider");
        vars.remove("octavia_amp_listen_port");
        let err = parse_groups(ROLE, &vars).unwrap_err();
        assert!(err.contains("octavia_amp_listen_port"), "{err}");
    }
}
