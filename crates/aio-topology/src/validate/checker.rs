//! [`Checker`]: what every check of the format shares, the diagnostics it
//! collects and the value shapes checked the same way everywhere.

use toml::Spanned;

use crate::diag::{Diagnostic, Span};
use crate::subst::Template;
use crate::suggest::closest;

/// Collects diagnostics while the topology is checked.
pub(crate) struct Checker {
    pub diags: Vec<Diagnostic>,
}

impl Checker {
    pub fn error(&mut self, span: Span, message: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic::new(span, message).help(help));
    }

    /// A value that must be one of `known`, with the closest suggested.
    pub fn one_of<'a>(
        &mut self,
        what: &str,
        value: &Spanned<String>,
        known: &[&'a str],
    ) -> Option<&'a str> {
        if let Some(k) = known.iter().find(|k| **k == value.get_ref()) {
            return Some(k);
        }
        let help = match closest(value.get_ref(), known) {
            Some(best) => format!(
                "did you mean \"{best}\"? {what} is one of: {}",
                known.join(", ")
            ),
            None => format!("{what} is one of: {}", known.join(", ")),
        };
        self.error(
            value.span(),
            format!("unknown {what} \"{}\"", value.get_ref()),
            help,
        );
        None
    }

    /// An interface name as the kernel and the tools around it take it: 1 to
    /// 15 bytes of printable ASCII, no `/`, `:` or whitespace, not `.`, `..`,
    /// `all` or `default` (which name every interface under `/proc/sys/net/*/conf/`).
    pub fn interface_name(&mut self, name: &Spanned<String>) -> bool {
        let n = name.get_ref();
        let problem = if n.is_empty() {
            Some("is empty")
        } else if n.len() > 15 {
            Some("is longer than 15 bytes")
        } else if n.contains('/') {
            Some("contains `/`")
        } else if n.contains(':') {
            Some("contains `:`")
        } else if n.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Some("contains whitespace")
        } else if !n.is_ascii() {
            Some("is not plain ASCII")
        } else if n == "." || n == ".." {
            Some("is `.` or `..`")
        } else if n == "all" || n == "default" {
            Some("is reserved: /proc/sys/net/ipv4/conf/all and default mean every interface")
        } else {
            None
        };
        if let Some(problem) = problem {
            self.error(
                name.span(),
                format!("interface name \"{n}\" {problem}"),
                "a Linux interface name has 1 to 15 bytes of printable ASCII, none of `/`, `:` or whitespace, and is not `all` or `default`",
            );
        }
        problem.is_none()
    }

    /// A string that may hold `${uplink}`, `${uplink_address}`, `${vip}`.
    pub fn template(&mut self, value: &Spanned<String>) -> Option<Template> {
        match Template::parse(value.get_ref()) {
            Ok(t) => Some(t),
            Err(unknown) => {
                let message = if unknown.unterminated {
                    format!("substitution `${{{}` has no closing `}}`", unknown.name)
                } else {
                    format!("unknown substitution `${{{}}}`", unknown.name)
                };
                self.error(
                    value.span(),
                    message,
                    format!(
                        "substitutions are {}",
                        crate::subst::VARIABLES
                            .map(|v| format!("${{{v}}}"))
                            .join(", ")
                    ),
                );
                None
            }
        }
    }
}
