//! One rule of `iptables-save` output (`iptables-legacy-save`,
//! `iptables-nft-save`), read word by word with its quoting, so that
//! every match and target option is seen, and nothing inside a quoted
//! comment is taken for one.

/// What the old installer wrote, once per boot:
/// `iptables -t nat -A POSTROUTING -s SOURCE -o OUT -j MASQUERADE`.
const CHAIN: &str = "POSTROUTING";
const TARGET: &str = "MASQUERADE";

/// One `-A CHAIN ...` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SaveRule {
    pub chain: String,
    /// Every word after `-A CHAIN`, unquoted.
    words: Vec<String>,
    /// The line as iptables-save printed it.
    pub text: String,
}

/// The old installer's rule: the source network and output interface it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Installers {
    pub source: String,
    pub out: String,
}

impl SaveRule {
    /// An `-A CHAIN ...` line; `None` for anything else (a table, a chain's policy, `COMMIT`).
    pub fn parse(line: &str) -> Option<SaveRule> {
        let mut words = split(line)?.into_iter();
        if words.next()? != "-A" {
            return None;
        }
        let chain = words.next()?;
        Some(SaveRule {
            chain,
            words: words.collect(),
            text: line.trim().to_string(),
        })
    }

    /// Whether its target is `MASQUERADE` (with or without options).
    pub fn masquerades(&self) -> bool {
        self.value("-j") == Some(TARGET)
    }

    /// The value of option `flag` (`-s`), negated (`! -s X`) or not.
    pub fn value(&self, flag: &str) -> Option<&str> {
        self.words
            .windows(2)
            .find(|w| w[0] == flag)
            .map(|w| w[1].as_str())
    }

    /// Its source and output interface when it is exactly the old
    /// installer's rule, `-A POSTROUTING -s SOURCE -o OUT -j MASQUERADE`,
    /// and nothing more: no other match, no negation, no target option.
    pub fn installers(&self) -> Option<Installers> {
        match self.words.as_slice() {
            [s, source, o, out, j, target]
                if self.chain == CHAIN
                    && s == "-s"
                    && o == "-o"
                    && j == "-j"
                    && target == TARGET
                    && source.parse::<ipnet::Ipv4Net>().is_ok() =>
            {
                Some(Installers {
                    source: source.clone(),
                    out: out.clone(),
                })
            }
            _ => None,
        }
    }
}

/// The installer's rule for `source` out of `out`, as iptables writes it.
pub(crate) fn installers_text(source: &str, out: &str) -> String {
    format!("-A {CHAIN} -s {source} -o {out} -j {TARGET}")
}

/// The rule's spec to delete it with `iptables-restore`: `-D POSTROUTING -s SOURCE -o OUT -j MASQUERADE`.
pub(crate) fn delete_text(source: &str, out: &str) -> String {
    format!("-D {CHAIN} -s {source} -o {out} -j {TARGET}")
}

/// Words as iptables-save quotes them: `"..."` holds spaces, `\"` and
/// `\\` inside are the character. `None` for an unterminated quote.
fn split(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut chars = line.chars();
    let mut word: Option<String> = None;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => w.push(chars.next()?),
                        other => w.push(other),
                    }
                }
            }
            c if c.is_whitespace() => words.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(line: &str) -> SaveRule {
        SaveRule::parse(line).unwrap_or_else(|| panic!("{line}"))
    }

    #[test]
    fn only_the_exact_installers_rule_is_the_installers() {
        let exact = rule("-A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE");
        assert_eq!(
            exact.installers(),
            Some(Installers {
                source: "10.0.2.0/24".into(),
                out: "eth0".into()
            })
        );
        for other in [
            "-A POSTROUTING -s 10.0.2.0/24 -o eth0 -p tcp -m tcp --dport 80 -j MASQUERADE",
            "-A POSTROUTING ! -s 10.0.2.0/24 -o eth0 -j MASQUERADE",
            "-A POSTROUTING -s 10.0.2.0/24 ! -o eth0 -j MASQUERADE",
            "-A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE --random",
            "-A MINE -s 10.0.2.0/24 -o eth0 -j MASQUERADE",
            "-A POSTROUTING -o eth0 -s 10.0.2.0/24 -j MASQUERADE -m comment --comment x",
            "-A POSTROUTING -s 10.0.2.0/24 -o eth0 -j SNAT --to-source 1.2.3.4",
            "-A POSTROUTING -s not-a-net -o eth0 -j MASQUERADE",
        ] {
            assert_eq!(rule(other).installers(), None, "{other}");
        }
    }

    #[test]
    fn a_quoted_comment_is_one_word() {
        let r = rule(r#"-A POSTROUTING -m comment --comment "x -j MASQUERADE \"y\"" -j ACCEPT"#);
        assert!(!r.masquerades());
        assert_eq!(r.value("--comment"), Some(r#"x -j MASQUERADE "y""#));
        assert_eq!(SaveRule::parse(r#"-A X -m comment --comment "open"#), None);
    }

    #[test]
    fn other_lines_are_not_rules() {
        for line in [
            "*nat",
            ":POSTROUTING ACCEPT [0:0]",
            "COMMIT",
            "# Generated by",
        ] {
            assert_eq!(SaveRule::parse(line), None, "{line}");
        }
    }
}
