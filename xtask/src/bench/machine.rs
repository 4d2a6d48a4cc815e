//! Where the numbers come from: CPU, cores, kernel, memory, date, aio's
//! commit and the other tools' versions.

use std::path::Path;
use std::process::Command;

use super::results::Machine;
use crate::shell::root;

/// The first line `program ARGS` prints (stdout, or stderr if it printed
/// nothing there); empty if it cannot run.
fn first_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| {
            let text = if o.stdout.is_empty() {
                o.stderr
            } else {
                o.stdout
            };
            String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .unwrap_or_default()
}

/// This machine, with the versions of ip, and of ovs-vsctl and nmstatectl when measured.
pub fn machine(nmstatectl: Option<&Path>, ovs: bool) -> Machine {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let field = |text: &str, key: &str| {
        text.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let memory = field(&read("/proc/meminfo"), "MemTotal")
        .trim_end_matches(" kB")
        .parse::<f64>()
        .map_or("?".into(), |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0));
    let git = |args: &[&str]| {
        let root = root().display().to_string();
        first_line("git", &[&["-C", root.as_str()], args].concat())
    };
    let commit = git(&["rev-parse", "--short", "HEAD"]);
    let dirty = !git(&["status", "--porcelain"]).is_empty();
    let mut tools = vec![first_line("ip", &["-V"])];
    if ovs {
        tools.push(first_line("ovs-vsctl", &["--version"]));
    }
    if let Some(nm) = nmstatectl {
        tools.push(first_line(&nm.display().to_string(), &["--version"]));
    }
    Machine {
        cpu: field(&read("/proc/cpuinfo"), "model name"),
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        kernel: read("/proc/sys/kernel/osrelease").trim().to_string(),
        memory,
        date: first_line("date", &["-u", "+%Y-%m-%d"]),
        aio: format!(
            "{commit}{}",
            if dirty {
                " with uncommitted changes"
            } else {
                ""
            }
        ),
        tools,
    }
}
