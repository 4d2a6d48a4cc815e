//! The equality check: what aio made in its namespace is what another tool
//! made in its own (links with their state and master, IPv4 addresses).

use std::collections::BTreeSet;
use std::process::Command;

use super::error::BenchError;
use super::measure::quiet;

/// What a namespace holds of the bench's objects: links (name, up, master) and IPv4 addresses.
fn contents(ns: &str) -> Result<BTreeSet<String>, BenchError> {
    let links = quiet(Command::new("ip").args(["-n", ns, "-o", "link", "show"]))?;
    let addrs = quiet(Command::new("ip").args(["-n", ns, "-o", "-4", "addr", "show"]))?;
    Ok(parse(&links, &addrs))
}

/// The objects of `ip -o link show` and `ip -o -4 addr show` output, one line each.
fn parse(links: &str, addrs: &str) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = links
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace().skip(1);
            let name = words
                .next()?
                .trim_end_matches(':')
                .split('@')
                .next()?
                .to_string();
            let up = l.contains(",UP") || l.contains("<UP");
            let master = l
                .split(" master ")
                .nth(1)
                .and_then(|m| m.split_whitespace().next());
            Some(format!(
                "link {name} up={up} master={}",
                master.unwrap_or("-")
            ))
        })
        .collect();
    out.extend(addrs.lines().filter_map(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        Some(format!("addr {} {}", words.get(1)?, words.get(3)?))
    }));
    out
}

/// Fails unless aio's namespace `aio` and `tool`'s namespace `other` hold the same objects.
pub fn same(aio: &str, tool: &'static str, other: &str) -> Result<(), BenchError> {
    let (a, b) = (contents(aio)?, contents(other)?);
    if a == b {
        return Ok(());
    }
    let first_five = |x: &BTreeSet<String>, y: &BTreeSet<String>| -> Vec<String> {
        x.difference(y).take(5).cloned().collect()
    };
    Err(BenchError::Differ {
        aio: aio.to_string(),
        tool,
        other: other.to_string(),
        only_aio: first_five(&a, &b),
        only_other: first_five(&b, &a),
    })
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn links_and_addresses() {
        let links = "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\n\
                     5: p0@v0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master b0 state UP\n\
                     6: v0@p0: <BROADCAST,MULTICAST> mtu 1500 state DOWN\n";
        let addrs = "4: b0    inet 10.0.0.1/24 scope global b0\\       valid_lft forever\n";
        let got: Vec<String> = parse(links, addrs).into_iter().collect();
        assert_eq!(
            got,
            [
                "addr b0 10.0.0.1/24",
                "link lo up=true master=-",
                "link p0 up=true master=b0",
                "link v0 up=false master=-",
            ]
        );
    }
}
