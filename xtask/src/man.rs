//! `cargo xtask man`: the man pages. `aio(1)` and one page per command
//! (`aio-plan(1)`, `aio-state-list(1)`, ...) from the command line's clap
//! definitions, each completed with EXIT STATUS, ENVIRONMENT, FILES,
//! EXAMPLES and SEE ALSO; `aio-topology(5)` for the file format. The check
//! renders each page with `man -l` and refuses a missing section or a SEE
//! ALSO naming a page that does not exist.

use std::path::{Path, PathBuf};

use clap::CommandFactory;

/// Where `cargo xtask man` writes, below the workspace root.
pub const MAN_DIR: &str = "target/man";
/// The format's page, written by hand.
const TOPOLOGY_PAGE: &str = "docs/man/aio-topology.5";
/// The sections every command's page has.
const SECTIONS: [&str; 5] = [
    "EXIT STATUS",
    "ENVIRONMENT",
    "FILES",
    "EXAMPLES",
    "SEE ALSO",
];

const EXIT_STATUS: &str = ".SH \"EXIT STATUS\"\n.TP\n0\nSuccess (with \\fB--detailed-exitcode\\fR: no changes).\n.TP\n1\nAn error: the file is invalid, the system refused a change, or what was asked was refused. Nothing was changed unless the message says so.\n.TP\n2\nChanges are pending (\\fBplan --detailed-exitcode\\fR), or the command line is wrong.\n";

const ENVIRONMENT: &str = ".SH ENVIRONMENT\n.TP\n.B NO_COLOR\nNo colour, whatever \\fB--color auto\\fR finds.\n.TP\n.B RUST_LOG\nLog filters added to \\fB-v\\fR, e.g. \\fBaio_ovs=debug\\fR.\n.TP\n.B AIO_KOLLA_ANSIBLE\nThe kolla-ansible program to run instead of the venv's; a rehearsal (\\fB--netns\\fR) accepts only a file named \\fI*stand-in*\\fR.\n";

const FILES: &str = ".SH FILES\n.TP\n.I /var/lib/aio/state.json\nWhat aio made and owns (\\fI/var/lib/aio/netns/NAME/\\fR with \\fB--netns\\fR); only these objects are ever deleted.\n.TP\n.I /var/lib/aio/lock\nHeld by every command that writes.\n.TP\n.I /var/lib/aio/kolla/\nWhich Kolla actions finished for which inputs, and each action's log.\n.TP\n.I /etc/kolla/globals.d/aio.yml\nThe Kolla globals aio writes; \\fI/etc/kolla/globals.yml\\fR stays the operator's.\n.TP\n.I /usr/share/aio/\nThe JSON Schemas (also printed by \\fBaio schema\\fR).\n";

/// Examples for a page, by its name.
fn examples(page: &str) -> &'static str {
    match page {
        "aio" => {
            "aio validate -f topology.toml\naio plan -f topology.toml\naio apply -f topology.toml"
        }
        "aio-init" => "aio init -f topology.toml\naio init --netns rehearsal -f rehearsal.toml",
        "aio-validate" => "aio validate -f topology.toml --json",
        "aio-plan" => {
            "aio plan --detailed-exitcode\naio plan --out plan.json\naio plan --destroy\naio plan --target link/dummy1"
        }
        "aio-apply" => {
            "aio apply --yes\naio apply plan.json\naio apply --rerun deploy\naio apply --json | jq -c ."
        }
        "aio-adopt" => "aio adopt\naio adopt --yes --root /",
        "aio-destroy" => "aio destroy\naio destroy --target link/dummy1 --yes",
        "aio-watch" => "aio watch -f /etc/aio/topology.toml --resync 60",
        "aio-show" => "aio show\naio show --json\naio show plan.json",
        "aio-graph" => "aio graph | dot -Tsvg > graph.svg",
        "aio-doctor" => {
            "aio doctor -f /etc/aio/topology.toml\naio doctor --json | jq .first_broken"
        }
        "aio-state" | "aio-state-list" => "aio state list\naio state list --netns rehearsal --json",
        "aio-state-rm" => "aio state rm link/dummy1",
        "aio-schema" => "aio schema topology > topology.schema.json",
        "aio-service" | "aio-service-install" => {
            "aio service install -f /etc/aio/topology.toml\naio service install --dry-run"
        }
        "aio-service-uninstall" => "aio service uninstall",
        "aio-completions" => "aio completions bash > /etc/bash_completion.d/aio",
        _ => "aio --help",
    }
}

/// Every command and subcommand, with its page name.
fn commands() -> Vec<clap::Command> {
    let mut root = aio::cli::Cli::command().disable_help_subcommand(true);
    // Gives subcommands their display names: `aio-plan`, not `plan`.
    root.build();
    let mut out = Vec::new();
    let mut todo = vec![root];
    while let Some(command) = todo.pop() {
        todo.extend(
            command
                .get_subcommands()
                .filter(|s| !s.is_hide_set())
                .cloned(),
        );
        out.push(command);
    }
    out
}

fn name(command: &clap::Command) -> String {
    command
        .get_display_name()
        .unwrap_or_else(|| command.get_name())
        .to_string()
}

