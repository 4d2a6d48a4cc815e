//! Counting the masquerade rules of one network in a VM, wherever they
//! are: iptables-legacy's `nat` table, and every nftables table (the `ip
//! nat` table iptables-nft makes, aio's `ip aio`, any other).

use std::fmt;

use aio_vm::Ssh;

use super::remote::must;

/// The nftables table aio keeps its masquerade rules in.
pub const AIO_TABLE: &str = "ip aio";

/// The masquerade rules for one network, by where they are.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Masquerades {
    /// `iptables-legacy` or `table ip nat` and the like, with their counts.
    pub places: Vec<(String, usize)>,
}

impl Masquerades {
    pub fn total(&self) -> usize {
        self.places.iter().map(|(_, n)| n).sum()
    }

    /// Whether the only rule is aio's.
    pub fn only_aios(&self) -> bool {
        self.total() == 1 && self.in_table(AIO_TABLE) == 1
    }

    /// How many rules the nftables table `family name` holds.
    pub fn in_table(&self, table: &str) -> usize {
        self.places
            .iter()
            .filter(|(place, _)| place == &format!("table {table}"))
            .map(|(_, n)| n)
            .sum()
    }

    /// Reads `place count` lines; places with no rule are left out.
    fn parse(said: &str) -> Result<Self, String> {
        let mut places = Vec::new();
        for line in said.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (place, count) = line
                .rsplit_once(' ')
                .ok_or_else(|| format!("unexpected line {line:?}"))?;
            let count: usize = count
                .parse()
                .map_err(|_| format!("unexpected count in {line:?}"))?;
            if count > 0 {
                places.push((place.to_string(), count));
            }
        }
        Ok(Self { places })
    }
}

impl fmt::Display for Masquerades {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.places.is_empty() {
            return write!(f, "none");
        }
        let places: Vec<String> = self
            .places
            .iter()
            .map(|(place, n)| format!("{place}: {n}"))
            .collect();
        write!(f, "{} ({})", self.total(), places.join(", "))
    }
}

/// The masquerade rules for `source` (a network such as `10.0.2.0/24`).
pub fn count(ssh: &Ssh, source: &str) -> Result<Masquerades, String> {
    let pattern = source.replace('.', "\\.").replace('/', "\\/");
    let script = format!(
        "echo \"iptables-legacy $(iptables-legacy-save -t nat 2>/dev/null | grep -c -e '-s {source} .*-j MASQUERADE')\"
ruleset=$(nft list ruleset) || exit 1
printf '%s\\n' \"$ruleset\" | awk '/^table /{{t=\"table \" $2 \" \" $3}} /{pattern}/ && tolower($0) ~ /masquerade/ {{n[t]++}} END {{for (t in n) print t, n[t]}}'"
    );
    Masquerades::parse(&must(ssh, &script)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_are_added_up_across_places_and_empty_places_left_out() {
        let found =
            Masquerades::parse("iptables-legacy 0\ntable ip nat 2\ntable ip aio 1\n").unwrap();
        assert_eq!(found.total(), 3);
        assert_eq!(found.in_table("ip aio"), 1);
        assert_eq!(found.in_table("ip nat"), 2);
        assert_eq!(found.to_string(), "3 (table ip nat: 2, table ip aio: 1)");
        assert_eq!(
            Masquerades::parse("iptables-legacy 0\n")
                .unwrap()
                .to_string(),
            "none"
        );
    }

    #[test]
    fn an_answer_that_is_not_counts_is_an_error() {
        assert!(Masquerades::parse("nft: command not found").is_err());
    }
}