/// One command's page: clap's sections, then aio's.
fn page(command: &clap::Command, all: &[String]) -> Result<Vec<u8>, String> {
    let mut text = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut text)
        .map_err(|e| e.to_string())?;
    let me = name(command);
    let mut see: Vec<String> = all
        .iter()
        .filter(|other| {
            **other != me
                && (me == "aio" || other.starts_with(&format!("{me}-")) || **other == "aio")
        })
        .map(|other| format!(".BR \\%{other} (1)"))
        .collect();
    see.sort();
    see.push(".BR \\%aio-topology (5)".into());
    let examples: String = examples(&me)
        .lines()
        .map(|l| format!(".TP\n.B {}\n", l.replace('-', "\\-")))
        .collect();
    let extra = format!(
        ".nh\n{EXIT_STATUS}{ENVIRONMENT}{FILES}.SH EXAMPLES\n{examples}.SH \"SEE ALSO\"\n{}\n",
        see.join(",\n")
    );
    text.extend_from_slice(extra.as_bytes());
    Ok(text)
}

/// Writes every page into `MAN_DIR`; the paths written.
pub fn man() -> Result<Vec<PathBuf>, String> {
    let dir = crate::shell::root().join(MAN_DIR);
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    // Pages of commands that no longer exist must not linger.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(io)?;
    let commands = commands();
    let names: Vec<String> = commands.iter().map(name).collect();
    let mut pages = Vec::new();
    for command in &commands {
        let path = dir.join(format!("{}.1", name(command)));
        std::fs::write(&path, page(command, &names)?).map_err(io)?;
        pages.push(path);
    }
    let topology = dir.join("aio-topology.5");
    std::fs::copy(crate::shell::root().join(TOPOLOGY_PAGE), &topology).map_err(io)?;
    pages.push(topology);
    for p in &pages {
        println!("wrote {}", p.display());
    }
    Ok(pages)
}

/// Renders every page with `man -l` and checks its sections and SEE ALSO.
pub fn check(pages: &[PathBuf]) -> Result<(), String> {
    let exists = |reference: &str| {
        // `aio-plan (1)` -> target/man/aio-plan.1
        let (page, section) = reference.split_once(" (").unwrap_or((reference, ""));
        let file = format!("{page}.{}", section.trim_end_matches(')'));
        pages
            .iter()
            .any(|p| p.file_name().is_some_and(|f| f == file.as_str()))
    };
    for path in pages {
        let shown = render(path)?;
        let is_command = path.extension().is_some_and(|e| e == "1");
        let wanted: &[&str] = if is_command { &SECTIONS } else { &["SEE ALSO"] };
        if let Some(missing) = wanted.iter().find(|s| !shown.contains(*s)) {
            return Err(format!("{}: no {missing} section", path.display()));
        }
        let see = shown.split("SEE ALSO").nth(1).unwrap_or_default();
        // `aio-plan(1)`; the footer's `AIO(1)` is the page's own title.
        let references = see
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|t| t.starts_with(|c: char| c.is_ascii_lowercase()) && t.ends_with(')'));
        for reference in references {
            let reference = reference.replace('(', " (");
            if !exists(&reference) {
                return Err(format!(
                    "{}: SEE ALSO names {reference}, which does not exist",
                    path.display()
                ));
            }
        }
    }
    println!("{} man pages render, with their sections", pages.len());
    Ok(())
}

/// The page as `man -l` shows it, without formatting.
fn render(path: &Path) -> Result<String, String> {
    let out = std::process::Command::new("man")
        .args(["-l", "-P", "cat"])
        .arg(path)
        .env("MANWIDTH", "100")
        .env("MAN_KEEP_FORMATTING", "0")
        .output()
        .map_err(|e| format!("man: {e} (is man-db installed?)"))?;
    if !out.status.success() || out.stdout.is_empty() {
        return Err(format!(
            "man -l {} failed: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    // Bold and underline come as overstrikes when not on a terminal.
    let text = String::from_utf8_lossy(&out.stdout);
    let mut plain = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if chars.peek() == Some(&'\u{8}') {
            chars.next();
            continue;
        }
        plain.push(c);
    }
    // A name broken at its hyphen across two lines is one name again.
    let mut joined = String::new();
    for line in plain.lines() {
        if joined.ends_with('-') {
            joined.push_str(line.trim_start());
        } else {
            joined.push('\n');
            joined.push_str(line);
        }
    }
    Ok(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_page_without_its_sections_or_with_a_dangling_see_also_is_refused() {
        let dir = std::env::temp_dir().join(format!("aio-man-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let sections = format!(
            ".TH A 1\n.SH NAME\na\n.nh\n{EXIT_STATUS}{ENVIRONMENT}{FILES}.SH EXAMPLES\nx\n"
        );
        let good = written(
            &dir,
            "a.1",
            &format!("{sections}.SH \"SEE ALSO\"\n.BR \\%b (1)\n"),
        );
        let other = written(
            &dir,
            "b.1",
            &format!("{sections}.SH \"SEE ALSO\"\n.BR \\%a (1)\n"),
        );
        assert!(check(&[good.clone(), other.clone()]).is_ok());
        let dangling = written(
            &dir,
            "c.1",
            &format!("{sections}.SH \"SEE ALSO\"\n.BR \\%aio-help (1)\n"),
        );
        let err = check(&[good.clone(), other.clone(), dangling]).unwrap_err();
        assert!(err.contains("aio-help (1)"), "{err}");
        let bare = written(
            &dir,
            "d.1",
            ".TH D 1\n.SH NAME\nd\n.SH \"SEE ALSO\"\n.BR \\%a (1)\n",
        );
        let err = check(&[good, other, bare]).unwrap_err();
        assert!(err.contains("no EXIT STATUS section"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
